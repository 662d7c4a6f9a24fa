#!/bin/bash
# test_balancer_cli.sh - mem-balancer and mem-load refusing bad usage with
# one line and exit 2, no guest booted: missing or conflicting VM options,
# bad sizes, rates and intervals, VMs that are not running or whose state
# names a QMP socket nobody listens on; --help states the exit status.
# TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
mb=$build/bin/mem-balancer
ml=$build/bin/mem-load
# A state folder of our own, so no real VM of the checkout is touched.
export SIOKIT_HOME=$tmp/home
mkdir -p "$SIOKIT_HOME/build/vms"
touch "$SIOKIT_HOME/meson.build"

expect_error "no VM given" 2 'no VM given' "$mb"
expect_error "--all with --vm" 2 'exclude each other' "$mb" --all --vm client-0
expect_error "a VM name that is a path" 2 "bad VM name '../x'" "$mb" --vm ../x
expect_error "a VM given twice" 2 "given twice" "$mb" --vm a --vm a
expect_error "an unknown policy" 2 "unknown policy 'fair'" "$mb" --vm a --policy fair
expect_error "a tax rate above 1" 2 'option --tax-rate' "$mb" --vm a --tax-rate 1.5
expect_error "a tax rate that is no number" 2 'option --tax-rate' "$mb" --vm a --tax-rate nan
expect_error "a fractional size" 2 "bad size '1.5G'" "$mb" --vm a --floor 1.5G
expect_error "a size with two suffixes" 2 "bad size '1MB'" "$mb" --vm a --max-step 1MB
expect_error "a negative size" 2 "bad size '-5M'" "$mb" --vm a --reserve -5M
expect_error "no memory to share" 2 'option --memory: must be above 0' "$mb" --vm a --memory 0
expect_error "an interval of 0" 2 'option --interval' "$mb" --vm a --interval 0
expect_error "a duration that is no number" 2 'option --duration' "$mb" --vm a --duration 1h
expect_error "an extra argument" 2 "unexpected argument 'x'" "$mb" --vm a x
expect_error "an unknown option" 2 'Unknown option' "$mb" --vm a --bogus
expect_error "--listen on every address" 2 'loopback only' "$mb" --vm a --listen 0.0.0.0:9091
expect_error "--listen without a port" 2 'bad port' "$mb" --vm a --listen 127.0.0.1:
expect_error "--listen on port 0" 2 'bad port' "$mb" --vm a --listen 127.0.0.1:0
expect_error "--all with no VM running" 2 'no running VM' "$mb" --all
expect_error "a VM that is not running" 2 'client-7 is not running' "$mb" --vm client-7

# A VM whose recorded QEMU is gone: a state folder naming a dead pid.
sleep 0 & dead=$!
wait $dead
mkdir -p "$SIOKIT_HOME/build/vms/client-8"
printf '{"pid": %d, "nic_ports": [], "qmp": "%s"}\n' "$dead" "$tmp/none.sock" >"$SIOKIT_HOME/build/vms/client-8/vm.json"
expect_error "a VM whose QEMU has exited" 2 'client-8 is not running' "$mb" --vm client-8

"$mb" --help >"$tmp/help"
check "--help states the exit status" grep -q 'Exit status: 0 success, 1' "$tmp/help"
check "--help names the doc" grep -q 'docs/mem-balancer.md' "$tmp/help"

expect_error "mem-load: no load" 2 'usage: mem-load' "$ml"
expect_error "mem-load: an unknown load" 2 'usage: mem-load' "$ml" random 1M 2M
expect_error "mem-load: a bad size" 2 "bad size '1.5G'" "$ml" static 1.5G
expect_error "mem-load: mono LOW above HIGH" 2 'LOW must be below HIGH' "$ml" mono 200M 100M
"$ml" static 8M 1 >"$tmp/static"
check "mem-load static holds SIZE and reports it" grep -q 'held:8192$' "$tmp/static"
tap_done
