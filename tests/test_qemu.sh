#!/bin/bash
# test_qemu.sh - siokit's patched QEMU end to end: build-qemu.sh builds (or
# finds cached) the series over Debian's source, a bad patch stops it with
# the patch's name, and a client guest booted under TCG with two test NICs
# behind the vIOMMU, driven with iperf3 through each, records every
# translation three ways at once (HyperSIO text on the log backend, the
# simple backend, x-siokit-log); the three agree with each other and
# trace-gen reads them.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper
tg=$build/bin/trace-gen

. "$(dirname "$0")/lib/nic_addr.sh"

# ---- the build -------------------------------------------------------------
qdir=$("$src/qemu-patches/build-qemu.sh" --quiet --link "$build/qemu" 2>"$tmp/build.err")
if [ $? -ne 0 ] || [ ! -x "$qdir/qemu-system-x86_64" ]; then
    tap_bail "build-qemu.sh failed: $(tail -n 3 "$tmp/build.err")"
fi
q=$qdir/qemu-system-x86_64
check "the build has qemu-system-x86_64, virtiofsd, trace-events-all, build-info.json" \
    test -x "$q" -a -x "$qdir/virtiofsd" -a -s "$qdir/trace-events-all" -a -s "$qdir/build-info.json"
check "build/qemu links to it" test "$(readlink -f "$build/qemu")" = "$(readlink -f "$qdir")"
start=$SECONDS
again=$("$src/qemu-patches/build-qemu.sh" --quiet --link "$build/qemu")
check "a second run with the same inputs is skipped (same folder, $((SECONDS - start)) s)" \
    test "$again" = "$qdir" -a $((SECONDS - start)) -le 10
sha=$(json_val "$qdir/build-info.json" 'd["series_sha256"]')
check "build-info.json names the source, the series and its patches" \
    test "$(json_val "$qdir/build-info.json" 'd["source_version"].startswith("1:7.2+dfsg") and len(d["patches"]) == 5 and "log,simple" in d["configure"]')" = True
check "qemu --version says siokit-<series hash>" \
    sh -c "'$q' --version | head -n 1 | grep -q '(siokit-${sha:0:12})'"
check "qemu-info.sh describes the patched build" \
    test "$("$src/qemu-patches/qemu-info.sh" --qemu "$q" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["patched"] and d["build_info"]["series_sha256"])')" = "$sha"
if [ -x /usr/bin/qemu-system-x86_64 ]; then
    check "qemu-info.sh says Debian's stock QEMU is not patched (the fallback)" \
        test "$("$src/qemu-patches/qemu-info.sh" --qemu /usr/bin/qemu-system-x86_64 | python3 -c 'import json,sys; print(json.load(sys.stdin)["patched"])')" = False
fi

# A patch that does not apply: exit 1, its name, nothing installed.
cp -r "$src/qemu-patches" "$tmp/qp"
printf -- '--- a/VERSION\n+++ b/VERSION\n@@ -1 +1 @@\n-0.0.1\n+0.0.2\n' >"$tmp/qp/9999-broken.patch"
echo 9999-broken.patch >>"$tmp/qp/series"
"$tmp/qp/build-qemu.sh" --quiet --out "$tmp/out" --link "$tmp/link" >/dev/null 2>"$tmp/bad.err"
rc=$?
check "a patch that does not apply: exit 1 naming it (exit $rc)" \
    sh -c "test $rc -eq 1 && grep -q 'patch 9999-broken.patch does not apply' '$tmp/bad.err'"
check "... and nothing is installed or linked" \
    sh -c "test ! -e '$tmp/link' && test -z \"\$(ls '$tmp/out' 2>/dev/null | grep -v '^src$')\""

# ---- a guest, recording three ways -----------------------------------------
vmid=11
printf '%s\n' vtd_iotlb_page_hit vtd_iotlb_page_update vtd_slpte_fetch \
    'vtd_iotlb_cc_*' 'vtd_sk_*' >"$tmp/events"
"$vw" --vmtype client --vmid $vmid --action launch --nics 2 --json --qemu "$q" \
    --qemu-arg -L --qemu-arg /usr/share/seabios --qemu-arg -L --qemu-arg /usr/share/qemu \
    --qemu-arg -L --qemu-arg /usr/lib/ipxe/qemu \
    --qemu-arg -trace --qemu-arg "events=$tmp/events,file=$tmp/vtd.simple" \
    --qemu-arg -global --qemu-arg "intel-iommu.x-siokit-log=$tmp/vtd.bin" \
    >"$tmp/launch.json" 2>"$tmp/launch.err" &
launcher=$!
tap_cleanup_pid $! 300
if ! tap_wait_for $launcher 300 "$tmp/launch.json" '"ssh_port"'; then
    tap_bail "the guest did not boot under the patched QEMU: $(cat "$tmp/launch.err")"
