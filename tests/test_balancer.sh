#!/bin/bash
# test_balancer.sh - mem-balancer with two real balloon VMs under TCG: the
# VM that runs mem-load gets a larger target and the idle one a smaller, in
# a bounded number of intervals; floors and the memory given hold in every
# interval; logs, CSV and summary are whole; SIGTERM and SIGINT give every
# balloon its full memory back; a VM that stops answering (its QEMU
# stopped) or powers off mid-run is dropped and reported while the other
# goes on; with every VM gone the run ends with exit 1 and its server with
# it; the live view in headless Chromium; a libvirt domain balanced through
# libvirt; no VM, balancer, server or load is left after any ending.
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper
mb=$build/bin/mem-balancer
A=20 B=21                     # client ids of our own
MEM=512 FLOOR_MB=200 SHARED_MB=768

if ! command -v qemu-system-x86_64 >/dev/null; then
    tap_skip_all "qemu-system-x86_64 is not installed"
fi

qemu_pid() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' \
        "$src/build/vms/$1/vm.json" 2>/dev/null
}
# qmp NAME COMMAND: one QMP command's "return" as JSON, on a fresh connection.
qmp() {
    python3 - "$src/build/vms/$1/qmp.sock" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
f = s.makefile("rw")
def cmd(c):
    f.write(json.dumps({"execute": c}) + "\n"); f.flush()
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m
f.readline(); cmd("qmp_capabilities"); print(json.dumps(cmd(sys.argv[2]).get("return")))
PY
}
launch() {
    local id=$1 log=$tmp/launch-$1
    "$vw" --vmtype client --vmid "$id" --action launch --nics 0 --balloon \
          --memory $MEM --json >"$log" 2>"$log.err" &
    tap_cleanup_pid $! 120
    tap_wait_for $! 300 "$log" '"ssh_port"' && return 0
    cat "$log.err" >&2
    return 1
}

launch $A & la=$!
launch $B; rb=$?
wait $la; ra=$?
check "two client VMs with a balloon boot under TCG" test $ra -eq 0 -a $rb -eq 0 ||
    tap_bail "the VMs did not boot"
pa=$(qemu_pid client-$A) pb=$(qemu_pid client-$B)
tap_at_exit "'$vw' --vmtype client --vmid $A --action poweroff >/dev/null 2>&1"
tap_at_exit "'$vw' --vmtype client --vmid $B --action poweroff >/dev/null 2>&1"
check "the guest loaded virtio_balloon" \
    "$vw" --vmtype client --vmid $A --action exec -- sh -c 'ls /sys/bus/virtio/drivers/ | grep -q virtio_balloon'
check "mem-load is in the image" "$vw" --vmtype client --vmid $A --action exec -- sh -c 'command -v mem-load >/dev/null'
check "QEMU has the balloon with deflate-on-oom and free page reporting" \
    sh -c "tr '\\0' ' ' </proc/$pa/cmdline | grep -q 'virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on'"

run=$tmp/run
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$mb" --vm client-$A --vm client-$B --memory ${SHARED_MB}M --floor ${FLOOR_MB}M \
      --tax-rate 0.9 --interval 2 -d "$run" --listen 127.0.0.1:$port >"$tmp/mb.out" 2>"$tmp/mb.err" &
mbpid=$!
tap_cleanup_pid $mbpid 60
# rows of one VM in the CSV
rows() { grep -c ",client-$1," "$run/balancer.csv" 2>/dev/null || echo 0; }
target() { grep ",client-$1," "$run/balancer.csv" | tail -n1 | cut -d, -f3; }
deadline=$((SECONDS + 120))
while [ "$(rows $A)" -lt 6 ] && [ $SECONDS -lt $deadline ] && kill -0 $mbpid 2>/dev/null; do sleep 1; done
check "mem-balancer runs and logs both VMs" test "$(rows $A)" -ge 6 -a "$(rows $B)" -ge 6 ||
    cat "$tmp/mb.err" >&2
ta0=$(target $A) tb0=$(target $B)
# The load: 300 MiB held and rewritten in VM A, for at most 150 s.
"$vw" --vmtype client --vmid $A --action exec -- mem-load static 300M 150 >"$tmp/load" 2>&1 &
loadpid=$!
tap_cleanup_pid $loadpid 10
start_rows=$(rows $A)
moved=0
deadline=$((SECONDS + 240))
while [ $SECONDS -lt $deadline ] && kill -0 $mbpid 2>/dev/null; do
    ta=$(target $A) tb=$(target $B)
    if [ "$ta" -gt $((ta0 + 32768)) ] && [ "$tb" -lt $((tb0 - 32768)) ]; then moved=1; break; fi
    sleep 2
