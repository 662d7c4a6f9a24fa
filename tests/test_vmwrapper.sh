#!/bin/bash
# test_vmwrapper.sh - vmwrapper with real guests: build the L1 image, boot
# it under TCG until SSH answers (host key pinned), exec, copy, status,
# power-off; L2s in L1 through VFIO, one with an NVMe data disk; data disks
# and virtio-fs sharing; every way the launching command can end leaves no
# QEMU (nor virtiofsd).
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper
launchers=()

if ! command -v qemu-system-x86_64 >/dev/null; then
    tap_skip_all "qemu-system-x86_64 is not installed"
fi

# qemu_pid NAME: the QEMU pid recorded for a VM ("" when none).
qemu_pid() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' \
        "$src/build/vms/$1/vm.json" 2>/dev/null
}
# launch TYPE ID LOG [ARG...]: starts a launcher in the background and
# waits (no fixed sleep) until it prints that the VM is ready.
launch() {
    local type=$1 id=$2 log=$3
    shift 3
    "$vw" --vmtype "$type" --vmid "$id" --action launch --nics 2 --json "$@" >"$log" 2>"$log.err" &
    launchers+=($!)
    tap_cleanup_pid $! 300
    tap_wait_for $! 240 "$log" '"ssh_port"' && return 0
    cat "$log.err" >&2
    return 1
}

image=$("$vw" --vmtype l1 --action build-image)
check "build-image prints the L1 image" test -s "$image/vmlinuz" -a -s "$image/initrd.img" -a -s "$image/host_key.pub"
start=$SECONDS
image2=$("$vw" --vmtype l1 --action build-image)
check "a rebuild with nothing changed is instant and the same image" \
    test "$image2" = "$image" -a $((SECONDS - start)) -le 5

check "launch: L1 boots under TCG until SSH answers" launch l1 0 "$tmp/l1.json"
pid=$(qemu_pid l1-0)
# --accel auto (the default): KVM only where a probe boot proved it.
probe=$src/build/kvm-probe
verdict=$(sed -n 2p "$probe" 2>/dev/null)
check "the KVM probe's verdict is kept for this host boot ($verdict)" \
    sh -c "head -n1 '$probe' | grep -q \"^\$(cat /proc/sys/kernel/random/boot_id) \" && [ '$verdict' = tcg -o '$verdict' = kvm ]"
check "L1 runs under the accelerator the probe proved" \
    sh -c "tr '\\0' ' ' </proc/$pid/cmdline | grep -q -- '-accel $verdict'"
check "status lists l1-0 with its QEMU pid" sh -c "'$vw' --action status | grep -q 'l1-0 *pid $pid'"
out=$("$vw" --vmtype l1 --action exec -- uname -s)
check "exec passes output through" test "$out" = "Linux"
"$vw" --vmtype l1 --action exec -- sh -c 'exit 7'
check "exec passes the exit status through" test $? -eq 7
args=$("$vw" --vmtype l1 --action exec -- printf '%s|' 'a b' '$(id)' '"q"' "it's" ';ls' '*' '')
check "exec arguments arrive untouched (no shell injection)" test "$args" = "a b|\$(id)|\"q\"|it's|;ls|*||"
head -c 300000 /dev/urandom >"$tmp/blob"
"$vw" --vmtype l1 --action copy -- "$tmp/blob" :/tmp/blob &&
    "$vw" --vmtype l1 --action copy -- :/tmp/blob "$tmp/back"
check "copy both ways, byte for byte" cmp -s "$tmp/blob" "$tmp/back"
check "two test NICs behind the vIOMMU, one management NIC" \
    test "$("$vw" --vmtype l1 --action exec -- sh -c 'ls /sys/class/net | grep -v lo | wc -l')" -eq 3
check "the guest's IOMMU is on" "$vw" --vmtype l1 --action exec -- sh -c 'ls /sys/class/iommu/ | grep -q dmar'
# The pinned host key is enforced: a wrong key in known_hosts is refused.
kh=$src/build/vms/l1-0/known_hosts
cp "$kh" "$tmp/kh"
sed -i 's/ssh-ed25519 AAAA\(.\)/ssh-ed25519 AAAA\1X/' "$kh"
"$vw" --vmtype l1 --action exec -- true 2>"$tmp/err"
rc=$?
cp "$tmp/kh" "$kh"
check "a host key that is not the pinned one is refused (exit $rc)" \
    sh -c "test $rc -ne 0 && grep -qi 'host key' '$tmp/err'"
"$vw" --vmtype l1 --action poweroff
check "poweroff stops the VM" sh -c "! kill -0 $pid 2>/dev/null"
wait "${launchers[-1]}"
check "the launcher exits 0 when its VM powers off" test $? -eq 0
check "status: nothing running" sh -c "'$vw' --action status | grep -q 'no VM'"

