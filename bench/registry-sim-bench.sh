#!/bin/bash
# registry-sim-bench.sh - requests per second of registry-replay's built-in
# simulations (the simulation alone, trace reading excluded: sim_seconds of
# --json) over a synthetic trace of $RR_BENCH_REQUESTS requests (default
# 2000000).  Goal: >= 10 M requests/s for each built-in policy.
set -eu
build=${SIOKIT_BUILD:?}
n=${RR_BENCH_REQUESTS:-2000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$build/bin/registry-synth" -q --requests "$n" --repos 5000 --clients 200 --put-fraction 0.05 -o t.json
printf 'trace: {traces: [t.json]}\nsimulate: {name: cache.py, args: {cache_size: 2}}\n' >cache.py.yaml
printf 'trace: {traces: [t.json]}\nsimulate: {name: prefetch.py, args: {outfile: p.out}}\n' >prefetch.py.yaml
printf 'trace: {traces: [t.json]}\nsimulate: {name: lru2, args: {cache_size: 2}}\n' >lru2.yaml
printf 'trace: {traces: [t.json]}\nsimulate: {name: prefetch}\n' >prefetch.yaml
status=0
for sim in cache.py prefetch.py lru2 prefetch; do
    "$build/bin/registry-replay" -q -c simulate -i "$sim.yaml" --json >"$sim.json"
    python3 - "$sim" "$sim.json" <<'PY' || status=1
import json, sys
d = json.load(open(sys.argv[2]))
rate = d["sim_requests_per_second"]
ok = rate >= 10e6
print("%-12s %10d requests %8.3f s %8.2f M requests/s  %s" % (sys.argv[1], d["trace_requests"],
      d["sim_seconds"], rate / 1e6, "ok" if ok else "BELOW the 10 M/s goal"))
sys.exit(0 if ok else 1)
PY
done
exit $status
