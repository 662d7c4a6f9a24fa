#!/bin/bash
# test_registry_replay.sh - registry-replay warmup and run against real Docker
# distribution registries (Debian's docker-registry) started here on
# 127.0.0.1 with their own storage and stopped by PID: every layer pushed
# once with the right size and digest, every replayed GET returns its blob,
# PUTs of unknown layers succeed, the seed's outputs and ours, several
# registries over one storage, a dead registry reported per request, bad
# inputs refused, an interrupted run leaving no file and no process.  TAP.
set -u
. "$(dirname "$0")/lib/tap.sh"
. "$(dirname "$0")/lib/registry.sh"
synth=$build/bin/registry-synth
replay=$build/bin/registry-replay
command -v docker-registry >/dev/null || tap_skip_all "docker-registry not installed (scripts/install-deps)"
cd "$tmp" || tap_bail "cannot enter $tmp"

registry_start "$tmp/r1" "$tmp/store" || tap_bail "docker-registry did not start: $(tail -2 "$tmp/r1/registry.log")"
tap_cleanup_pid "$registry_pid"
r1=$registry_addr r1_pid=$registry_pid

# 400 requests, a fifth of the events pushes, layers around 64 KiB.
"$synth" -q --requests 400 --repos 30 --clients 6 --put-fraction 0.2 --seed 11 --layer-median 65536 -o t.json
write_config() {    # NAME OUTPUT MAP REGISTRIES [EXTRA client_info LINES]
    local name=$1 out=$2 map=$3 regs=$4; shift 4
    {
        echo "client_info:"
        echo "    client_list: [h1, h2, h3]"
        echo "    threads: 4"
        for line in "$@"; do echo "    $line"; done
        echo "trace:"
        echo "    traces: [t.json]"
        echo "    output: $out"
        echo "registry: [$regs]"
        echo "warmup:"
        echo "    output: $map"
        echo "    threads: 3"
    } >"$name"
}
write_config c.yaml out.json map.json "$r1" "wait: true"

# --- warmup --------------------------------------------------------------------
"$replay" -c warmup -i c.yaml >warm.out 2>warm.err
rc=$?
check "warmup exits 0 (exit $rc)" test $rc -eq 0 || sed 's/^/# /' warm.err
check "warmup maps every distinct GET uri to a digest" python3 - <<'PY'
import json
t = json.load(open("t.json")); m = json.load(open("map.json"))
gets = {r["http.request.uri"] for r in t if r["http.request.method"] == "GET"
        and ("blobs" in r["http.request.uri"] or "manifest" in r["http.request.uri"])}
assert set(m) == gets, (len(m), len(gets))
assert all(len(v) == 64 for v in m.values())
PY
check "warmup prints '<uri> <digest>' per layer" \
    bash -c "[ \$(wc -l <warm.out) -eq \$(python3 -c 'import json; print(len(json.load(open(\"map.json\"))))') ]"
check "each layer is in the registry with its traced size and digest" python3 - "$r1" <<'PY'
import json, sys, urllib.request, hashlib
t = json.load(open("t.json")); m = json.load(open("map.json"))
size = {}
for r in t:
    if r["http.request.method"] == "GET":
        size.setdefault(r["http.request.uri"], r["http.response.written"])
for uri, d in list(m.items())[:40]:
    body = urllib.request.urlopen(f"http://{sys.argv[1]}/v2/test_repo/blobs/sha256:{d}").read()
    assert len(body) == size[uri], (uri, len(body), size[uri])
    assert hashlib.sha256(body).hexdigest() == d
    assert body == bytes(len(body))       # zeros without warmup.random
PY
pushes=$(grep -c 'http.request.method=PUT' r1/registry.log)
"$replay" -c warmup -i c.yaml >/dev/null 2>&1
check "a second warmup finds every blob (HEAD) and uploads nothing" \
    test "$(grep -c 'http.request.method=PUT' r1/registry.log)" -eq "$pushes"

