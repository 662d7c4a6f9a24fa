#!/bin/bash
# test_device_cli.sh - the device model (--packet-bytes,
# --translations-per-packet, the config's LATENCY, TQUEUE and WALKTABLE)
# and miss coalescing through sioperf and perf-explore, in both models:
# defaults change nothing, other values change what they should, and
# hypersio-1.0 refuses all but HyperSIO's fixed values.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth
pe=$build/bin/perf-explore

"$synth" --tenants 64 --translations 30000 -q -o "$tmp/t64.trace"
"$synth" --tenants 4 --translations 30000 -q -o "$tmp/t4.trace"

# HyperSIO's default file, whole (its dialect starts every value at 0).
cat >"$tmp/hs.cfg" <<'EOF'
CC
size:1536
assoc:1536
groups:1
IOTLB
size:64
assoc:8
groups:1
L2PAGE
size:512
assoc:16
groups:1
L3PAGE
size:1024
assoc:16
groups:1
PREFETCH
size:0
assoc:32
groups:0
histlen:2
EOF
# ... with the device blocks at their defaults.
{ cat "$tmp/hs.cfg"; printf 'LATENCY\npcie:450\nmemory:50\ncc_hit:1\niotlb_hit:2\nprefetch_hit:2\nwalk_cache:5\nWALKTABLE\nsize:0\n'; } >"$tmp/defaults.cfg"

# --- defaults change nothing --------------------------------------------------
for model in siokit hypersio-1.0; do
    "$sioperf" -m "$model" -q 16 --json "$tmp/t64.trace" >"$tmp/plain.json"
    "$sioperf" -m "$model" -q 16 --json --packet-bytes 1542 --translations-per-packet 3 \
        -c "$tmp/defaults.cfg" "$tmp/t64.trace" >"$tmp/explicit.json"
    check "$model: the defaults given explicitly give the same JSON" cmp -s "$tmp/plain.json" "$tmp/explicit.json"
    check "$model: JSON names packet_bytes 1542, translations_per_packet 3, walk_table 0" \
        json_check "$tmp/plain.json" 'd["packet_bytes"] == 1542 and d["translations_per_packet"] == 3 and d["walk_table"] == 0'
    "$sioperf" -m "$model" -q 16 "$tmp/t64.trace" >"$tmp/plain.txt"
    check "$model: no walk-table line in text without a table" sh -c "! grep -q 'walk table' '$tmp/plain.txt'"
done

# --- the siokit model takes other values ----------------------------------------
"$sioperf" --json --packet-bytes 64 --translations-per-packet 1 "$tmp/t4.trace" >"$tmp/small.json"
check "64-byte packets of 1 translation: a packet per translation, Mb/s of 64-byte packets" \
    json_check "$tmp/small.json" 'd["packets"] == d["translations"] == 30000 and d["packet_bytes"] == 64 and d["mbps"] == int(30000 * 64 * 8 * 1000 / d["elapsed_ns"])'
"$sioperf" --json "$tmp/t4.trace" >"$tmp/base.json"
printf 'LATENCY\npcie:225\n' >"$tmp/fast.cfg"
"$sioperf" --json -c "$tmp/fast.cfg" "$tmp/t4.trace" >"$tmp/fast.json"
check "a faster PCIe (LATENCY pcie) takes less time" \
    python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(not b["elapsed_ns"] < a["elapsed_ns"])' "$tmp/base.json" "$tmp/fast.json"
printf 'TQUEUE\nsize:16\n' >"$tmp/tq.cfg"
check "TQUEUE size is --tqueue's default" json_check <("$sioperf" --json -c "$tmp/tq.cfg" "$tmp/t4.trace") 'd["tqueue"] == 16'
check "--tqueue wins over TQUEUE" json_check <("$sioperf" --json -q 4 -c "$tmp/tq.cfg" "$tmp/t4.trace") 'd["tqueue"] == 4'

# --- coalescing -----------------------------------------------------------------
printf 'WALKTABLE\nsize:16\n' >"$tmp/wt16.cfg"
"$sioperf" --json -q 16 "$tmp/t64.trace" >"$tmp/nowt.json"
"$sioperf" --json -q 16 -c "$tmp/wt16.cfg" "$tmp/t64.trace" >"$tmp/wt.json"
check "without a walk table, 64 tenants and a queue of 16 miss every IOTLB lookup" \
    json_check "$tmp/nowt.json" 'd["caches"]["IOTLB"]["hit_rate"] == 0 and d["caches"]["IOTLB"]["coalesced"] == 0'
