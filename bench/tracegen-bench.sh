#!/bin/bash
# tracegen-bench.sh - trace-gen's speed and memory, a benchmark (not a test).
#
# Builds (once, cached in build/bench/) a HyperSIO-format text log set of
# SIZE_MB megabytes (default 1000; the issue's figure is 5000) from the
# fixtures, then times trace-gen on it in the orig and rr orders and reports
# lines per second and peak memory.  Goals: >= 2 M lines/s on one core; a
# 5 GB log set in under 2 GB of memory.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
tg=$build/bin/trace-gen
size_mb=${SIZE_MB:-1000}
cache=$build/bench/logs_${size_mb}mb
mkdir -p "$cache"

if [ ! -s "$cache/set_0.txt" ]; then
    block=$cache/block.txt
    : >"$block"
    for i in $(seq 200); do cat "$here"/tests/fixtures/hslogs/fix_0.txt; done >>"$block"
    block_mb=$(( $(stat -c %s "$block") / 1000000 ))
    for i in $(seq $(( size_mb / (block_mb > 0 ? block_mb : 1) ))); do cat "$block"; done >"$cache/set_0.txt.part"
    mv "$cache/set_0.txt.part" "$cache/set_0.txt"
    rm -f "$block"
fi
lines=$(wc -l <"$cache/set_0.txt")
echo "log set: $(( $(stat -c %s "$cache/set_0.txt") / 1000000 )) MB, $lines lines"
printf '%-6s %10s %14s %12s\n' order seconds "lines/s" "peak RSS"
for order in orig rr; do
    /usr/bin/time -f "%e %M" -o "$cache/time" "$tg" -q --logs "$cache/set" --tenants 5 \
        --order "$order" --tmpdir "$cache" -o "$cache/out.trace"
    read -r secs rss <"$cache/time"
    printf '%-6s %10s %12.2f M %9d MB\n' "$order" "$secs" \
        "$(awk "BEGIN{print $lines / $secs / 1e6}")" $((rss / 1024))
    rm -f "$cache/out.trace"
done
