#!/bin/bash
# test_collector.sh - log-collector end to end with real guests: bad input;
# iperf3 on two flat tenants under stock QEMU (boot, traffic, text log,
# manifest, split logs, then trace-gen and sioperf on the result) and under
# the patched QEMU (its binary log); the virtiofs and storage tests; an
# interrupted run and a VM dying, each marked incomplete with no QEMU left,
# and a clean re-run; and the nested topology (two L2s through VFIO).
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
lc=$build/bin/log-collector
tg=$build/bin/trace-gen
sp=$build/bin/sioperf

if ! command -v qemu-system-x86_64 >/dev/null || ! command -v iperf3 >/dev/null; then
    tap_skip_all "qemu-system-x86_64 or iperf3 is not installed"
fi

# field FILE EXPR: a Python expression over the manifest m, printed.
field() {
    python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null
}
# bad ARGS...: exit 2 and one line on stderr naming the fault.
bad() {
    local want=$1; shift
    "$lc" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    check "bad input: $* (exit 2, one line: $want)" \
        sh -c "test $rc -eq 2 && test \$(wc -l <'$tmp/err') -eq 1 && grep -q -- '$want' '$tmp/err'"
}
# start_long NAME: a 60 s flat iperf3 run into $tmp/NAME in the background
# (bg); pid is its L1's QEMU once the manifest (at $tmp/NAME/iperf3_1_0)
# names it, 240 s at most.
start_long() {
    "$lc" --test iperf3 --l2vm 1 --topology flat --duration 60 --qemu stock -o "$tmp/$1" \
        >/dev/null 2>"$tmp/$1.err" &
    bg=$!
    tap_cleanup_pid $! 300
    local deadline=$((SECONDS + 240))
    until [ -n "$(field "$tmp/$1/iperf3_1_0/manifest.json" 'm["l1"]["pid"]')" ] || [ $SECONDS -ge $deadline ]; do
        sleep 0.5
    done
    pid=$(field "$tmp/$1/iperf3_1_0/manifest.json" 'm["l1"]["pid"]')
}
bad "--test" --l2vm 2
bad "unknown test .fio." --test fio --l2vm 2
bad "--l2vm" --test iperf3
bad "outside 1..16" --test iperf3 --l2vm 0
bad "unknown topology" --test iperf3 --l2vm 1 --topology star
bad "--qemu" --test iperf3 --l2vm 1 --qemu /nonexistent/qemu
bad "unknown direction" --test iperf3 --l2vm 1 --direction up
mkdir -p "$tmp/notours/iperf3_1_0" && echo keep >"$tmp/notours/iperf3_1_0/precious"
bad "not a log-collector run" --test iperf3 --l2vm 1 --topology flat -o "$tmp/notours"
check "a folder that is not a run is left alone" test -s "$tmp/notours/iperf3_1_0/precious"

# ---- flat: two NICs of one L1, each its own domain ---------------------------------
out=$tmp/logs
"$lc" --test iperf3 --l2vm 2 --topology flat --duration 3 --qemu stock --split -o "$out" \
    >"$tmp/flat.out" 2>"$tmp/flat.err"
rc=$?
run=$out/iperf3_2_0
m=$run/manifest.json
check "flat run exits 0 and prints its folder" sh -c "test $rc -eq 0 && grep -qx '$run' '$tmp/flat.out'" ||
    cat "$tmp/flat.err" >&2
check "manifest says complete" test "$(field "$m" 'm["status"]')" = complete
check "manifest names the QEMU that wrote the log" \
    test "$(field "$m" 'm["qemu"]["kind"]+"|"+str("QEMU emulator" in m["qemu"]["version"])')" = "stock|True"
check "two tenants with distinct source ids and distinct domains" \
    test "$(field "$m" 'len({t["sid"] for t in m["tenant_list"]})*10+len({t["domain"] for t in m["tenant_list"] if t["domain"]})')" = 22
