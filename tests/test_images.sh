#!/bin/bash
# test_images.sh - guest images end to end: build-image.sh builds l2 and l1,
# a second build is a cache hit, the initramfs holds the expected files; the
# l2 image boots under TCG to SSH with its pinned host key (and a wrong pin
# is refused), runs iperf3 and fio and powers off through QMP; the l1 image boots
# with a vIOMMU, has QEMU, KVM and the embedded l2 image, starts that l2
# under KVM and powers off from inside.  No QEMU outlives the test.  TAP.
#
# Environment: SIOKIT_BUILD, SIOKIT_SRC (set by meson); SIOKIT_IMAGES and
# SIOKIT_KEYS override the image and key folders (default under the build).
set -u
. "$(dirname "$0")/lib/tap.sh"
builder=$src/vmwrapper/image/build-image.sh
images=${SIOKIT_IMAGES:-$build/images}
keys=${SIOKIT_KEYS:-$build/keys}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    tap_skip_all "qemu-system-x86_64 is not installed"
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- build ---------------------------------------------------------------------
# build TYPE: runs build-image.sh; sets dir (its stdout) and secs.
build_image() {
    local t0
    t0=$(now)
    dir=$("$builder" --type "$1" --out "$images" --keys "$keys" --quiet 2>"$tmp/build.err")
    brc=$?
    secs=$(since "$t0")
}
build_image l2
check "l2 image builds (${secs}s): $dir" test "$brc" -eq 0 -a -f "$dir/complete"
l2=$dir
[ "$brc" -eq 0 ] || { echo "# $(cat "$tmp/build.err")"; echo "1..$n"; exit 1; }
build_image l1
check "l1 image builds (${secs}s): $dir" test "$brc" -eq 0 -a -f "$dir/complete"
l1=$dir
[ "$brc" -eq 0 ] || { echo "# $(cat "$tmp/build.err")"; echo "1..$n"; exit 1; }

for t in l2 l1; do
    first=$([ $t = l1 ] && echo "$l1" || echo "$l2")
    stamp=$(stat -c '%Y %i' "$first/complete" "$first/initrd.img")
    build_image $t
    check "$t: a second build is a cache hit with the same folder (${secs}s)" \
        test "$brc" -eq 0 -a "$dir" = "$first" -a "$(stat -c '%Y %i' "$dir/complete" "$dir/initrd.img")" = "$stamp"
done
check "the l1 key names the embedded l2 image" grep -qx "l2 ${l2##*/l2-}" "$l1/inputs"
check "OUT/l2 and OUT/l1 link to the newest images" \
    test "$(readlink -f "$images/l2")" = "$(readlink -f "$l2")" -a \
         "$(readlink -f "$images/l1")" = "$(readlink -f "$l1")"
check "the automation key exists, mode 0600" test "$(stat -c %a "$keys/id_ed25519")" = 600
check "host_key.pub is one OpenSSH ed25519 key" \
    test "$(wc -l <"$l2/host_key.pub")" -eq 1 -a "$(cut -d' ' -f1 "$l2/host_key.pub")" = ssh-ed25519
check "manifest.json names type, key, kernel, packages, modules, host key" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "l1" and d["key"] == sys.argv[2]
assert d["kernel"]["release"] and "qemu-system-x86" in d["packages"]
assert {"vfio_pci", "kvm_amd", "virtio_net", "e1000e"} <= set(d["modules"])
assert d["host_key"]["fingerprint"].startswith("SHA256:")
' "$l1/manifest.json" "${l1##*/l1-}"

# --- initramfs contents ------------------------------------------------------------
# has_files IMAGE FILE...: every FILE is in IMAGE's initramfs (cpio -t).
has_files() {
    local img=$1 f missing=""
    shift
    zcat "$img/initrd.img" | cpio -t --quiet >"$tmp/list" 2>/dev/null
    for f in "$@"; do grep -qxF "$f" "$tmp/list" || missing="$missing $f"; done
    [ -z "$missing" ] || echo "# missing:$missing"
    [ -z "$missing" ]
}
kver=$(sed -n 's/^kernel linux-image-\([^ ]*\) .*/\1/p' "$l2/inputs")
m=usr/lib/modules/$kver/kernel
common="init usr/bin/busybox usr/sbin/dropbear usr/bin/iperf3 usr/bin/fio usr/lib64/ld-linux-x86-64.so.2
  usr/lib/x86_64-linux-gnu/libc.so.6 usr/lib/x86_64-linux-gnu/libiperf.so.0
  etc/dropbear/dropbear_ed25519_host_key root/.ssh/authorized_keys etc/siokit/modules
  etc/udhcpc/default.script etc/acpi/PWRF/00000080 etc/inittab usr/lib/modules/$kver/modules.dep
  $m/drivers/net/virtio_net.ko $m/drivers/net/ethernet/intel/e1000e/e1000e.ko
  $m/fs/fuse/virtiofs.ko $m/drivers/acpi/button.ko $m/drivers/input/evdev.ko"
