#!/bin/bash
# test_libvirt.sh - vmwrapper --backend libvirt with a real guest: an L1
# as a transient libvirt domain (q35, intel vIOMMU, TCG, an NVMe data disk)
# boots to SSH, runs an L2 inside it, exec, status, poweroff; no QEMU, libvirtd or virtlogd left
# behind after poweroff, SIGTERM or SIGKILL of the launcher.
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper

if ! command -v libvirtd >/dev/null || ! command -v qemu-system-x86_64 >/dev/null; then
    tap_skip_all "libvirtd or qemu-system-x86_64 is not installed"
fi
if pgrep -x libvirtd >/dev/null || pgrep -x virtlogd >/dev/null; then
    tap_skip_all "a libvirtd or virtlogd runs already: this test checks the ones it starts"
fi

# launch ID LOG: a launcher in the background, until it says the VM is ready.
launch() {
    "$vw" --backend libvirt --vmtype l1 --vmid "$1" --action launch --nics 1 --json \
        >"$2" 2>"$2.err" &
    launcher=$!
    tap_cleanup_pid $! 300
    tap_wait_for "$launcher" 240 "$2" '"ssh_port"' && return 0
    cat "$2.err" >&2
    return 1
}
# none: nothing this test started still runs (what is left goes to stderr).
none_left() { ! { pgrep -a -x libvirtd; pgrep -a -x virtlogd; pgrep -a -f 'guest=siokit-[l]1';
                 pgrep -a -x vmwrapper-reap; } >&2; }

# L1 0 has a data disk (prepare-vm): NVMe behind the vIOMMU in the domain too.
rm -f "$src/build/vms/l1-0/data.qcow2"      # from an earlier run
disk=$("$vw" --vmtype l1 --vmid 0 --action prepare-vm --disk-size 64)
"$vw" --vmtype l2 --vmid 0 --l1 0 --action prepare-vm --disk-size 64 >/dev/null
check "launch --backend libvirt: L1 boots to SSH as a libvirt domain" launch 0 "$tmp/l1.json"
check "it is libvirt's QEMU: q35 with intel-iommu, TCG, -cpu max" \
    sh -c "pgrep -a -f '[g]uest=siokit-l1-0,' | grep -- '-device {\"driver\":\"intel-iommu\"' | grep -q -- '-accel tcg -cpu max'"
out=$("$vw" --vmtype l1 --action exec -- uname -s)
check "exec passes output through" test "$out" = "Linux"
check "the guest's vIOMMU is on (/sys/class/iommu/dmar*)" \
    "$vw" --vmtype l1 --action exec -- sh -c 'ls -d /sys/class/iommu/dmar* >&2'
check "one test NIC and the management NIC" \
    test "$("$vw" --vmtype l1 --action exec -- sh -c 'ls /sys/class/net | grep -v lo | wc -l')" -eq 2
check "the domain carries the data disk as NVMe (qemu:commandline)" \
    grep -q "nvme,drive=data,serial=siokit-data" "$src/build/vms/l1-0/domain.xml"
