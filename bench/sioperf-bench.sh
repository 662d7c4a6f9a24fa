#!/bin/bash
# sioperf-bench.sh - the model's speed and memory, a benchmark (not a test).
#
# Makes (once, cached in build/bench/) an iperf3-like trace of 1024 tenants
# and 10 M translations, and a 1 M one, then times sioperf on each with
# both models, and with the siokit model's miss coalescing on (the tq
# preset's queue of 16 and walk table of 16, row "siokit+coalesce").
# Reports translations per second and peak memory; memory must not grow
# with the trace (it is streamed).  Goals: >= 10 M/s for --model siokit,
# with coalescing on too, >= 5 M/s for hypersio-1.0, single-threaded.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth
cache=$build/bench
mkdir -p "$cache"

for n in 1000000 10000000; do
    t=$cache/iperf3_1024_$n.trace
    [ -s "$t" ] || "$synth" --tenants 1024 --translations "$n" --order rand -q -o "$t"
done

printf 'TQUEUE\nsize:16\nWALKTABLE\nsize:16\n' >"$cache/coalesce.cfg"

printf '%-16s %12s %10s %14s %10s\n' model translations seconds "translations/s" "peak RSS"
for model in siokit siokit+coalesce hypersio-1.0; do
    case $model in
    siokit+coalesce) args=(--model siokit --config "$cache/coalesce.cfg") ;;
    *) args=(--model "$model") ;;
    esac
    for n in 1000000 10000000; do
        t=$cache/iperf3_1024_$n.trace
        best=
        for run in 1 2 3; do
            /usr/bin/time -f "%e %M" -o "$cache/time" "$sioperf" "${args[@]}" "$t" >/dev/null
            read -r secs rss <"$cache/time"
            if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; best_rss=$rss; fi
        done
        rate=$(awk "BEGIN{printf \"%.2f M\", $n / $best / 1e6}")
        printf '%-16s %12d %10s %14s %7d KB\n' "$model" "$n" "$best" "$rate" "$best_rss"
    done
done
