#!/bin/bash
# build-image.sh - builds a siokit guest image (Debian kernel + busybox
# initramfs) from Debian packages, unattended, and prints its directory.
#
# Usage: vmwrapper/image/build-image.sh --type l1|l2|client [--out DIR]
#            [--keys DIR] [--qemu PATH] [--force] [--quiet]
#
# The image directory is OUT/<type>-<key>: vmlinuz, initrd.img (cpio newc,
# gzip), host_key.pub (the guest's dropbear host key, OpenSSH format, to pin
# before the first connection), manifest.json, inputs (what the key hashes)
# and `complete`, written last.  <key> hashes every input: this folder's
# files, the type, the version of every package a file is copied from, the
# authorized key, the --qemu binary and, for l1, the embedded l2 image's key.
# An image that exists is printed at once; otherwise it is built in
# OUT/.tmp-<type>-<pid> and renamed into place.  OUT/<type> links to the
# newest.  Contents, /init contract and caching: docs/guest-images.md.
#
# Exit status: 0 image printed, 1 the build failed (one-line error on
# stderr), 2 bad usage.
set -eEuo pipefail
umask 022

prog=build-image
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
    cat <<EOF
Usage: $0 --type l1|l2|client [--out DIR] [--keys DIR] [--qemu PATH] [--force] [--quiet]

Builds a guest image from Debian packages and prints its directory.
  --type TYPE   l1 (nested host: QEMU, vfio, kvm, an embedded l2 image),
                l2 or client (iperf3, fio and dropbear only)
  --out DIR     image folder (default build/images, a link to
                \$SIOKIT_CACHE/images, \$SIOKIT_CACHE defaulting to ~/.cache/siokit)
  --keys DIR    SSH key folder; id_ed25519 is made if missing and becomes
                root's authorized key in the guest (default build/keys, a link
                to \$SIOKIT_CACHE/keys)
  --qemu PATH   l1 only: the qemu-system-x86_64 to embed (default Debian's)
  --force       rebuild even if the image exists
  --quiet       no progress lines
EOF
}
usage_error() { printf '%s: %s (see --help)\n' "$prog" "$1" >&2; exit 2; }

# Images and keys live in a cache outside the checkout (a fresh clone reuses
# them), reached through build/images and build/keys.
cache=${SIOKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/siokit}
type="" out="" keys="" qemu_arg="" force=0 quiet=0
while [ $# -gt 0 ]; do
    case $1 in
        --type|--out|--keys|--qemu)
            [ $# -ge 2 ] || usage_error "option '$1' needs an argument"
            case $1 in
                --type) type=$2 ;; --out) out=$2 ;; --keys) keys=$2 ;; --qemu) qemu_arg=$2 ;;
            esac
            shift 2 ;;
        --type=*) type=${1#*=}; shift ;;
        --out=*) out=${1#*=}; shift ;;
        --keys=*) keys=${1#*=}; shift ;;
        --qemu=*) qemu_arg=${1#*=}; shift ;;
        --force) force=1; shift ;;
        -q|--quiet) quiet=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage_error "unknown argument '$1'" ;;
    esac
done
case $type in
    l1|l2|client) ;;
    "") usage_error "--type is required" ;;
    *) usage_error "unknown image type '$type' (l1, l2 or client)" ;;
esac
[ -z "$qemu_arg" ] || [ "$type" = l1 ] || usage_error "--qemu is for l1 images only"
if [ -n "$qemu_arg" ]; then
    [ -x "$qemu_arg" ] && [ -f "$qemu_arg" ] || usage_error "--qemu '$qemu_arg' is not an executable file"
    qemu_arg=$(realpath "$qemu_arg")
fi

# Progress only on a terminal; errors always, on one line.
say() { if [ "$quiet" -eq 0 ] && [ -t 2 ]; then printf '%s: %s\n' "$prog" "$*" >&2; fi; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }

tmp=""
cleanup() {
    local rc=$?
    trap - ERR
    # Stop any pipeline still running (gzip, cpio) before removing its input.
    local j
    for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
    [ -n "$tmp" ] && rm -rf "$tmp"
    return $rc
}
trap cleanup EXIT
trap 'die "interrupted"' INT TERM HUP
# Unexpected failures: one line from the main shell (subshells just exit).
on_err() { [ "$BASHPID" = "$$" ] && die "command failed (line $1): $2"; exit 1; }
trap 'on_err $LINENO "$BASH_COMMAND"' ERR

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# ---- host tools --------------------------------------------------------------
tool_pkgs="kmod cpio gzip busybox-static dropbear-bin openssh-client openssh-sftp-server iperf3 fio python3"
[ "$type" = l1 ] && tool_pkgs="$tool_pkgs qemu-system-x86 qemu-system-data seabios ipxe-qemu"
missing=$( (dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $tool_pkgs 2>/dev/null || true) |
          awk '$2 == "ii" { print $1 }' | sort | comm -13 - <(printf '%s\n' $tool_pkgs | sort) | tr '\n' ' ')
if [ -n "${missing// /}" ]; then
    say "installing $missing"
    apt_log=$(mktemp)
    apt_install() {
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            $missing </dev/null >"$apt_log" 2>&1
    }
    if ! apt_install; then
        $sudo apt-get update -qq </dev/null >"$apt_log" 2>&1 || true
        if ! apt_install; then
            err=$(grep -E '^E:' "$apt_log" | head -n1)
            rm -f "$apt_log"
            die "missing package: apt-get install$missing failed${err:+: $err}"
        fi
    fi
    rm -f "$apt_log"
fi

# ---- folders, space, keys ------------------------------------------------------
# link_cache NAME: build/NAME -> $cache/NAME, unless build/NAME is a folder.
link_cache() {
    mkdir -p "$cache/$1" "$root/build" 2>/dev/null || die "cannot create '$cache/$1'"
    if [ ! -e "$root/build/$1" ] || [ -L "$root/build/$1" ]; then
        ln -sfn "$cache/$1" "$root/build/$1" || die "cannot link build/$1"
    fi
}
if [ -z "$out" ]; then
    link_cache images
    out=$root/build/images
fi
if [ -z "$keys" ]; then
    link_cache keys
    keys=$root/build/keys
fi
mkdir -p "$out/debs" 2>/dev/null || die "cannot create image folder '$out'"
out=$(cd "$out" && pwd)
debs=$out/debs

# Temporary folders of builds that died without cleaning up (kill -9).
for d in "$out"/.tmp-*-*; do
    [ -d "$d" ] || continue
    pid=${d##*-}
    kill -0 "$pid" 2>/dev/null || rm -rf "$d"
done
for f in "$debs"/.partial-*-*; do     # memos half-written by builds that died
    [ -f "$f" ] || continue
    kill -0 "${f##*-}" 2>/dev/null || rm -f "$f"
done

mkdir -p "$keys" 2>/dev/null && chmod 700 "$keys" || die "cannot create key folder '$keys'"
keys=$(cd "$keys" && pwd)
if [ ! -f "$keys/id_ed25519" ] || [ ! -f "$keys/id_ed25519.pub" ]; then
    say "creating the automation key $keys/id_ed25519"
    kt=$keys/.tmp-$$
    rm -rf "$kt"
    mkdir -m 700 "$kt"
    ssh-keygen -q -t ed25519 -N '' -C siokit -f "$kt/id_ed25519" </dev/null >/dev/null ||
        die "ssh-keygen failed to create $keys/id_ed25519"
    chmod 600 "$kt/id_ed25519"
    mv -f "$kt/id_ed25519.pub" "$keys/id_ed25519.pub"
    mv -f "$kt/id_ed25519" "$keys/id_ed25519"
    rmdir "$kt"
fi
authorized_key=$(head -n1 "$keys/id_ed25519.pub")
case $authorized_key in ssh-*) ;; *) die "'$keys/id_ed25519.pub' is not an OpenSSH public key" ;; esac

# need_space MB: fail unless OUT's file system has MB megabytes free.
need_space() {
    local free
    free=$(df -Pk "$out" | awk 'NR == 2 { print int($4 / 1024) }')
    [ "$free" -ge "$1" ] || die "no disk space in '$out': ${free} MB free, ${1} MB needed"
}

