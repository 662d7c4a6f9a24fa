#!/bin/bash
# test_tracegen.sh - trace-gen end to end: byte for byte HyperSIO 1.0's
# builder on HyperSIO logs (every order), a real stock-QEMU 7.2 log into a
# trace sioperf replays, compressed logs, tenants and --reuse, malformed
# lines, interruption.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
tg=$build/bin/trace-gen
sioperf=$build/bin/sioperf
fix=$src/tests/fixtures
# Here an error need not be one line: exit status and message only.
expect_error() { expect_exit "$@"; }

# --- HyperSIO 1.0's builder, byte for byte ---------------------------------
while IFS=$'\t' read -r order tenants burst count sha; do
    case $order in \#*) continue ;; esac
    rm -f "$tmp/hs_iotlb_trace.bin"
    "$tg" -q --logs "$fix/hslogs/fix" --devices-per-log 5 --tenants "$tenants" \
        --order "$order" --burst "$burst" --format hypersio -o "$tmp/hs"
    got=$(sha256sum "$tmp/hs_iotlb_trace.bin" 2>/dev/null | cut -c1-64)
    check "HyperSIO-identical: $order, $tenants tenants, burst $burst ($count translations)" \
        test "$got" = "$sha"
done <"$fix/hslogs/expected.tsv"

# The same logs compressed give the same bytes.
mkdir -p "$tmp/z"
for k in 0 1 2; do
    gzip -c "$fix/hslogs/fix_$k.txt" >"$tmp/z/fix_$k.txt.gz"
done
"$tg" -q --logs "$tmp/z/fix" --devices-per-log 5 --tenants 12 --order rand --format hypersio -o "$tmp/gz"
check "gzip-compressed logs give the same trace" \
    test "$(sha256sum <"$tmp/gz_iotlb_trace.bin" | cut -c1-64)" = "$(awk -F'\t' '$1=="rand" && $2==12 && $3==1 {print $5}' "$fix/hslogs/expected.tsv")"
