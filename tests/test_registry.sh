#!/bin/bash
# test_registry.sh - registry-synth and registry-replay as users run them:
# the seed's configs, the four built-in simulations and a plugin shared
# object, bad configs and traces refused naming the key or record, quiet
# when piped, no file left by an interrupted run.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
synth=$build/bin/registry-synth
replay=$build/bin/registry-replay
plugin=$build/tests/rr-plugin-count.so
cd "$tmp" || tap_bail "cannot enter $tmp"

# --- registry-synth ----------------------------------------------------------
check "registry-synth --help exits 0 and documents the exit status" \
    sh -c "'$synth' --help | grep -q 'Exit status'"
"$synth" --requests 3000 --repos 40 --clients 6 --put-fraction 0.2 --seed 7 -o t.json 2>err
check "registry-synth writes a JSON array of exactly N records" \
    json_check t.json 'len(d) == 3000 and all(r["http.request.method"] in ("GET", "PUT") for r in d)'
check "registry-synth records carry the IBM fields" json_check t.json \
    'all(k in d[0] for k in ("timestamp", "http.request.uri", "http.response.written", "http.request.duration", "http.request.remoteaddr", "host", "id"))'
check "registry-synth: pulls start with a manifest, several clients, pushes present" json_check t.json \
    '"manifests" in d[0]["http.request.uri"] and len(set(r["http.request.remoteaddr"] for r in d)) > 1 and any(r["http.request.method"] == "PUT" for r in d)'
check "registry-synth: timestamps never go back" json_check t.json \
    'all(d[i]["timestamp"] <= d[i+1]["timestamp"] for i in range(len(d)-1))'
"$synth" -q --requests 3000 --repos 40 --clients 6 --put-fraction 0.2 --seed 7 -o t2.json 2>err
check "registry-synth: the same seed gives the same bytes" cmp -s t.json t2.json
check "registry-synth -q prints nothing" test ! -s err
"$synth" -q --requests 3000 --repos 40 --clients 6 --put-fraction 0.2 --seed 8 -o t3.json
check "registry-synth: another seed, another trace" sh -c '! cmp -s t.json t3.json'
expect_error "registry-synth without --requests" 2 "requests" "$synth" -o x.json
expect_error "registry-synth --zipf in hex is refused" 2 "zipf" "$synth" --requests 5 --zipf 0x1 -o x.json
expect_error "registry-synth --put-fraction 2 is refused" 2 "put-fraction" "$synth" --requests 5 --put-fraction 2 -o x.json
"$synth" -q --requests 3000 --repos 40 --clients 6 --put-fraction 0.2 --seed 7 --layer-median 4096 -o small.json
check "registry-synth --layer-median: smaller layers, the same requests" python3 - <<'PY'
import json, statistics
a, b = json.load(open("t.json")), json.load(open("small.json"))
blob = lambda d: [r["http.response.written"] for r in d if "blobs" in r["http.request.uri"]]
assert [r["http.request.uri"] for r in a] == [r["http.request.uri"] for r in b]
assert statistics.median(blob(b)) < statistics.median(blob(a)) / 100
PY
expect_error "registry-synth --layer-median 10 is refused" 2 "layer-median" "$synth" --requests 5 --layer-median 10 -o x.json
expect_error "registry-synth -o /dev/null is refused" 2 "/dev/null" "$synth" --requests 5 -o /dev/null

# --- simulate: cache.py ------------------------------------------------------
cat >cache.yaml <<'YAML'
trace:
    traces:
        - t.json
simulate:
    name: cache.py
    args:
        cache_size: 0.02
YAML
"$replay" -c simulate -i cache.yaml >out 2>err
check "cache.py: 'running cache simulation' then twelve result lines" \
    test "$(head -1 out)" = "running cache simulation" -a "$(wc -l <out)" -eq 13