check "the l2 initramfs lists the expected files" has_files "$l2" $common
check "the l1 initramfs adds QEMU, firmware, vfio, kvm and the l2 image" has_files "$l1" $common \
    usr/bin/qemu-system-x86_64 usr/share/qemu/bios-256k.bin usr/share/qemu/kvmvapic.bin \
    usr/share/qemu/linuxboot_dma.bin usr/share/qemu/efi-e1000e.rom usr/share/qemu/efi-virtio.rom \
    $m/drivers/vfio/pci/vfio-pci.ko $m/drivers/vfio/vfio_iommu_type1.ko \
    $m/arch/x86/kvm/kvm-amd.ko $m/drivers/crypto/ccp/ccp.ko \
    images/l2/vmlinuz images/l2/initrd.img
check "the authorized key is the automation key" \
    test "$(zcat "$l2/initrd.img" | (cd "$tmp" && cpio -i --quiet --to-stdout root/.ssh/authorized_keys))" = \
         "$(cat "$keys/id_ed25519.pub")"

# --- boot helpers ---------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# boot NAME IMAGE APPEND QEMU-ARG...: starts QEMU with the management NIC
# forwarded to a free port; sets qpid, port, log, qmp.
mgmt_mac=52:54:00:12:34:56
boot() {
    local name=$1 img=$2 append=$3
    shift 3
    log=$tmp/$name.log qmp=$tmp/$name.qmp
    for _ in 1 2 3; do
        port=$(free_port)
        rm -f "$log" "$qmp"
        qemu-system-x86_64 "$@" -nographic -nodefaults -serial "file:$log" \
            -netdev "user,id=m,hostfwd=tcp:127.0.0.1:$port-:22" \
            -device "virtio-net-pci,netdev=m,mac=$mgmt_mac" \
            -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
            -append "console=ttyS0 quiet siokit.mgmt_mac=$mgmt_mac $append" \
            -qmp "unix:$qmp,server=on,wait=off" </dev/null >"$tmp/$name.qemu" 2>&1 &
        qpid=$!
        tap_cleanup_pid "$qpid"
        sleep 0.5
        # A port taken between free_port and QEMU: try another one.
        kill -0 "$qpid" 2>/dev/null || ! grep -q 'host forwarding' "$tmp/$name.qemu" || continue
        return 0
    done
}
# known_hosts PORT PUBFILE FILE: pins PUBFILE for [127.0.0.1]:PORT.
known_hosts() { echo "[127.0.0.1]:$1 $(cat "$2")" >"$3"; }
# gssh PORT KNOWN_HOSTS CMD...: the command over SSH, verifying the pin.
gssh() {
    local p=$1 kh=$2
    shift 2
    ssh -F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" \
        -o GlobalKnownHostsFile=/dev/null -o BatchMode=yes -o IdentitiesOnly=yes \
        -o ConnectTimeout=10 -o LogLevel=ERROR -i "$keys/id_ed25519" -p "$p" root@127.0.0.1 "$@" </dev/null
}
# wait_ssh START KNOWN_HOSTS: polls for "siokit: ready" then SSH, 120 s from
# START; false if QEMU died or time ran out.
wait_ssh() {
    local start=$1 kh=$2
    while ! grep -qa 'siokit: ready' "$log" 2>/dev/null; do
        kill -0 "$qpid" 2>/dev/null || return 1
        [ "$(since "$start" | cut -d. -f1)" -lt 120 ] || return 1
        sleep 0.2
    done
    ready_secs=$(since "$start")
    until gssh "$port" "$kh" true 2>/dev/null; do
        kill -0 "$qpid" 2>/dev/null || return 1
        [ "$(since "$start" | cut -d. -f1)" -lt 120 ] || return 1
        sleep 0.2
    done
    ssh_secs=$(since "$start")
}
# qmp SOCKET COMMAND: qmp_capabilities, then COMMAND.
qmp() {
    python3 - "$@" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rw")
def reply():
    while True:
        m = json.loads(f.readline())
        if "event" not in m:
            return m
reply()
for c in ("qmp_capabilities", sys.argv[2]):
    f.write(json.dumps({"execute": c}) + "\n")
    f.flush()
    if "error" in reply():
        sys.exit(1)
EOF
}
# wait_exit SECONDS: QEMU gone within SECONDS, else killed and false.
wait_exit() {
    local t0
    t0=$(now)
    while kill -0 "$qpid" 2>/dev/null; do
        if [ "$(since "$t0" | cut -d. -f1)" -ge "$1" ]; then
            kill "$qpid" 2>/dev/null
            wait "$qpid" 2>/dev/null
            return 1
        fi
        sleep 0.2
    done
    wait "$qpid" 2>/dev/null
    exit_secs=$(since "$t0")
}

