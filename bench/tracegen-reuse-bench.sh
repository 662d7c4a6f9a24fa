#!/bin/bash
# tracegen-reuse-bench.sh - trace-gen --reuse at scale and how fast it stops,
# a benchmark (not a test).
#
# 1. TENANTS (default 100000) reused tenants from the one small stock QEMU
#    7.2 fixture log (one domain, 4000 lines), with -n TRANSLATIONS (default
#    10 M, as perf-explore asks): seconds and peak memory.  Goal: linear,
#    minutes for 10^5 tenants (a tenant table hashing only the domain made
#    this quadratic).
# 2. The same run stopped by SIGINT at several moments (reading, interleaving,
#    writing): the time from the signal to the exit.  Goal: under 0.5 s.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
tg=$build/bin/trace-gen
log=$here/tests/fixtures/qemu72/vtd.log
tenants=${TENANTS:-100000}
translations=${TRANSLATIONS:-10000000}
out=$build/bench/reuse
mkdir -p "$out"

/usr/bin/time -f "%e %M" -o "$out/time" "$tg" -q --reuse --logs "$log" \
    --tenants "$tenants" --translations "$translations" --tmpdir "$out" -o "$out/r.trace"
read -r secs rss <"$out/time"
echo "--reuse: $tenants tenants of one log, $translations translations: $secs s, peak RSS $((rss / 1024)) MB"
rm -f "$out/r.trace"

worst=0
for at in 0.5 2 5 10 20; do
    "$tg" -q --reuse --logs "$log" --tenants "$tenants" --translations "$translations" \
        --tmpdir "$out" -o "$out/s.trace" 2>/dev/null &
    pid=$!
    sleep "$at"
    start=$(date +%s%N)
    kill -INT "$pid" 2>/dev/null || { wait "$pid"; echo "SIGINT at $at s: already done"; continue; }
    rc=0; wait "$pid" || rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    worst=$(( ms > worst ? ms : worst ))
    echo "SIGINT at $at s: exit $rc after $ms ms$( [ -e "$out/s.trace" ] && echo ', TRACE LEFT')"
done
echo "worst stop: $worst ms (goal 500 ms)"
