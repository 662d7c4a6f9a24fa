#!/bin/bash
# collector-bench.sh - log-collector's timing goal, measured (not a test):
# `log-collector --test iperf3 --l2vm 3` (nested, default duration) finishes
# unattended in under 10 minutes once images and QEMU are built.  Prints the
# total and each step's time from the run's manifest.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
export SIOKIT_HOME=$here
tenants=${TENANTS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Images first, so the timing is the collection alone.
"$here/vmwrapper/image/build-image.sh" --type l1 --quiet >/dev/null
"$here/vmwrapper/image/build-image.sh" --type l2 --quiet >/dev/null
t0=$(date +%s.%N)
"$build/bin/log-collector" --test iperf3 --l2vm "$tenants" --quiet -o "$out" >/dev/null
t1=$(date +%s.%N)
echo "log-collector --test iperf3 --l2vm $tenants: $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s (goal 600)"
python3 - "$out/iperf3_${tenants}_0/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"  qemu {m['qemu']['kind']}: {m['qemu']['version']}")
for s in m["steps"]:
    print(f"  {s['vm']:<8} {s['step']:<10} {s['seconds']:6.1f} s")
for t in m["tenant_list"]:
    print(f"  {t['name']}: {t['iperf3']['mbytes_per_s']:.1f} MB/s, "
          f"{t['events']['translations']} translations, domain {t['domain']}")
PY