sed 's/threads: 3/threads: 3\n    random: true/; s/map.json/rmap.json/' c.yaml >rnd.yaml
"$replay" -c warmup -i rnd.yaml >/dev/null 2>&1
check "warmup.random: random blobs of the exact size, other digests" python3 - "$r1" <<'PY'
import json, sys, urllib.request, hashlib
m = json.load(open("map.json")); r = json.load(open("rmap.json"))
assert set(m) == set(r) and all(m[u] != r[u] for u in m)
u = next(iter(r))
body = urllib.request.urlopen(f"http://{sys.argv[1]}/v2/test_repo/blobs/sha256:{r[u]}").read()
assert hashlib.sha256(body).hexdigest() == r[u] and body != bytes(len(body))
PY

# --- run -----------------------------------------------------------------------
"$replay" -c run -i c.yaml >run.out 2>run.err
rc=$?
check "run exits 0 (exit $rc)" test $rc -eq 0 || sed 's/^/# /' run.err
check "run prints the seed's lines" bash -c "grep -qx 'results written to out.json' run.out &&
    grep -A7 -x Statistics run.out | grep -c -E '^(Successful Requests|Failed Requests|Duration|Data Transfered|Average Latency|% requests on time|Throughput): ' | grep -qx 7"
check "one result per trace request, sorted by time, none failed" python3 - <<'PY'
import json
t = json.load(open("t.json")); o = json.load(open("out.json"))
assert len(o) == len(t), (len(o), len(t))
assert all(o[i]["time"] <= o[i + 1]["time"] for i in range(len(o) - 1))
assert all(r["onTime"] in ("yes", "no") for r in o)
assert all(set(r) == {"time", "duration", "onTime", "size", "method", "status"} for r in o)
PY
check "every replayed GET returned its blob: sizes and statuses" python3 - <<'PY'
import json
t = json.load(open("t.json")); o = json.load(open("out.json")); m = json.load(open("map.json"))
first = {}
for r in t:
    if r["http.request.method"] == "GET":
        first.setdefault(r["http.request.uri"], r["http.response.written"])
want_get = sorted(first[r["http.request.uri"]] for r in t if r["http.request.uri"] in m)
want_put = sorted(r["http.response.written"] for r in t if r["http.request.uri"] not in m)
got_get = sorted(r["size"] for r in o if r["method"] == "GET")
got_put = sorted(r["size"] for r in o if r["method"] == "PUT")
assert want_get == got_get and want_put == got_put
assert all(r["status"] == 200 for r in o if r["method"] == "GET")
# a PUT is pushed (201) or found already there (HEAD 200)
assert want_put and all(r["status"] in (200, 201) for r in o if r["method"] == "PUT")
PY
check "with wait, the run lasts the trace's span" python3 - <<'PY'
import json, re
o = json.load(open("out.json"))
ts = sorted(r["timestamp"] for r in json.load(open("t.json")))
from datetime import datetime
f = lambda s: datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
span = (f(ts[-1]) - f(ts[0])).total_seconds()
dur = float(re.search(r"^Duration: (\S+)$", open("run.out").read(), re.M).group(1))
assert dur >= span - 0.05, (dur, span)
PY
check "the per-second CSV counts every request" python3 - <<'PY'
import csv, json
rows = list(csv.DictReader(open("out-rps.csv")))
assert sum(int(r["requests"]) + int(r["failed"]) for r in rows) == len(json.load(open("out.json")))
assert [int(r["second"]) for r in rows] == list(range(len(rows)))
PY
check "the plot is drawn (SVG) and its script kept" \
    bash -c "grep -q '<svg' out-rps.svg && grep -q out-rps.csv out-rps.gp"
check "no work folder left beside the results" bash -c "! ls -a | grep -q registry-replay-"

sed -i 's/output: out.json/output: j.json/; s/wait: true/route: true/' c.yaml
"$replay" -c run -i c.yaml --json >j.out 2>j.err
check "--json: a summary with percentiles in order, hash routing" json_check j.out \
    'd["routing"] == "hash" and d["successful_requests"] == 400 and d["failed_requests"] == 0 and 0 < d["latency_p50_seconds"] <= d["latency_p90_seconds"] <= d["latency_p99_seconds"] <= d["latency_max_seconds"] and d["requests_per_second"] > 0'

