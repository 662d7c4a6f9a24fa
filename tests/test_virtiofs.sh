#!/bin/bash
# test_virtiofs.sh - virtio-fs under siokit's patched QEMU: the build's
# virtiofsd (started here, stopped by its pid) shares a folder with a client
# guest; the guest mounts it, reads, writes, creates, removes; the
# virtiofsd_fuse_request events (log backend on stderr, simple backend to a
# file) match those operations, and the vhost-user-fs device logs its
# start.  TAP output.
set -u
. "$(dirname "$0")/lib/tap.sh"
export SIOKIT_HOME=$src
vw=$build/bin/vmwrapper
vfsd=""
# stop_vfsd: virtiofsd leaves when QEMU closes its socket; SIGTERM does not
# reach it while it waits for a connection, so SIGKILL after 2 s.
stop_vfsd() {
    for i in $(seq 20); do kill -0 "$vfsd" 2>/dev/null || break; sleep 0.1; done
    kill -TERM "$vfsd" 2>/dev/null
    for i in $(seq 20); do kill -0 "$vfsd" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$vfsd" 2>/dev/null
    wait "$vfsd" 2>/dev/null
    vfsd=""
}
tap_at_exit '[ -z "$vfsd" ] || stop_vfsd'

qdir=$("$src/qemu-patches/build-qemu.sh" --quiet --link "$build/qemu" 2>"$tmp/build.err")
if [ $? -ne 0 ] || [ ! -x "$qdir/virtiofsd" ]; then
    tap_bail "build-qemu.sh failed: $(tail -n 3 "$tmp/build.err")"
fi

# The shared folder: a file to read (5000 bytes, not in the guest's cache).
mkdir "$tmp/share"
head -c 5000 /dev/urandom >"$tmp/share/in.bin"
echo virtiofsd_fuse_request >"$tmp/vfs-events"
"$qdir/virtiofsd" --socket-path="$tmp/vfs.sock" -o source="$tmp/share" -o cache=auto \
    --trace="events=$tmp/vfs-events,file=$tmp/vfs.simple" >"$tmp/vfs.out" 2>"$tmp/vfs.log" &
vfsd=$!
for i in $(seq 100); do [ -S "$tmp/vfs.sock" ] && break; sleep 0.1; done
check "virtiofsd starts with tracing on and listens" test -S "$tmp/vfs.sock"

vmid=12
echo 'vhost_user_fs_*' >"$tmp/q-events"
"$vw" --vmtype client --vmid $vmid --action launch --nics 0 --memory 1024 --json \
    --qemu "$qdir/qemu-system-x86_64" \
    --qemu-arg -L --qemu-arg /usr/share/seabios --qemu-arg -L --qemu-arg /usr/share/qemu \
    --qemu-arg -L --qemu-arg /usr/lib/ipxe/qemu \
    --qemu-arg -object --qemu-arg memory-backend-memfd,id=mem,size=1024M,share=on \
    --qemu-arg -numa --qemu-arg node,memdev=mem \
    --qemu-arg -chardev --qemu-arg "socket,id=vfs,path=$tmp/vfs.sock" \
    --qemu-arg -device --qemu-arg vhost-user-fs-pci,chardev=vfs,tag=share \
    --qemu-arg -trace --qemu-arg "events=$tmp/q-events,file=$tmp/q.simple" \
    >"$tmp/launch.json" 2>"$tmp/launch.err" &
launcher=$!
tap_cleanup_pid $! 300
if ! tap_wait_for $launcher 300 "$tmp/launch.json" '"ssh_port"'; then
    tap_bail "the guest did not boot with virtio-fs: $(cat "$tmp/launch.err")"
fi
ok "a client guest boots with a vhost-user-fs device"

g() { "$vw" --vmtype client --vmid $vmid --action exec -- "$@"; }
check "the guest mounts the share" g sh -c 'mkdir -p /mnt/share && mount -t virtiofs share /mnt/share'
sum=$(g md5sum /mnt/share/in.bin | cut -d' ' -f1)
check "the guest reads a host file byte for byte" test "$sum" = "$(md5sum <"$tmp/share/in.bin" | cut -d' ' -f1)"
g sh -c 'head -c 10000 /dev/urandom > /tmp/out.bin && dd if=/tmp/out.bin of=/mnt/share/out.bin bs=10000 count=1 2>/dev/null && sync'
check "a file the guest writes arrives on the host" \
    test "$(g md5sum /tmp/out.bin | cut -d' ' -f1)" = "$(md5sum <"$tmp/share/out.bin" | cut -d' ' -f1)"
