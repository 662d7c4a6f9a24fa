#!/bin/bash
# test_reference.sh - sioperf --model hypersio-1.0 against numbers measured
# from HyperSIO 1.0's own hypersio-perf (tests/fixtures/hypersio/expected.tsv):
# elapsed ns, translations, dropped packet slots, Mb/s and every cache's hits,
# misses and conflicts must be the same.  The traces are written here by
# trace-synth; their sha256 is checked first, so that a change of trace-synth
# is told apart from a change of the model.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
sioperf=$build/bin/sioperf
synth=$build/bin/trace-synth
fix=$src/tests/fixtures/hypersio
cases=0

# compare JSON WANT...: prints the fields that differ (field got/want), if any.
compare() {
    python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
want = sys.argv[2:]
got = [d["elapsed_ns"], d["translations"], d["dropped_slots"], d["mbps"]]
names = ["elapsed_ns", "translations", "dropped_slots", "mbps"]
for c in ("CC", "IOTLB", "L2PAGE", "L3PAGE"):
    for k in ("hits", "misses", "conflicts"):
        got.append(d["caches"][c][k])
        names.append(c + "_" + k)
for k in ("hits", "misses"):
    got.append(d["caches"]["PREFETCH"][k])
    names.append("PREFETCH_" + k)
print(" ".join("%s %s/%s" % (f, g, w) for f, g, w in zip(names, got, want) if str(g) != w))
EOF
}

while IFS=$'\t' read -r name synth_opts cfg opts sha rest; do
    case $name in '#'* | '') continue ;; esac
    cases=$((cases + 1))
    trace=$tmp/${name}_iotlb_trace.bin
    # shellcheck disable=SC2086  # option lists are split on purpose
    if ! "$synth" --format hypersio -q $synth_opts -o "$trace"; then
        not_ok "$name: trace-synth $synth_opts failed"
        continue
    fi
    got_sha=$(sha256sum "$trace" | cut -d' ' -f1)
    if [ "$got_sha" != "$sha" ]; then
        not_ok "$name: trace-synth $synth_opts wrote another trace than the one measured (sha256 $got_sha)"
        continue
    fi
    IFS=$'\t' read -r -a want <<<"$rest"
    # shellcheck disable=SC2086
    "$sioperf" --model hypersio-1.0 --json -c "$fix/$cfg.cfg" $opts "$trace" \
        >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "${want[0]}" = refuse ]; then
        if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]; then
            ok "$name: refused, as HyperSIO 1.0 never finishes ($cfg.cfg, $opts)"
        else
            not_ok "$name: expected exit 2 (HyperSIO 1.0 never finishes), got exit $rc: $(head -c 300 "$tmp/err")"
        fi
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        not_ok "$name: sioperf exit $rc: $(head -c 300 "$tmp/err")"
        continue
    fi
    diff=$(compare "$tmp/out" "${want[@]}")
    if [ -z "$diff" ]; then
        ok "$name: same numbers as HyperSIO 1.0 ($cfg.cfg, $opts; ${want[0]} ns, ${want[3]} Mb/s)"
    else
        not_ok "$name: differs from HyperSIO 1.0 ($cfg.cfg, $opts): $diff"
    fi
done <"$fix/expected.tsv"

if [ "$cases" -ge 12 ]; then
    ok "expected.tsv lists $cases cases"
else
    not_ok "expected.tsv lists $cases cases, fewer than 12"
fi

tap_done
