#!/bin/bash
# test_slurm.sh - perf-explore --launcher slurm against a real single-node
# Slurm: munged, slurmctld and slurmd from Debian's packages, configured in
# a temporary folder (own key, socket, ports, state), started by this test
# and stopped by their PIDs at the end; nothing is left system-wide.  TAP
# output; skipped when Slurm or munge is not installed.
set -u
. "$(dirname "$0")/lib/tap.sh"
pe=$build/bin/perf-explore
for c in munged slurmctld slurmd sbatch squeue sinfo; do
    if ! command -v "$c" >/dev/null; then
        tap_skip_all "$c not installed (scripts/install-deps installs Slurm)"
    fi
done

# --- a single-node cluster in $tmp ---------------------------------------------
m=$tmp/munge
mkdir -p "$m/etc" "$m/run" "$m/lib" "$m/log" "$tmp/state" "$tmp/spool"
chmod 0700 "$m/etc" "$m/lib" "$m/log"
chmod 0755 "$m/run"
head -c 1024 /dev/urandom >"$m/etc/munge.key"
chmod 0400 "$m/etc/munge.key"
munged -F -f --socket="$m/run/munge.sock" --key-file="$m/etc/munge.key" \
    --log-file="$m/log/munged.log" --pid-file="$m/run/munged.pid" \
    --seed-file="$m/lib/munged.seed" >"$tmp/munged.out" 2>&1 &
