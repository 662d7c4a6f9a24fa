#!/bin/bash
# qemu-trace-bench.sh - what recording every translation costs a guest:
# iperf3 throughput from a client guest (TCG) through a virtio-net test NIC
# behind the vIOMMU (guest TX, `iperf3 -R`), under siokit's patched QEMU,
# in four modes:
#   off     no recording
#   log     HyperSIO's five events (every translation, every walk step),
#           -trace events=F with the log backend
#           to a file (-D); the simple backend's file goes to /dev/null
#   simple  the same events, -trace events=F,file=OUT (the log backend
#           still formats them, to -D /dev/null: a log,simple build always
#           runs both)
#   binary  -global intel-iommu.x-siokit-log=OUT only
# Modes are interleaved over --reps repetitions (other work on the machine
# hits them alike); medians are reported, with the load average.  Besides
# throughput, the QEMU process's CPU time (user + system, /proc/PID/stat)
# per MB moved: on a loaded machine it varies far less than throughput,
# since time QEMU spends waiting for a core is not counted.  Not a
# test.  Usage: bench/qemu-trace-bench.sh [--reps N] [--seconds S] [--modes "off binary"]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SIOKIT_BUILD:-$here/build}
export SIOKIT_HOME=$here
vw=$build/bin/vmwrapper
reps=3 secs=10 modes="off log simple binary"
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --seconds) secs=$2; shift 2 ;;
        --modes) modes=$2; shift 2 ;;
        -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "qemu-trace-bench: unexpected argument '$1'" >&2; exit 2 ;;
    esac
done
qdir=$("$here/qemu-patches/build-qemu.sh" --quiet --link "$build/qemu")
q=${QEMU:-$qdir/qemu-system-x86_64}   # QEMU=PATH: measure another build
out=$build/bench/qemu-trace
mkdir -p "$out"
tmp=$(mktemp -d)
launcher=""
trap '[ -n "$launcher" ] && kill -TERM $launcher 2>/dev/null; wait; rm -rf "$tmp"' EXIT
printf '%s\n' vtd_iotlb_page_hit vtd_iotlb_page_update vtd_slpte_fetch \
    'vtd_iotlb_cc_*' >"$tmp/events"
vmid=13
mac=$(printf '52:54:00:62:%02x:00' $vmid)
results=$out/results.jsonl
: >"$results"

. "$(dirname "$0")/../tests/lib/nic_addr.sh"

run() {   # run MODE REP
    local mode=$1 rep=$2 args=() f=$tmp/$1-$2
    case $mode in
        off) ;;
        log) args=(--qemu-arg -trace --qemu-arg "events=$tmp/events,file=/dev/null"
                   --qemu-arg -D --qemu-arg "$f.log") ;;
        simple) args=(--qemu-arg -trace --qemu-arg "events=$tmp/events,file=$f.simple"
                      --qemu-arg -D --qemu-arg /dev/null) ;;
        binary) args=(--qemu-arg -global --qemu-arg "intel-iommu.x-siokit-log=$f.bin") ;;
    esac
    "$vw" --vmtype client --vmid $vmid --action launch --nics 1 --json --qemu "$q" \
        --qemu-arg -L --qemu-arg /usr/share/seabios --qemu-arg -L --qemu-arg /usr/share/qemu \
        --qemu-arg -L --qemu-arg /usr/lib/ipxe/qemu "${args[@]}" >"$f.launch" 2>"$f.err" &
    launcher=$!
    while kill -0 $launcher 2>/dev/null && ! grep -q ssh_port "$f.launch"; do sleep 0.2; done
    local port qpid addr
    port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nic_ports"][0])' "$f.launch")
    qpid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' \
        "$here/build/vms/client-$vmid/vm.json")
    addr=$(nic_addr "$qpid" 0)
    "$vw" --vmtype client --vmid $vmid --action exec -- sh -c "
        for d in /sys/class/net/*; do [ \"\$(cat \$d/address)\" = $mac ] && dev=\${d##*/}; done
        ip addr add $addr/24 dev \$dev 2>/dev/null; ip link set \$dev up && iperf3 -s -1 -D --bind-dev \$dev"
    sleep 0.5
    local load cpu0 cpu1
    load=$(cut -d' ' -f1 /proc/loadavg)
    cpu0=$(awk '{print $14 + $15}' "/proc/$qpid/stat")
    timeout $((secs + 60)) iperf3 -c 127.0.0.1 -p "$port" -R -t "$secs" -J >"$f.iperf" || true
    cpu1=$(awk '{print $14 + $15}' "/proc/$qpid/stat")
    "$vw" --vmtype client --vmid $vmid --action poweroff >/dev/null
    wait $launcher || true
    launcher=""
    local bytes=0
    for x in "$f.log" "$f.simple" "$f.bin"; do [ -f "$x" ] && bytes=$(stat -c %s "$x"); done
    python3 - "$f.iperf" "$mode" "$rep" "$load" "$bytes" "$((cpu1 - cpu0))" "$(getconf CLK_TCK)" >>"$results" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
rx = d['end']['sum_received']
mbs = rx['bits_per_second'] / 8 / 1e6
cpu = int(sys.argv[6]) / int(sys.argv[7])
print(json.dumps({'mode': sys.argv[2], 'rep': int(sys.argv[3]), 'MBps': round(mbs, 2),
                  'qemu_cpu_s': round(cpu, 2),
                  'cpu_ms_per_MB': round(1000 * cpu / (rx['bytes'] / 1e6), 2),
                  'load1': float(sys.argv[4]), 'log_bytes': int(sys.argv[5])}))
EOF
    tail -n 1 "$results"
    rm -f "$f.log" "$f.simple" "$f.bin"
}

for rep in $(seq "$reps"); do
    for mode in $modes; do
        run $mode $rep
    done
done
python3 - "$results" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
off = statistics.median(r['MBps'] for r in rows if r['mode'] == 'off')
print('%-8s %12s %8s %22s %13s %8s %10s' % ('mode', 'median MB/s', 'vs off', 'runs (MB/s)',
                                          'cpu ms/MB', 'vs off', 'log MB'))
offcpu = statistics.median(r['cpu_ms_per_MB'] for r in rows if r['mode'] == 'off')
for m in ('off', 'log', 'simple', 'binary'):
    rs = [r for r in rows if r['mode'] == m]
    if not rs:
        continue
    med = statistics.median(r['MBps'] for r in rs)
    cpu = statistics.median(r['cpu_ms_per_MB'] for r in rs)
    size = statistics.median(r['log_bytes'] for r in rs) / 1e6
    runs = ' '.join('%.1f' % r['MBps'] for r in rs)
    print('%-8s %12.1f %+7.1f%% %22s %13.1f %+7.1f%% %10.1f' % (
        m, med, 100 * (med / off - 1), runs, cpu, 100 * (cpu / offcpu - 1), size))
print('load average (1 min) at the start of the runs: median %.2f'
      % statistics.median(r['load1'] for r in rows))
EOF
