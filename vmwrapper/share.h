/* share.h - virtio-fs sharing of a host folder with a guest (VmSpec.share).
 *
 * The launcher starts virtiofsd with its socket in the VM's state folder
 * (virtiofs.sock, messages in virtiofsd.log); it dies with the launcher
 * (PR_SET_PDEATHSIG) and normally exits by itself when QEMU closes the
 * socket.  The guest mounts tag "share" at /mnt/share at boot
 * (siokit.virtiofs=share on its kernel command line). */
#ifndef VM_SHARE_H
#define VM_SHARE_H

#include "vm.h"

/* QEMU's arguments: memfd shared memory, the vhost-user-fs device (not
 * behind the vIOMMU: QEMU refuses iommu_platform for it); none without
 * s->share. */
void vm_share_args(const VmSpec *s, const Vm *vm, GPtrArray *a);
/* Starts virtiofsd for s->share (vm->fs_pid); returns once its socket is
 * there.  Exit status 2 (SK_ERROR_INPUT) for a share that is no folder. */
gboolean vm_share_start(const VmSpec *s, Vm *vm, GError **error);
/* Reaps virtiofsd, or stops it (SIGTERM, then SIGKILL) by pid. */
void vm_share_stop(Vm *vm);

#endif
