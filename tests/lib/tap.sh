# tests/lib/tap.sh - the TAP plumbing every tests/*.sh sources: the counter
# and ok/not_ok/skip, check and expect_error, a private folder $tmp removed
# at exit, a registry of what to stop at exit (processes by PID, commands),
# and the plan line with the exit status.
#
#     . "$(dirname "$0")/lib/tap.sh"
#     check "NAME" CMD...  || diagnostics   # check returns CMD's failure
#     tap_cleanup_pid "$!" 300              # stopped at exit if still ours
#     tap_done                              # "1..N", exit 1 if any failed
#
# Globals: n (checks so far), fails (failed so far), tmp (the folder),
# build and src (the trees; meson sets SIOKIT_BUILD and SIOKIT_SRC).
# SIGINT, SIGTERM and SIGHUP end the script through the same cleanup.

build=${SIOKIT_BUILD:?}
src=${SIOKIT_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
n=0
fails=0
tmp=$(mktemp -d)
tap_exit_cmds=()
tap_pids=()

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
# skip NAME WHY: a check that cannot run here.
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# check NAME CMD...: ok when CMD succeeds; returns 1 when it fails.
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; return 1; fi; }
quiet() { "$@" >/dev/null 2>&1; }

# tap_expect NAME STATUS PATTERN STRICT CMD...: CMD (stdin /dev/null, output
# in $tmp/out and $tmp/err) exits STATUS with PATTERN (grep) on stderr;
# when STRICT is 1, stderr is that one line and stdout is empty.
tap_expect() {
    local name=$1 status=$2 pattern=$3 strict=$4
    shift 4
    "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    local rc=$?
    if [ "$rc" -eq "$status" ] && grep -q -- "$pattern" "$tmp/err" &&
       { [ "$strict" -eq 0 ] || { [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; }; }; then
        ok "$name"
    else
        not_ok "$name (exit $rc, stderr: $(head -c 300 "$tmp/err"))"
    fi
}
# expect_error NAME STATUS PATTERN CMD...: exit STATUS, one stderr line
# matching PATTERN, nothing on stdout (the siokit error convention).
expect_error() { local name=$1 status=$2 pattern=$3; shift 3; tap_expect "$name" "$status" "$pattern" 1 "$@"; }
# expect_exit NAME STATUS PATTERN CMD...: exit STATUS with PATTERN somewhere
# on stderr.
expect_exit() { local name=$1 status=$2 pattern=$3; shift 3; tap_expect "$name" "$status" "$pattern" 0 "$@"; }

# json_check FILE EXPR: true when the Python expression holds of the JSON d.
json_check() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }
# json_val FILE EXPR: prints the value of the expression over the JSON d.
json_val() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
# csv_check FILE EXPR: the same of the CSV's rows (a list of dicts) r.
csv_check() { python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); sys.exit(0 if eval(sys.argv[2]) else 1)' "$@"; }

# tap_wait_for PID SECONDS FILE PATTERN: polls until FILE holds PATTERN
# (grep) while PID lives; false if PID ended or SECONDS passed first.
tap_wait_for() {
    local pid=$1 deadline=$((SECONDS + $2)) file=$3 pattern=$4
    while [ $SECONDS -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
        grep -q -- "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.5
    done
    grep -q -- "$pattern" "$file" 2>/dev/null
}

# tap_at_exit CMD: CMD (a string, eval'd) runs at exit, the last registered
# first.
tap_at_exit() { tap_exit_cmds+=("$1"); }
# tap_cleanup_pid PID [GRACE]: at exit, PID (a child of this script) gets
# SIGTERM, GRACE seconds (default 5) to end, then SIGKILL; it is waited for.
tap_cleanup_pid() { tap_pids+=("$1"); tap_at_exit "tap_stop_pid $1 ${2:-5}"; }
# tap_ours PID: PID is a live child of this script (not a reused PID).
tap_ours() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    s=${s##*) }
    set -- $s
    [ "$2" = "$$" ]
}
# tap_stop_pid PID GRACE: stops PID as tap_cleanup_pid says, now.
tap_stop_pid() {
    local p=$1 i
    tap_ours "$p" || return 0
    kill -TERM "$p" 2>/dev/null
    for ((i = 0; i < $2 * 10; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    return 0
}
# tap_stop_all: stops every registered PID now, the last registered first.
tap_stop_all() {
    local i
    for ((i = ${#tap_pids[@]} - 1; i >= 0; i--)); do tap_stop_pid "${tap_pids[i]}" 5; done
}
# tap_alive: prints the registered PIDs still running.
tap_alive() { local p; for p in "${tap_pids[@]}"; do kill -0 "$p" 2>/dev/null && echo "$p"; done; }

tap_cleanup() {
    local i
    for ((i = ${#tap_exit_cmds[@]} - 1; i >= 0; i--)); do eval "${tap_exit_cmds[i]}"; done
    rm -rf "$tmp"
}
trap tap_cleanup EXIT
trap 'exit 1' INT TERM HUP

# tap_skip_all WHY: the whole script cannot run here.
tap_skip_all() { echo "1..0 # SKIP $1"; exit 0; }
# tap_bail WHY: stops the script, failed.
tap_bail() { echo "Bail out! $1"; exit 1; }
# tap_done: the plan line; exit 0 when every check passed, else 1.
tap_done() { echo "1..$n"; exit $((fails > 0)); }