# HyperSIO's topology: L2s inside L1, each with one of L1's test NICs
# through VFIO, under KVM inside L1, started one after another.  L2 0 has
# a data disk: an NVMe of L1 behind L0's vIOMMU, handed to it by VFIO.
rm -f "$src/build/vms/l2-0/data.qcow2"     # from an earlier run
l2disk=$("$vw" --vmtype l2 --vmid 0 --l1 0 --action prepare-vm --disk-size 64)
check "prepare-vm for an L2 makes its overlay on the host" \
    test -s "$l2disk" -a "$(cat "$src/build/vms/l2-0/l1" 2>/dev/null)" = l1-0
launch l1 0 "$tmp/l1n.json" --qemu-arg -trace --qemu-arg vtd_iotlb_page_update
l1pid=$(qemu_pid l1-0)
check "L1 carries L2 0's disk as an NVMe with serial siokit-l2-0" \
    "$vw" --vmtype l1 --action exec -- sh -c 'grep -qx "siokit-l2-0 *" /sys/class/nvme/*/serial'
launch l2 0 "$tmp/l2a.json"
check "L2 0 boots inside L1 to SSH (pinned key, through L1's forwarded port)" \
    test "$("$vw" --vmtype l2 --vmid 0 --action exec -- hostname)" = "l2-0"
check "L2 0 owns L1's test NIC 0 (VFIO): its MAC is in L2" \
    "$vw" --vmtype l2 --vmid 0 --action exec -- sh -c 'grep -qx 52:54:00:60:00:00 /sys/class/net/*/address'
