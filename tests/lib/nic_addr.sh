# nic_addr.sh - source it: nic_addr PID I prints the guest address that test
# NIC I's user-mode network forwards to: .15 of its net= (QEMU's default
# 10.0.2.0/24), read from QEMU's command line, so tests and benchmarks follow
# however vmwrapper numbers the networks.
nic_addr() {
    python3 - "$1" "$2" <<'PY'
import re, sys
for a in open('/proc/%s/cmdline' % sys.argv[1], 'rb').read().decode().split('\0'):
    if re.match(r'user,id=nic%s(,|$)' % sys.argv[2], a):
        m = re.search(r'net=(\d+\.\d+\.\d+)\.\d+', a)
        print((m.group(1) if m else '10.0.2') + '.15')
        break
else:
    print('10.0.2.15')
PY
}
