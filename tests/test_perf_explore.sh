#!/bin/bash
# test_perf_explore.sh - perf-explore as users run it: a sweep's points,
# JSON and CSV, resumability, -j, failed points recorded while the sweep
# goes on, collected logs (the real QEMU 7.2 fixture log in a run directory
# whose manifest the test writes), plots (valid SVG and PNG naming the
# series), the table, bad input (exit 2, one line), garbage values read
# back from the CSV and point JSON, a corrupt cached trace remade, SIGINT
# while gnuplot draws, --run-point and an interrupted sweep.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
pe=$build/bin/perf-explore

# Small synthetic traces keep the test quick.
sweep() { "$pe" -n 30000 --traces "$tmp/traces" --logs-root "$tmp/nologs" "$@"; }

# --- help and designs ---------------------------------------------------------
check "--help exits 0" quiet "$pe" --help
"$pe" --list-designs >"$tmp/designs"
check "--list-designs lists the five presets" \
    test "$(cut -d' ' -f1 "$tmp/designs" | tr '\n' ' ')" = "base tq part prefetch hypertrio "

# --- a sweep: points, JSON, CSV, table, plots ---------------------------------
out=$tmp/s1
sweep -t 1,4 -d base,hypertrio -j 2 -o "$out" >"$tmp/table" 2>"$tmp/err"
rc=$?
check "a 4-point sweep exits 0" test "$rc" -eq 0
check "one JSON per point" test "$(ls "$out/points" | grep -c '\.json$')" -eq 4
for f in "$out"/points/*.json; do
    json_check "$f" 'd["status"] == "ok" and d["point"]["design"] in ("base", "hypertrio") and d["result"]["translations"] == 30000 and 0 < d["result"]["utilization"] <= 1' ||
        not_ok "point record $f"
done
ok "each point record is ok, names its design, has sioperf's result"
check "stderr says the traces are synthetic" grep -q "no collected logs.*synthetic workload iperf3" "$tmp/err"
check "the CSV holds every point, synthetic source named" csv_check "$out/points.csv" \
    'len(r) == 4 and all(x["status"] == "ok" and x["source"] == "synthetic:iperf3" for x in r)'
check "the CSV is sorted by design in preset order, then tenants" csv_check "$out/points.csv" \
    '[(x["design"], x["tenants"]) for x in r] == [("base","1"),("base","4"),("hypertrio","1"),("hypertrio","4")]'
f=$(ls "$out"/points/base_*_t4_*.json)
check "the CSV's utilisation is the point's" csv_check "$out/points.csv" \
    "abs(float([x for x in r if x['design']=='base' and x['tenants']=='4'][0]['utilization']) - $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["result"]["utilization"])' "$f")) < 1e-5"
check "hypertrio restores utilisation that base loses at 4 tenants" csv_check "$out/points.csv" \
    'float([x for x in r if x["design"]=="hypertrio" and x["tenants"]=="4"][0]["utilization"]) > 5 * float([x for x in r if x["design"]=="base" and x["tenants"]=="4"][0]["utilization"])'
check "the table has a row per design and a column per tenant count" \
    python3 - "$tmp/table" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].startswith("link utilisation"), lines[0]
assert lines[1].split() == ["1", "4"], lines[1]
assert lines[2].split()[0] == "base" and len(lines[2].split()) == 3
assert lines[3].split()[0] == "hypertrio" and len(lines[3].split()) == 3
assert any(l.startswith("IOTLB hit rate") for l in lines)
PY
for img in utilisation iotlb-hit-rate; do
    check "$img.png is a PNG" test "$(head -c 8 "$out/$img.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a"
    check "$img.svg is an SVG naming both series" python3 - "$out/$img.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
text = " ".join(t for t in root.itertext())
assert "base" in text and "hypertrio" in text, text[:200]
PY
done
check "no temporary files are left" test -z "$(find "$out" "$tmp/traces" -name '*.tmp*')"

# --- resumability -------------------------------------------------------------
stat -c %Y.%s "$out"/points/*.json >"$tmp/before"
sweep -t 1,4 -d base,hypertrio -o "$out" >/dev/null 2>"$tmp/err"
check "a second run skips every finished point and counts them" grep -q "4 points: 0 run, 4 skipped" "$tmp/err"
stat -c %Y.%s "$out"/points/*.json >"$tmp/after"
check "finished points are not rewritten" cmp -s "$tmp/before" "$tmp/after"
sweep -t 1,4,16 -d base,hypertrio -o "$out" >/dev/null 2>"$tmp/err"
check "a wider sweep runs only the new points" grep -q "6 points: 2 run, 4 skipped" "$tmp/err"
check "and its CSV has all six" csv_check "$out/points.csv" 'len(r) == 6'

# --- -j: the same numbers with one worker or two -------------------------------
sweep -t 1,4,16 -d base,hypertrio -j 1 -o "$tmp/j1" --no-plot >/dev/null 2>&1
check "-j 1 gives the same CSV as -j 2" cmp -s <(cut -d, -f2- "$out/points.csv") <(cut -d, -f2- "$tmp/j1/points.csv")
check "--no-plot draws nothing" test ! -e "$tmp/j1/utilisation.svg"

# --- progress: on a terminal only, and never with --quiet ---------------------
if command -v script >/dev/null; then
    script -qec "'$pe' -n 30000 --traces '$tmp/traces' --logs-root '$tmp/nologs' -t 2 -d base,tq --no-plot -o '$tmp/tty1' >/dev/null" /dev/null >"$tmp/tty" 2>&1
    check "a progress line on a terminal" grep -q "points: " "$tmp/tty"
    script -qec "'$pe' -n 30000 --traces '$tmp/traces' --logs-root '$tmp/nologs' -t 2 -d base,tq --no-plot --quiet -o '$tmp/tty2' >/dev/null" /dev/null >"$tmp/tty" 2>&1
    check "--quiet: nothing on a terminal's stderr" test ! -s "$tmp/tty"
fi

# --- models as an axis ----------------------------------------------------------
sweep -t 4 -d base -m siokit,hypersio-1.0 -o "$tmp/m" >"$tmp/table" 2>/dev/null
check "two models: two points, the series named by model" csv_check "$tmp/m/points.csv" \
    'sorted(x["model"] for x in r) == ["hypersio-1.0", "siokit"]'
check "the table names the model of each row" grep -q "^base model=hypersio-1.0 " "$tmp/table"

# --- failed points are recorded and the sweep goes on --------------------------
sweep -t 4 -d base --iotlb-size 24,128 -o "$tmp/f" >/dev/null 2>"$tmp/err"
rc=$?
check "a sweep with a failed point exits 1" test "$rc" -eq 1
check "the failed point is counted" grep -q "2 points: 1 run, 0 skipped.*1 failed" "$tmp/err"
check "the CSV records it as failed, why, and the other point as ok" csv_check "$tmp/f/points.csv" \
    'sorted((x["iotlb_size"], x["status"]) for x in r) == [("128","ok"),("24","failed")] and "iotlb-size 24" in [x for x in r if x["status"]=="failed"][0]["error"]'
"$pe" --plot "$tmp/f" --no-plot >"$tmp/table" 2>/dev/null
check "the table shows it as fail" grep -q "^base iotlb_size=24 .*fail" "$tmp/table"
# A damaged cached trace is made anew (a damaged trace given to one point
# fails it: see --run-point below).
sweep -t 2,3 -d base -o "$tmp/d" --no-plot >/dev/null 2>&1
t3=$(ls "$tmp"/traces/iperf3_synth_t3_rr1_n30000.sktrace)
cp "$t3" "$tmp/t3-damaged.sktrace"
truncate -s 5000 "$t3" "$tmp/t3-damaged.sktrace"
rm -f "$tmp"/d/points/*.json
sweep -t 2,3 -d base -o "$tmp/d" --no-plot >/dev/null 2>"$tmp/err"
check "a truncated cached trace is made anew and its point runs" \
    grep -q "2 points: 2 run, 0 skipped.*0 failed; 1 traces made" "$tmp/err"
check "and the sweep says why" grep -q "cached trace '$t3': .*; making it again" "$tmp/err"

# --- collected logs: the real QEMU 7.2 log in a run directory -----------------
logs=$tmp/logs
mkdir -p "$logs/iperf3_1_0/l2-0"
cp "$src/tests/fixtures/qemu72/vtd.log" "$logs/iperf3_1_0/l2-0/vtd.log"
cat >"$logs/iperf3_1_0/manifest.json" <<'EOF'
{"status": "complete", "test": "iperf3", "tenants": 1,
 "logs": ["l2-0/vtd.log"], "qemu": {"version": "7.2"}}
EOF
mkdir -p "$logs/iperf3_2_0"
cat >"$logs/iperf3_2_0/manifest.json" <<'EOF'
{"status": "incomplete", "test": "iperf3", "tenants": 2, "logs": []}
EOF
hits=$(grep -c "vtd_iotlb_page_hit\|vtd_iotlb_page_update" "$src/tests/fixtures/qemu72/vtd.log")
"$pe" --logs-root "$logs" --traces "$tmp/traces" -t 1,3 -d base,tq -o "$tmp/l" \
    --no-plot >/dev/null 2>"$tmp/err"
rc=$?
check "a sweep over collected logs exits 0" test "$rc" -eq 0
check "stderr names the run used" grep -q "using the logs of $logs/iperf3_1_0 (1 tenants collected)" "$tmp/err"
check "the CSV names the logs as source" csv_check "$tmp/l/points.csv" \
    "len(r) == 4 and all(x['source'] == 'logs:$logs/iperf3_1_0' for x in r)"
f=$(ls "$tmp"/l/points/base_*_t1_*.json)
check "one tenant replays every translation of the real log ($hits)" json_check "$f" \
    "d['result']['translations'] == $hits and d['point']['source'].startswith('logs:')"
f=$(ls "$tmp"/l/points/base_*_t3_*.json)
check "three tenants reuse the one collected log" json_check "$f" \
    "d['result']['tenant_count'] == 3 and len(d['result']['tenants']) == 3"
"$pe" --logs "$logs/iperf3_1_0" --traces "$tmp/traces" -t 3 -d base -n 300 -o "$tmp/l3" \
    --no-plot --quiet >/dev/null 2>&1
f=$(ls "$tmp"/l3/points/base_*_t3_*.json)
check "--translations ends a trace made from logs there" json_check "$f" \
    "d['result']['translations'] == 300 and d['point']['translations'] == 300"
"$pe" --logs "$logs/iperf3_1_0" --traces "$tmp/traces" -t 1 -d base -o "$tmp/l2" \
    --no-plot --quiet >/dev/null 2>&1
check "--logs RUN selects a run (same trace, same numbers)" \
    cmp -s <(cut -d, -f2- "$tmp/l2/points.csv" | tail -1) <(grep "^base_.*_t1_" "$tmp/l/points.csv" | cut -d, -f2-)
expect_error "--logs of an incomplete run" 2 "iperf3_2_0/manifest.json.*status.*incomplete" \
    "$pe" --logs "$logs/iperf3_2_0" -o "$tmp/x"
expect_error "--logs of a missing run" 2 "nothere.*no such run" "$pe" --logs "$tmp/nothere" -o "$tmp/x"
mkdir -p "$logs/iperf3_9_0"
echo '{"status": "complete", "test": "iperf3", "tenants": 9, "logs": ["../../etc/passwd"]}' >"$logs/iperf3_9_0/manifest.json"
expect_error "a manifest's log outside its run" 2 "logs\[0\].*inside the run" \
    "$pe" --logs "$logs/iperf3_9_0" -o "$tmp/x"
expect_error "a benchmark with no logs and no workload" 2 "benchmark 'fio'.*no complete run" \
    "$pe" --logs-root "$logs" --benchmark fio -o "$tmp/x"

# --- bad usage ----------------------------------------------------------------
expect_error "unknown design" 2 "option --design: unknown design 'nope'" "$pe" --design nope -o "$tmp/x"
expect_error "unknown model" 2 "option --model" "$pe" --model nope -o "$tmp/x"
expect_error "tenants 0" 2 "option --tenants" "$pe" --tenants 0 -o "$tmp/x"
expect_error "tenants not a number" 2 "option --tenants: '4x'" "$pe" --tenants 4,4x -o "$tmp/x"
expect_error "link speed 0" 2 "option --link-gbps" "$pe" --link-gbps 0 -o "$tmp/x"
expect_error "tqueue 0" 2 "option --tqueue" "$pe" --tqueue 0 -o "$tmp/x"
expect_error "unknown launcher" 2 "option --launcher" "$pe" --launcher pbs -o "$tmp/x"
expect_error "an order synthetic traces cannot give" 2 "option --order: unknown order 'zipf'" \
    "$pe" --logs-root "$tmp/nologs" --order zipf -o "$tmp/x"
expect_error "a benchmark that is not a name" 2 "option --benchmark: 'a/b'" "$pe" --benchmark a/b -o "$tmp/x"
expect_error "unknown option" 2 "nknown option" "$pe" --bogus
expect_error "an extra argument" 2 "unexpected argument" "$pe" extra
check "bad usage creates no results directory" test ! -e "$tmp/x"

# --- re-plotting from the CSV ---------------------------------------------------
rm -f "$out"/*.svg "$out"/*.png
"$pe" --plot "$out" >"$tmp/table" 2>/dev/null
check "--plot DIR draws again from the CSV alone" test -s "$out/utilisation.svg" -a -s "$out/iotlb-hit-rate.png"
check "--plot DIR prints the table" grep -q "^hypertrio " "$tmp/table"
check "the gnuplot script is kept for re-plotting" grep -q "plot/s0.dat" "$out/plot/plot.gp"
mkdir -p "$tmp/bad"
{ head -1 "$out/points.csv"; echo 'a,"b'; } >"$tmp/bad/points.csv"
expect_error "a damaged CSV names file and line" 2 "points.csv': line 2: unterminated" "$pe" --plot "$tmp/bad"

# --- numbers read back are validated (file, line, column; exit 2) ------------
# garbage NAME COLUMN VALUE: points.csv of $out with row 1's COLUMN (0-based)
# set to VALUE (written by Python's csv, so quoted where it must be).
garbage() {
    mkdir -p "$tmp/g-$1"
    python3 - "$out/points.csv" "$tmp/g-$1/points.csv" "$2" "$3" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
rows[1][int(sys.argv[3])] = sys.argv[4]
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(rows)
PY
}
garbage abc 13 abc
garbage neg 13 -5
garbage inf 13 inf
garbage nan 13 nan
garbage tenants 12 -4
garbage hex 11 0x10
garbage newline 2 $'base\n1 50 50'
for c in "abc:column 14 (utilization): 'abc' is not a number" \
         "neg:column 14 (utilization): '-5'" "inf:column 14 (utilization): 'inf'" \
         "nan:column 14 (utilization): 'nan'" "tenants:column 13 (tenants): '-4'" \
         "hex:column 12 (link_gbps): '0x10'" "newline:column 3 (design): a control character"; do
    expect_error "--plot refuses a CSV with ${c%%:*} values" 2 "g-${c%%:*}/points.csv': line 2: ${c#*:}" \
        "$pe" --plot "$tmp/g-${c%%:*}"
done
check "and draws nothing from it" test -z "$(ls "$tmp"/g-* | grep -E 'svg|png|plot')"

# A point whose JSON says ok but holds a string utilisation is computed again.
cp -r "$out" "$tmp/resume"
f=$(ls "$tmp"/resume/points/base_*_t4_*.json)
python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["result"]["utilization"] = "abc"; json.dump(d, open(sys.argv[1], "w"))' "$f"
sweep -t 1,4 -d base,hypertrio -o "$tmp/resume" --no-plot >/dev/null 2>"$tmp/err"
check "a garbage point JSON is named with its member on resume" \
    grep -q "base_.*_t4_.*json': member result.utilization: 'abc' is a string, not a number; computing it again" "$tmp/err"
check "and computed again, not tabulated as 0" \
    test "$(cut -d, -f14 "$tmp/resume/points.csv")" = "$(cut -d, -f14 "$out/points.csv")"

# A corrupt cached trace is found, said so (even with --quiet), and made again.
f=$tmp/traces/iperf3_synth_t4_rr1_n30000.sktrace
python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0xff; open(sys.argv[1], "wb").write(b)' "$f"
sweep -t 1,4,16 -d base,hypertrio -o "$tmp/remade" --no-plot --quiet >/dev/null 2>"$tmp/err"
check "a corrupt cached trace is reported with --quiet" \
    grep -q "cached trace '.*t4_rr1_n30000.sktrace': block [0-9]*: checksum mismatch; making it again" "$tmp/err"
check "and remade: the sweep's results equal a clean sweep's" \
    test "$(cut -d, -f1-23 "$tmp/remade/points.csv")" = "$(cut -d, -f1-23 "$out/points.csv")"

# --- SIGINT while gnuplot draws: exit 130, no image, no temporary file ------
mkdir -p "$tmp/many"
python3 - "$out/points.csv" "$tmp/many/points.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
out = [rows[0]]
for s in range(1500):                   # enough series that gnuplot takes a while
    for t in (1, 2, 4, 8):
        r = list(rows[1]); r[0] = f"p{s}_{t}"; r[2] = f"d{s}"; r[12] = str(t)
        out.append(r)
csv.writer(open(sys.argv[2], "w", newline=""), lineterminator="\n").writerows(out)
PY
"$pe" --plot "$tmp/many" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 500); do
    ls "$tmp/many" | grep -q '\.tmp\.' && break
    sleep 0.01
done
drawing=$(ls "$tmp/many" | grep -c '\.tmp\.')
kill -INT "$pid"
wait "$pid"
rc=$?
check "SIGINT while gnuplot draws ($drawing images under way) exits 130 ($rc)" test "$rc" -eq 130
check "it says it was stopped" grep -q "stopped by SIGINT" "$tmp/err"
check "and leaves no image and no temporary file" \
    test -z "$(ls "$tmp/many" "$tmp/many/plot" | grep -E '\.tmp|svg|png')"
gnuplots=$(for d in /proc/[0-9]*; do [ "$(readlink "$d/cwd" 2>/dev/null)" = "$tmp/many" ] && echo "$d"; done)
check "and no gnuplot still running in its folder" test -z "$gnuplots"

# --- one point by itself ----------------------------------------------------------
p=$(ls "$out"/points/base_*_t4_*.json)
cat >"$tmp/one.point" <<EOF
[point]
id=one
benchmark=iperf3
source=synthetic:iperf3
tenants=4
order=rr
burst=1
translations=30000
design=base
iotlb_size=0
tqueue=0
link_gbps=200
model=siokit
trace=$(ls "$tmp"/traces/iperf3_synth_t4_rr1_n30000.sktrace)
output=$tmp/one.json
EOF
"$pe" --run-point "$tmp/one.point"
check "--run-point computes the point as the sweep did" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["result"]; b = json.load(open(sys.argv[2]))["result"]
sys.exit(0 if a["elapsed_ns"] == b["elapsed_ns"] and a["caches"] == b["caches"] else 1)' "$tmp/one.json" "$p"
sed -e "s|^trace=.*|trace=$tmp/t3-damaged.sktrace|" -e "s|^output=.*|output=$tmp/damaged.json|" \
    -e "s|^tenants=.*|tenants=3|" "$tmp/one.point" >"$tmp/damaged.point"
"$pe" --run-point "$tmp/damaged.point" 2>"$tmp/err"
rc=$?
check "a point on a damaged trace fails (exit $rc) and records the trace's error" \
    json_check "$tmp/damaged.json" 'd["status"] == "failed" and "t3-damaged.sktrace" in d["error"]'
sed 's/^design=base/design=warp/' "$tmp/one.point" >"$tmp/bad.point"
expect_error "a bad point file names file and key" 2 "bad.point': key 'design'" "$pe" --run-point "$tmp/bad.point"

# --- an interrupted sweep leaves nothing that looks whole ----------------------
"$pe" -n 30000000 -t 64 -d base --traces "$tmp/big" -o "$tmp/int" --logs-root "$tmp/nologs" \
    --quiet >/dev/null 2>&1 &
pid=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
rc=$?
check "SIGTERM stops the sweep (exit $rc)" test "$rc" -eq 143
check "and leaves no trace, no point, no temporary file" \
    test -z "$(ls -A "$tmp/big" 2>/dev/null)" -a -z "$(ls -A "$tmp/int/points" 2>/dev/null)"

tap_done
