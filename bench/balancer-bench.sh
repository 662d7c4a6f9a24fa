#!/bin/bash
# balancer-bench.sh - xenmm's mono test and high-load comparison with
# mem-balancer (not a test).  Three client VMs of 512 MiB share 1024 MiB;
# every case runs REPS times (default 3) with mem-balancer's auto tax and
# without balancing (--tax-rate 0: xenmm's -r, equal shares of 341 MiB):
#
#   mono: the loaded VM runs `mem-load mono 64M 320M` (with the guest's own
#     use, above its fair share and below its 512 MiB) while two idle;
#     reported: its peak target, balloon size (its usable memory) and use,
#     whether the load ran to its end, OOM lines in its kernel log, swap,
#     the idle VMs' lowest targets; their targets over time are plotted.
#   high load: the loaded VM holds HOLD_MB in tmpfs (memory the tax sees as
#     used, that no reclaim can take) and reads a set of SET_MB from its
#     data disk (an NVMe) PASSES times.  Page cache is memory the guest may
#     use but never needs: it does not set off deflate-on-oom, so under
#     equal shares the set does not fit and every pass reads the disk again,
#     while the tax (with --reserve RESERVE_MB kept free for the loaded VM)
#     leaves room to keep it.  Reported: the run time of the passes, the
#     MiB the guest read from its disk (/sys/block/nvme0n1/stat), the loaded
#     VM's target, balloon size and use during the passes.  The disk is a
#     qcow2 overlay on the host (prepare-vm), most likely in the host's page
#     cache: a re-read costs the emulated NVMe path, not a real disk's seek.
#
# Medians and spreads (min-max) per case, report.txt; plots (gnuplot SVG):
# targets.svg (mono, first run of each), highload.svg (run times) in
# build/bench/balancer/.  Stops everything it starts; removes the data disk
# it made.  Environment: REPS, HOLD_MB, SET_MB, PASSES, RESERVE_MB.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
export SIOKIT_HOME=$here
vw=$build/bin/vmwrapper
mb=$build/bin/mem-balancer
out=${BALANCER_BENCH_OUT:-$build/bench/balancer}
reps=${REPS:-3} hold=${HOLD_MB:-144} set=${SET_MB:-112} passes=${PASSES:-8}
reserve=${RESERVE_MB:-160}
ids=(30 31 32)
pids=()
mkdir -p "$out"
rm -rf "$out"/mono-* "$out"/high-* "$out"/*.dat
disk=$here/build/vms/client-${ids[0]}/data.qcow2
made_disk=0
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for id in "${ids[@]}"; do "$vw" --vmtype client --vmid "$id" --action poweroff >/dev/null 2>&1 || true; done
    wait 2>/dev/null || true
    [ $made_disk -eq 0 ] || rm -f "$disk"
}
trap cleanup EXIT
x() { "$vw" --vmtype client --vmid "$1" --action exec -- "${@:2}"; }
loaded=client-${ids[0]}

# The loaded VM's own data disk, for the high-load case.
[ -e "$disk" ] || made_disk=1
"$vw" --vmtype client --vmid "${ids[0]}" --action prepare-vm >/dev/null
# One after another: three TCG guests booting at once on two busy cores
# once panicked one ("timer doesn't work through Interrupt-remapped IO-APIC").
for id in "${ids[@]}"; do
    "$vw" --vmtype client --vmid "$id" --action launch --nics 0 --balloon --memory 512 \
          --json >"$out/launch-$id" 2>"$out/launch-$id.err" & pids+=($!)
    launcher=$!
    while ! grep -q ssh_port "$out/launch-$id" 2>/dev/null; do
        kill -0 $launcher 2>/dev/null || { cat "$out/launch-$id.err" >&2; exit 1; }
        sleep 1
    done
done
vms=(); for id in "${ids[@]}"; do vms+=(--vm "client-$id"); done
swap=$(x "${ids[0]}" awk '/^SwapTotal/ {print $2}' /proc/meminfo)

# balance NAME RATE RESERVE: mem-balancer in the background into $out/NAME.
balance() {
    rm -rf "$out/$1"
    "$mb" "${vms[@]}" --memory 1024M --floor 96M --reserve "$3" --tax-rate "$2" \
          --interval 2 -d "$out/$1" >/dev/null 2>"$out/$1.err" & mbp=$!
    pids+=($mbp)
}
stop_balance() { kill -TERM $mbp; wait $mbp || true; }
oom_lines() { x "${ids[0]}" dmesg 2>/dev/null | grep -ci -e 'out of memory' -e 'oom-kill' || true; }

# mono NAME RATE: one mono run; a line: NAME and key=value figures.
mono() {
    local name=$1
    x "${ids[0]}" dmesg -c >/dev/null 2>&1 || true
    balance "$name" "$2" 64M
    sleep 10
    local t0=$SECONDS lrc=0
    x "${ids[0]}" mem-load mono 64M 320M >"$out/$name.load" 2>&1 || lrc=$?
    local lt=$((SECONDS - t0)) oom
    oom=$(oom_lines)
    sleep 4
    stop_balance
    python3 - "$out/$name/balancer.csv" "$loaded" "$lrc" "$lt" "$oom" "$name" <<'PY'
import csv, sys
path, loaded, lrc, lt, oom, name = sys.argv[1:]
# from the first interval after the start (the VMs begin at full size)
r = [x for x in csv.DictReader(open(path)) if float(x['time']) > 0]
mine = [x for x in r if x['vm'] == loaded]
idle = [x for x in r if x['vm'] != loaded]
mib = lambda rows, k, f: f(int(x[k]) for x in rows) // 1024
print(f"{name} target={mib(mine, 'target', max)} size={mib(mine, 'total', max)} "
      f"use={mib(mine, 'used', max)} load_exit={lrc} load_s={lt} oom={oom} "
      f"idle_target={mib(idle, 'target', min)} idle_use={mib(idle, 'used', max)}")
PY
}

# settled DIR: every VM's balloon within 4 MiB of its target for 3 rows.
settled() {
    python3 - "$1/balancer.csv" <<'PY'
import csv, sys
try:
    r = list(csv.DictReader(open(sys.argv[1])))
except OSError:
    sys.exit(1)
vms = {x['vm'] for x in r}
ok = vms and all(len(v) >= 3 and all(abs(int(x['target']) - int(x['total'])) <= 4096 for x in v[-3:])
                 for v in ([x for x in r if x['vm'] == n] for n in vms))
sys.exit(0 if ok else 1)
PY
}

# The guest's passes over the set: "seconds MiB-read-from-disk".  The shell
# holds the disk open: Linux drops a block device's page cache at its last
# close, which would make every pass read the disk whatever the memory.
read_set='exec 3</dev/nvme0n1; sync; echo 3 >/proc/sys/vm/drop_caches
r0=$(awk "{print \$3}" /sys/block/nvme0n1/stat); t0=$(cut -d" " -f1 /proc/uptime)
i=0; while [ $i -lt '$passes' ]; do dd if=/dev/nvme0n1 of=/dev/null bs=1M count='$set' 2>/dev/null || exit 1; i=$((i+1)); done
t1=$(cut -d" " -f1 /proc/uptime); r1=$(awk "{print \$3}" /sys/block/nvme0n1/stat)
awk -v a=$t0 -v b=$t1 -v c=$r0 -v d=$r1 "BEGIN {printf \"%.2f %d\\n\", b - a, (d - c) / 2048}"'

# high NAME RATE: one high-load run; a line: NAME and key=value figures.
high() {
    local name=$1 n=0
    x "${ids[0]}" dmesg -c >/dev/null 2>&1 || true
    balance "$name" "$2" "${reserve}M"
    sleep 6
    until settled "$out/$name" || [ $n -ge 60 ]; do sleep 2; n=$((n + 1)); done
    local res oom from
    from=$(tail -n1 "$out/$name/balancer.csv" | cut -d, -f1)
    res=$(x "${ids[0]}" sh -c "$read_set")
    sleep 2
    oom=$(oom_lines)
    stop_balance
    python3 - "$out/$name/balancer.csv" "$loaded" "$res" "$oom" "$((n < 60))" "$name" \
        "$from" <<'PY'
import csv, sys
path, loaded, res, oom, settled, name, since = sys.argv[1:]
# the intervals from the last one before the passes to the first one after
r = [x for x in csv.DictReader(open(path)) if float(x['time']) >= float(since)]
mine = [x for x in r if x['vm'] == loaded]
idle = [x for x in r if x['vm'] != loaded]
secs, disk = (res.split() + ['nan', 'nan'])[:2]
mib = lambda rows, k, f: f(int(x[k]) for x in rows) // 1024
print(f"{name} seconds={secs} disk_mib={disk} target={mib(mine, 'target', min)} "
      f"size={mib(mine, 'total', max)} use={mib(mine, 'used', max)} oom={oom} "
      f"idle_target={mib(idle, 'target', min)} settled={settled}")
PY
}

# The set on the disk, written once (no cluster of it left unallocated).
x "${ids[0]}" dd if=/dev/urandom of=/dev/nvme0n1 bs=1M count="$set" conv=fsync 2>/dev/null
set +e
for k in $(seq 1 "$reps"); do
    for mode in tax:auto equal:0; do
        mono "mono-${mode%%:*}-$k" "${mode#*:}"
    done
done >"$out/runs.txt"
x "${ids[0]}" dd if=/dev/zero of=/dev/shm/hold bs=1M count="$hold" 2>/dev/null
for k in $(seq 1 "$reps"); do
    for mode in tax:auto equal:0; do
        high "high-${mode%%:*}-$k" "${mode#*:}"
    done
done >>"$out/runs.txt"
x "${ids[0]}" rm -f /dev/shm/hold
set -e

python3 - "$out/runs.txt" "$reps" "$swap" "$hold" "$set" "$passes" "$reserve" \
    >"$out/report.txt" <<'PY'
import statistics, sys
path, reps, swap, hold, sset, passes, reserve = sys.argv[1:]
runs = {}
for line in open(path):
    name, *kv = line.split()
    case = name.rsplit('-', 1)[0]
    runs.setdefault(case, []).append(dict(x.split('=') for x in kv))
def stat(case, key):
    v = [float(r[key]) for r in runs.get(case, []) if r.get(key, 'nan') != 'nan']
    if not v:
        return 'n/a'
    fmt = (lambda a: f"{a:.1f}") if any(a != int(a) for a in v) else (lambda a: f"{a:.0f}")
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}-{fmt(max(v))})"
print(f"{reps} runs each; medians (min-max).  Swap in the guest: "
      + ("none (SwapTotal 0 kB: the images have no swap)" if swap == '0' else f"SwapTotal {swap} kB")
      + f"; an idle VM's peak use {stat('mono-equal', 'idle_use')} MiB (its size less MemAvailable).")
for mode, what in (('tax', 'auto tax'), ('equal', 'equal shares')):
    c = f"mono-{mode}"
    ends = sum(r.get('load_exit') == '0' for r in runs.get(c, []))
    print(f"mono {what}: loaded VM peak target {stat(c, 'target')} MiB, peak size "
          f"{stat(c, 'size')} MiB, peak use {stat(c, 'use')} MiB; load ran to its end "
          f"{ends}/{len(runs.get(c, []))}, {stat(c, 'load_s')} s; OOM lines "
          f"{sum(int(r.get('oom', 0)) for r in runs.get(c, []))}; idle VMs' lowest target "
          f"{stat(c, 'idle_target')} MiB")
for mode, what in (('tax', 'auto tax'), ('equal', 'equal shares')):
    c = f"high-{mode}"
    unsettled = sum(r.get('settled') != '1' for r in runs.get(c, []))
    print(f"high load {what} (hold {hold} MiB, {passes} passes over {sset} MiB, reserve "
          f"{reserve} MiB): {stat(c, 'seconds')} s, read from disk {stat(c, 'disk_mib')} MiB; "
          f"during the passes the loaded VM's lowest target {stat(c, 'target')} MiB, peak size "
          f"{stat(c, 'size')} MiB, peak use {stat(c, 'use')} MiB; OOM lines {sum(int(r.get('oom', 0)) for r in runs.get(c, []))}; "
          f"idle VMs' lowest target {stat(c, 'idle_target')} MiB"
          + (f"; {unsettled} run(s) started before the balloons settled" if unsettled else ""))
PY
cat "$out/runs.txt" "$out/report.txt"

# targets over time (mono, first run of each); high-load run times
for name in tax equal; do
    awk -F, -v v="$loaded" 'NR>1 {print $1, ($2==v ? "loaded" : $2), $3/1024}' \
        "$out/mono-$name-1/balancer.csv" >"$out/$name.dat"
done
awk '$1 ~ /^high-/ {split($1, n, "-"); split($2, s, "="); print n[3], (n[2] == "tax" ? 0 : 1), s[2]}' \
    "$out/runs.txt" >"$out/high.dat"
if command -v gnuplot >/dev/null; then
    gnuplot <<EOF2
set terminal svg size 900,420
set output "$out/targets.svg"
set xlabel "seconds"; set ylabel "target (MiB)"; set key outside
plot for [n in "tax equal"] for [v in "loaded client-${ids[1]} client-${ids[2]}"] \
  "< grep ' ".v." ' $out/".n.".dat" using 1:3 with lines title n." ".v
set output "$out/highload.svg"
set xlabel "run"; set ylabel "seconds, $passes passes over $set MiB"; set key outside
set xtics 1; set yrange [0:*]
plot "$out/high.dat" using 1:(\$2 == 0 ? \$3 : 1/0) with linespoints title "auto tax", \
     "$out/high.dat" using 1:(\$2 == 1 ? \$3 : 1/0) with linespoints title "equal shares"
EOF2
    echo "plots: $out/targets.svg $out/highload.svg"
fi