check "every tenant's domain shows translations" \
    test "$(field "$m" 'all(t["events"]["translations"]>1000 for t in m["tenant_list"])')" = True
check "hits and walks add up to the translations" \
    test "$(field "$m" 'all(t["events"]["iotlb_hits"]+t["events"]["walks"]==t["events"]["translations"] for t in m["tenant_list"])')" = True
check "each tenant's iperf3 report is kept and moved data" \
    test "$(field "$m" 'all(t["iperf3"]["mbytes_per_s"]>0.5 and __import__("os").path.getsize(sys.argv[1].rsplit("/",1)[0]+"/"+t["iperf3"]["file"])>0 for t in m["tenant_list"])')" = True
check "the console is kept" grep -q 'siokit: ready' "$run/console-l1-0.log"
check "steps are recorded with their durations" \
    test "$(field "$m" 'all(s["ok"] for s in m["steps"]) and {s["step"] for s in m["steps"]} >= {"boot","nic","traffic","stop"}')" = True
pid=$(field "$m" 'm["l1"]["pid"]')
check "no QEMU left after the run (pid $pid)" sh -c "test -n '$pid' && ! kill -0 '$pid' 2>/dev/null"
check "no VM state left" test ! -e "$src/build/vms/l1-0/vm.json"

# trace-gen and sioperf on the result: the whole log and the split logs.
"$tg" --logs "$run/vtd" --tenants 2 --order orig --json -o "$tmp/flat.trace" >"$tmp/tg.json" 2>"$tmp/tg.err"
check "trace-gen reads the run's log (prefix vtd)" test -s "$tmp/flat.trace"
check "trace-gen's tenants are the manifest's domains with its counts" test "$(python3 - "$tmp/tg.json" "$m" <<'PY'
import json, sys
tg = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
got = sorted((t["domain"], t["translations"]) for t in tg["tenants"])
want = sorted((int(t["domain"], 16), t["events"]["translations"]) for t in m["tenant_list"])
print(got == want)
PY
)" = True
"$tg" --logs "$run/tenant" --tenants 2 --json -o "$tmp/split.trace" >"$tmp/tgs.json" 2>/dev/null
check "the split logs hold one tenant each, all its translations" test "$(python3 - "$tmp/tgs.json" "$m" <<'PY'
import json, sys
tg = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
print([l["translations"] for l in tg["logs"]] == [t["events"]["translations"] for t in m["tenant_list"]])
PY
)" = True
"$sp" --json "$tmp/flat.trace" >"$tmp/sp.json"
check "sioperf replays the collected trace" \
    test "$(field "$tmp/sp.json" '0 < m["utilization"] <= 1 and m["tenant_count"] == 2')" = True

# ---- the patched QEMU (built or found cached), its lean binary log ----------------
"$src/qemu-patches/build-qemu.sh" --quiet >"$tmp/bq.out" 2>&1 || cat "$tmp/bq.out" >&2
"$lc" --test iperf3 --l2vm 2 --topology flat --duration 3 --qemu patched --split -o "$tmp/patched" \
    >/dev/null 2>"$tmp/patched.err"
rc=$?
mp=$tmp/patched/iperf3_2_0/manifest.json
check "patched QEMU: the run completes with a binary log" \
    test "$rc|$(field "$mp" 'm["status"]+"|"+m["record"]+"|"+",".join(m["logs"])+"|"+m["events"]["dialect"]')" = "0|complete|binary|vtd_0.bin|siokit" ||
    cat "$tmp/patched.err" >&2
check "patched QEMU: the manifest carries its version and patch-series hash" \
    test "$(field "$mp" '"siokit-" in m["qemu"]["version"] and len(m["qemu"]["build_info"]["series_sha256"])==64')" = True
"$tg" --logs "$tmp/patched/iperf3_2_0/vtd_0.bin" --tenants 2 --order orig --json -o "$tmp/bin.trace" \
    >"$tmp/tgb.json" 2>/dev/null