done
took=$(( $(rows $A) - start_rows ))
check "loaded VM's target rises ($ta0 -> $ta KiB) and idle VM's falls ($tb0 -> $tb KiB)" test $moved -eq 1
check "within 30 intervals of the load starting ($took)" test $moved -eq 1 -a $took -le 30
check "the idle VM never goes below the floor" \
    csv_check "$run/balancer.csv" "all(int(x['target']) >= $FLOOR_MB*1024 for x in r)"
check "no target above a VM's size" \
    csv_check "$run/balancer.csv" "all(int(x['target']) <= $MEM*1024 for x in r)"
check "the targets of an interval fit in the memory given" \
    csv_check "$run/balancer.csv" "all(sum(int(y['target']) for y in r if y['time']==t) <= $SHARED_MB*1024 for t in set(x['time'] for x in r))"
check "the balloon follows the target (QEMU's actual size below full)" \
    sh -c "[ \$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[\"actual\"])' '$(qmp client-$B query-balloon)') -lt $((MEM * 1048576)) ]"

# The live view: GET /vms, and the page in a real headless Chromium.
get() { python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())' "$1"; }
get "http://127.0.0.1:$port/vms" >"$tmp/vms.json"
check "GET /vms reports both VMs with target, used, free, total and the rate" \
    json_check "$tmp/vms.json" "sorted(v['name'] for v in d['vms'])==['client-$A','client-$B'] and all(v['total']>0 and v['target']>0 and v['used']>=0 and v['free']>=0 for v in d['vms']) and abs(d['tax_rate']-0.9)<1e-9"
check "GET /vms carries each guest's own total, free and available memory" \
    json_check "$tmp/vms.json" "all(0 < v['guest_free'] <= v['guest_total'] and 0 < v['guest_available'] <= v['guest_total'] for v in d['vms'])" ||
    cat "$tmp/vms.json" >&2
check "the server listens on 127.0.0.1 only" \
    sh -c "ss -ltnH | awk '{print \$4}' | grep ':$port\$' | grep -qvx '127.0.0.1:$port' && exit 1; ss -ltnH | grep -q '127.0.0.1:$port '"
if command -v chromium >/dev/null; then
    timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chrome" \
        --dump-dom --virtual-time-budget=8000 "http://127.0.0.1:$port/" >"$tmp/dom.html" 2>"$tmp/chrome.err"
    check "the page in Chromium shows every VM" \
        sh -c "grep -q 'id=\"vm-client-$A\"' '$tmp/dom.html' && grep -q 'id=\"vm-client-$B\"' '$tmp/dom.html' && grep -q 'client-$B mem graph' '$tmp/dom.html'"
    upd=$(sed -n 's/.*<span id="updates">\([0-9]*\)<.*/\1/p' "$tmp/dom.html")
    check "the page updates itself (${upd:-0} updates, figures from /vms)" \
        sh -c "[ '${upd:-0}' -ge 3 ] && grep -q 'samples [3-9]' '$tmp/dom.html' && grep -q 'status\">live' '$tmp/dom.html'"
    check "the page fetches nothing from outside" sh -c "! grep -Eq '(src|href)=\"(https?:)?//' '$tmp/dom.html'"
else
    skip "the page in Chromium" "chromium is not installed (scripts/install-deps)"
fi

kill -TERM $mbpid
wait $mbpid
rc=$?
check "SIGTERM ends mem-balancer with 143" test $rc -eq 143 || cat "$tmp/mb.err" >&2
check "summary.json says how it ended, both VMs in it" \
    json_check "$run/summary.json" "d['ended']=='SIGTERM' and len(d['vms'])==2 and all(v['dropped'] is None for v in d['vms'])"
check "each VM's TSV has xenmm's columns and whole rows" \
    sh -c "sed -n 2p '$run/client-$B.tsv' | grep -qx 'time.target.used.free.total' && awk -F'\t' 'NR>2 && NF!=5 {exit 1}' '$run/client-$B.tsv'"
check "no temporary file left in the run folder" sh -c "! ls '$run' | grep -q tmp"
full=0
for i in $(seq 1 60); do
    a=$(qmp client-$B query-balloon | python3 -c 'import json,sys; print(json.load(sys.stdin)["actual"])')
    [ "$a" -eq $((MEM * 1048576)) ] && { full=1; break; }
    sleep 1
