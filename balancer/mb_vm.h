/* mb_vm.h - one VM as mem-balancer sees it: its balloon through QMP.
 *
 * A VM launched by vmwrapper (direct QEMU) is found in vmwrapper's state
 * folder (build/vms/NAME/vm.json gives its QMP socket); its balloon is the
 * device vmwrapper --balloon adds, id "balloon0".  Each call connects to
 * the QMP socket, runs its commands and disconnects, so that vmwrapper's
 * own commands (status, poweroff) still get the socket between intervals.
 * A libvirt domain (vmwrapper --backend libvirt) is reached through the
 * libvirt connection its launcher recorded instead (mb_vm_libvirt.c): its
 * memory statistics and virDomainSetMemoryFlags().
 * No guest agent and no program in the guest: virtio-balloon's statistics
 * are the report, QMP `balloon` or libvirt the control. */
#ifndef MB_VM_H
#define MB_VM_H

#include <glib.h>

#include "bal_vm.h"

/* The balloon's QOM path. */
#define MB_BALLOON_PATH "/machine/peripheral/balloon0"

typedef struct MbVm {
    char *name;
    char *qmp;          /* the QMP socket (direct QEMU) */
    char *uri;          /* the libvirt connection (libvirt), else NULL */
    gpointer lv;        /* mb_vm_libvirt.c's state */
    int pid;            /* QEMU */
    BalVm b;            /* KiB; b.max from QEMU's base memory */
    gboolean stats;     /* the guest has reported statistics */
    /* The guest's own figures from the balloon statistics, KiB, -1 until
     * reported: MemTotal, MemFree and MemAvailable (libvirt: available,
     * unused, usable). */
    gint64 guest_total, guest_free, guest_available;
    char *dropped;      /* why the VM was dropped, or NULL while it takes part */
    double dropped_at;  /* seconds into the run */
} MbVm;

/* Finds VM `name` under state_root, reads its size and balloon and starts
 * the guest's statistics every poll_s seconds.  NULL with an
 * SK_ERROR_INPUT error when it is not running, not reachable or has no
 * balloon. */
MbVm *mb_vm_open(const char *state_root, const char *name, unsigned poll_s,
                 GError **error);
/* Reads the balloon's size and the guest's statistics into vm->b (used,
 * free, total).  FALSE with an error when the VM does not answer. */
gboolean mb_vm_sample(MbVm *vm, GError **error);
/* Sets the balloon target (KiB); vm->b.target on success. */
gboolean mb_vm_set_target(MbVm *vm, gint64 kib, GError **error);
void mb_vm_free(MbVm *vm);

/* The libvirt side (mb_vm_libvirt.c, or mb_vm_libvirt_none.c when built
 * without libvirt), same contracts as above; vm->uri and vm->name set. */
gboolean mb_vm_libvirt_open(MbVm *vm, unsigned poll_s, GError **error);
gboolean mb_vm_libvirt_sample(MbVm *vm, GError **error);
gboolean mb_vm_libvirt_set_target(MbVm *vm, gint64 kib, GError **error);
void mb_vm_libvirt_close(MbVm *vm);

#endif
