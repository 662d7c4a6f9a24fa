#!/bin/bash
# test_signals.sh - the long-running commands stopped by SIGINT or SIGTERM at
# random moments: trace-synth and trace-gen --reuse writing large traces,
# sioperf replaying one, perf-explore sweeping four points with -j 2.  Each
# run must exit 0 (done before the signal) or 128 + the signal; leave no
# output unless it exited 0, and that output whole (sioperf reads a trace
# back, python3 loads the JSON); leave no "*.tmp.*" file in its output
# folders or its private TMPDIR; and leave no process it started alive.  The
# moments are drawn from a seed printed first (SIOKIT_SIGNAL_SEED repeats a
# run; SIOKIT_SIGNAL_RUNS sets the runs a command, default 10).  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
bin=$build/bin
fix=$src/tests/fixtures
runs=${SIOKIT_SIGNAL_RUNS:-10}
seed=${SIOKIT_SIGNAL_SEED:-$RANDOM}
echo "# seed $seed (SIOKIT_SIGNAL_SEED=$seed repeats these moments)"
RANDOM=$seed
limit=120        # seconds a stopped command may take to end: more is a hang

# procs: "pid ppid session starttime state" of every process.
procs() {
    local f l
    for f in /proc/[0-9]*/stat; do
        { read -r l <"$f"; } 2>/dev/null || continue
        l=${l##*) }
        # shellcheck disable=SC2086  # the fields of /proc/PID/stat
        set -- $l
        echo "${f//[!0-9]/} $2 $4 ${20} $1"
    done
}
# descendants PID: "pid starttime" of every process below PID.
descendants() {
    procs | awk -v root="$1" '
        { ppid[$1] = $2; start[$1] = $4 }
        END { for (p in ppid) { q = ppid[p]; while (q != "" && q != root && q > 1) q = ppid[q];
                                if (q == root && p != root) print p, start[p] } }'
}
# survivors FILE SESSION: the processes of FILE (descendants' output) still
# running with the same start time, or any live process of SESSION.
survivors() {
    procs >"$1.now"
    awk -v sid="$2" '
        FILENAME == ARGV[1] { want[$1] = $2; next }
        $5 != "Z" && (want[$1] == $4 || $3 == sid) { print $1 }' "$1" "$1.now"
}

# run_stopped KIND DELAY_MS SIGNAL CMD...: CMD in a session of its own in
# the fresh folder $run (outputs in $run/out, TMPDIR $run/td, stdout
# $run/stdout), SIGNAL after DELAY_MS; sets rc, hang and alive.
run_stopped() {
    local kind=$1 ms=$2 sig=$3
    shift 3
    run=$tmp/$kind
    rm -rf "$run"
    mkdir -p "$run/out" "$run/td"
    (cd "$run/out" && TMPDIR=$run/td exec setsid "$@" >"$run/stdout" 2>"$run/stderr" </dev/null) &
    local pid=$!
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    : >"$run/children"
    if kill -0 "$pid" 2>/dev/null; then
        descendants "$pid" >"$run/children"
        kill "-$sig" "$pid" 2>/dev/null
    fi
    hang=0
    timeout "$limit" tail --pid="$pid" -s 0.1 -f /dev/null || hang=1
    [ "$hang" -eq 0 ] || kill -KILL -- "-$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    # A spill reaper (tracegen/reaper.h) may outlive the command by the time
    # it takes to free its files: a few seconds at most, never more.
    for _ in $(seq 30); do
        alive=$(survivors "$run/children" "$pid" | tr '\n' ' ')
        [ -n "$alive" ] || break
        sleep 0.1
    done
}

# trace_whole FILE: sioperf reads the trace back to its end.
trace_whole() { "$bin/sioperf" --quiet --json "$1" >/dev/null 2>&1; }
json_whole() { python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>/dev/null; }
# no_temporaries: no "*.tmp.*" in the outputs, nothing in the private TMPDIR.
no_temporaries() { test -z "$(find "$run/out" -name '*.tmp.*')$(ls -A "$run/td")"; }

# The outputs of each command: whole when it exited 0, else nothing (only
# finished points and traces for perf-explore, which resumes from them).
out_synth() {
    if [ "$rc" -eq 0 ]; then trace_whole "$run/out/t.trace"; else test -z "$(ls -A "$run/out")"; fi
}
out_gen() { out_synth; }
out_sioperf() {
    if [ "$rc" -eq 0 ]; then json_whole "$run/stdout"; else test ! -s "$run/stdout"; fi
}
out_explore() {
    local f
    if [ "$rc" -eq 0 ]; then
        csv_check "$run/out/pe/points.csv" 'len(r) == 4 and all(x["status"] == "ok" for x in r)' || return 1
    else
        test ! -e "$run/out/pe/points.csv" || return 1
    fi
    for f in "$run"/out/pe/points/*.json; do [ ! -e "$f" ] || json_whole "$f" || return 1; done
    for f in "$run"/out/traces/*; do [ ! -e "$f" ] || trace_whole "$f" || return 1; done
}

done_whole() { [ "$rc" -eq 0 ] && [ "$hang" -eq 0 ] && "out_$kind"; }

# The large trace sioperf replays.
"$bin/trace-synth" --tenants 1024 --translations 10000000 -z -q -o "$tmp/replay.trace"
check "trace-synth writes the 10 M translation trace sioperf replays" trace_whole "$tmp/replay.trace"

cmd_synth=("$bin/trace-synth" --tenants 1024 --translations 10000000 -z -q -o t.trace)
cmd_gen=("$bin/trace-gen" -q --reuse --logs "$fix/qemu72/vtd.log" --tenants 1000 -o t.trace)
cmd_sioperf=("$bin/sioperf" --quiet --json "$tmp/replay.trace")
cmd_explore=("$bin/perf-explore" -n 2000000 -t 4,64 -d base,hypertrio -j 2 --traces traces
             -o pe --logs-root nologs --no-plot --quiet)

for kind in synth gen sioperf explore; do
    declare -n cmd=cmd_$kind
    # One run to its end gives the command's length: the signals fall
    # within it and a little after.
    start=$(date +%s%N)
    run_stopped "$kind" 0 0 "${cmd[@]}"
    ms=$((($(date +%s%N) - start) / 1000000))
    check "$kind: a run to its end exits 0 with its output whole (${ms} ms)" done_whole
    [ "$rc" -eq 0 ] || sed 's/^/# /' "$run/stderr"
    span=$((ms * 6 / 5 + 1))
    for i in $(seq "$runs"); do
        delay=$(((RANDOM * 32768 + RANDOM) % span))
        sig=$([ $((RANDOM % 2)) -eq 0 ] && echo INT || echo TERM)
        want=$((128 + $(kill -l "$sig")))
        run_stopped "$kind" "$delay" "$sig" "${cmd[@]}"
        what="$kind: SIG$sig at $delay ms (exit $rc)"
        check "$what: exits 0 or $want, no hang" \
            test "$hang" -eq 0 -a \( "$rc" -eq 0 -o "$rc" -eq "$want" \) ||
            sed 's/^/# /' "$run/stderr"
        check "$what: no output unless done, and then whole" "out_$kind" ||
            find "$run/out" "$run/stdout" -ls | sed 's/^/# /'
        check "$what: no temporary file left" no_temporaries ||
            find "$run/out" "$run/td" | sed 's/^/# /'
        check "$what: no process it started left ($(wc -l <"$run/children") seen, left: ${alive:-none})" \
            test -z "$alive"
    done
    unset -n cmd
done

tap_done