# --- several registries over one storage -----------------------------------------
registry_start "$tmp/r2" "$tmp/store" || tap_bail "second docker-registry did not start"
tap_cleanup_pid "$registry_pid"
r2=$registry_addr
write_config two.yaml two.json map.json "$r1, $r2"
before=$(grep -c 'http.request.method=GET' r1/registry.log)
"$replay" -c run -i two.yaml >two.out 2>two.err
rc=$?
check "run over two registries exits 0, nothing failed" \
    bash -c "[ $rc -eq 0 ] && grep -qx 'Failed Requests: 0' two.out"
check "both registries served GETs" bash -c \
    "[ \$(grep -c 'http.request.method=GET' r2/registry.log) -gt 0 ] && [ \$(grep -c 'http.request.method=GET' r1/registry.log) -gt $before ]"

# --- a registry that is not there -------------------------------------------------
dead=127.0.0.1:$(registry_free_port)
write_config dead.yaml dead.json map.json "$dead"
"$replay" -c run -i dead.yaml >dead.out 2>dead.err
rc=$?
check "every request refused: exit 1, the results still written (exit $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'all 400 requests failed' dead.err"
check "the refused requests are 'failed' in the results" json_check dead.json \
    'len(d) == 400 and all(r["onTime"] == "failed" and r["status"] == 0 for r in d)'
check "failures are reported per client, a few lines each" \
    bash -c "grep -q 'client 0: GET v2/.* failed: ' dead.err && [ \$(grep -c 'failed: ' dead.err) -le 15 ]"

# --- bad input -----------------------------------------------------------------
write_config badreg.yaml x.json map.json "127.0.0.1:5000/evil"
expect_error "a registry that is not host:port is refused, named" 2 "registry\[0\]" \
    "$replay" -c run -i badreg.yaml
write_config nomap.yaml x.json absent.json "$r1"
expect_error "run without its warmup map" 2 "absent.json" "$replay" -c run -i nomap.yaml
printf '{"v2/a": "XYZ"}' >badmap.json
write_config badmap.yaml x.json badmap.json "$r1"
expect_error "a warmup map with a bad digest is refused, the uri named" 2 "v2/a" \
    "$replay" -c run -i badmap.yaml
write_config clobber.yaml t.json map.json "$r1"
expect_error "run may not write its results over its trace" 2 "t.json" "$replay" -c run -i clobber.yaml
check "no results file from refused runs" test ! -e x.json
expect_error "the worker options are not for users alone" 2 "go together" \
    "$replay" -c run -i c.yaml --worker 0

# --- interrupted: exit 130, nothing written, nothing left ----------------------------
write_config int.yaml int.json map.json "$r1" "wait: true"
"$replay" -c run -i int.yaml >int.out 2>int.err &
pid=$!
sleep 2.5
worker_pids=$(pgrep -P $pid)
workers=$(echo $worker_pids | wc -w)
kill -INT $pid
wait $pid
rc=$?
check "SIGINT mid-run: exit 130 (exit $rc, $workers workers were running)" \
    bash -c "[ $rc -eq 130 ] && [ $workers -eq 3 ]"
check "no results, CSV or plot written" bash -c "! ls int.json int-rps.* >/dev/null 2>&1"
check "no work folder and no temporary left" bash -c "! ls -a | grep -q -e registry-replay- -e '\.tmp\.'"
left=0
for p in $worker_pids; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "no worker left (of PIDs $(echo $worker_pids))" test "$left" -eq 0

# --- a client that dies ---------------------------------------------------------------
write_config die.yaml die.json map.json "$r1" "wait: true"
"$replay" -c run -i die.yaml >die.out 2>die.err &
pid=$!
sleep 2
victim=$(pgrep -P $pid | head -1)
[ -n "$victim" ] && kill -KILL "$victim"
wait $pid
rc=$?
check "a client killed mid-run: exit 1, the client and its end named (exit $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'client [0-9]* failed: .*signal 9' die.err" || sed 's/^/# /' die.err
check "no results from a run that lost a client" bash -c "! ls die.json die-rps.* >/dev/null 2>&1"
check "no work folder left after a lost client" bash -c "! ls -a | grep -q registry-replay-"

tap_stop_all
check "the registries were stopped by their PIDs" bash -c "! kill -0 $r1_pid 2>/dev/null"
tap_done
