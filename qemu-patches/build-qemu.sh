#!/bin/bash
# build-qemu.sh - fetches Debian's QEMU source, applies Debian's patches and
# siokit's series (qemu-patches/series), builds qemu-system-x86_64 and
# virtiofsd with the log and simple trace backends, and prints the folder.
#
# The build lives in $SIOKIT_CACHE/qemu/<key> (default ~/.cache/siokit),
# <key> hashing every input: the source version, the series and its
# patches, the configure line and this script.  BUILD/qemu links to it
# (BUILD = $MESON_BUILD_ROOT under `meson compile qemu`, else build/).  A
# build whose key exists is not redone.  Docs: docs/qemu-patches.md.
#
# Exit status: 0 built (or found) and printed, 1 the fetch, a patch or the
# build failed (one line naming it on stderr, the log's tail after it),
# 2 bad usage.
set -eEuo pipefail
umask 022

prog=build-qemu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

usage() {
    cat <<EOF
Usage: $0 [--out DIR] [--link PATH] [--jobs N] [--force] [--print-key] [--quiet]

Builds siokit's patched QEMU (Debian's qemu source + qemu-patches/series)
and prints the folder holding qemu-system-x86_64, virtiofsd,
trace-events-all and build-info.json.
  --out DIR     where builds go (default \$SIOKIT_CACHE/qemu, \$SIOKIT_CACHE
                defaulting to ~/.cache/siokit); Debian's source files are
                kept in \$SIOKIT_CACHE/qemu/src whatever --out says
  --link PATH   symlink to point at the build (default BUILD/qemu)
  --jobs N      parallel compile jobs (default 2)
  --force       rebuild even if a build with the same key exists
  --print-key   print the key of the inputs and exit (needs the source
                version: apt-cache must know Debian's qemu source)
  --quiet       no progress lines
EOF
}
usage_error() { printf '%s: %s (see --help)\n' "$prog" "$1" >&2; exit 2; }
fail() { printf '%s: %s\n' "$prog" "$1" >&2; exit 1; }
say() { [ "$quiet" = 1 ] || printf '%s: %s\n' "$prog" "$*" >&2; }

cache=${SIOKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/siokit}
out="" link="" jobs=2 force=0 quiet=0 print_key=0
while [ $# -gt 0 ]; do
    case $1 in
        --out|--link|--jobs)
            [ $# -ge 2 ] || usage_error "option '$1' needs an argument"
            case $1 in
                --out) out=$2 ;; --link) link=$2 ;; --jobs) jobs=$2 ;;
            esac
            shift 2 ;;
        --out=*) out=${1#*=}; shift ;;
        --link=*) link=${1#*=}; shift ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        --force) force=1; shift ;;
        --print-key) print_key=1; shift ;;
        --quiet|-q) quiet=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unexpected argument '$1'" ;;
    esac
done
case $jobs in ''|*[!0-9]*|0) usage_error "--jobs needs a positive number, not '$jobs'" ;; esac
out=${out:-$cache/qemu}
link=${link:-${MESON_BUILD_ROOT:-$root/build}/qemu}

# The configure line (documented in docs/qemu-patches.md).  --with-pkgversion
# is added below: it names the series, so `qemu-system-x86_64 --version`
# tells a siokit build from Debian's.
configure_args="--target-list=x86_64-softmmu --without-default-features
--enable-kvm --enable-tcg --enable-slirp --enable-fdt=system
--enable-trace-backends=log,simple --disable-docs --disable-werror
--enable-virtiofsd --enable-vhost-user --enable-seccomp --enable-cap-ng"
configure_args=$(echo $configure_args)

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Debian's source package needs a deb-src entry; add one, for the suites
# of the system's own deb entries, when apt knows none.
has_qemu_source() {
    local out
    out=$(apt-cache showsrc qemu 2>/dev/null) || return 1
    case $out in *"Version: "*) return 0 ;; esac
    return 1
}
ensure_deb_src() {
    if has_qemu_source; then
        return
    fi
    local suite
    suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    say "adding a deb-src entry for $suite (/etc/apt/sources.list.d/siokit-deb-src.sources)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb-src\nURIs: http://deb.debian.org/debian-security\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$suite" "$suite" "$suite" |
        $sudo tee /etc/apt/sources.list.d/siokit-deb-src.sources >/dev/null
    $sudo apt-get update -qq || fail "apt-get update failed after adding deb-src"
    has_qemu_source ||
        fail "apt knows no source package 'qemu' even with deb-src"
}

# The highest version of the qemu source package apt offers.
source_version() {
    local v best=""
    for v in $(apt-cache showsrc qemu | sed -n 's/^Version: //p'); do
        if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
    done
    echo "$best"
}