done
check "after SIGTERM the idle VM's balloon gives back its full memory" test $full -eq 1

# A VM whose QEMU does not answer (stopped) is refused at the start, exit 2.
kill -STOP $pb
expect_error "a VM that does not answer QMP: one line, exit 2" 2 "vm client-$B" \
    "$mb" --vm client-$A --vm client-$B --duration 5
kill -CONT $pb

# A VM whose QEMU stops answering mid-run (stopped) is dropped and reported
# and the other goes on; SIGINT ends the run with every balloon back at full
# memory, the dropped VM's too once its QEMU answers again.
balloon() { qmp client-$1 query-balloon | python3 -c 'import json,sys; print(json.load(sys.stdin)["actual"])'; }
run3=$tmp/run3
"$mb" --vm client-$A --vm client-$B --memory ${SHARED_MB}M --floor ${FLOOR_MB}M \
      --tax-rate 0.9 --interval 2 -d "$run3" >"$tmp/mb3.out" 2>"$tmp/mb3.err" &
mb3=$!
tap_cleanup_pid $mb3 60
shrunk=0
for i in $(seq 1 60); do
    [ "$(balloon $B)" -lt $((MEM * 1048576)) ] && { shrunk=1; break; }
    sleep 1
done
kill -STOP $pb
tap_wait_for $mb3 60 "$tmp/mb3.err" "dropped vm client-$B"
check "a VM whose QEMU stops answering mid-run is dropped and reported" \
    grep -q "dropped vm client-$B" "$tmp/mb3.err" || cat "$tmp/mb3.err" >&2
a0=$(grep -c ",client-$A," "$run3/balancer.csv")
sleep 7
check "the other VM is still balanced after the drop" \
    test "$(grep -c ",client-$A," "$run3/balancer.csv")" -gt "$a0"
kill -CONT $pb
kill -INT $mb3
wait $mb3
rc=$?
check "SIGINT ends mem-balancer with 130" test $rc -eq 130 || cat "$tmp/mb3.err" >&2
check "summary.json: ended by SIGINT, the stopped VM dropped, the other not" \
    json_check "$run3/summary.json" "d['ended']=='SIGINT' and [v['dropped'] is not None for v in d['vms']]==[False, True]"
full=0
for i in $(seq 1 60); do
    [ "$(balloon $A)" -eq $((MEM * 1048576)) ] && [ "$(balloon $B)" -eq $((MEM * 1048576)) ] &&
        { full=1; break; }
    sleep 1
done
check "after SIGINT both balloons give back their full memory, the dropped VM's too (it was shrunk: $shrunk)" \
    test $full -eq 1 -a $shrunk -eq 1

# A VM that powers off mid-run is dropped; the other goes on (policy mom).
run2=$tmp/run2
"$mb" --vm client-$A --vm client-$B --memory ${SHARED_MB}M --floor ${FLOOR_MB}M \
      --policy mom --max-step 16M --interval 2 --duration 40 -d "$run2" >"$tmp/mb2.out" 2>"$tmp/mb2.err" &
mb2=$!
tap_cleanup_pid $mb2 60
tap_wait_for $mb2 60 "$run2/balancer.csv" ",client-$B,"
"$vw" --vmtype client --vmid $B --action poweroff >/dev/null 2>&1
wait $mb2
rc=$?
check "mem-balancer goes on after a VM is gone and ends at --duration (exit $rc)" test $rc -eq 0
check "the gone VM is reported on stderr" grep -q "dropped vm client-$B" "$tmp/mb2.err"
check "the summary records it dropped and the other not" \
    json_check "$run2/summary.json" "[v['dropped'] is not None for v in d['vms']]==[False, True] and d['ended']=='duration' and d['policy']=='mom'"
check "mom: floors, sizes, --max-step and the memory given hold" \
    python3 - "$run2/balancer.csv" $((FLOOR_MB * 1024)) $((MEM * 1024)) 16384 $((SHARED_MB * 1024)) <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
floor, size, step, total = map(int, sys.argv[2:])
last = {}
for t in sorted(set(float(x['time']) for x in rows)):
    now = [x for x in rows if float(x['time']) == t]
    assert sum(int(x['target']) for x in now) <= total
    for x in now:
        v = int(x['target'])
        assert floor <= v <= size
        # the first step may need more than the step to fit in the memory given
        if x['vm'] in last and sum(last.values()) <= total:
            assert abs(v - last[x['vm']]) <= step or v == floor, (x, last)
        last[x['vm']] = v