check "cache.py: the seed's key order" test "$(tail -n +2 out | cut -d: -f1 | tr '\n' ,)" = \
    "0 10 h misses,0 10 lmu hits,0 15 h hits,0 10 lmu misses,0 20 lmu misses,0 15 lmu hits,0 20 h misses,0 10 h hits,0 15 lmu misses,0 20 h hits,0 20 lmu hits,0 15 h misses,"
check "cache.py: a larger file tier never has fewer h hits" sh -c \
    "h10=\$(grep '^0 10 h hits' out | cut -d' ' -f5); h20=\$(grep '^0 20 h hits' out | cut -d' ' -f5); test \$h20 -ge \$h10"
check "cache.py: nothing on stderr when piped" test ! -s err
"$replay" -c simulate -i cache.yaml --json >c.json 2>err
check "cache.py --json: the twelve results and the counters of each cache" json_check c.json \
    'len(d["results"]) == 12 and set(d["caches"]) == {"10", "15", "20"} and d["simulation"] == "cache.py"'
check "cache.py --json agrees with the text lines" sh -c \
    "grep '^0 15 lmu hits' out | cut -d' ' -f5 | grep -qx \"\$(python3 -c 'import json; print(json.load(open(\"c.json\"))[\"results\"][\"0 15 lmu hits\"])')\""

# --- simulate: prefetch.py, lru2, prefetch, a plugin --------------------------
printf 'trace: {traces: [t.json]}\nsimulate: {name: prefetch.py, args: {outfile: p.out}}\n' >pre.yaml
"$replay" -c simulate -i pre.yaml >out 2>err
check "prefetch.py: 'running simulation' on stdout" grep -qx "running simulation" out
check "prefetch.py: sixteen identical lines 'ratio,max size' (time-outs have no effect)" sh -c \
    "test \$(wc -l <p.out) -eq 16 && test \$(sort -u p.out | wc -l) -eq 1 && grep -Eq '^[0-9.e+-]+,[0-9]+$' p.out"
printf 'trace: {traces: [t.json]}\nsimulate: {name: lru2, args: {cache_size: 0.02}}\n' >lru2.yaml
"$replay" -c simulate -i lru2.yaml --json >l.json 2>err
check "lru2 --json: three tiers, every request a memory hit, fs hit or miss" json_check l.json \
    'len(d["tiers"]) == 3 and all(t["all"]["memory_hits"] + t["all"]["fs_hits"] + t["all"]["misses"] == t["all"]["requests"] for t in d["tiers"])'
check "lru2 --json: memory hits do not depend on the file tier" json_check l.json \
    'len(set(t["all"]["memory_hits"] for t in d["tiers"])) == 1'
printf 'trace: {traces: [t.json]}\nsimulate: {name: prefetch}\n' >pf.yaml
"$replay" -c simulate -i pf.yaml --json >pf.json 2>err
check "prefetch --json: sixteen time-out pairs, hits + misses the same in each" json_check pf.json \
    'len(d["configs"]) == 16 and len(set(c["hits"] + c["misses"] for c in d["configs"])) == 1'
check "prefetch: longer manifest time-outs never lose hits" json_check pf.json \
    'all(d["configs"][4*r]["hits"] <= d["configs"][4*r+3]["hits"] for r in range(4))'
printf 'trace: {traces: [t.json]}\nsimulate: {name: %s, args: {match: blobs}}\n' "$plugin" >pl.yaml
"$replay" -c simulate -i pl.yaml --json >pl.json 2>err
check "a plugin shared object gets the whole request array and its args" json_check pl.json \
    "d['simulation'] == 'count' and d['gets'] + d['puts'] == $(python3 -c "import json; print(sum(1 for r in json.load(open('t.json')) if 'blobs' in r['http.request.uri']))")" \
    || cat err >&2