if command -v zstd >/dev/null; then
    rm -f "$tmp"/z/*
    for k in 0 1 2; do zstd -q -c "$fix/hslogs/fix_$k.txt" >"$tmp/z/fix_$k.txt.zst"; done
    "$tg" -q --logs "$tmp/z/fix" --devices-per-log 5 --tenants 12 --order rand --format hypersio -o "$tmp/zs"
    check "zstd-compressed logs give the same trace" cmp -s "$tmp/gz_iotlb_trace.bin" "$tmp/zs_iotlb_trace.bin"
fi

# The siokit format holds the same translations (in log order: its tenant
# ids follow first translations, HyperSIO's first events of any kind).
"$tg" -q --logs "$fix/hslogs/fix" --devices-per-log 5 --tenants 12 --order orig --json -o "$tmp/s.trace" >"$tmp/s.json"
"$sioperf" --model hypersio-1.0 --json "$tmp/s.trace" >"$tmp/a.json"
"$tg" -q --logs "$fix/hslogs/fix" --devices-per-log 5 --tenants 12 --order orig --format hypersio -o "$tmp/h"
"$sioperf" --model hypersio-1.0 --json "$tmp/h_iotlb_trace.bin" >"$tmp/b.json"
check "siokit and HyperSIO formats replay to the same numbers" python3 -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
sys.exit(0 if all(a[k] == b[k] for k in ("elapsed_ns", "translations", "mbps", "caches")) else 1)' "$tmp/a.json" "$tmp/b.json"
check "summary: 12 tenants, their translations add up, each has pages" json_check "$tmp/s.json" \
    'd["tenant_count"] == 12 and sum(t["translations"] for t in d["tenants"]) == d["translations"] and all(t["pages"] > 0 for t in d["tenants"]) and len(d["logs"]) == 3'

# --- a real stock QEMU 7.2 log ---------------------------------------------
"$tg" --logs "$fix/qemu72/vtd.log" --tenants 1 --order orig --json -o "$tmp/q.trace" >"$tmp/q.json" 2>"$tmp/err"
check "stock QEMU 7.2 log: read as qemu-7.2 with nothing malformed" json_check "$tmp/q.json" \
    'd["logs"][0]["dialect"] == "qemu-7.2" and d["malformed"] == 0'
hits=$(grep -c "vtd_iotlb_page_hit\|vtd_iotlb_page_update" "$fix/qemu72/vtd.log")
check "stock QEMU 7.2 log: each DMA translation once ($hits page hits and updates)" json_check "$tmp/q.json" \
    "d['translations'] == $hits and d['dmar_duplicates'] > 0 and d['tenants'][0]['domain'] == 3"
"$sioperf" --json "$tmp/q.trace" >"$tmp/qr.json"
check "sioperf replays the QEMU trace" json_check "$tmp/qr.json" "d['translations'] == $hits and d['caches']['IOTLB']['hits'] > 0"

# --- tenants --------------------------------------------------------------
expect_error "more tenants than the logs hold is refused, with how many" 2 "hold 1" \
    "$tg" --logs "$fix/qemu72/vtd.log" --tenants 4 -o "$tmp/x.trace"
check "the refused run wrote nothing" test ! -e "$tmp/x.trace"
"$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 4 --order rr --json -o "$tmp/r.trace" >"$tmp/r.json"
check "--reuse makes new tenants of the same log" json_check "$tmp/r.json" \
    'd["tenant_count"] == 4 and sorted(t["log"] for t in d["tenants"]) == [0, 1, 2, 3] and len(set(t["sid"] for t in d["tenants"])) == 4'
"$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 8 --order rr --translations 999 --json \
    -o "$tmp/n.trace" >"$tmp/n.json"
check "--translations ends the trace there; rr keeps the tenants within a turn of each other" \
    json_check "$tmp/n.json" \
    'd["translations"] == 999 and d["tenant_count"] == 8 and max(t["translations"] for t in d["tenants"]) - min(t["translations"] for t in d["tenants"]) <= 3'
"$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 4 --order rr -o "$tmp/n1.trace"
"$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 4 --order rr --translations 100000000 -o "$tmp/n2.trace"
check "--translations beyond what the logs give changes nothing" cmp -s "$tmp/n1.trace" "$tmp/n2.trace"
expect_error "--translations 0 is refused" 2 "translations" \
    "$tg" --logs "$fix/qemu72/vtd.log" --tenants 1 --translations 0 -o "$tmp/x.trace"
"$tg" -q --logs "$fix/hslogs/fix" --tenants 6 --order zipf --zipf 1.5 --json -o "$tmp/zf.trace" >"$tmp/zf.json"
check "zipf keeps every translation of its tenants" json_check "$tmp/zf.json" \
    'd["tenant_count"] == 6 and d["translations"] == sum(t["translations"] for t in d["tenants"])'
printf '0 5\n1 0\n# comment\n' >"$tmp/w.txt"
"$tg" -q --logs "$fix/hslogs/fix" --tenants 6 --order weighted --weights "$tmp/w.txt" --json -o "$tmp/w.trace" >"$tmp/w.json"
check "weighted: a weight-0 tenant never plays" json_check "$tmp/w.json" \
    '[t["translations"] for t in d["tenants"] if t["id"] == 1] in ([0], [])'
printf '0 five\n' >"$tmp/bad-w.txt"
expect_error "bad weights file names its line" 2 "bad-w.txt': line 1" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 6 --order weighted --weights "$tmp/bad-w.txt" -o "$tmp/x.trace"

# --- bad input ------------------------------------------------------------
{ head -n 20 "$fix/hslogs/fix_0.txt"
  echo "4242@1.000000:vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0xzz slpte 0x3 level 0x1 domain 0x5"
  tail -n +21 "$fix/hslogs/fix_0.txt"; } >"$tmp/bad_0.txt"
"$tg" --logs "$tmp/bad" --tenants 2 --json -o "$tmp/b.trace" >"$tmp/bad.json" 2>/dev/null
check "a malformed line is counted and reported as file:line" json_check "$tmp/bad.json" \
    'd["malformed"] == 1 and "bad_0.txt:21" in d["logs"][0]["malformed_examples"][0]'
expect_error "--strict fails on it, naming file:line" 2 "bad_0.txt:21" \
    "$tg" --strict --logs "$tmp/bad" --tenants 2 -o "$tmp/x.trace"
expect_error "missing logs" 2 "nothere_0.txt" "$tg" --logs "$tmp/nothere" --tenants 1 -o "$tmp/x.trace"
expect_error "unknown order" 2 "option --order" "$tg" --logs "$fix/hslogs/fix" --tenants 1 --order zigzag -o "$tmp/x.trace"
expect_error "no --tenants" 2 "tenants" "$tg" --logs "$fix/hslogs/fix" -o "$tmp/x.trace"
head -c 3000 "$tmp/z/fix_0.txt.zst" >"$tmp/cut_0.txt.zst" 2>/dev/null || gzip -c "$fix/hslogs/fix_0.txt" | head -c 3000 >"$tmp/cut_0.txt.gz"
expect_error "a truncated compressed log is an error" 2 "cut_0" "$tg" --logs "$tmp/cut" --tenants 1 -o "$tmp/x.trace"

# --- inputs and outputs ------------------------------------------------------
# An output that is one of the inputs is refused before any work; the input
# stays byte-identical (--logs, positional, gzip, HyperSIO's name).
cp "$fix/qemu72/vtd.log" "$tmp/victim.log"
expect_error "output = input (--logs) is refused, naming it" 2 "victim.log" \
    "$tg" --logs "$tmp/victim.log" --tenants 1 -o "$tmp/victim.log"
check "  and the log is untouched" cmp -s "$tmp/victim.log" "$fix/qemu72/vtd.log"
expect_error "output = input (positional log) is refused, naming it" 2 "victim.log" \
    "$tg" --tenants 1 -o "$tmp/victim.log" "$tmp/victim.log"
check "  and the log is untouched" cmp -s "$tmp/victim.log" "$fix/qemu72/vtd.log"
gzip -c "$fix/qemu72/vtd.log" >"$tmp/victim.log.gz"
cp "$tmp/victim.log.gz" "$tmp/victim.copy.gz"
expect_error "output = input (gzip log) is refused, naming it" 2 "victim.log.gz" \
    "$tg" --logs "$tmp/victim.log.gz" --tenants 1 -o "$tmp/victim.log.gz"
check "  and the log is untouched" cmp -s "$tmp/victim.log.gz" "$tmp/victim.copy.gz"
cp "$fix/qemu72/vtd.log" "$tmp/victim_iotlb_trace.bin"
expect_error "output = input (--format hypersio) is refused, naming it" 2 "victim_iotlb_trace.bin" \
    "$tg" --logs "$tmp/victim_iotlb_trace.bin" --tenants 1 --format hypersio -o "$tmp/victim"
check "  and the log is untouched" cmp -s "$tmp/victim_iotlb_trace.bin" "$fix/qemu72/vtd.log"
expect_error "-o /dev/null (a device) is refused" 2 "/dev/null" \
    "$tg" --logs "$fix/qemu72/vtd.log" --tenants 1 -o /dev/null
test -c /dev/null && ok "  and /dev/null is still a device" || not_ok "  and /dev/null is still a device"
mkfifo "$tmp/out.fifo" "$tmp/in.fifo"
expect_error "-o FIFO is refused" 2 "out.fifo" \
    timeout 10 "$tg" --logs "$fix/qemu72/vtd.log" --tenants 1 -o "$tmp/out.fifo"
check "  and the FIFO is still a FIFO" test -p "$tmp/out.fifo"
expect_error "a FIFO as --logs is refused, not waited on" 2 "in.fifo': a FIFO" \
    timeout 10 "$tg" --logs "$tmp/in.fifo" --tenants 1 -o "$tmp/x.trace"
expect_error "a FIFO as a positional log is refused, not waited on" 2 "in.fifo': a FIFO" \
    timeout 10 "$tg" --tenants 1 -o "$tmp/x.trace" "$fix/qemu72/vtd.log" "$tmp/in.fifo"
expect_error "a FIFO as --weights is refused, not waited on" 2 "in.fifo': a FIFO" \
    timeout 10 "$tg" --logs "$fix/hslogs/fix" --tenants 2 --order weighted --weights "$tmp/in.fifo" -o "$tmp/x.trace"
check "the refused runs wrote nothing" test ! -e "$tmp/x.trace"

# --- strict numbers -----------------------------------------------------------
expect_error "--zipf 1e-400 (underflow) is refused, naming the option" 2 "option --zipf" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 2 --order zipf --zipf 1e-400 -o "$tmp/x.trace"
expect_error "--zipf in hex is refused" 2 "option --zipf" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 2 --order zipf --zipf 0x1p0 -o "$tmp/x.trace"
expect_error "--zipf nan is refused" 2 "option --zipf" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 2 --order zipf --zipf nan -o "$tmp/x.trace"
expect_error "--tenants 0x10 is refused" 2 "option --tenants" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 0x10 -o "$tmp/x.trace"
printf -- '-1 5\n' >"$tmp/neg-w.txt"
expect_error "a negative tenant in --weights is refused, never shown as 2^64-1" 2 "neg-w.txt': line 1" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 6 --order weighted --weights "$tmp/neg-w.txt" -o "$tmp/x.trace"
check "  (the message has no 18446744073709551615)" test -z "$(grep 18446744073709551615 "$tmp/err")"
printf '0 0x10\n' >"$tmp/hex-w.txt"
expect_error "a hex weight is refused" 2 "hex-w.txt': line 1" \
    "$tg" --logs "$fix/hslogs/fix" --tenants 6 --order weighted --weights "$tmp/hex-w.txt" -o "$tmp/x.trace"

# --- --reuse at scale ---------------------------------------------------------
# Many reuse rounds of one small log: tenant and source ids all distinct.
"$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 3000 --translations 30000 --json \
    -o "$tmp/many.trace" >"$tmp/many.json"
check "--reuse: 3000 tenants of one log, ids and source ids all distinct" json_check "$tmp/many.json" \
    'd["tenant_count"] == 3000 and len(set(t["id"] for t in d["tenants"])) == 3000 and len(set(t["sid"] for t in d["tenants"])) == 3000'
"$sioperf" --json "$tmp/many.trace" >"$tmp/many-r.json"
check "  and sioperf replays it with 3000 tenants" json_check "$tmp/many-r.json" 'len(d["tenants"]) == 3000'
# --- interrupted: nothing left ----------------------------------------------
for i in $(seq 0 59); do cat "$fix/hslogs/fix_0.txt"; done >"$tmp/big_0.txt"
for i in 1 2 3 4 5 6; do cat "$tmp/big_0.txt"; done >"$tmp/big_1.txt"; mv "$tmp/big_1.txt" "$tmp/big_0.txt"
"$tg" -q --reuse --logs "$tmp/big" --tenants 200000 -o "$tmp/int.trace" 2>/dev/null &
pid=$!
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
check "SIGINT: exit 130 and no trace, whole or partial (exit $rc)" \
    test "$rc" -eq 130 -a -z "$(ls "$tmp" | grep int.trace)"

# SIGINT during --reuse of one small log as very many tenants: stops in time.
. "$src/tests/stop_within.sh"
stop_within "SIGINT under --reuse with 10^6 tenants: exit 130 within 5 s, no trace" INT 130 5000 int2.trace \
    "$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 1000000 -o "$tmp/int2.trace"
stop_within "SIGTERM under --reuse: exit 143, no trace" TERM 143 5000 int3.trace \
    "$tg" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 1000000 -o "$tmp/int3.trace"

tap_done
