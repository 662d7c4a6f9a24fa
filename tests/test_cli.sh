#!/bin/bash
# test_cli.sh - sioperf and trace-synth as users run them: help, exit
# codes, one-line errors naming the file or field, JSON fields, quiet
# output when piped, no file left by an interrupted run.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth

# --- trace-synth -------------------------------------------------------------
check "trace-synth --help exits 0" quiet "$synth" --help
"$synth" --tenants 8 --translations 30000 -o "$tmp/t8.trace" 2>"$tmp/err"
check "trace-synth writes a siokit trace" test -s "$tmp/t8.trace"
"$synth" --tenants 8 --translations 30000 -o "$tmp/t8_iotlb_trace.bin" -q 2>"$tmp/err"
check "trace-synth writes a HyperSIO trace by name, 48 bytes a record" \
    test "$(stat -c %s "$tmp/t8_iotlb_trace.bin")" -eq $((30000 * 48))
check "trace-synth -q prints nothing" test ! -s "$tmp/err"
expect_error "trace-synth without -o" 2 "" "$synth" --tenants 2 --translations 10
expect_error "trace-synth --tenants 0" 2 "tenants" "$synth" --tenants 0 --translations 10 -o "$tmp/x"
expect_error "trace-synth unknown workload" 2 "workload" "$synth" --workload nope --tenants 1 --translations 10 -o "$tmp/x"

# An interrupted run leaves no file, whole or partial.
"$synth" --tenants 1024 --translations 200000000 -o "$tmp/big.trace" -q 2>/dev/null &
pid=$!
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
left=$(ls "$tmp" | grep -c big || true)
check "trace-synth stopped by SIGTERM exits non-zero, leaves no file (exit $rc, $left left)" \
    test "$rc" -ne 0 -a "$left" -eq 0

# Outputs that are not regular files are never replaced; numbers parse strictly.
expect_error "trace-synth -o /dev/null is refused" 2 "/dev/null" \
    "$synth" --tenants 2 --translations 10 -o /dev/null
mkfifo "$tmp/synth.fifo"
expect_error "trace-synth -o FIFO is refused, not waited on" 2 "synth.fifo" \
    timeout 10 "$synth" --tenants 2 --translations 10 -o "$tmp/synth.fifo"
check "the FIFO is still a FIFO" test -p "$tmp/synth.fifo"
expect_error "trace-synth --huge-fraction in hex is refused" 2 "huge-fraction" \
    "$synth" --tenants 2 --translations 10 --huge-fraction 0x0.8p0 -o "$tmp/x"
expect_error "trace-synth --huge-fraction that underflows is refused" 2 "huge-fraction" \
    "$synth" --tenants 2 --translations 10 --huge-fraction 1e-400 -o "$tmp/x"
# --json is valid JSON whatever the name: UTF-8 names escaped, others refused.
"$synth" -q --json --tenants 2 --translations 30 -o "$tmp/quote\"back\\slash é.trace" >"$tmp/j.json"
check "trace-synth --json escapes quotes and backslashes in the name" json_check "$tmp/j.json" \
    'd["output"].endswith("slash é.trace") and chr(34) in d["output"] and chr(92) in d["output"] and d["tenants"] == 2'
expect_error "trace-synth --json with a non-UTF-8 name is refused" 2 "UTF-8" \
    "$synth" -q --json --tenants 2 --translations 30 -o "$tmp/bad$(printf '\377').trace"
check "the refused name was not written" test -z "$(ls "$tmp" | grep '^bad')"

# Stopped within a bound (the 0.5 s goal is measured in bench/) at many tenants.
. "$src/tests/stop_within.sh"
stop_within "trace-synth with 10^6 tenants stops on SIGINT: exit 130 within 5 s, no file" INT 130 5000 many.trace \
    "$synth" --tenants 1000000 --translations 200000000 -o "$tmp/many.trace" -q

# --- sioperf: results ---------------------------------------------------------
check "sioperf --help exits 0" quiet "$sioperf" --help
"$sioperf" --json "$tmp/t8.trace" >"$tmp/r.json" 2>"$tmp/err"
check "sioperf --json is one JSON object with the documented fields" json_check "$tmp/r.json" \
    'all(k in d for k in ("model","elapsed_ns","translations","dropped_slots","mbps","link_gbps","utilization","caches","tenants")) and d["model"]=="siokit" and d["translations"]==30000 and len(d["tenants"])==8 and all(c in d["caches"] for c in ("CC","IOTLB","L2PAGE","L3PAGE"))' 
