#!/bin/bash
# calibration-bench.sh - the fitted pcie-bench design against its measurement, a benchmark (not a test).
#
# For each window W of perf/calibration/pciebench-bdw-rd64.csv that has a
# bandwidth (64-byte DMA reads at random addresses in W, NFP-6000 on a Xeon
# E5-2630 v4, pcie-bench), replays `trace-synth --workload uniform
# --tenants 1 --pages W/4096` through perf/calibration/pciebench-bdw.cfg
# with 64-byte packets of one translation on a link of the measured
# IOMMU-off bandwidth, and prints measured against modelled IOMMU-on
# bandwidth, where the knee falls, the bandwidth ratio at the largest
# window and the latency added per miss (the model's, unloaded: one
# translation at a time).  Writes calibration.csv and calibration.svg
# (measured and modelled bandwidth versus window, log x) to
# build/bench/calibration/.  TRANSLATIONS (default 500000) per window.
# Goals (printed met or NOT met): the knee between the same two windows,
# the ratio at the largest window and the latency added per miss within
# 10 % of the measured, and every window's bandwidth within 10 %.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth
data=${DATA:-$here/perf/calibration/pciebench-bdw-rd64.csv}
cfg=${CONFIG:-$here/perf/calibration/pciebench-bdw.cfg}
n=${TRANSLATIONS:-500000}
out=$build/bench/calibration
mkdir -p "$out"
[ -r "$data" ] || { echo "calibration-bench: cannot read '$data'" >&2; exit 2; }

# json FILE EXPR: a value of sioperf's JSON d.
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# trace W N: the uniform trace of window W bytes, N translations (cached).
trace() {
    local t=$out/uniform_$1_$2.trace
    [ -s "$t" ] || "$synth" --workload uniform --tenants 1 --pages $(($1 / 4096)) \
        --translations "$2" -q -o "$t"
    echo "$t"
}

# run W G N: sioperf's JSON for window W on a link of G Gb/s.
run() {
    "$sioperf" --config "$cfg" --packet-bytes 64 --translations-per-packet 1 \
        --link-gbps "$2" --json --quiet "$(trace "$1" "$3")" >"$out/run.json"
}

echo "window_bytes,measured_off_gbps,measured_4k_gbps,modelled_gbps,iotlb_hit_rate" >"$out/calibration.csv.tmp"
# Rows with both bandwidths (the others hold only latencies).
awk -F, 'NR > 1 && $2 != "" && $3 != "" { print $1, $2, $3 }' "$data" |
while read -r w off on; do
    run "$w" "$off" "$n"
    echo "$w,$off,$on,$(json "$out/run.json" 'd["mbps"] / 1000'),$(json "$out/run.json" 'd["caches"]["IOTLB"]["hit_rate"]')"
done >>"$out/calibration.csv.tmp"
mv "$out/calibration.csv.tmp" "$out/calibration.csv"

awk -F, 'NR > 1 {
    w = $1 >= 1048576 ? sprintf("%g MiB", $1 / 1048576) : sprintf("%g KiB", $1 / 1024)
    printf "%-10s %7d %10.2f %10.2f %10.2f %10.3f %+8.1f %%\n", w, $1 / 4096, $2, $3, $4, $4 / $3, 100 * ($4 - $3) / $3
}' "$out/calibration.csv" | {
    printf '%-10s %7s %10s %10s %10s %10s %9s\n' window pages "off Gb/s" "4k Gb/s" "model Gb/s" "model/4k" error
    cat
}

# The knee: the last window within 5 % of the IOMMU-off bandwidth before
# the first one below it; and the on/off ratio at the largest window.
awk -F, 'NR > 1 {
    if (!mk && $3 < 0.95 * $2) { mk = $1; mb = prev }
    if (!ok && $4 < 0.95 * $2) { ok = $1; ob = prev }
    prev = $1; mr = $3 / $2; orr = $4 / $2; last = $1
}
function verdict(x, ref) { return (x - ref) / ref <= 0.10 && (ref - x) / ref <= 0.10 ? "met" : "NOT met" }
function kib(x) { return x >= 1048576 ? sprintf("%g MiB", x / 1048576) : sprintf("%g KiB", x / 1024) }
END {
    printf "knee (first window below 95%% of IOMMU-off): measured between %s and %s, modelled between %s and %s: %s\n", kib(mb), kib(mk), kib(ob), kib(ok), mk == ok ? "met" : "NOT met"
    printf "bandwidth ratio IOMMU-on / off at %s: measured %.3f, modelled %.3f (%+.1f %%): %s\n", kib(last), mr, orr, 100 * (orr - mr) / mr, verdict(orr, mr)
}' "$out/calibration.csv"

# Latency added per miss, unloaded: one translation every 51.2 us, the
# smallest window (every lookup hits) against the largest (almost all walk),
# long enough for the cold walks of the first reads not to count.
small=$(awk -F, 'NR == 2 { print $1 }' "$out/calibration.csv")
large=$(awk -F, 'END { print $1 }' "$out/calibration.csv")
run "$small" 0.01 100000
read -r lat_s miss_s < <(json "$out/run.json" 'd["tenants"][0]["mean_latency_ns"], 1 - d["caches"]["IOTLB"]["hit_rate"]' | tr -d '(),')
run "$large" 0.01 100000
read -r lat_l miss_l < <(json "$out/run.json" 'd["tenants"][0]["mean_latency_ns"], 1 - d["caches"]["IOTLB"]["hit_rate"]' | tr -d '(),')
awk -F, -v ls="$lat_s" -v ms="$miss_s" -v ll="$lat_l" -v ml="$miss_l" '
    NR > 1 && $6 != "" { med = $7 - $6 } NR > 1 && $4 != "" { mean = $5 - $4 }
    END { l = (ll - ls) / (ml - ms); e = (l - med) / med
          printf "latency added per miss: measured %.0f ns (median; mean %.0f), modelled %.0f ns (%+.1f %%): %s\n", med, mean, l, 100 * e, (e <= 0.10 && e >= -0.10) ? "met" : "NOT met" }' "$data"

awk -F, 'NR > 1 { e = ($4 - $3) / $3; e = e < 0 ? -e : e; if (e > m) { m = e; at = $1 } } END {
    printf "every window within 10 %% of the measured bandwidth: %s (worst %.1f %%, at %d bytes)\n", m <= 0.10 ? "met" : "NOT met", 100 * m, at }' "$out/calibration.csv"

gnuplot <<EOF
set terminal svg size 800,480 noenhanced
set output '$out/calibration.svg.tmp'
set datafile separator ','
set key autotitle columnhead
set title 'pcie-bench 64-byte DMA reads, Xeon E5-2630 v4: measured vs modelled'
set logscale x 2
set format x '%.0b %B'
set xlabel 'window (bytes)'
set ylabel 'bandwidth (Gb/s)'
set yrange [0:*]
set key bottom left
plot '$out/calibration.csv' using 1:2 with linespoints title 'measured, IOMMU off', \
     '' using 1:3 with linespoints title 'measured, 4 KiB IOMMU pages', \
     '' using 1:4 with linespoints title 'modelled (pciebench-bdw.cfg)'
EOF
mv "$out/calibration.svg.tmp" "$out/calibration.svg"
echo "wrote $out/calibration.csv and $out/calibration.svg"
