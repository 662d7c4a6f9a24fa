#!/bin/sh
# logreader-bench.sh - speed of the QEMU log reader (lib/sk_logreader.c) on
# one core: lines per second for a HyperSIO 1.0 log and a stock QEMU 7.2 log
# (the real capture of tests/fixtures/qemu72, repeated), plain, gzip and zstd.
# Goal: at least 2 M lines/s on plain text.  Logs are made once, in
# $SIOKIT_BUILD/bench-logs (about 1 GB with their compressed copies).
#
# Usage: bench/logreader-bench.sh [LINES]   (default 5000000 per log)
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$src/build}
lines=${1:-5000000}
reader=$build/tests/test-logreader
dir=$build/bench-logs
[ -x "$reader" ] || { echo "logreader-bench: build first: ninja -C $build" >&2; exit 1; }
mkdir -p "$dir"

hs=$dir/hypersio-$lines.log
q72=$dir/qemu72-$lines.log

if [ ! -s "$hs" ]; then
    # The mix HyperSIO's logs have: mostly IOTLB hits, some walks with
    # their slpte fetches and context-cache lines.
    awk -v n="$lines" 'BEGIN {
        t = 1600000000; us = 0;
        for (i = 0; i < n; i++) {
            us += 3; if (us >= 1000000) { us -= 1000000; t++ }
            k = i % 10; d = 2 + i % 24; sid = d * 8;
            iova = 4096 * ((i * 7919) % 1048576);
            p = sprintf("4242@%d.%06d:", t, us);
            if (k < 6)
                printf "%svtd_iotlb_page_hit IOTLB page hit sid 0x%x iova 0x%x pmask 0xfffffffffffff000 slpte 0x%x domain 0x%x\n", p, sid, iova, iova + 3, d;
            else if (k == 6)
                printf "%svtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x%x high 0x%x02 low 0x1002001 gen 1\n", p, sid, d;
            else if (k < 9)
                printf "%svtd_slpte_fetch SLPTE fetch: high 0x%x02 low 0x1002001 iova 0x%x level 0x%x addr 0x1003018 slpte 0x1004003\n", p, d, iova, 10 - k;
            else
                printf "%svtd_iotlb_page_update IOTLB page update sid 0x%x iova 0x%x slpte 0x%x level 0x1 domain 0x%x\n", p, sid, iova, iova + 3, d;
        }
    }' > "$hs.tmp"
    mv "$hs.tmp" "$hs"
fi
if [ ! -s "$q72" ]; then
    cap=$src/tests/fixtures/qemu72/vtd.log
    [ -s "$cap" ] || { echo "logreader-bench: no $cap" >&2; exit 1; }
    n=$(wc -l < "$cap")
    reps=$(( (lines + n - 1) / n ))
    i=0
    while [ $i -lt $reps ]; do cat "$cap"; i=$((i + 1)); done | head -n "$lines" > "$q72.tmp"
    mv "$q72.tmp" "$q72"
fi
for f in "$hs" "$q72"; do
    [ -s "$f.gz" ] || { gzip -6 -c "$f" > "$f.gz.tmp" && mv "$f.gz.tmp" "$f.gz"; }
    [ -s "$f.zst" ] || { zstd -q -3 -c "$f" > "$f.zst.tmp" && mv "$f.zst.tmp" "$f.zst"; }
done

# Warm the page cache, then measure (taskset: one core).
cat "$hs" "$q72" > /dev/null
pin=""
command -v taskset > /dev/null && pin="taskset -c 0"
$pin "$reader" --bench "$hs" "$hs.gz" "$hs.zst" "$q72" "$q72.gz" "$q72.zst"