check "sioperf prints nothing on stderr when all is well" test ! -s "$tmp/err"
check "utilisation is within 0..1 in the siokit model" json_check "$tmp/r.json" '0 < d["utilization"] <= 1'
check "every tenant has an IOTLB hit rate" json_check "$tmp/r.json" 'all(0 <= t["iotlb_hit_rate"] <= 1 for t in d["tenants"])'

"$sioperf" --model hypersio-1.0 --json "$tmp/t8_iotlb_trace.bin" >"$tmp/h.json"
"$sioperf" --model hypersio-1.0 --json "$tmp/t8.trace" >"$tmp/h2.json"
check "both trace formats give hypersio-1.0 the same numbers" \
    json_check "$tmp/h.json" "d['elapsed_ns'] == $(json_val "$tmp/h2.json" "d['elapsed_ns']") and d['mbps'] == $(json_val "$tmp/h2.json" "d['mbps']")"
"$sioperf" --input-format hypersio --model hypersio-1.0 --json "$tmp/t8_iotlb_trace.bin" >"$tmp/h3.json"
check "--input-format hypersio reads the same trace" cmp -s "$tmp/h.json" "$tmp/h3.json"

"$sioperf" "$tmp/t8.trace" >"$tmp/text"
check "text output shows throughput" grep -q "^throughput" "$tmp/text"
check "text output lists IOTLB" grep -q "^IOTLB" "$tmp/text"

# The default configuration and HyperSIO's own file give the same run.
printf 'CC\nsize:1536\nassoc:1536\ngroups:1\nhistlen:0\n//---\nIOTLB\nsize:64\nassoc:8\ngroups:1\nhistlen:0\n//---\nL2PAGE\nsize:512\nassoc:16\ngroups:1\nhistlen:0\n//---\nL3PAGE\nsize:1024\nassoc:16\ngroups:1\nhistlen:0\n//---\nPREFETCH\nsize:0\nassoc:32\ngroups:0\nhistlen:2\n//---\n' >"$tmp/base.cfg"
"$sioperf" --config "$tmp/base.cfg" --json "$tmp/t8.trace" >"$tmp/r2.json"
check "HyperSIO's default config file equals the built-in default" cmp -s "$tmp/r.json" <(sed 's/x/x/' "$tmp/r2.json")

# A bigger IOTLB hits more.  (Its 4 KiB pages of one 2 MiB region share a
# set, as in HyperSIO, so it takes more ways, not more sets.)
sed 's/^size:64$/size:4096/; s/^assoc:8$/assoc:256/' "$tmp/base.cfg" >"$tmp/big.cfg"
"$sioperf" --config "$tmp/big.cfg" --json "$tmp/t8.trace" >"$tmp/r3.json"
check "a 4096-entry 256-way IOTLB hits more than a 64-entry one" \
    test "$(json_val "$tmp/r3.json" 'd["caches"]["IOTLB"]["hits"]')" -gt "$(json_val "$tmp/r.json" 'd["caches"]["IOTLB"]["hits"]')"

# Progress: on a terminal only, and never with --quiet.
if command -v script >/dev/null; then
    script -qec "'$sioperf' '$tmp/t8.trace' >/dev/null" /dev/null >"$tmp/tty" 2>&1
    check "a progress line on a terminal" grep -q "translations: " "$tmp/tty"
    script -qec "'$sioperf' --quiet '$tmp/t8.trace' >/dev/null" /dev/null >"$tmp/tty" 2>&1
    check "--quiet: no progress line on a terminal" test ! -s "$tmp/tty"
fi

# --- sioperf: bad usage and bad input ----------------------------------------
expect_error "no trace" 2 "no trace given" "$sioperf"
expect_error "two traces" 2 "more than one trace" "$sioperf" "$tmp/t8.trace" "$tmp/t8.trace"
expect_error "unknown option" 2 "unknown option\|Unknown option" "$sioperf" --bogus "$tmp/t8.trace"
expect_error "unknown model" 2 "option --model" "$sioperf" --model nope "$tmp/t8.trace"
expect_error "unknown policy" 2 "option --policy" "$sioperf" --policy mru "$tmp/t8.trace"
expect_error "tqueue 0" 2 "option --tqueue" "$sioperf" --tqueue 0 "$tmp/t8.trace"
expect_error "tqueue not a number" 2 "option --tqueue" "$sioperf" --tqueue 4x "$tmp/t8.trace"
expect_error "link speed 0" 2 "option --link-gbps" "$sioperf" --link-gbps 0 "$tmp/t8.trace"
expect_error "fractional link speed in hypersio-1.0" 2 "whole Gb/s" "$sioperf" -m hypersio-1.0 --link-gbps 12.5 "$tmp/t8.trace"
expect_error "missing trace" 2 "nothere.trace" "$sioperf" "$tmp/nothere.trace"
expect_error "missing config" 2 "nothere.cfg" "$sioperf" --config "$tmp/nothere.cfg" "$tmp/t8.trace"