check "trace-gen reads the binary log: the manifest's domains and counts" test "$(python3 - "$tmp/tgb.json" "$mp" <<'PY'
import json, sys
tg = json.load(open(sys.argv[1])); m = json.load(open(sys.argv[2]))
got = sorted((t["domain"], t["translations"]) for t in tg["tenants"])
want = sorted((int(t["domain"], 16), t["events"]["translations"]) for t in m["tenant_list"])
print(got == want and all(n > 1000 for _, n in got))
PY
)" = True

for k in 0 1; do
    "$tg" --logs "$tmp/patched/iperf3_2_0/tenant_$k.bin" --tenants 1 --json -o "$tmp/tb$k.trace" \
        >"$tmp/tb$k.json" 2>/dev/null
done
check "the split binary logs hold one tenant each, all its translations" test "$(python3 - "$tmp/tb0.json" "$tmp/tb1.json" "$mp" <<'PY'
import json, sys
got = [json.load(open(f))["logs"][0]["translations"] for f in sys.argv[1:3]]
m = json.load(open(sys.argv[3]))
print(got == [t["events"]["translations"] for t in m["tenant_list"]] and m["tenant_logs"] == ["tenant_0.bin", "tenant_1.bin"])
PY
)" = True

# ---- virtio-fs: fio in each tenant's folder of a share, FUSE requests counted ---------
"$lc" --test virtiofs --l2vm 2 --duration 3 --qemu patched -o "$tmp/patched" \
    >/dev/null 2>"$tmp/vfs.err"
rc=$?
mv=$tmp/patched/virtiofs_2_0/manifest.json
check "virtiofs run completes (flat, patched virtiofsd)" \
    test "$rc|$(field "$mv" 'm["status"]+"|"+m["topology"]')" = "0|complete|flat" ||
    cat "$tmp/vfs.err" >&2
# (Reads may all come from the guest's page cache: they are not required.)
check "virtiofsd's FUSE events match what the tenants did (a folder each, 4 files each, writes)" \
    test "$(field "$mv" '(lambda f: f["MKDIR"]==2 and f["CREATE"]>=8 and f["WRITE"]>0 and m["fuse"]["write_bytes"]>0 and m["fuse"]["requests"]==sum(f.values()))(m["fuse"]["by_opcode"])')" = True ||
    field "$mv" 'm["fuse"]' >&2
check "each tenant's fio report is kept" \
    test "$(field "$mv" 'all(t["virtiofs"]["write_iops"]>0 for t in m["tenant_list"])')" = True
check "the scratch share is removed after the run" test ! -e "$tmp/patched/virtiofs_2_0/share"
bad "flat topology only" --test virtiofs --l2vm 1 --topology nested
bad "binary logs need" --test iperf3 --l2vm 1 --qemu stock --record binary

# ---- storage: fio on each tenant's own NVMe behind the vIOMMU ----------------------
"$lc" --test storage --l2vm 2 --topology flat --duration 3 --qemu stock -o "$out" \
    >/dev/null 2>"$tmp/storage.err"
rc=$?
ms=$out/storage_2_0/manifest.json
check "storage run (fio on two NVMe disks) completes" \
    sh -c "test $rc -eq 0 && test \"\$(python3 -c 'import json;print(json.load(open(\"$ms\"))[\"status\"])')\" = complete" ||
    cat "$tmp/storage.err" >&2
check "each tenant's disk is its own device and domain, with translations" \
    test "$(field "$ms" 'len({t["disk"]["sid"] for t in m["tenant_list"]})==2 and len({t["domain"] for t in m["tenant_list"]})==2 and all(t["sid"]==t["disk"]["sid"] and t["events"]["translations"]>100 for t in m["tenant_list"])')" = True
check "each tenant's fio report is kept and did I/O" \
    test "$(field "$ms" 'all(t["storage"]["read_iops"]>0 and t["storage"]["write_iops"]>0 for t in m["tenant_list"])')" = True
check "the iperf3 run of the same tenants is left alone" test -s "$out/iperf3_2_0/manifest.json"

