# stop_within.sh - sourced by the CLI tests: run a command, signal it after
# a while, and check how it ended.  Needs check() and $tmp of the sourcing
# script.
#
# stop_within NAME SIGNAL STATUS BOUND_MS OUT CMD...: starts CMD in the
# background, sends SIGNAL after a second, and checks that it exits STATUS
# within BOUND_MS milliseconds of the signal and leaves nothing named like
# OUT in $tmp (the timing goal itself is measured in bench/, never here).
stop_within() {
    local name=$1 sig=$2 status=$3 bound=$4 out=$5
    shift 5
    "$@" 2>/dev/null &
    local pid=$!
    sleep 1
    local start rc ms
    start=$(date +%s%N)
    kill "-$sig" "$pid"
    wait "$pid"
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "$name (exit $rc after $ms ms)" \
        test "$rc" -eq "$status" -a "$ms" -lt "$bound" -a -z "$(ls "$tmp" | grep -F "$out")"
}