check "fio runs in the L2" sh -c "'$vw' --vmtype l2 --vmid 0 --action exec -- fio --version | grep -q '^fio-3'"
# A pattern written to the L2's /dev/nvme0n1, read back past the page cache.
sum=$("$vw" --vmtype l2 --vmid 0 --action exec -- sh -c \
    'head -c 1048576 /dev/urandom >/tmp/p && dd if=/tmp/p of=/dev/nvme0n1 bs=64k conv=fsync 2>/dev/null &&
     dd if=/dev/nvme0n1 of=/tmp/q bs=64k count=16 iflag=direct 2>/dev/null && cmp /tmp/p /tmp/q &&
     sha256sum </tmp/q')
check "L2 0 writes and reads back its NVMe data disk (/dev/nvme0n1)" test -n "$sum"
# Its DMA is translated by L0's vIOMMU in the L2's domain, the same as its NIC's.
nvme_bdf=$("$vw" --vmtype l1 --action exec -- cat /run/l2-0.nvme)
nic_bdf=$("$vw" --vmtype l1 --action exec -- cat /run/l2-0.bdf)
sid_of() { local d=${1##*:}; printf '0x%x' $(( (0x${d%.*} << 3) | ${d#*.} )); }
last_domain() { grep -a "IOTLB page update sid $1 " "$src/build/vms/l1-0/qemu.log" | tail -n1 | sed 's/.*domain //'; }
nvme_dom=$(last_domain "$(sid_of "$nvme_bdf")")
nic_dom=$(last_domain "$(sid_of "$nic_bdf")")
check "L0's vIOMMU translates the L2's NVMe DMA in the L2's domain (NVMe $nvme_bdf domain $nvme_dom, NIC $nic_bdf domain $nic_dom)" \
    test -n "$nvme_dom" -a "$nvme_dom" = "$nic_dom"
check "L1 no longer has that NIC as a network interface" \
    sh -c "! '$vw' --vmtype l1 --action exec -- sh -c 'grep -qx 52:54:00:60:00:00 /sys/class/net/*/address'"
launch l2 1 "$tmp/l2b.json"
check "L2 1 boots after it with L1's test NIC 1" \
    "$vw" --vmtype l2 --vmid 1 --action exec -- sh -c 'grep -qx 52:54:00:60:00:01 /sys/class/net/*/address'
check "status lists both L2s in l1-0" sh -c "test \$('$vw' --action status | grep -c 'in l1-0') -eq 2"
"$vw" --vmtype l2 --vmid 2 --action launch 2>"$tmp/err"
check "a third L2 with two test NICs is refused: exit 2 ($?), says why" \
    sh -c "test $? -eq 2 && grep -q 'L2s 0..1' '$tmp/err'"
kill -TERM "${launchers[-1]}"
wait "${launchers[-1]}"
check "SIGTERM stops L2 1 in L1 (exit $?)" \
    sh -c "! '$vw' --vmtype l1 --action exec -- sh -c 'kill -0 \$(cat /run/l2-1.pid)' 2>/dev/null"
"$vw" --action poweroff --all
check "poweroff --all stops the L2, then the L1" sh -c "! kill -0 $l1pid 2>/dev/null"
wait "${launchers[@]}" 2>/dev/null
check "no QEMU of l1-0 left" sh -c "! pgrep -f '[-]name l1-0 .*$src/build/vms/' >&2"
qemu-img dd -f qcow2 -O raw if="$l2disk" of="$tmp/l2head" bs=64k count=16 2>/dev/null
check "the L2's data reached its overlay on the host" \
    test "$(sha256sum <"$tmp/l2head")" = "$sum"
check "the overlay stays small (a copy-on-write overlay, not a copy): $(stat -c %s "$l2disk") bytes" \
    sh -c "test $(stat -c %s "$l2disk") -lt 8388608 && qemu-img info '$l2disk' | grep -q '^backing file: .*data-64M.qcow2'"

# prepare-vm: a per-VM data disk, a qcow2 overlay over a shared base.
rm -f "$src/build/vms/client-4/data.qcow2"     # from an earlier run
disk=$("$vw" --vmtype client --vmid 4 --action prepare-vm --disk-size 64)
check "prepare-vm makes the VM's overlay" test -s "$disk"
base=$(qemu-img info --output=json "$disk" | python3 -c 'import json,sys; print(json.load(sys.stdin)["backing-filename"])')
check "the overlay is backed by the shared base, not a copy" test -s "$base" -a "$(stat -c %s "$disk")" -lt 1048576
check "prepare-vm again: the same disk" test "$("$vw" --vmtype client --vmid 4 --action prepare-vm --disk-size 64)" = "$disk"
base_sum=$(sha256sum <"$base")
# The same boot shares a folder by virtio-fs (--share).
mkdir "$tmp/share"
echo from-host >"$tmp/share/h"
launch client 4 "$tmp/c4.json" --share "$tmp/share"
check "the guest sees the data disk on NVMe" \
    "$vw" --vmtype client --vmid 4 --action exec -- test -b /dev/nvme0n1
"$vw" --vmtype client --vmid 4 --action exec -- dd if=/dev/urandom of=/dev/nvme0n1 bs=64k count=16 2>/dev/null
check "--share: a host file is read in the guest at /mnt/share" \
    test "$("$vw" --vmtype client --vmid 4 --action exec -- cat /mnt/share/h)" = from-host
"$vw" --vmtype client --vmid 4 --action exec -- sh -c 'echo from-guest >/mnt/share/g'
check "--share: a guest file is seen on the host" test "$(cat "$tmp/share/g" 2>/dev/null)" = from-guest
fspid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["virtiofsd_pid"])' \
        "$src/build/vms/client-4/vm.json" 2>/dev/null)
check "virtiofsd runs (pid $fspid)" kill -0 "${fspid:-0}"
"$vw" --vmtype client --vmid 4 --action poweroff
wait "${launchers[-1]}"
check "the guest's writes land in its overlay; the base is untouched" \
    test "$(sha256sum <"$base")" = "$base_sum" -a "$(stat -c %s "$disk")" -gt 1048576
check "no virtiofsd left after poweroff" sh -c "! kill -0 ${fspid:-0} 2>/dev/null"
"$vw" --vmtype client --vmid 5 --action launch --share "$tmp/nonexistent" 2>"$tmp/err"
check "--share of a missing folder: exit 2, one line naming it ($?)" \
    sh -c "test $? -eq 2 && test \$(wc -l <'$tmp/err') -eq 1 && grep -q nonexistent '$tmp/err'"

# SIGTERM to the launcher stops its VM.
launch l1 1 "$tmp/l1b.json"
pid=$(qemu_pid l1-1)
kill -TERM "${launchers[-1]}"
wait "${launchers[-1]}"
rc=$?
check "SIGTERM: the launcher stops its VM and exits 143 (exit $rc)" \
    sh -c "test $rc -eq 143 && ! kill -0 $pid 2>/dev/null"

# Even SIGKILL, which cannot be caught, leaves no QEMU (nor virtiofsd):
# they die with their launcher.
launch client 0 "$tmp/c.json" --share "$tmp/share"
pid=$(qemu_pid client-0)
fspid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["virtiofsd_pid"])' \
        "$src/build/vms/client-0/vm.json" 2>/dev/null)
kill -KILL "${launchers[-1]}"
wait "${launchers[-1]}" 2>/dev/null
for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || kill -0 "${fspid:-0}" 2>/dev/null || break; sleep 0.1; done
check "SIGKILL of the launcher: its QEMU and virtiofsd ($fspid) die too" \
    sh -c "test -n '$fspid' && ! kill -0 $pid 2>/dev/null && ! kill -0 $fspid 2>/dev/null"

# QEMU dying during boot: one line, exit 1, nothing left.
"$vw" --vmtype l1 --vmid 2 --action launch --qemu /bin/false >"$tmp/out" 2>"$tmp/err"
rc=$?
check "QEMU dying while booting: exit 1 and one line naming it (exit $rc)" \
    sh -c "test $rc -eq 1 && test \$(wc -l <'$tmp/err') -eq 1 && grep -q 'l1-2' '$tmp/err'"
"$vw" --vmtype l1 --action exec -- true 2>"$tmp/err"
check "exec on a VM that is not running: exit 2, says so" sh -c "test $? -eq 2 && grep -q 'not running' '$tmp/err'"
"$vw" --vmtype l3 --action status 2>"$tmp/err"
check "unknown vmtype: exit 2" test $? -eq 2

tap_done
