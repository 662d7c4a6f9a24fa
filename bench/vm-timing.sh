#!/bin/bash
# vm-timing.sh - vmwrapper's timing goals, measured (not a test): L1 image
# build with packages cached (goal < 60 s), L1 to SSH under TCG (< 20 s),
# L2 inside L1 to SSH (< 40 s).  Stops everything it starts.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
export SIOKIT_HOME=$here
vw=$build/bin/vmwrapper
pids=()
trap 'for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done; wait' EXIT

# wait_ready OUT PID: until the launcher prints the VM, or exits.
wait_ready() {
    while kill -0 "$2" 2>/dev/null && ! grep -q ssh_port "$1" 2>/dev/null; do sleep 0.1; done
    grep -q ssh_port "$1"
}

t0=$(date +%s.%N)
"$here/vmwrapper/image/build-image.sh" --type l1 --force --quiet >/dev/null
t1=$(date +%s.%N)
echo "L1 image build, packages cached: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s (goal 60)"

out=$(mktemp)
t0=$(date +%s.%N)
"$vw" --vmtype l1 --action launch --nics 1 --json >"$out" & pids+=($!)
wait_ready "$out" "${pids[-1]}"
t1=$(date +%s.%N)
echo "L1 to SSH under TCG: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s (goal 20)"

out2=$(mktemp)
t0=$(date +%s.%N)
"$vw" --vmtype l2 --action launch --json >"$out2" & pids+=($!)
wait_ready "$out2" "${pids[-1]}"
t1=$(date +%s.%N)
echo "L2 inside L1 to SSH: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s (goal 40)"
"$vw" --action poweroff --all
rm -f "$out" "$out2"
