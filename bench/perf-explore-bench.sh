#!/bin/bash
# perf-explore-bench.sh - perf-explore's speed, a benchmark (not a test).
#
# Goal (issue 7): a 64-point sweep over a 10 M translation trace in under
# 2 minutes on 2 cores.  The trace (1024 tenants, iperf3 workload, random
# order) is made once and cached in build/bench/explore-traces/ (the time
# to make it is reported apart); the sweep's results start empty each time,
# so all 64 points run: 4 designs x 4 IOTLB sizes x 4 link speeds, siokit
# model, -j JOBS (default: the number of cores).  Reports the sweep's wall
# time, translations replayed per second over all workers, and peak memory.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
pe=$build/bin/perf-explore
jobs=${JOBS:-$(nproc)}
traces=$build/bench/explore-traces
out=$build/bench/explore-out
mkdir -p "$traces"
rm -rf "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg)

common=(--quiet --no-plot -j "$jobs" -t 1024 -n 10000000 --order rand
        --logs-root "$build/bench/no-logs" --traces "$traces" -o "$out")
axes=(-d base,tq,prefetch,hypertrio --iotlb-size 64,128,256,512
      --link-gbps 100,200,400,800)

# The trace alone (cached): a one-point sweep makes it.
start=$(date +%s.%N)
"$pe" "${common[@]}" -d base >/dev/null
made=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")
rm -rf "$out"

/usr/bin/time -f "%e %U %M" -o "$build/bench/explore.time" "$pe" "${common[@]}" "${axes[@]}" >/dev/null
read -r secs user rss <"$build/bench/explore.time"
points=$(grep -c ',ok,' "$out/points.csv" || true)
rate=$(awk "BEGIN{printf \"%.1f M\", 64 * 10 / $secs}")
verdict=$(awk "BEGIN{print ($secs < 120) ? \"met\" : \"NOT met\"}")
printf 'trace (1024 tenants, 10 M translations): %s s to make, or cached\n' "$made"
printf 'sweep: %s points ok of 64, %s s wall, %s s CPU (all workers), with -j %s (%s translations/s); peak RSS %s KB\n' \
    "$points" "$secs" "$user" "$jobs" "$rate" "$rss"
printf 'load average (1, 5, 15 min) before: %s, after: %s (other work on the machine slows the sweep)\n' \
    "$load" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'goal: 64 points over a 10 M trace in < 120 s on 2 cores: %s (wall time measured)\n' "$verdict"
printf 'with both cores to itself the sweep needs about CPU / %s = %s s (an estimate, not a measurement)\n' \
    "$(nproc)" "$(awk "BEGIN{printf \"%.0f\", $user / $(nproc)}")"