# ---- kernel package ------------------------------------------------------------
# linux-image-amd64 is a metapackage; its Depends names the real kernel.  The
# answer only changes with the apt lists, so it is remembered per lists state
# (apt-cache takes ~0.6 s a call here: its binary cache is disabled).
lists_state=$(stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* 2>/dev/null | sha256sum | cut -c1-16)
memo=$debs/.kernel-$lists_state
resolve_kernel() {
    kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
           awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    [ -n "$kpkg" ] || return 1
    kdeb=$(apt-get download --print-uris "$kpkg" 2>/dev/null | awk 'NR == 1 { print $2 }')
    [ -n "$kdeb" ]
}
if [ -s "$memo" ]; then
    read -r kpkg kdeb <"$memo"
else
    if ! resolve_kernel; then
        say "refreshing the package lists"
        $sudo apt-get update -qq </dev/null >/dev/null 2>&1 || true
        resolve_kernel || die "missing package: cannot resolve linux-image-amd64's kernel package"
        lists_state=$(stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* 2>/dev/null | sha256sum | cut -c1-16)
        memo=$debs/.kernel-$lists_state
    fi
    # Old memos go; a concurrent build's half-written one (.partial-*) does not.
    rm -f "$debs"/.kernel-*
    printf '%s %s\n' "$kpkg" "$kdeb" >"$debs/.partial-kernel-$$" && mv -f "$debs/.partial-kernel-$$" "$memo"