PY
check "the other VM was balanced to the end" \
    sh -c "[ \$(grep -c ',client-$A,' '$run2/balancer.csv') -gt \$(grep -c ',client-$B,' '$run2/balancer.csv') ]"
check "no server left on the port" sh -c "! ss -ltnH | grep -q ':$port '"

kill $loadpid 2>/dev/null

# The last VM powered off: the run ends by itself, exit 1, files whole, and
# its live view's server goes with it.
port4=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run4=$tmp/run4
"$mb" --vm client-$A --memory 400M --floor ${FLOOR_MB}M --interval 2 -d "$run4" \
      --listen 127.0.0.1:$port4 >"$tmp/mb4.out" 2>"$tmp/mb4.err" &
mb4=$!
tap_cleanup_pid $mb4 60
tap_wait_for $mb4 60 "$run4/balancer.csv" ",client-$A,"
"$vw" --vmtype client --vmid $A --action poweroff >/dev/null 2>&1
for i in $(seq 1 60); do kill -0 $mb4 2>/dev/null || break; sleep 1; done
kill -0 $mb4 2>/dev/null && kill -TERM $mb4
wait $mb4
rc=$?
check "with every VM gone mem-balancer ends by itself, exit 1 (exit $rc)" test $rc -eq 1
check "it says why: the VM dropped, then every VM gone" \
    sh -c "grep -q 'dropped vm client-$A' '$tmp/mb4.err' && tail -n1 '$tmp/mb4.err' | grep -q 'every VM is gone'"
check "summary.json: ended failed, the VM dropped" \
    json_check "$run4/summary.json" "d['ended']=='failed' and d['vms'][0]['dropped'] is not None"
check "no server left on the port after that ending" sh -c "! ss -ltnH | grep -q ':$port4 '"

# A libvirt domain with a balloon, through its libvirt connection.
L=22
if ! command -v libvirtd >/dev/null || ! ldd "$build/bin/mem-balancer" | grep -q libvirt; then
    skip "a libvirt domain is balanced" "libvirtd is not installed or siokit was built without libvirt"
elif pgrep -x libvirtd >/dev/null || pgrep -x virtlogd >/dev/null; then
    skip "a libvirt domain is balanced" "a libvirtd runs already (test_libvirt.sh checks the ones it starts)"
else
    "$vw" --backend libvirt --vmtype client --vmid $L --action launch --nics 0 --balloon \
          --json >"$tmp/lv.json" 2>"$tmp/lv.err" &
    lvl=$!
    tap_cleanup_pid $lvl 120
    tap_at_exit "'$vw' --vmtype client --vmid $L --action poweroff >/dev/null 2>&1"
    if tap_wait_for $lvl 300 "$tmp/lv.json" '"ssh_port"'; then
        "$mb" --vm client-$L --memory 400M --floor 200M --interval 2 --duration 12 \
              -d "$tmp/lvrun" >"$tmp/lvmb.out" 2>"$tmp/lvmb.err"
        rc=$?
        check "libvirt: mem-balancer runs on the domain (exit $rc)" test $rc -eq 0 || cat "$tmp/lvmb.err" >&2
        check "libvirt: the balloon follows the 400M target" \
            sh -c "awk -F'\t' 'NR>2 && \$2==409600 && \$5==409600 {f=1} END {exit !f}' '$tmp/lvrun/client-$L.tsv'"
        check "libvirt: the guest's statistics arrive" json_check "$tmp/lvrun/summary.json" "d['vms'][0]['stats'] and d['vms'][0]['target_kib']==524288"
        "$vw" --vmtype client --vmid $L --action poweroff >/dev/null 2>&1
        wait $lvl
    else
        not_ok "libvirt: a client domain with a balloon boots"
        cat "$tmp/lv.err" >&2
    fi
fi
tap_stop_all
check "no QEMU left" sh -c "! kill -0 $pa 2>/dev/null && ! kill -0 $pb 2>/dev/null"
check "no mem-balancer left" test -z "$(tap_alive)"
if [ -n "${lvl:-}" ]; then
    check "no libvirtd or domain left" sh -c "! pgrep -x libvirtd && ! pgrep -f 'guest=siokit-[c]lient-$L'"
fi
tap_done