printf 'IOTLB\nsize:64\nassoc:8\ngroups:0\n' >"$tmp/g0.cfg"
expect_error "groups 0 names file and field" 2 "g0.cfg.*IOTLB: groups" "$sioperf" --config "$tmp/g0.cfg" "$tmp/t8.trace"
printf 'IOTLB\nsize:60\nassoc:8\n' >"$tmp/m.cfg"
expect_error "size not a multiple of assoc" 2 "m.cfg.*size is not a multiple" "$sioperf" --config "$tmp/m.cfg" "$tmp/t8.trace"
printf 'IOTLB\nsize:48\nassoc:16\n' >"$tmp/p.cfg"
expect_error "sets not a power of two" 2 "p.cfg.*power of two" "$sioperf" --config "$tmp/p.cfg" "$tmp/t8.trace"
printf 'IOTLBX\nsize:64\n' >"$tmp/u.cfg"
expect_error "unknown block" 2 "u.cfg': line 1: unknown block" "$sioperf" --config "$tmp/u.cfg" "$tmp/t8.trace"
printf 'IOTLB\nways:8\n' >"$tmp/k.cfg"
expect_error "unknown key" 2 "k.cfg': line 2: IOTLB: unknown key 'ways'" "$sioperf" --config "$tmp/k.cfg" "$tmp/t8.trace"
printf 'PREFETCH\nsize:16\nassoc:4\nhistlen:0\n' >"$tmp/h0.cfg"
expect_error "histlen 0 with a prefetcher" 2 "histlen" "$sioperf" --config "$tmp/h0.cfg" "$tmp/t8.trace"
sed 's/^histlen:2$/histlen:0/' "$tmp/base.cfg" >"$tmp/h00.cfg"
expect_error "histlen 0: hypersio-1.0 always runs its prefetcher" 2 "histlen" "$sioperf" -m hypersio-1.0 --config "$tmp/h00.cfg" "$tmp/t8.trace"
"$sioperf" --config "$tmp/h00.cfg" "$tmp/t8.trace" >/dev/null 2>&1
check "histlen 0 without a prefetch buffer runs in the siokit model" test $? -eq 0

: >"$tmp/empty.trace"
expect_error "empty siokit trace" 2 "empty.trace" "$sioperf" "$tmp/empty.trace"
: >"$tmp/empty_iotlb_trace.bin"
expect_error "empty HyperSIO trace" 2 "empty trace" "$sioperf" "$tmp/empty_iotlb_trace.bin"
printf 'NOTATRACE-------------------------------------------------------------------------------------------------------------------------' >"$tmp/magic.trace"
expect_error "wrong magic" 2 "magic.trace.*magic" "$sioperf" "$tmp/magic.trace"
head -c 100000 "$tmp/t8.trace" >"$tmp/cut.trace"
expect_error "truncated siokit trace" 2 "cut.trace.*truncated" "$sioperf" "$tmp/cut.trace"
cp "$tmp/t8.trace" "$tmp/flip.trace"
printf '\xff' | dd of="$tmp/flip.trace" bs=1 seek=5000 conv=notrunc status=none
expect_error "bad block checksum" 2 "flip.trace.*checksum" "$sioperf" "$tmp/flip.trace"
head -c $((48 * 100 + 20)) "$tmp/t8_iotlb_trace.bin" >"$tmp/cut_iotlb_trace.bin"
expect_error "truncated HyperSIO record" 2 "record 100" "$sioperf" "$tmp/cut_iotlb_trace.bin"
# Level 7 in record 2 of a HyperSIO trace (the u64 at offset 24 of a record).
cp "$tmp/t8_iotlb_trace.bin" "$tmp/lvl_iotlb_trace.bin"
printf '\x07' | dd of="$tmp/lvl_iotlb_trace.bin" bs=1 seek=$((48 * 2 + 24)) conv=notrunc status=none
expect_error "level outside 1..3" 2 "record 2: level 7" "$sioperf" "$tmp/lvl_iotlb_trace.bin"

tap_done