# (an L2's disk prepared for l1-0 may sit beside it: find ours by serial)
find_nvme='for c in /sys/class/nvme/*; do read -r s <$c/serial; [ "$s" = siokit-data ] && n=${c##*/}; done; [ -n "$n" ]'
sum=$("$vw" --vmtype l1 --action exec -- sh -c "$find_nvme"' &&
     head -c 1048576 /dev/urandom >/tmp/p && dd if=/tmp/p of=/dev/${n}n1 bs=64k conv=fsync 2>/dev/null &&
     dd if=/dev/${n}n1 of=/tmp/q bs=64k count=16 iflag=direct 2>/dev/null && cmp /tmp/p /tmp/q &&
     sha256sum </tmp/q')
check "the guest writes and reads back its NVMe data disk" test -n "$sum"
check "the NVMe sits behind the vIOMMU (an IOMMU group)" \
    "$vw" --vmtype l1 --action exec -- sh -c "$find_nvme"' && test -e /sys/class/nvme/$n/device/iommu_group'
check "fio runs in the guest" sh -c "'$vw' --vmtype l1 --action exec -- fio --version | grep -q '^fio-3'"
# Its L2s run under the QEMU inside it, as under direct QEMU.
"$vw" --vmtype l2 --vmid 0 --action launch --json >"$tmp/l2.json" 2>"$tmp/l2.err" &
l2launcher=$!
tap_cleanup_pid $! 300
for i in $(seq 480); do grep -q ssh_port "$tmp/l2.json" && break; kill -0 $l2launcher 2>/dev/null || break; sleep 0.5; done
check "an L2 starts inside the libvirt L1, with its NIC and NVMe disk through VFIO" \
    "$vw" --vmtype l2 --vmid 0 --action exec -- sh -c \
    'test "$(hostname)" = l2-0 && test -b /dev/nvme0n1 && grep -qx 52:54:00:60:00:00 /sys/class/net/*/address'
"$vw" --vmtype l2 --vmid 0 --action poweroff
wait $l2launcher
rc=$?
l2launcher=
check "the L2 stops; its launcher exits 0 (exit $rc)" test $rc -eq 0
check "vm.json says backend libvirt" grep -q '"backend" : "libvirt"' "$src/build/vms/l1-0/vm.json"
check "status lists l1-0" sh -c "'$vw' --action status | grep -q '^l1-0 '"
"$vw" --vmtype l1 --action poweroff
check "poweroff: exit 0" test $? -eq 0
wait "$launcher"
rc=$?
launcher=
check "the launcher exits 0 when its domain is gone (exit $rc)" test $rc -eq 0
check "no QEMU, libvirtd or virtlogd left" none_left
qemu-img dd -f qcow2 -O raw if="$disk" of="$tmp/head" bs=64k count=16 2>/dev/null
check "the guest's data is in its overlay on the host" test "$(sha256sum <"$tmp/head")" = "$sum"
check "status: nothing running" sh -c "'$vw' --action status | grep -q 'no VM'"

launch 1 "$tmp/l1b.json"
kill -TERM "$launcher"
wait "$launcher"
rc=$?
launcher=
check "SIGTERM: the launcher exits 143 (exit $rc)" test $rc -eq 143
check "SIGTERM: its domain destroyed, its daemons stopped" none_left

# SIGKILL cannot be caught: the launcher's reaper stops its domain's QEMU
# and the daemons it started.
launch 2 "$tmp/l1c.json"
qpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' \
       "$src/build/vms/l1-2/vm.json" 2>/dev/null)
pids="$launcher $qpid $(pgrep -x libvirtd) $(pgrep -x virtlogd) $(pgrep -x vmwrapper-reap)"
check "SIGKILL case: QEMU, libvirtd, virtlogd and the reaper run ($pids)" \
    test "$(echo $pids | wc -w)" -eq 5
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
launcher=
alive() { for p in $pids; do kill -0 "$p" 2>/dev/null && echo "$p"; done; }
for i in $(seq 300); do [ -z "$(alive)" ] && break; sleep 0.1; done
check "SIGKILL of the launcher: every pid gone ($pids), after $((i / 10)) s" test -z "$(alive)"
check "SIGKILL: nothing left" none_left

"$vw" --backend libvirt --vmtype l1 --action launch --share "$tmp" 2>"$tmp/err"
check "--share under libvirt is refused: exit 2" \
    sh -c "test $? -eq 2 && grep -q 'qemu backend only' '$tmp/err'"
"$vw" --backend libvirt --vmtype l2 --action launch 2>"$tmp/err"
check "--backend libvirt for an L2 is refused: exit 2" \
    sh -c "test $? -eq 2 && grep -q 'libvirt for l1 and client only' '$tmp/err'"

tap_done
