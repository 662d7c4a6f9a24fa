#!/bin/bash
# balancer-bench.sh - xenmm's mono test with mem-balancer (not a test): three
# client VMs of 512 MiB share 1024 MiB; one runs `mem-load mono 64M 320M`
# (with the guest's own ~80 MiB above its fair share of 341 MiB, below its 512) while two idle.  Run twice: with
# mem-balancer's auto tax, and without balancing (--tax-rate 0: xenmm's -r,
# equal shares).  Reports the loaded VM's peak target and balloon size,
# whether its load ran to the end, OOM events and balloon deflations in the
# guest, the idle VMs' lowest targets; then xenmm's high-load comparison:
# the run time of a memory-bound program (dd through a 300 MiB buffer) in
# the loaded VM, with and without.  Plots the targets over time (gnuplot,
# SVG) in build/bench/balancer/.  Stops everything it starts.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
export SIOKIT_HOME=$here
vw=$build/bin/vmwrapper
mb=$build/bin/mem-balancer
out=${BALANCER_BENCH_OUT:-$build/bench/balancer}
ids=(30 31 32)
pids=()
mkdir -p "$out"
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for id in "${ids[@]}"; do "$vw" --vmtype client --vmid "$id" --action poweroff >/dev/null 2>&1 || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
x() { "$vw" --vmtype client --vmid "$1" --action exec -- "${@:2}"; }

declare -A launcher=()
for id in "${ids[@]}"; do
    "$vw" --vmtype client --vmid "$id" --action launch --nics 0 --balloon --memory 512 \
          --json >"$out/launch-$id" 2>"$out/launch-$id.err" & pids+=($!)
    launcher[$id]=$!
done
for id in "${ids[@]}"; do
    while ! grep -q ssh_port "$out/launch-$id" 2>/dev/null; do
        kill -0 "${launcher[$id]}" 2>/dev/null || { cat "$out/launch-$id.err" >&2; exit 1; }
        sleep 1
    done
done
vms=(); for id in "${ids[@]}"; do vms+=(--vm "client-$id"); done
loaded=client-${ids[0]}

# case NAME RATE: one mono run under mem-balancer --tax-rate RATE.
case_run() {
    local name=$1 rate=$2 dir=$out/$1
    set +e
    rm -rf "$dir"
    x "${ids[0]}" dmesg -c >/dev/null 2>&1 || true
    "$mb" "${vms[@]}" --memory 1024M --floor 96M --reserve 64M --tax-rate "$rate" \
          --interval 2 -d "$dir" >/dev/null 2>"$out/$name.err" & local mbp=$!
    pids+=($mbp)
    sleep 10
    local t0=$SECONDS
    x "${ids[0]}" mem-load mono 64M 320M >"$out/$name.load" 2>&1
    local lrc=$? lt=$((SECONDS - t0))
    local d0 d1
    d0=$(date +%s.%N)
    x "${ids[0]}" dd if=/dev/zero of=/dev/null bs=300M count=10 2>"$out/$name.dd"
    local drc=$?
    d1=$(date +%s.%N)
    local oom
    oom=$(x "${ids[0]}" dmesg 2>/dev/null | grep -ci -e 'out of memory' -e 'oom-kill' || true)
    sleep 4
    kill -TERM $mbp; wait $mbp
    python3 - "$dir/balancer.csv" "$loaded" "$name" "$lrc" "$lt" "$drc" \
        "$(awk "BEGIN{printf \"%.1f\", $d1 - $d0}")" "$oom" <<'PY'
import csv, sys
path, loaded, name, lrc, lt, drc, dt, oom = sys.argv[1:]
# from the first interval after the start (the VMs begin at full size)
r = [x for x in csv.DictReader(open(path)) if float(x['time']) > 0]
mine = [x for x in r if x['vm'] == loaded]
idle = [x for x in r if x['vm'] != loaded]
print(f"{name}: loaded VM peak target {max(int(x['target']) for x in mine)//1024} MiB, "
      f"peak size {max(int(x['total']) for x in mine)//1024} MiB, peak use "
      f"{max(int(x['used']) for x in mine)//1024} MiB; mono load exit {lrc} after {lt} s; "
      f"OOM lines in dmesg {oom}; idle VMs' lowest target "
      f"{min(int(x['target']) for x in idle)//1024} MiB; dd 3000 MiB through a 300 MiB "
      f"buffer: exit {drc}, {dt} s")
PY
}
case_run tax auto >"$out/report.txt"
case_run equal 0 >>"$out/report.txt"
set -e
cat "$out/report.txt"

# targets over time, both runs
for name in tax equal; do
    awk -F, -v v="$loaded" 'NR>1 {print $1, ($2==v ? "loaded" : $2), $3/1024}' \
        "$out/$name/balancer.csv" >"$out/$name.dat"
done
if command -v gnuplot >/dev/null; then
    gnuplot <<EOF2
set terminal svg size 900,420
set output "$out/targets.svg"
set xlabel "seconds"; set ylabel "target (MiB)"; set key outside
plot for [n in "tax equal"] for [v in "loaded client-${ids[1]} client-${ids[2]}"] \
  "< grep ' ".v." ' $out/".n.".dat" using 1:3 with lines title n." ".v
EOF2
    echo "plot: $out/targets.svg"
fi