g mkdir /mnt/share/newdir
check "a directory the guest makes appears" test -d "$tmp/share/newdir"
g cat /mnt/share/missing 2>/dev/null
g rm /mnt/share/out.bin
check "a file the guest removes is gone" test ! -e "$tmp/share/out.bin"
g umount /mnt/share
"$vw" --vmtype client --vmid $vmid --action poweroff
wait $launcher
stop_vfsd

# The events against what was done.
python3 - "$tmp/vfs.log" >"$tmp/fuse.txt" <<'EOF'
import re, sys
ev = re.compile(r'virtiofsd_fuse_request opcode (\d+) (\S+) unique (\d+) nodeid (0x[0-9a-f]+) '
                r'offset (0x[0-9a-f]+) size (\d+) result (-?\d+) out (\d+) latency_ns (\d+)')
rows = [m.groups() for m in map(ev.search, open(sys.argv[1])) if m]
uniq = {r[2] for r in rows}
print('events', len(rows))
print('unique_distinct', len(uniq) == len(rows))
print('latency_positive', all(int(r[8]) > 0 for r in rows))
ops = [r[1] for r in rows]
print('ops', ' '.join(sorted(set(ops))))
# the 5000-byte read: READs from offset 0 whose replies carry, beyond their
# 16-byte headers, the file's 5000 bytes (the only file read)
rd = [r for r in rows if r[1] == 'READ' and r[6] == '0']
print('read_5000', bool(rd) and sum(int(r[7]) - 16 for r in rd) == 5000
      and min(int(r[4], 16) for r in rd) == 0)
# the 10000-byte write: WRITEs to one node, offsets from 0, summing to 10000
w = [r for r in rows if r[1] == 'WRITE' and r[6] == '0']
nodes = {r[3] for r in w}
print('write_10000', len(nodes) == 1 and sum(int(r[5]) for r in w) == 10000
      and min(int(r[4], 16) for r in w) == 0)
print('create', any(r[1] == 'CREATE' and r[6] == '0' for r in rows))
print('mkdir', any(r[1] == 'MKDIR' and r[6] == '0' for r in rows))
print('unlink', any(r[1] == 'UNLINK' and r[6] == '0' for r in rows))
print('enoent', any(r[1] == 'LOOKUP' and r[6] == '-2' for r in rows))
print('init_first', rows[0][1] == 'INIT' if rows else False)
EOF
get() { sed -n "s/^$1 //p" "$tmp/fuse.txt"; }
check "virtiofsd logged one event per request ($(get events) events, distinct unique ids, INIT first)" \
    test "$(get unique_distinct)$(get init_first)" = TrueTrue -a "$(get events)" -gt 10
check "every event has a latency" test "$(get latency_positive)" = True
check "the 5000-byte file comes back in READs from offset 0 whose replies sum to 5000 data bytes" \
    test "$(get read_5000)" = True
check "the 10000-byte write is WRITEs to one node from offset 0 summing to 10000" test "$(get write_10000)" = True
check "CREATE, MKDIR and UNLINK succeeded (result 0)" \
    test "$(get create)$(get mkdir)$(get unlink)" = TrueTrueTrue
check "the missing file is a LOOKUP with result -2 (ENOENT)" test "$(get enoent)" = True
check "the simple backend wrote them too (from the process that serves requests)" \
    sh -c "test \$(stat -c %s '$tmp/vfs.simple') -gt 1000 && grep -q virtiofsd_fuse_request '$tmp/vfs.simple'"
qlog=$src/build/vms/client-$vmid/qemu.log
check "the vhost-user-fs device logged its realize and start" \
    sh -c "grep -q 'vhost_user_fs_realize tag share' '$qlog' && grep -q 'vhost_user_fs_start tag share' '$qlog'"

tap_done