# --- l2 under TCG ---------------------------------------------------------------------
t0=$(now)
boot l2 "$l2" "siokit.hostname=l2-test" -accel tcg -m 512 -machine q35
kh=$tmp/l2.known_hosts
known_hosts "$port" "$l2/host_key.pub" "$kh"
if wait_ssh "$t0" "$kh"; then
    ok "l2 boots under TCG: ready in ${ready_secs}s, SSH with the pinned host key in ${ssh_secs}s"
    check "the console shows the management NIC configured by DHCP" \
        grep -qa 'siokit: ready type=l2 host=l2-test mgmt=eth0 addr=10.0.2.15/24 (dhcp)' "$log"
    ssh-keygen -q -t ed25519 -N '' -f "$tmp/wrong" </dev/null
    known_hosts "$port" "$tmp/wrong.pub" "$tmp/wrong.known_hosts"
    gssh "$port" "$tmp/wrong.known_hosts" true >/dev/null 2>"$tmp/wrong.err"
    rc=$?
    check "a different pinned key is refused (exit $rc)" \
        test "$rc" -eq 255 -a -n "$(grep -i 'host key verification failed' "$tmp/wrong.err")"
    ssh -F /dev/null -v -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh" -o BatchMode=yes \
        -o PreferredAuthentications=none -p "$port" root@127.0.0.1 true </dev/null 2>"$tmp/auth.err" >/dev/null
    check "dropbear offers public-key authentication only" \
        grep -q 'Authentications that can continue: publickey$' <(tr -d '\r' <"$tmp/auth.err")
    out=$(gssh "$port" "$kh" iperf3 --version 2>&1)
    check "iperf3 --version runs over SSH" grep -q '^iperf 3' <<<"$out"
    out=$(gssh "$port" "$kh" fio --version 2>&1)
    check "fio --version runs over SSH ($out)" grep -q '^fio-3' <<<"$out"
    out=$(gssh "$port" "$kh" cat /proc/cmdline 2>&1)
    check "/proc/cmdline carries siokit.mgmt_mac" grep -q "siokit.mgmt_mac=$mgmt_mac" <<<"$out"
    out=$(gssh "$port" "$kh" hostname 2>&1)
    check "siokit.hostname sets the hostname ($out)" test "$out" = l2-test
    gssh "$port" "$kh" 'exit 3'
    check "a remote exit status comes back over SSH" test $? -eq 3
    if qmp "$qmp" system_powerdown && wait_exit 60; then
        ok "QMP system_powerdown powers the l2 guest off (QEMU gone in ${exit_secs}s)"
    else
        not_ok "QMP system_powerdown powers the l2 guest off (QEMU killed)"
    fi
else
    not_ok "l2 boots under TCG to SSH in 120 s: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ') $(head -c 300 "$tmp/l2.qemu")"
    kill "$qpid" 2>/dev/null
fi

# --- l1 under TCG, with a vIOMMU and a test NIC besides the management NIC ------------------
t0=$(now)
boot l1 "$l1" "intel_iommu=on siokit.hostname=l1-test" \
    -accel tcg -cpu max -m 2048 -machine q35,kernel-irqchip=split \
    -device intel-iommu,intremap=on,caching-mode=on \
    -netdev user,id=t0 -device e1000e,netdev=t0,mac=52:54:00:00:10:01,addr=0x1