# ---- interrupted: incomplete, nothing left, a re-run starts clean -----------------
start_long int
mi=$tmp/int/iperf3_1_0/manifest.json
sleep 2      # into the traffic
kill -INT "$bg"
wait "$bg"
rc=$?
check "Ctrl-C stops the run with status 130" test $rc -eq 130
check "an interrupted run is marked incomplete, with the reason" \
    test "$(field "$mi" 'm["status"]+"|"+m["reason"]')" = "incomplete|interrupted (SIGINT)"
check "no QEMU left after the interrupt (pid $pid)" sh -c "test -n '$pid' && ! kill -0 '$pid' 2>/dev/null"
echo stale >"$tmp/int/iperf3_1_0/stale.txt"
# The re-run on a terminal (script(1) gives it one): the board shows each step.
script -qec "'$lc' --test iperf3 --l2vm 1 --topology flat --duration 2 --qemu stock -o '$tmp/int'" \
    /dev/null </dev/null >"$tmp/tty.out" 2>&1
check "a re-run completes" test "$(field "$mi" 'm["status"]')" = complete
check "a re-run starts clean (nothing of the old run left)" test ! -e "$tmp/int/iperf3_1_0/stale.txt"
check "on a terminal, progress shows each VM's steps" \
    sh -c "grep -q 'l1-0 .*boot' '$tmp/tty.out' && grep -q 'l1-0.t0 .*traffic' '$tmp/tty.out'"

# A VM failing: its QEMU killed during the traffic.
start_long die
md=$tmp/die/iperf3_1_0/manifest.json
sleep 2
[ -n "$pid" ] && kill -KILL "$pid"
wait "$bg"
rc=$?
check "a VM dying fails the run (exit 1, one line on stderr)" \
    sh -c "test $rc -eq 1 && test \$(wc -l <'$tmp/die.err') -eq 1"
check "a failed run is marked incomplete with the error" \
    test "$(field "$md" 'm["status"]=="incomplete" and len(m["reason"])>0')" = True

# ---- nested: HyperSIO's topology, one L2 per tenant through VFIO (patched QEMU) -------
nested_run() {
    "$lc" --test iperf3 --l2vm 2 --duration 3 --qemu patched -o "$tmp/nested" \
        >/dev/null 2>"$tmp/nested.err"
}
nested_run
rc=$?
if [ $rc -ne 0 ]; then
    # Known and open (issue 14): nested KVM inside a TCG L1 now and then loses
    # an L2 while the L2s start.  Keep the evidence in the log, try once more;
    # the checks below hold the second run to the same standard.
    echo "# first nested run failed (exit $rc): $(tr '\n' ' ' <"$tmp/nested.err" | head -c 300)"
    grep -h -E 'BUG|panic|Oops|corrupted' "$tmp"/nested/iperf3_2_0/console-*.log 2>/dev/null |
        head -n 5 | sed 's/^/# console: /'
    nested_run
    rc=$?
fi
mn=$tmp/nested/iperf3_2_0/manifest.json
check "nested run (two L2s through VFIO) completes" \
    sh -c "test $rc -eq 0 && test \"\$(python3 -c 'import json;print(json.load(open(\"$mn\"))[\"status\"])')\" = complete" ||
    cat "$tmp/nested.err" >&2
check "each L2 is a tenant with its own domain and translations" \
    test "$(field "$mn" '[t["vm"] for t in m["tenant_list"]]==["l2-0","l2-1"] and len({t["domain"] for t in m["tenant_list"]})==2 and all(t["events"]["translations"]>1000 for t in m["tenant_list"])')" = True
check "the L2 consoles are kept" grep -q 'type=l2' "$tmp/nested/iperf3_2_0/console-l2-1.log"
pid=$(field "$mn" 'm["l1"]["pid"]')
check "no QEMU left after the nested run" sh -c "test -n '$pid' && ! kill -0 '$pid' 2>/dev/null"

tap_done