check "with one, the descriptor's second lookup waits for its walk: a third coalesced, none stalled" \
    json_check "$tmp/wt.json" '(i := d["caches"]["IOTLB"])["coalesced"] == 10000 and i["misses"] == 20000 and i["stalls"] == 0 and abs(i["hit_rate"] - 1/3) < 1e-9'
check "and no more walks in flight than the table holds" json_check "$tmp/wt.json" '0 < d["max_walks_in_flight"] <= 16'
printf 'WALKTABLE\nsize:2\n' >"$tmp/wt2.cfg"
check "a table of 2 stalls walks, and the link suffers" \
    python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(not (b["caches"]["IOTLB"]["stalls"] > 0 and b["utilization"] < a["utilization"]))' \
    "$tmp/wt.json" <("$sioperf" --json -q 16 -c "$tmp/wt2.cfg" "$tmp/t64.trace")
"$sioperf" -q 16 -c "$tmp/wt16.cfg" "$tmp/t64.trace" >"$tmp/wt.txt"
check "text counts coalesced misses and stalls" grep -q "^walk table     16 entries: 10000 IOTLB misses coalesced, 0 stalls" "$tmp/wt.txt"

# --- hypersio-1.0: HyperSIO's fixed device only -----------------------------------
expect_error "hypersio-1.0 refuses --packet-bytes 64" 2 "option --packet-bytes: hypersio-1.0 has HyperSIO's fixed 1542-byte packets" \
    "$sioperf" -m hypersio-1.0 --packet-bytes 64 "$tmp/t4.trace"
expect_error "hypersio-1.0 refuses --translations-per-packet 1" 2 "option --translations-per-packet: hypersio-1.0 has HyperSIO's fixed 3" \
    "$sioperf" -m hypersio-1.0 --translations-per-packet 1 "$tmp/t4.trace"
hs_lines=$(wc -l <"$tmp/hs.cfg")
for key in pcie:451 memory:49 cc_hit:2 iotlb_hit:1 prefetch_hit:3 walk_cache:6; do
    { cat "$tmp/hs.cfg"; printf 'LATENCY\n%s\n' "$key"; } >"$tmp/lat.cfg"
    expect_error "hypersio-1.0 refuses LATENCY ${key%%:*} ${key#*:}, naming file, line and key" 2 \
        "config '$tmp/lat.cfg': line $((hs_lines + 2)): LATENCY ${key%%:*}: hypersio-1.0 has HyperSIO's fixed" \
        "$sioperf" -m hypersio-1.0 -c "$tmp/lat.cfg" "$tmp/t4.trace"
done
{ cat "$tmp/hs.cfg"; printf 'WALKTABLE\nsize:4\n'; } >"$tmp/hswt.cfg"
expect_error "hypersio-1.0 refuses a walk table" 2 "config '$tmp/hswt.cfg': line $((hs_lines + 2)): WALKTABLE size: hypersio-1.0 has no walk table" \
    "$sioperf" -m hypersio-1.0 -c "$tmp/hswt.cfg" "$tmp/t4.trace"
{ cat "$tmp/hs.cfg"; printf 'TQUEUE\nsize:8\n'; } >"$tmp/hstq.cfg"
check "hypersio-1.0 takes TQUEUE as --tqueue's default, the same numbers" \
    cmp -s <("$sioperf" -m hypersio-1.0 --json -c "$tmp/hstq.cfg" "$tmp/t4.trace") <("$sioperf" -m hypersio-1.0 --json -q 8 "$tmp/t4.trace")

# --- bad values -------------------------------------------------------------------
for bad in 0 65537 abc 1e3; do
    expect_error "--packet-bytes $bad is refused" 2 "packet-bytes" "$sioperf" --packet-bytes "$bad" "$tmp/t4.trace"
done
for bad in 0 65 -1; do
    expect_error "--translations-per-packet $bad is refused" 2 "translations-per-packet" \
        "$sioperf" --translations-per-packet "$bad" "$tmp/t4.trace"
