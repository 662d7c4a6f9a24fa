#!/bin/bash
# registry-bench.sh - registry-replay run against a local Docker distribution
# registry (docker-registry on 127.0.0.1, its own storage, stopped by PID) at
# 1, 16 and 64 connections (clients x threads), as fast as possible (no
# wait): requests per second, latency percentiles, and the CPU time per
# request of the replayer (master and workers) against the registry's own.
# Goal: the replayer is never the bottleneck, its CPU time per request a
# small fraction (<= 25 %) of the registry's.  $RR_BENCH_REQUESTS requests
# (default 6000), layers around $RR_BENCH_LAYER bytes (default 16384).
set -u
build=${SIOKIT_BUILD:?}
src=$(cd "$(dirname "$0")/.." && pwd)
. "$src/tests/lib/registry.sh"
n=${RR_BENCH_REQUESTS:-6000}
layer=${RR_BENCH_LAYER:-16384}
tmp=$(mktemp -d)
registry_pid=
trap '[ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid"; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1
registry_start "$tmp/reg" "$tmp/store" || { echo "docker-registry did not start" >&2; exit 1; }
"$build/bin/registry-synth" -q --requests "$n" --repos 300 --clients 64 --put-fraction 0.02 \
    --layer-median "$layer" -o t.json
config() {  # CLIENTS THREADS
    printf 'client_info: {client_list: [%s], threads: %s}\ntrace: {traces: [t.json], output: out-%s.json}\nregistry: [%s]\nwarmup: {output: map.json, threads: 8}\n' \
        "$(seq -s, -f 'c%g' "$1")" "$2" "$(($1 * $2))" "$registry_addr" >"c$(($1 * $2)).yaml"
}
config 1 1
"$build/bin/registry-replay" -q -c warmup -i c1.yaml >/dev/null || exit 1
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }     # clock ticks
status=0
printf '%-11s %9s %9s %9s %9s %14s %14s %7s\n' connections "req/s" "p50 ms" "p90 ms" "p99 ms" \
    "replayer us/r" "registry us/r" ratio
for conns in 1 16 64; do
    clients=$((conns < 4 ? conns : 4))
    config "$clients" $((conns / clients))
    before=$(cpu_of "$registry_pid")
    python3 - "$build/bin/registry-replay" "c$conns.yaml" "$conns" "$before" "$registry_pid" <<'PY' || status=1
import json, os, resource, subprocess, sys
exe, cfg, conns, before, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
tick = os.sysconf("SC_CLK_TCK")
out = subprocess.run([exe, "-q", "-c", "run", "-i", cfg, "--json"], check=True,
                     capture_output=True, text=True).stdout
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
reg = (int(f[11]) + int(f[12]) - before) / tick
d = json.loads(out)
n = d["successful_requests"] + d["failed_requests"]
mine = ru.ru_utime + ru.ru_stime
ratio = mine / reg if reg > 0 else float("inf")
print("%-11d %9.0f %9.2f %9.2f %9.2f %14.1f %14.1f %6.0f%%  %s" % (
    conns, d["requests_per_second"], 1e3 * d["latency_p50_seconds"], 1e3 * d["latency_p90_seconds"],
    1e3 * d["latency_p99_seconds"], 1e6 * mine / n, 1e6 * reg / n, 100 * ratio,
    "ok" if ratio <= 0.25 and d["failed_requests"] == 0 else "GOAL MISSED"))
sys.exit(0 if ratio <= 0.25 and d["failed_requests"] == 0 else 1)
PY
done
exit $status