tap_cleanup_pid $!
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
host=$(hostname)
cat >"$tmp/slurm.conf" <<EOF
ClusterName=siokit-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
AuthType=auth/munge
AuthInfo=socket=$m/run/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=sknode NodeHostname=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=sk Nodes=sknode Default=YES MaxTime=INFINITE State=UP
EOF
: >"$tmp/plugstack.conf"
export SLURM_CONF=$tmp/slurm.conf
for _ in $(seq 50); do [ -S "$m/run/munge.sock" ] && break; sleep 0.1; done
slurmctld -D -i >"$tmp/slurmctld.out" 2>&1 &
tap_cleanup_pid $!
slurmd -D -N sknode >"$tmp/slurmd.out" 2>&1 &
tap_cleanup_pid $!
idle=no
for _ in $(seq 100); do
    if [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; then idle=yes; break; fi
    sleep 0.2
done
check "a single-node Slurm comes up (node idle)" test "$idle" = yes
if [ "$idle" != yes ]; then
    tail -5 "$tmp/slurmctld.out" "$tmp/slurmd.out" | sed 's/^/# /'
    echo "1..$n"
    exit 1
fi

# --- a sweep on Slurm ---------------------------------------------------------------
sweep() { "$pe" -n 30000 --traces "$tmp/traces" --logs-root "$tmp/nologs" --no-plot "$@"; }
sweep --launcher slurm -t 1,4 -d base,tq,hypertrio -o "$tmp/s" >"$tmp/table" 2>"$tmp/err"
rc=$?
check "a 6-point sweep through sbatch exits 0" test "$rc" -eq 0
check "it went to Slurm as one job array" grep -q "Slurm job [0-9]*: 6 points" "$tmp/err"
check "every point came back ok" csv_check "$tmp/s/points.csv" 'len(r) == 6 and all(x["status"] == "ok" for x in r)'
job=$(ls -d "$tmp"/s/slurm/*/ | head -1)
check "each task ran perf-explore --run-point on its point file" \
    test -s "$job/job.sh" -a -s "$job/5.point" -a -e "$job/5.out"
check "the job script runs one point" grep -q -- "--run-point" "$job/job.sh"
sweep -t 1,4 -d base,tq,hypertrio -o "$tmp/local" >/dev/null 2>&1
check "Slurm and local sweeps give the same numbers" \
    cmp -s <(cut -d, -f2- "$tmp/s/points.csv") <(cut -d, -f2- "$tmp/local/points.csv")
check "the table was printed" grep -q "^hypertrio " "$tmp/table"

sweep --launcher slurm -t 1,4 -d base,tq,hypertrio -o "$tmp/s" >/dev/null 2>"$tmp/err"
check "a second run skips every point and submits nothing" \
    bash -c "grep -q '6 points: 0 run, 6 skipped' '$tmp/err' && ! grep -q 'Slurm job' '$tmp/err'"

sweep --launcher slurm -t 4 -d base --iotlb-size 24,128 -o "$tmp/f" >/dev/null 2>"$tmp/err"
rc=$?
check "a failed point on Slurm: exit 1, the sweep goes on" test "$rc" -eq 1
check "the failed point is recorded with its reason" csv_check "$tmp/f/points.csv" \
    'sorted((x["iotlb_size"], x["status"]) for x in r) == [("128","ok"),("24","failed")] and "iotlb-size 24" in [x for x in r if x["status"]=="failed"][0]["error"]'

: >"$tmp/empty.conf"
SLURM_CONF=$tmp/empty.conf sweep --launcher slurm -t 2 -d base -o "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
rc=$?
check "an unusable Slurm is a one-line error, exit 1 (exit $rc)" \
    bash -c "[ $rc -eq 1 ] && [ \$(grep -vc 'benchmark iperf3' '$tmp/err') -eq 1 ] && grep -q 'sbatch failed' '$tmp/err'"

# --- registry-replay's clients as the tasks of one srun step -----------------------------
if command -v docker-registry >/dev/null; then
    . "$(dirname "$0")/lib/registry.sh"
    rr=$build/bin/registry-replay
    mkdir -p "$tmp/rr" && cd "$tmp/rr" || tap_bail "cannot enter $tmp/rr"
    registry_start "$tmp/rr/reg" "$tmp/rr/store" || tap_bail "docker-registry did not start"
    tap_cleanup_pid "$registry_pid"
    "$build/bin/registry-synth" -q --requests 120 --repos 10 --clients 4 --seed 5 -o t.json
    printf 'client_info: {client_list: [a, b], threads: 2}\ntrace: {traces: [t.json], output: %s}\nregistry: [%s]\nwarmup: {output: map.json}\n' \
        s.json "$registry_addr" >s.yaml
    sed 's/s.json/l.json/' s.yaml >l.yaml
    "$rr" -q -c warmup -i s.yaml >/dev/null
    # two clients: the test node has two CPUs, one task each
    timeout 120 "$rr" -c run -i s.yaml --launcher slurm >s.out 2>s.err
    rc=$?
    check "registry-replay --launcher slurm: exit 0, nothing failed (exit $rc)" \
        bash -c "[ $rc -eq 0 ] && grep -qx 'Failed Requests: 0' s.out" || sed 's/^/# /' s.err
    "$rr" -c run -i l.yaml >l.out 2>&1
    check "the Slurm tasks replayed what local workers replay" python3 - <<'PY'
import json
a, b = json.load(open("s.json")), json.load(open("l.json"))
key = lambda o: sorted((r["method"], r["size"]) for r in o)
assert len(a) == 120 and key(a) == key(b)
PY
    check "the clients ran as the tasks of a Slurm step" grep -q 'launch task StepId=' "$tmp/slurmd.log"
    cd "$tmp" || true
else
    skip "registry-replay --launcher slurm" "docker-registry not installed"
fi

# --- stopped by PID, nothing left -------------------------------------------------------
daemons=("${tap_pids[@]}")
tap_stop_all
left=0
for p in "${daemons[@]}"; do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "munged, slurmctld and slurmd stopped by their PIDs" test "$left" -eq 0
stray=0
for p in $(pgrep -x slurmstepd); do
    grep -qa "$tmp" "/proc/$p/environ" 2>/dev/null && stray=$((stray + 1))
done
check "no slurmstepd of this cluster is left" test "$stray" -eq 0

tap_done