done
printf 'IOTLB\nsize:64\nLATENCY\nmemory:0\n' >"$tmp/bad.cfg"
expect_error "a bad LATENCY value names file, line and key" 2 "config '$tmp/bad.cfg': line 4: LATENCY memory: value '0'" \
    "$sioperf" -c "$tmp/bad.cfg" "$tmp/t4.trace"
printf 'WALKTABLE\nsize:-3\n' >"$tmp/bad.cfg"
expect_error "a bad WALKTABLE value names file, line and key" 2 "config '$tmp/bad.cfg': line 2: WALKTABLE size: value '-3'" \
    "$sioperf" -c "$tmp/bad.cfg" "$tmp/t4.trace"
printf 'TQUEUE\nsize:0\n' >"$tmp/bad.cfg"
expect_error "a bad TQUEUE value names file, line and key" 2 "config '$tmp/bad.cfg': line 2: TQUEUE size: value '0'" \
    "$sioperf" -c "$tmp/bad.cfg" "$tmp/t4.trace"

# --- perf-explore: the axes ------------------------------------------------------------
sweep() { "$pe" -n 30000 --traces "$tmp/traces" --logs-root "$tmp/nologs" --no-plot "$@"; }
sweep -t 64 -d tq --packet-bytes 64,1542 --walk-table 0,16 -j 2 -o "$tmp/pe" >"$tmp/table" 2>"$tmp/err"
check "a sweep over packet sizes and walk tables exits 0" test $? -eq 0 || cat "$tmp/err" >&2
check "its CSV has a row per value, the axes in their columns" csv_check "$tmp/pe/points.csv" \
    'len(r) == 4 and sorted((x["packet_bytes"], x["walk_table"]) for x in r) == [("1542","0"),("1542","16"),("64","0"),("64","16")] and all(x["translations_per_packet"] == "3" for x in r)'
check "coalesced misses and stalls are columns too" csv_check "$tmp/pe/points.csv" \
    'all((x["walk_table"] == "0") == (x["iotlb_coalesced"] == "0") and x["walk_stalls"] == "0" for x in r)'
check "the series are named by the axes that vary" grep -q "tq packet_bytes=64 walk_table=16" "$tmp/table"
sweep -t 64 -d base,tq -o "$tmp/pe2" >"$tmp/table2" 2>"$tmp/err"
check "the tq preset coalesces: its IOTLB hit rate is not 0 at 64 tenants" csv_check "$tmp/pe2/points.csv" \
    '(x := [x for x in r if x["design"] == "tq"][0])["walk_table"] == "16" and float(x["iotlb_hit_rate"]) > 0.3'
check "and base has no walk table; no series is named by it" csv_check "$tmp/pe2/points.csv" \
    '[x["walk_table"] for x in r if x["design"] == "base"] == ["0"]'
check "no series is named by the walk table the design sets" sh -c "! grep -q walk_table '$tmp/table2'"
sweep -t 4 -d tq --translations-per-packet 1 -o "$tmp/pe3" >/dev/null 2>"$tmp/err"
check "--translations-per-packet 1 reaches the point's result" \
    json_check "$(ls "$tmp"/pe3/points/*.json)" 'd["result"]["translations_per_packet"] == 1 and d["point"]["translations_per_packet"] == 1 and d["id"].endswith("_tpp1")'
expect_error "perf-explore refuses --packet-bytes 64 for hypersio-1.0" 2 "option --packet-bytes: 64, but hypersio-1.0" \
    sweep -t 4 -d tq -m siokit,hypersio-1.0 --packet-bytes 64 -o "$tmp/pe4"
expect_error "perf-explore refuses --walk-table 8 for hypersio-1.0" 2 "option --walk-table: 8, but hypersio-1.0" \
    sweep -t 4 -d tq -m hypersio-1.0 --walk-table 8 -o "$tmp/pe4"
expect_error "perf-explore refuses --walk-table -1" 2 "walk-table" sweep -t 4 --walk-table -1 -o "$tmp/pe4"
sweep -t 4 -d tq -m hypersio-1.0 -o "$tmp/pe5" >/dev/null 2>"$tmp/err"
check "hypersio-1.0 runs the tq preset without its walk table" csv_check "$tmp/pe5/points.csv" \
    'len(r) == 1 and r[0]["status"] == "ok" and r[0]["walk_table"] == "0"'

tap_done
