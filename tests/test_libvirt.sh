#!/bin/bash
# test_libvirt.sh - vmwrapper --backend libvirt with a real guest: an L1
# as a transient libvirt domain (q35, intel vIOMMU, TCG) boots to SSH,
# exec, status, poweroff; no QEMU, libvirtd or virtlogd left behind.
# TAP output.
set -u
build=${SIOKIT_BUILD:?}
src=${SIOKIT_SRC:?}
export SIOKIT_HOME=$src
vw=$build/vmwrapper/vmwrapper
tmp=$(mktemp -d)
launcher=
cleanup() {
    [ -n "$launcher" ] && kill -TERM "$launcher" 2>/dev/null && wait "$launcher" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

if ! command -v libvirtd >/dev/null || ! command -v qemu-system-x86_64 >/dev/null; then
    echo "1..0 # SKIP libvirtd or qemu-system-x86_64 is not installed"
    exit 0
fi
if pgrep -x libvirtd >/dev/null || pgrep -x virtlogd >/dev/null; then
    echo "1..0 # SKIP a libvirtd or virtlogd runs already: this test checks the ones it starts"
    exit 0
fi

# launch ID LOG: a launcher in the background, until it says the VM is ready.
launch() {
    "$vw" --backend libvirt --vmtype l1 --vmid "$1" --action launch --nics 1 --json \
        >"$2" 2>"$2.err" &
    launcher=$!
    local deadline=$((SECONDS + 240))
    while [ $SECONDS -lt $deadline ] && kill -0 "$launcher" 2>/dev/null; do
        grep -q '"ssh_port"' "$2" 2>/dev/null && return 0
        sleep 0.5
    done
    cat "$2.err" >&2
    return 1
}
# none: nothing this test started still runs (what is left goes to stderr).
none_left() { ! { pgrep -a -x libvirtd; pgrep -a -x virtlogd; pgrep -a -f 'guest=siokit-[l]1'; } >&2; }

check "launch --backend libvirt: L1 boots to SSH as a libvirt domain" launch 0 "$tmp/l1.json"
check "it is libvirt's QEMU: q35 with intel-iommu, TCG, -cpu max" \
    sh -c "pgrep -a -f '[g]uest=siokit-l1-0,' | grep -- '-device {\"driver\":\"intel-iommu\"' | grep -q -- '-accel tcg -cpu max'"
out=$("$vw" --vmtype l1 --action exec -- uname -s)
check "exec passes output through" test "$out" = "Linux"
check "the guest's vIOMMU is on (/sys/class/iommu/dmar*)" \
    "$vw" --vmtype l1 --action exec -- sh -c 'ls -d /sys/class/iommu/dmar* >&2'
check "one test NIC and the management NIC" \
    test "$("$vw" --vmtype l1 --action exec -- sh -c 'ls /sys/class/net | grep -v lo | wc -l')" -eq 2
check "vm.json says backend libvirt" grep -q '"backend" : "libvirt"' "$src/build/vms/l1-0/vm.json"
check "status lists l1-0" sh -c "'$vw' --action status | grep -q '^l1-0 '"
"$vw" --vmtype l1 --action poweroff
check "poweroff: exit 0" test $? -eq 0
wait "$launcher"
rc=$?
launcher=
check "the launcher exits 0 when its domain is gone (exit $rc)" test $rc -eq 0
check "no QEMU, libvirtd or virtlogd left" none_left
check "status: nothing running" sh -c "'$vw' --action status | grep -q 'no VM'"

launch 1 "$tmp/l1b.json"
kill -TERM "$launcher"
wait "$launcher"
rc=$?
launcher=
check "SIGTERM: the launcher exits 143 (exit $rc)" test $rc -eq 143
check "SIGTERM: its domain destroyed, its daemons stopped" none_left

"$vw" --backend libvirt --vmtype l2 --action launch 2>"$tmp/err"
check "--backend libvirt for an L2 is refused: exit 2" \
    sh -c "test $? -eq 2 && grep -q 'libvirt for l1 and client only' '$tmp/err'"

echo "1..$n"
[ "$fails" -eq 0 ]