# --- the seed's trace rules through the command -------------------------------
printf 'trace: {traces: [t.json], limit: {type: seconds, amount: 10}}\nsimulate: {name: %s}\n' "$plugin" >sec.yaml
"$replay" -c simulate -i sec.yaml >out 2>err
want=$(python3 -c "
import json, datetime
d = json.load(open('t.json'))
ts = sorted(datetime.datetime.strptime(r['timestamp'], '%Y-%m-%dT%H:%M:%S.%fZ') for r in d)
print(sum(1 for t in ts if (t - ts[0]).total_seconds() <= 10))")
check "seconds limit: the count kept is printed first, as the seed does ($want)" test "$(head -1 out)" = "$want"
python3 - <<'PY'
import json
d = json.load(open('t.json'))
d[3] = 7
d[5]['timestamp'] = 'yesterday'
json.dump(d, open('bad.json', 'w'))
PY
printf 'trace: {traces: [bad.json]}\nsimulate: {name: %s}\n' "$plugin" >bad.yaml
"$replay" -c simulate -i bad.yaml >out 2>err
check "malformed records are reported with file and record number, the run goes on" \
    sh -c "grep -q \"trace 'bad.json': record 4: not an object\" err && grep -q '2 malformed records of 3000' err && test -s out"
expect_error "--strict: a malformed record is fatal" 2 "record 4" "$replay" -c simulate -i bad.yaml --strict

# --- bad configs and usage: exit 2, the key named -------------------------------
printf 'trace: {traces: [t.json]}\nsimulate: {name: cache.py, args: {cache_size: 1}}\nextra: 1\n' >unk.yaml
expect_error "an unknown key is refused, named" 2 "extra: unknown key" "$replay" -c simulate -i unk.yaml
printf 'trace: {traces: [t.json], limit: {type: minutes, amount: 1}}\n' >lim.yaml
expect_error "a bad limit type is refused with the seed's words" 2 "limit_type must be either seconds or requests" \
    "$replay" -c simulate -i lim.yaml
printf 'trace: {traces: [missing.json]}\nsimulate: {name: cache.py, args: {cache_size: 1}}\n' >miss.yaml
expect_error "a missing trace file is refused, named" 2 "missing.json" "$replay" -c simulate -i miss.yaml
printf 'trace: {traces: [t.json]}\nsimulate: {name: cache.py}\n' >noarg.yaml
expect_error "cache.py without cache_size" 2 "cache_size" "$replay" -c simulate -i noarg.yaml
printf 'trace: {traces: [t.json]}\nsimulate: {name: nope.py}\n' >nope.yaml
expect_error "an unknown simulation is refused" 2 "simulate.name" "$replay" -c simulate -i nope.yaml
printf 'trace: {traces: [t.json]}\nwarmup: {output: w.json}\nregistry: [127.0.0.1:5000]\n' >run.yaml
expect_error "run without client_info is refused" 2 "client_info" "$replay" -c run -i run.yaml
expect_error "warmup without warmup.output is refused with the seed's words" 2 "warmup output required" \
    "$replay" -c warmup -i cache.yaml
expect_error "an unknown command is refused" 2 "command" "$replay" -c replay -i cache.yaml
expect_error "--launcher other than local is refused" 2 "launcher" "$replay" -c run -i cache.yaml --launcher ssh
printf 'trace: {traces: [t.json]}\nsimulate: {name: prefetch.py, args: {outfile: t.json}}\n' >clobber.yaml
expect_error "prefetch.py may not write over its trace" 2 "t.json" "$replay" -c simulate -i clobber.yaml
check "the trace is intact" cmp -s t.json t2.json

# --- interrupted: exit 130, no outfile ------------------------------------------
"$synth" -q --requests 400000 --repos 2000 --clients 50 --put-fraction 0.3 -o big.json
printf 'trace: {traces: [big.json]}\nsimulate: {name: prefetch.py, args: {outfile: big.out}}\n' >big.yaml
"$replay" -c simulate -i big.yaml >/dev/null 2>err &
pid=$!
sleep 0.3
kill -INT "$pid"
wait "$pid"
rc=$?
check "simulate stopped by SIGINT exits 130 and leaves no output file (exit $rc)" \
    test "$rc" -eq 130 -a ! -e big.out -a -z "$(ls | grep 'big.out.tmp')"

tap_done
