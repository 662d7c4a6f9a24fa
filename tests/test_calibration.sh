#!/bin/bash
# test_calibration.sh - the shipped pcie-bench calibration parses and behaves as its numbers say.
# Full link up to the IOTLB's reach, a knee after it, a miss costing the
# walk its LATENCY block gives; checks derived from the file, not from its
# output (bench/calibration-bench.sh holds it against the measurement).
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth
cfg=$src/perf/calibration/pciebench-bdw.cfg
link=28

# key BLOCK KEY: the value of BLOCK's KEY in the shipped file.
key() { awk -v b="$1" -v k="$2:" '$1 == b { inb = 1; next } /^[A-Z0-9]+$/ { inb = 0 }
                                   inb && index($1, k) == 1 { print substr($1, length(k) + 1) }' "$cfg"; }
entries=$(key IOTLB size)

# run PAGES GBPS N: sioperf's JSON (in $tmp/PAGES.json) for a uniform window of PAGES pages.
run() {
    "$synth" --workload uniform --tenants 1 --pages "$1" --translations "$3" -q -o "$tmp/$1.trace" &&
    "$sioperf" --config "$cfg" --packet-bytes 64 --translations-per-packet 1 --link-gbps "$2" \
        --json --quiet "$tmp/$1.trace" >"$tmp/$1.json"
}
gbps() { json_val "$tmp/$1.json" 'd["mbps"] / 1000'; }

check "the shipped configuration parses (siokit model)" run 1 "$link" 100000
check "its TQUEUE and WALKTABLE are the run's queue and walk table" \
    json_check "$tmp/1.json" "d['tqueue'] == $(key TQUEUE size) and d['walk_table'] == $(key WALKTABLE size)"
expect_error "hypersio-1.0 refuses it, naming its LATENCY block" 2 "LATENCY" \
    "$sioperf" -m hypersio-1.0 --config "$cfg" "$tmp/1.trace"

for pages in "$entries" $((2 * entries)) 16384; do run "$pages" "$link" 100000; done
check "a window the IOTLB holds ($entries pages) keeps the link (> 95 %)" \
    json_check "$tmp/$entries.json" 'd["utilization"] > 0.95'
check "twice that window loses link time (< 95 %): the knee" \
    json_check "$tmp/$((2 * entries)).json" 'd["utilization"] < 0.95'
check "4 KiB window > 1.8x the bandwidth of a 64 MiB one" \
    awk "BEGIN { exit !($(gbps 1) > 1.8 * $(gbps 16384)) }"

# Unloaded (one translation every 51.2 us), a miss adds what the file's
# latencies say a walk with one read costs: 2 pcie + walk_cache + memory
# - iotlb_hit (after the first walks of each 2 MiB region, L2PAGE hits).
want=$((2 * $(key LATENCY pcie) + $(key LATENCY walk_cache) + $(key LATENCY memory) - $(key LATENCY iotlb_hit)))
run 1 0.01 100000 && cp "$tmp/1.json" "$tmp/hit.json"
run 16384 0.01 100000
added=$(python3 -c 'import json,sys
h, m = (json.load(open(f)) for f in sys.argv[1:])
lat = lambda d: d["tenants"][0]["mean_latency_ns"]
miss = lambda d: 1 - d["caches"]["IOTLB"]["hit_rate"]
print((lat(m) - lat(h)) / (miss(m) - miss(h)))' "$tmp/hit.json" "$tmp/16384.json")
check "latency added per miss, unloaded, is the walk's: $added ns, want $want (within 2 %)" \
    awk "BEGIN { e = ($added - $want) / $want; exit !(e < 0.02 && e > -0.02) }"

tap_done