# The series: patch names, one a line, '#' comments allowed.
patches=()
while read -r line; do
    line=${line%%#*}
    line=$(echo $line)
    [ -n "$line" ] || continue
    [ -f "$here/$line" ] || fail "series names '$line', which is not in qemu-patches/"
    patches+=("$line")
done < "$here/series"

series_sha=$( { cat "$here/series"; for p in "${patches[@]}"; do cat "$here/$p"; done; } |
              sha256sum | cut -c1-64)
pkgversion=siokit-${series_sha:0:12}
configure_line="$configure_args --with-pkgversion=$pkgversion"

ensure_deb_src
version=$(source_version)
[ -n "$version" ] || fail "cannot tell the version of Debian's qemu source"

key=$( { echo "source $version"; echo "series $series_sha"; echo "configure $configure_line";
         cat "$here/build-qemu.sh"; } | sha256sum | cut -c1-16)
if [ "$print_key" = 1 ]; then
    echo "$key"
    exit 0
fi

dest=$out/$key
make_link() {
    mkdir -p "$(dirname "$link")"
    ln -sfn "$dest" "$link.tmp.$$"
    mv -T "$link.tmp.$$" "$link"
}
if [ "$force" = 0 ] && [ -f "$dest/complete" ]; then
    make_link
    say "up to date: $dest"
    echo "$dest"
    exit 0
fi

mkdir -p "$out"
work=$out/.tmp-$key-$$
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
log=$work/build.log

# Debian's source, kept per version (apt-get source unpacks it and applies
# Debian's own quilt series).
srcdl=$cache/qemu/src/$version
if [ ! -f "$srcdl/complete" ]; then
    say "fetching Debian's qemu $version source"
    rm -rf "$srcdl.tmp.$$"
    mkdir -p "$srcdl.tmp.$$"
    (cd "$srcdl.tmp.$$" && apt-get source --download-only -qq "qemu=$version") >>"$log" 2>&1 ||
        { tail -n 5 "$log" >&2; fail "apt-get source qemu=$version failed"; }
    touch "$srcdl.tmp.$$/complete"
    rm -rf "$srcdl"
    mv "$srcdl.tmp.$$" "$srcdl"
fi
say "unpacking with Debian's patches"
dsc=$(ls "$srcdl"/*.dsc | head -n 1)
dpkg-source --no-check -x "$dsc" "$work/src" >>"$log" 2>&1 ||
    { tail -n 5 "$log" >&2; fail "dpkg-source -x $(basename "$dsc") failed"; }

for p in "${patches[@]}"; do
    say "applying $p"
    if ! out_p=$(cd "$work/src" && patch -p1 --forward --batch --no-backup-if-mismatch < "$here/$p" 2>&1); then
        printf '%s\n' "$out_p" | grep -v '^patching file' | head -n 5 >&2
        fail "patch $p does not apply"
    fi
done

say "configuring"
mkdir -p "$work/build"
# shellcheck disable=SC2086
(cd "$work/build" && ../src/configure $configure_args "--with-pkgversion=$pkgversion") >>"$log" 2>&1 ||
    { grep -E 'ERROR|error' "$log" | tail -n 5 >&2; fail "configure failed (log: $log)"; }

say "building qemu-system-x86_64, virtiofsd (ninja -j$jobs, a few minutes)"
if ! (cd "$work/build" && nice ninja -j"$jobs" qemu-system-x86_64 tools/virtiofsd/virtiofsd \
        trace/trace-events-all) >>"$log" 2>&1; then
    grep -E 'error|FAILED' "$log" | head -n 8 >&2
    trap - EXIT
    fail "build failed (full log: $log)"
fi

say "installing into $dest"
stage=$work/out
mkdir -p "$stage"
cp "$work/build/qemu-system-x86_64" "$work/build/tools/virtiofsd/virtiofsd" \
   "$work/build/trace/trace-events-all" "$stage/"
cp "$here/series" "$stage/series"
case $("$stage/qemu-system-x86_64" --version) in *"($pkgversion)"*) ;; *)
    fail "the built qemu-system-x86_64 does not say $pkgversion in --version" ;;
esac
{
    printf '{\n  "source_version": "%s",\n  "series_sha256": "%s",\n  "patches": [' "$version" "$series_sha"
    sep=""
    for p in "${patches[@]}"; do printf '%s"%s"' "$sep" "$p"; sep=", "; done
    printf '],\n  "configure": "%s",\n  "pkgversion": "%s",\n  "key": "%s",\n  "built": "%s"\n}\n' \
        "$configure_line" "$pkgversion" "$key" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$stage/build-info.json"
touch "$stage/complete"
rm -rf "$dest"
mv "$stage" "$dest"
make_link
say "built: $dest"
echo "$dest"
