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
pe=$build/perf/perf-explore
jobs=${JOBS:-$(nproc)}
traces=$build/bench/explore-traces
out=$build/bench/explore-out
mkdir -p "$traces"
rm -rf "$out"

sweep() {
    "$pe" --quiet --no-plot -j "$jobs" -t 1024 -n 10000000 --order rand \
        --logs-root "$build/bench/no-logs" --traces "$traces" -o "$out" \
        -d base,tq,prefetch,hypertrio --iotlb-size 64,128,256,512 \
        --link-gbps 100,200,400,800 "$@"
}

# The trace alone (cached): one point makes it.
start=$(date +%s.%N)
sweep -d base --iotlb-size 64 --link-gbps 100 >/dev/null
made=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $start}")
rm -rf "$out"

/usr/bin/time -f "%e %M" -o "$build/bench/explore.time" sweep >/dev/null
read -r secs rss <"$build/bench/explore.time"
points=$(tail -n +2 "$out/points.csv" | grep -c ',ok,' || true)
rate=$(awk "BEGIN{printf \"%.1f M\", 64 * 10 / $secs}")
verdict=$(awk "BEGIN{print ($secs < 120) ? \"met\" : \"NOT met\"}")
printf 'trace (1024 tenants, 10 M translations): %s s to make, or cached\n' "$made"
printf 'sweep: %s points ok of 64, %s s with -j %s (%s translations/s); peak RSS %s KB (largest process)\n' \
    "$points" "$secs" "$jobs" "$rate" "$rss"
printf 'goal: 64 points over a 10 M trace in < 120 s on 2 cores: %s\n' "$verdict"