fi
ok "a client guest boots under the patched QEMU with all three recordings on"

# Each test NIC: up with the address its user-mode network forwards to, an
# iperf3 server bound to it, 2 s of traffic from the host through its
# forwarded port (with -n, iperf3 ends before user-mode networking has
# delivered the bytes, and the server reports less).
for i in 0 1; do
    mac=$(printf '52:54:00:62:%02x:%02x' $vmid $i)
    port=$(json_val "$tmp/launch.json" "d['nic_ports'][$i]")
    addr=$(nic_addr "$(json_val "$src/build/vms/client-$vmid/vm.json" "d['pid']")" $i)
    "$vw" --vmtype client --vmid $vmid --action exec -- sh -c "
        for d in /sys/class/net/*; do [ \"\$(cat \$d/address)\" = $mac ] && dev=\${d##*/}; done
        ip addr add $addr/24 dev \$dev 2>/dev/null; ip link set \$dev up &&
        iperf3 -s -1 -D --bind-dev \$dev" >/dev/null 2>"$tmp/exec.err"
    sleep 0.5
    timeout 120 iperf3 -c 127.0.0.1 -p "$port" -t 2 -J >"$tmp/iperf$i.json" 2>&1
    check "iperf3 through test NIC $i (behind the vIOMMU) moves data" \
        test "$(json_val "$tmp/iperf$i.json" "d['end']['sum_received']['bytes'] > 1000000" 2>/dev/null)" = True
done
"$vw" --vmtype client --vmid $vmid --action poweroff
wait $launcher
qlog=$src/build/vms/client-$vmid/qemu.log
check "at exit the binary log is complete (renamed from .part)" \
    test -s "$tmp/vtd.bin" -a ! -e "$tmp/vtd.bin.part"

# ---- the three logs agree ----------------------------------------------------
python3 "$src/tests/qemu_log_check.py" "$qlog" "$tmp/vtd.bin" >"$tmp/check.json"
check "the log backend's lines and the binary log agree (walks end in the translation's result, same translations)" \
    test "$(json_val "$tmp/check.json" 'd["errors"]')" = "[]"
[ "$(json_val "$tmp/check.json" 'd["errors"]')" = "[]" ] || json_val "$tmp/check.json" 'd["errors"]' | sed 's/^/# /'
check "translations were recorded: hits, walks of slpte fetches, context-cache events" \
    test "$(json_val "$tmp/check.json" 'd["counts"]["page_hit"] > 0 and d["counts"]["page_update"] > 0 and d["counts"]["walk_steps"] >= d["counts"]["page_update"] and d["counts"]["cc"] > 0')" = True
check "every test NIC's domain shows translations (two devices, two domains)" \
    test "$(json_val "$tmp/check.json" 'len(d["devices"]) == 2 and len({k.split("/")[1] for k in d["devices"]}) == 2')" = True
check "invalidation descriptors are recorded" \
    test "$(json_val "$tmp/check.json" 'd["counts"]["bin_invalidate"] > 0')" = True

# HyperSIO 1.0 lines, as HyperSIO's QEMU wrote them, read by trace-gen.
grep -E 'vtd_(iotlb_page_hit|iotlb_page_update|slpte_fetch|iotlb_cc_hit|iotlb_cc_update) ' "$qlog" >"$tmp/hs_0.txt"
"$tg" --strict --logs "$tmp/hs_0.txt" --tenants 2 --order orig -o "$tmp/hs.trace" --json >"$tmp/hs.json" 2>"$tmp/hs.err"
check "trace-gen --strict reads the HyperSIO-format lines as hypersio-1.0 (exit $?)" \
    test "$(json_val "$tmp/hs.json" 'd["logs"][0]["dialect"] == "hypersio-1.0" and d["malformed"] == 0 and d["tenant_count"] == 2')" = True
tr_bin=$("$tg" --strict --logs "$tmp/vtd.bin" --tenants 2 --order orig -o "$tmp/bin.trace" --json |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["logs"][0]["dialect"], d["translations"], d["malformed"])')
check "trace-gen reads the binary log (dialect siokit, same translation count as HyperSIO lines)" \
    test "$tr_bin" = "siokit $(json_val "$tmp/hs.json" 'd["translations"]') 0"
tr_simple=$("$tg" --strict --logs "$tmp/vtd.simple" -e "$qdir/trace-events-all" --tenants 2 -o "$tmp/simple.trace" --json 2>"$tmp/simple.err" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["malformed"], d["tenant_count"], d["translations"] > 0)')
check "trace-gen reads the simple backend's log with the build's trace-events-all" \
    test "$tr_simple" = "0 2 True"

tap_done
