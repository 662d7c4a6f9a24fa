#!/bin/bash
# test_vm_cli.sh - vmwrapper and log-collector refusing bad usage before any
# work, with no guest booted: options that do not apply to an action, words
# after -- that no action takes, output folders that are system folders or
# hold things that are not runs (nothing in them deleted), and the exit
# statuses --help states.  TAP output.
set -u
build=${SIOKIT_BUILD:?}
src=${SIOKIT_SRC:?}
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper
lc=$build/bin/log-collector
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }

# expect_error NAME STATUS PATTERN CMD...: exit STATUS, one stderr line
# matching PATTERN, nothing on stdout.
expect_error() {
    local name=$1 status=$2 pattern=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    if [ "$rc" -eq "$status" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
       grep -q -- "$pattern" "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "$name"
    else
        not_ok "$name (exit $rc, stderr: $(head -c 300 "$tmp/err"))"
    fi
}

# --- vmwrapper ------------------------------------------------------------------
expect_error "vmwrapper: --nics does not apply to status" 2 \
    "option --nics does not apply to --action status" "$vw" --action status --nics 2
expect_error "vmwrapper: --all does not apply to launch" 2 \
    "option --all does not apply to --action launch" "$vw" --vmtype l1 --action launch --all
expect_error "vmwrapper: --disk-size does not apply to exec" 2 \
    "option --disk-size does not apply to --action exec" \
    "$vw" --vmtype l1 --action exec --disk-size 64 -- true
expect_error "vmwrapper: --qemu-arg does not apply to poweroff" 2 \
    "option --qemu-arg does not apply to --action poweroff" \
    "$vw" --vmtype l1 --action poweroff --qemu-arg -S
expect_error "vmwrapper: --json does not apply to build-image" 2 \
    "option --json does not apply to --action build-image" \
    "$vw" --vmtype l1 --action build-image --json
expect_error "vmwrapper: status takes nothing after --" 2 \
    "action status takes no arguments after --" "$vw" --action status -- x
expect_error "vmwrapper: an unknown action lists the table's actions" 2 \
    "unknown action 'boot' (build-image, prepare-vm, launch, exec, login, copy, status, poweroff)" \
    "$vw" --action boot
expect_error "vmwrapper: --qemu-arg not for an l2" 2 "option --qemu-arg" \
    "$vw" --vmtype l2 --action launch --qemu-arg -S
"$vw" --help >"$tmp/help"
check "vmwrapper --help: every action with its options" \
    sh -c "grep -q '^  poweroff ' '$tmp/help' && grep -q '^  prepare-vm ' '$tmp/help' &&
           grep -q -- '--disk-size --l1' '$tmp/help'"
check "vmwrapper --help: exit statuses" \
    sh -c "grep -q 'Exit status: 0' '$tmp/help' && grep -q '130/143' '$tmp/help'"

# --- log-collector ----------------------------------------------------------------
# A QEMU that answers --version, so that only the folder is at fault.
q=$(type -P true)
lcq() { "$lc" --test iperf3 --l2vm 1 --topology flat --qemu "$q" "$@"; }
for dir in / /usr /etc "$HOME"; do
    expect_error "log-collector: -o $dir is refused" 2 "$dir is a system or home folder" \
        lcq -o "$dir"
done
mkdir -p "$tmp/notours/iperf3_1_0" "$tmp/notours/other"
echo keep >"$tmp/notours/iperf3_1_0/precious"
echo keep >"$tmp/notours/other/file"
expect_error "log-collector: a folder holding no run is refused" 2 \
    "notours is not empty and holds no log-collector run" lcq -o "$tmp/notours"
check "log-collector: nothing of it is deleted" \
    sh -c "test -s '$tmp/notours/iperf3_1_0/precious' && test -s '$tmp/notours/other/file'"
# A folder of runs, where the run to replace is not a run: nothing deleted.
mkdir -p "$tmp/runs/iperf3_2_0" "$tmp/runs/iperf3_1_0"
echo '{"tool": "log-collector", "status": "complete"}' >"$tmp/runs/iperf3_2_0/manifest.json"
echo keep >"$tmp/runs/iperf3_1_0/precious"
expect_error "log-collector: a run folder that is no run is refused" 2 \
    "iperf3_1_0 exists and is not a log-collector run" lcq -o "$tmp/runs"
check "log-collector: neither folder is touched" \
    sh -c "test -s '$tmp/runs/iperf3_1_0/precious' && test -s '$tmp/runs/iperf3_2_0/manifest.json'"
# A run holding a folder log-collector never makes: refused before any delete.
cp "$tmp/runs/iperf3_2_0/manifest.json" "$tmp/runs/iperf3_1_0/"
mkdir "$tmp/runs/iperf3_1_0/mine"
expect_error "log-collector: a run holding a foreign folder is refused" 2 \
    "holds a folder 'mine'" lcq -o "$tmp/runs"
check "log-collector: none of that run is deleted" \
    sh -c "test -s '$tmp/runs/iperf3_1_0/precious' && test -d '$tmp/runs/iperf3_1_0/mine' &&
           test -s '$tmp/runs/iperf3_1_0/manifest.json'"
rmdir "$tmp/runs/iperf3_1_0/mine"
ln -s "$tmp/notours" "$tmp/runs/iperf3_1_1"
expect_error "log-collector: a run folder that is a link is refused" 2 \
    "iperf3_1_1: not a folder" lcq -o "$tmp/runs" --runs 2
check "log-collector: the link and its target are left alone" \
    sh -c "test -L '$tmp/runs/iperf3_1_1' && test -s '$tmp/notours/other/file'"
"$lc" --help >"$tmp/help"
check "log-collector --help: exit statuses" \
    sh -c "grep -q 'Exit status: 0' '$tmp/help' && grep -q '130/143' '$tmp/help'"

echo "1..$n"
[ "$fails" -eq 0 ]