fi
kver=${kpkg#linux-image-}
kversion=${kdeb#"${kpkg}_"}
kversion=${kversion%_*.deb}
kversion=${kversion//%3a/:}

# ---- files taken from the host --------------------------------------------------
# Every binary with its ldd libraries and the dynamic loader; the packages
# these files come from (and their versions) go into the image key.
busybox=$(realpath /bin/busybox)
# fio: storage and virtio-fs tests.  Its libraries (ceph, gluster, rdma,
# icu ...) weigh five times the rest of an l2 image, so fio and the
# libraries only it needs go in a tarball that the guest unpacks on fio's
# first run (see "fio, unpacked on first use" below), not at every boot.
fio_bin=/usr/bin/fio
bins="/usr/sbin/dropbear /usr/bin/iperf3 $fio_bin /usr/bin/scp /usr/lib/openssh/sftp-server"
qemu_src="" qemu_mods="" firmware=""
if [ "$type" = l1 ]; then
    if [ -n "$qemu_arg" ]; then
        qemu_src=$qemu_arg
    else
        qemu_src=/usr/bin/qemu-system-x86_64
        # TCG as a loadable module: L2s fall back to it where KVM is missing.
        qemu_mods=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
    fi
    bins="$bins $qemu_src $qemu_mods"
    # What q35 + e1000e/virtio-net guests read: BIOS, option ROMs, -kernel loaders.
    for f in bios-256k.bin bios.bin kvmvapic.bin linuxboot.bin linuxboot_dma.bin \
             multiboot.bin multiboot_dma.bin pvh.bin vgabios-stdvga.bin \
             efi-e1000e.rom efi-e1000.rom efi-virtio.rom; do
        found=""
        for d in /usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu; do
            [ -f "$d/$f" ] && { found=$(realpath "$d/$f"); break; }
        done
        [ -n "$found" ] || die "missing firmware file $f (packages seabios, ipxe-qemu, qemu-system-data)"
        firmware="$firmware $found"
    done
fi
for b in $busybox $bins; do
    [ -f "$b" ] || die "missing file $b"
done
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is dynamically linked (install busybox-static)"
ldd_out=$(ldd $bins 2>&1) || die "ldd failed on: $bins"
if grep -q 'not found' <<<"$ldd_out"; then
    die "missing library: $(grep 'not found' <<<"$ldd_out" | head -n1 | awk '{ print $1 }')"
fi
# Library paths as the loader will look for them (symlinks kept by name).
lib_paths() { awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u; }
libs=$(lib_paths <<<"$ldd_out")
# The libraries that only fio needs (they go in its tarball).
other_libs=$(ldd ${bins//$fio_bin/} 2>&1 | lib_paths)
fio_libs=$(comm -23 <(ldd "$fio_bin" 2>&1 | lib_paths) <(echo "$other_libs"))

# Owner packages and their versions.  dpkg-query -S is the slow part, so the
# answer is remembered per file list and dpkg database state.
copied=$(realpath $busybox $bins $libs $firmware | sort -u)
dpkg_state=$( (echo "$copied"; stat -c '%s %Y' /var/lib/dpkg/status) | sha256sum | cut -c1-16)
owners_memo=$debs/.owners-$type-$dpkg_state
if [ -s "$owners_memo" ]; then
    owned=$(cat "$owners_memo")
else
    # dpkg knows some files under /lib, others under /usr/lib (merged /usr).
    candidates=$(awk '{ print } /^\/usr\/(lib|lib64|bin|sbin)\// { print substr($0, 5) }' <<<"$copied")
    owners=$(dpkg-query -S $candidates 2>/dev/null |
             sed -nE 's/^([^:, ]+)(:[a-z0-9]+)?: (\/.*)$/\1 \3/p' || true)
    # "package NAME VERSION" per owner package, "file PATH" per file no package owns.
    owned=$(awk -v copied="$copied" '
        { owner[$2] = $1 }
        END {
            n = split(copied, f, "\n")
            for (i = 1; i <= n; i++) {
                alt = f[i]; sub(/^\/usr/, "", alt)
                p = (f[i] in owner) ? owner[f[i]] : ((alt in owner) ? owner[alt] : "")
                if (p != "") print "pkg " p; else print "file " f[i]
            }
            print "pkg kmod"
        }' <<<"$owners" | sort -u)
    pkgs=$(awk '$1 == "pkg" { print $2 }' <<<"$owned")
    owned=$( (dpkg-query -W -f='package ${Package} ${Version}\n' $pkgs; grep '^file ' <<<"$owned" || true) | sort)
    rm -f "$debs"/.owners-"$type"-*
    printf '%s\n' "$owned" >"$debs/.partial-owners-$type-$$" &&
        mv -f "$debs/.partial-owners-$type-$$" "$owners_memo"
fi
pkg_versions=$(awk '$1 == "package" { print $2, $3 }' <<<"$owned")
unowned=$(awk '$1 == "file" { print $2 }' <<<"$owned")

# ---- key -------------------------------------------------------------------------
l2_dir="" l2_key=""
if [ "$type" = l1 ]; then
    # The embedded l2 image is built (or found) first; its key is an input.
    qflag=""; [ "$quiet" -eq 1 ] && qflag=--quiet
    l2_dir=$("$0" --type l2 --out "$out" --keys "$keys" $qflag) ||
        die "the embedded l2 image failed to build"
    l2_key=${l2_dir##*/l2-}
fi
script_hash=$(cd "$here" && find . -type f ! -name '*.md' | LC_ALL=C sort |
              xargs sha256sum | sha256sum | cut -c1-64)
inputs=$(
    echo "type $type"
    echo "scripts $script_hash"
    echo "kernel $kpkg $kversion"
    echo "$pkg_versions" | sed 's/^/package /'
    for f in $unowned; do echo "file $f $(sha256sum <"$f" | cut -c1-64)"; done
    [ -n "$qemu_arg" ] && echo "qemu $qemu_arg $(sha256sum <"$qemu_arg" | cut -c1-64)"
    [ -n "$l2_key" ] && echo "l2 $l2_key"
    echo "authorized_key $authorized_key"
)
key=$(printf '%s\n' "$inputs" | sha256sum | cut -c1-16)
name=$type-$key
image=$out/$name

# link_latest: OUT/<type> -> <type>-<key>, replaced atomically.
link_latest() {
    [ "$(readlink "$out/$type" 2>/dev/null)" = "$name" ] && return 0
    ln -sfn "$name" "$out/.$type.link.$$"
    mv -Tf "$out/.$type.link.$$" "$out/$type"
}

if [ "$force" -eq 0 ] && [ -f "$image/complete" ]; then
    link_latest
    echo "$image"
    exit 0
fi

# ================================ build ==========================================
start=$(date +%s.%N)
say "building $name (kernel $kver)"
need_space 500
tmp=$out/.tmp-$type-$$
rm -rf "$tmp"
mkdir -p "$tmp"

# ---- kernel: downloaded once into debs/, unpacked once into kernels/ -------------
if [ ! -f "$debs/$kdeb" ]; then
    say "downloading $kpkg $kversion"
    dl=$tmp/download
    mkdir -p "$dl"
    (cd "$dl" && apt-get download -q "$kpkg" </dev/null) >"$dl/log" 2>&1 ||
        die "missing package: apt-get download $kpkg failed: $(grep -E '^E:' "$dl/log" | head -n1)"
    got=$(cd "$dl" && ls -- *.deb 2>/dev/null | head -n1)
    [ -n "$got" ] || die "missing package: apt-get download $kpkg wrote no .deb"
    mv -f "$dl/$got" "$debs/$got"
    rm -rf "$dl"
    kdeb=$got
fi
kdir=$out/kernels/${kdeb%.deb}
if [ ! -f "$kdir/.complete" ]; then
    need_space 1000
    say "unpacking $kdeb"
    mkdir -p "$out/kernels"
    rm -rf "$kdir.tmp-$$"
    dpkg -x "$debs/$kdeb" "$kdir.tmp-$$" || { rm -rf "$kdir.tmp-$$"; die "dpkg -x $kdeb failed"; }
    # Debian's package has no modules.dep (its postinst runs depmod).
    depmod -b "$kdir.tmp-$$" "$kver" || { rm -rf "$kdir.tmp-$$"; die "depmod -b failed for $kver"; }
    touch "$kdir.tmp-$$/.complete"
    if ! mv -T "$kdir.tmp-$$" "$kdir" 2>/dev/null; then
        rm -rf "$kdir.tmp-$$"   # another build unpacked it meanwhile
    fi
    [ -f "$kdir/.complete" ] || die "cannot unpack $kdeb into $kdir"
fi
moddir=$kdir/lib/modules/$kver
[ -f "$kdir/boot/vmlinuz-$kver" ] || die "$kdeb has no boot/vmlinuz-$kver"

# ---- root file system ---------------------------------------------------------------
rootfs=$tmp/rootfs
mkdir -p "$rootfs"/usr/{bin,sbin,lib,lib64} "$rootfs"/{dev,proc,sys,tmp,run,mnt,root,var/log,etc/siokit}
ln -s usr/bin "$rootfs/bin"
ln -s usr/sbin "$rootfs/sbin"
ln -s usr/lib "$rootfs/lib"
ln -s usr/lib64 "$rootfs/lib64"
ln -s ../run "$rootfs/var/run"
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"

install_file() {   # SRC DEST-PATH-IN-ROOTFS: a regular file, never through a link
    mkdir -p "$(dirname "$rootfs$2")"
    rm -f "$rootfs$2"
    cp -L "$1" "$rootfs$2"
}
install_file "$busybox" /usr/bin/busybox
# Applet links (busybox knows where each applet lives).
"$busybox" --list-full | while read -r a; do
    case $a in */busybox|linuxrc|"") continue ;; esac
    mkdir -p "$rootfs/$(dirname "$a")"
    ln -sf /usr/bin/busybox "$rootfs/$a"
done
for b in $bins; do
    case $b in
        "$qemu_src") install_file "$b" /usr/bin/qemu-system-x86_64 ;;
        "$fio_bin") ;;
        *) install_file "$b" "$b" ;;
    esac
done
ln -sf openssh/sftp-server "$rootfs/usr/lib/sftp-server"   # dropbear's sftp path
for l in $libs; do
    grep -qxF "$l" <<<"$fio_libs" || install_file "$l" "$l"
done

# ---- fio, unpacked on first use -------------------------------------------------------
# /usr/lib/siokit/fio.tar.gz holds fio and the libraries only it needs
# (flat: fio, lib/*); /usr/bin/fio unpacks it into /run/fio once (into a
# temporary folder renamed into place, so concurrent first runs are safe)
# and runs it with those libraries first on the library path.
ftmp=$tmp/fio
mkdir -p "$ftmp/lib" "$rootfs/usr/lib/siokit"
cp -L "$fio_bin" "$ftmp/fio"
for l in $fio_libs; do cp -L "$l" "$ftmp/lib/"; done
(cd "$ftmp" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
     tar -cf - --owner=0 --group=0 --no-recursion -T -) | gzip -6 >"$rootfs/usr/lib/siokit/fio.tar.gz"
rm -rf "$ftmp"
cat >"$rootfs/usr/bin/fio" <<'EOF'
#!/bin/sh
# fio - Debian's fio, unpacked from /usr/lib/siokit/fio.tar.gz on first use.
d=/run/fio
if [ ! -x "$d/fio" ]; then
    t=$(mktemp -d /run/.fio.XXXXXX) || exit 1
    if tar -xzf /usr/lib/siokit/fio.tar.gz -C "$t" && mv -T "$t" "$d" 2>/dev/null; then :; fi
    rm -rf "$t"
    [ -x "$d/fio" ] || { echo "fio: cannot unpack /usr/lib/siokit/fio.tar.gz" >&2; exit 1; }
fi
LD_LIBRARY_PATH=$d/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec "$d/fio" "$@"
EOF
chmod 755 "$rootfs/usr/bin/fio"
# mem-load: xenmm's test loads for mem-balancer (plain C, linked statically).
mkdir -p "$rootfs/usr/bin"
${CC:-cc} -static -O2 -o "$rootfs/usr/bin/mem-load" "$here/mem-load.c" ||
    die "cannot build mem-load (a C compiler and libc6-dev are needed)"
if [ "$type" = l1 ]; then
    for f in $firmware; do install_file "$f" "/usr/share/qemu/${f##*/}"; done
    mkdir -p "$rootfs/usr/local/share"
    ln -s /usr/share/qemu "$rootfs/usr/local/share/qemu"   # a --qemu build's default datadir
fi

# ---- kernel modules, in dependency order from modules.dep -----------------------------
mods="virtio_pci virtio_net e1000e af_packet fuse virtiofs 9pnet_virtio 9p button evdev nvme virtio_blk virtio_balloon"
[ "$type" = l1 ] && mods="$mods irqbypass kvm ccp kvm_amd kvm_intel vfio vfio_iommu_type1 vfio_pci"
declare -A mod_file=() seen=()
while IFS=: read -r path _; do
    b=${path##*/}; b=${b%%.ko*}; b=${b//-/_}
    mod_file[$b]=$path
done <"$moddir/modules.dep"
order=()
visit() {   # depth first: a module's dependencies before the module
    local path=$1 dep
    [ -n "${seen[$path]:-}" ] && return 0
    seen[$path]=1
    for dep in $(awk -v p="$path" -F: '$1 == p { print $2; exit }' "$moddir/modules.dep"); do
        visit "$dep"
    done
    order+=("$path")
}
builtin_mods=""
for m in $mods; do
    p=${mod_file[${m//-/_}]:-}
    if [ -z "$p" ]; then
        grep -Eq "/${m//_/[-_]}\.ko" "$moddir/modules.builtin" ||
            die "module $m not found for kernel $kver"
        builtin_mods="$builtin_mods $m"
        continue
    fi
    visit "$p"
done
mdest=$rootfs/lib/modules/$kver
mkdir -p "$mdest"
: >"$rootfs/etc/siokit/modules"
mod_names=()
for p in "${order[@]}"; do
    mkdir -p "$mdest/$(dirname "$p")"
    case $p in
        *.ko.xz)  xz -dc "$moddir/$p" >"$mdest/${p%.xz}"; p=${p%.xz} ;;
        *.ko.zst) zstd -qdc "$moddir/$p" >"$mdest/${p%.zst}"; p=${p%.zst} ;;
        *)        cp "$moddir/$p" "$mdest/$p" ;;
    esac
    b=${p##*/}; b=${b%.ko}; b=${b//-/_}
    echo "$b $p" >>"$rootfs/etc/siokit/modules"
    echo "$p" >>"$mdest/modules.order"
    mod_names+=("$b")
done
cp "$moddir/modules.builtin" "$moddir/modules.builtin.modinfo" "$mdest/"
# modules.dep of this subset, for modprobe inside the guest.
depmod -b "$rootfs" "$kver" || die "depmod -b failed on the image's modules"

# ---- configuration ---------------------------------------------------------------------
cp -R "$here/rootfs/." "$rootfs/"
chmod 755 "$rootfs/init" "$rootfs/etc/udhcpc/default.script" "$rootfs/etc/acpi/PWRF/00000080"
cat >"$rootfs/etc/siokit/image" <<EOF
IMAGE_TYPE=$type
IMAGE_KEY=$key
KVER=$kver
EOF
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' >"$rootfs/etc/group"
printf '/bin/sh\n/bin/ash\n' >"$rootfs/etc/shells"
printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
mkdir -m 700 "$rootfs/root/.ssh"
echo "$authorized_key" >"$rootfs/root/.ssh/authorized_keys"
chmod 600 "$rootfs/root/.ssh/authorized_keys"

# dropbear host key: made here, so the host can pin it before the first boot.
mkdir -p "$rootfs/etc/dropbear"
dropbearkey -t ed25519 -f "$rootfs/etc/dropbear/dropbear_ed25519_host_key" >/dev/null 2>&1 ||
    die "dropbearkey failed to make the host key"
dropbearkey -y -f "$rootfs/etc/dropbear/dropbear_ed25519_host_key" 2>/dev/null |
    awk '/^ssh-/ { print $1, $2; exit }' >"$tmp/host_key.pub"
[ -s "$tmp/host_key.pub" ] || die "dropbearkey -y printed no public key"
host_fp=$(ssh-keygen -lf "$tmp/host_key.pub" | awk '{ print $2 }')

if [ "$type" = l1 ]; then
    mkdir -p "$rootfs/images/l2"
    cp "$l2_dir/vmlinuz" "$l2_dir/initrd.img" "$l2_dir/host_key.pub" "$l2_dir/manifest.json" \
        "$rootfs/images/l2/"
fi

# ---- the image -----------------------------------------------------------------------
cp "$kdir/boot/vmlinuz-$kver" "$tmp/vmlinuz"
rootfs_bytes=$(du -sb "$rootfs" | cut -f1)
nfiles=$(cd "$rootfs" && find . | wc -l)
(cd "$rootfs" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
    gzip -6 >"$tmp/initrd.img"
rm -rf "$rootfs"
printf '%s\n' "$inputs" >"$tmp/inputs"
end=$(date +%s.%N)

python3 - "$tmp/manifest.json" <<EOF
import json, os, sys
tmp = "$tmp"
def lines(s): return [l for l in s.splitlines() if l.strip()]
m = {
    "type": "$type",
    "key": "$key",
    "kernel": {"package": "$kpkg", "version": "$kversion", "release": "$kver"},
    "packages": dict(l.split(" ", 1) for l in lines("""$pkg_versions""")),
    "modules": "${mod_names[*]}".split(),
    "builtin_modules": "$builtin_mods".split(),
    "qemu": ("$qemu_src" or None),
    "l2_key": ("$l2_key" or None),
    "sizes": {
        "vmlinuz": os.path.getsize(tmp + "/vmlinuz"),
        "initrd": os.path.getsize(tmp + "/initrd.img"),
        "rootfs": $rootfs_bytes,
        "rootfs_files": $nfiles,
    },
    "build_seconds": round($end - $start, 2),
    "built_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
    "host_key": {"type": "ssh-ed25519", "fingerprint": "$host_fp",
                 "public": open(tmp + "/host_key.pub").read().strip()},
    "authorized_key": """$authorized_key""",
}
with open(sys.argv[1], "w") as f:
    json.dump(m, f, indent=2)
    f.write("\n")
EOF
date -u +%Y-%m-%dT%H:%M:%SZ >"$tmp/complete"

# ---- publish ------------------------------------------------------------------------
if [ -d "$image" ] && { [ "$force" -eq 1 ] || [ ! -f "$image/complete" ]; }; then
    # --force, or an incomplete leftover: move the old one aside first.  A
    # complete image that a concurrent build published meanwhile stays: a VM
    # may already be booting from it and pinning its host key.
    mv -T "$image" "$out/.old-$name-$$"
    rm -rf "$out/.old-$name-$$"
fi
if [ -f "$image/complete" ] && [ "$force" -eq 0 ]; then
    rm -rf "$tmp"   # the concurrent build's image is used
elif ! mv -T "$tmp" "$image" 2>/dev/null; then
    # A concurrent build of the same inputs won the race: use its image.
    [ -f "$image/complete" ] || die "cannot rename $tmp to $image"
fi
tmp=""
link_latest
say "$name: initrd $(stat -c %s "$image/initrd.img") bytes, $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')s"
echo "$image"
