#!/bin/bash
# qemu-info.sh - says which QEMU a run uses and what it can record: siokit's
# patched build (build/qemu, see build-qemu.sh) when there is one, else
# Debian's stock qemu-system-x86_64 (the fallback).  Prints one JSON object
# for a run's manifest, or with --path just the binary.
#
# Exit status: 0 printed, 1 no usable QEMU, 2 bad usage.
set -euo pipefail

prog=qemu-info
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() {
    cat <<EOF
Usage: $0 [--qemu PATH] [--path]

Prints, as one JSON object, the QEMU a run would use and which recording
modes it has: {"path", "version", "patched", "modes": [...], "build_info"}.
  --qemu PATH   describe this binary (default: BUILD/qemu/qemu-system-x86_64
                when it exists, else qemu-system-x86_64 on PATH)
  --path        print only the binary's path
EOF
}
usage_error() { printf '%s: %s (see --help)\n' "$prog" "$1" >&2; exit 2; }

qemu="" only_path=0
while [ $# -gt 0 ]; do
    case $1 in
        --qemu) [ $# -ge 2 ] || usage_error "option '--qemu' needs an argument"; qemu=$2; shift 2 ;;
        --qemu=*) qemu=${1#*=}; shift ;;
        --path) only_path=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unexpected argument '$1'" ;;
    esac
done

if [ -z "$qemu" ]; then
    patched=${MESON_BUILD_ROOT:-$root/build}/qemu/qemu-system-x86_64
    if [ -x "$patched" ]; then
        qemu=$patched
    else
        qemu=$(command -v qemu-system-x86_64 || true)
    fi
fi
[ -n "$qemu" ] && [ -x "$qemu" ] ||
    { printf '%s: no qemu-system-x86_64 (build one with qemu-patches/build-qemu.sh or install qemu-system-x86)\n' "$prog" >&2; exit 1; }
qemu=$(readlink -f "$qemu")
if [ "$only_path" = 1 ]; then
    echo "$qemu"
    exit 0
fi

version=$("$qemu" --version 2>/dev/null | head -n 1) ||
    { printf "%s: '%s' does not run\n" "$prog" "$qemu" >&2; exit 1; }
info=$(dirname "$qemu")/build-info.json
case $version in
    *"(siokit-"*)
        patched=true
        modes='["hypersio-text", "simple", "siokit-binary"]'
        [ -f "$info" ] && build_info=$(cat "$info") || build_info=null ;;
    *)
        patched=false
        modes='["qemu-7.2-text"]'
        build_info=null ;;
esac
version=${version//\\/\\\\}
version=${version//\"/\\\"}
printf '{"path": "%s", "version": "%s", "patched": %s, "modes": %s, "build_info": %s}\n' \
    "$qemu" "$version" "$patched" "$modes" "$build_info"