kh=$tmp/l1.known_hosts
known_hosts "$port" "$l1/host_key.pub" "$kh"
if wait_ssh "$t0" "$kh"; then
    ok "l1 boots under TCG: ready in ${ready_secs}s, SSH with the pinned host key in ${ssh_secs}s"
    out=$(gssh "$port" "$kh" 'for d in /sys/class/net/eth*; do echo ${d##*/} $(cat $d/address) $(cat $d/operstate); done' 2>&1)
    mgmt_if=$(awk -v m=$mgmt_mac '$2 == m { print $1 }' <<<"$out")
    test_if=$(awk '$2 == "52:54:00:00:10:01" { print $1 }' <<<"$out")
    check "the NIC named by siokit.mgmt_mac is the one configured ($mgmt_if)" \
        grep -qa "siokit: ready type=l1 host=l1-test mgmt=$mgmt_if addr=10.0.2.15/24" "$log"
    check "the test NIC stays down ($test_if)" \
        test -n "$test_if" -a "$(awk -v i="$test_if" '$1 == i { print $3 }' <<<"$out")" = down
    out=$(gssh "$port" "$kh" qemu-system-x86_64 --version 2>&1)
    check "qemu-system-x86_64 --version runs inside l1" grep -q '^QEMU emulator version' <<<"$out"
    check "the l2 image is in /images/l2" gssh "$port" "$kh" test -s /images/l2/vmlinuz -a -s /images/l2/initrd.img
    check "vfio-pci is loaded" gssh "$port" "$kh" 'grep -q "^vfio_pci " /proc/modules'
    if gssh "$port" "$kh" 'grep -qw svm /proc/cpuinfo'; then
        check "modprobe kvm_amd works under -cpu max and /dev/kvm exists" \
            gssh "$port" "$kh" 'modprobe kvm_amd && test -c /dev/kvm'
        # The embedded l2, under KVM inside l1, reached through l1 (ProxyCommand).
        gssh "$port" "$kh" 'qemu-system-x86_64 -accel kvm -cpu host -m 512 -display none -nodefaults \
            -serial file:/tmp/l2.log -netdev user,id=m,hostfwd=tcp:127.0.0.1:2222-:22 \
            -device virtio-net-pci,netdev=m -kernel /images/l2/vmlinuz -initrd /images/l2/initrd.img \
            -append "console=ttyS0 quiet siokit.hostname=nested" -daemonize -pidfile /run/l2.pid' \
            >"$tmp/nested.err" 2>&1
        nkh=$tmp/nested.known_hosts
        { cat "$kh"; echo "[127.0.0.1]:2222 $(cat "$l2/host_key.pub")"; } >"$nkh"
        t1=$(now) out=""
        while [ "$(since "$t1" | cut -d. -f1)" -lt 120 ]; do
            out=$(ssh -F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$nkh" \
                -o BatchMode=yes -o IdentitiesOnly=yes -o ConnectTimeout=10 -o LogLevel=ERROR \
                -i "$keys/id_ed25519" -o "ProxyCommand=ssh -F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$nkh -o BatchMode=yes -o IdentitiesOnly=yes -i $keys/id_ed25519 -p $port -W %h:%p root@127.0.0.1" \
                -p 2222 root@127.0.0.1 hostname </dev/null 2>/dev/null) && break
            gssh "$port" "$kh" 'kill -0 $(cat /run/l2.pid)' 2>/dev/null || break
            sleep 1
        done
        check "the embedded l2 boots under KVM inside l1 to SSH with its pinned key ($(since "$t1")s)" \
            test "$out" = nested
    else
        skip "modprobe kvm_amd works under -cpu max" "this QEMU's -cpu max has no svm"
        skip "the embedded l2 boots under KVM inside l1" "no svm"
    fi
    gssh "$port" "$kh" poweroff >/dev/null 2>&1
    if wait_exit 60; then
        ok "poweroff inside l1 powers it off (QEMU gone in ${exit_secs}s)"
    else
        not_ok "poweroff inside l1 powers it off (QEMU killed)"
    fi
else
    not_ok "l1 boots under TCG to SSH in 120 s: $(tail -n 3 "$log" 2>/dev/null | tr '\n' ' ') $(head -c 300 "$tmp/l1.qemu")"
    kill "$qpid" 2>/dev/null
fi

check "no QEMU is left running" test -z "$(tap_alive)"

tap_done
