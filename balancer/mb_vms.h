/* mb_vms.h - the VMs of one mem-balancer run: found, dropped, given back.
 *
 * A run's VMs are an array of MbVm in the order given (or vmwrapper's
 * order for every running VM).  A VM is never removed from the array: one
 * that stops answering is marked dropped (why, and when) and the policies
 * see only the others, so the records still name every VM of the run. */
#ifndef MB_VMS_H
#define MB_VMS_H

#include <glib.h>

#include "mb_vm.h"

/* Opens VM names[0..] under state_root (names NULL: every VM running
 * there), with the guest's statistics every poll_s seconds.  NULL with an
 * SK_ERROR_INPUT error when one is not running or does not answer, or
 * when names is NULL and none is running. */
GPtrArray *mb_vms_open(const char *state_root, char *const *names, unsigned poll_s,
                       GError **error);
/* The sum of the VMs' sizes (KiB). */
gint64 mb_vms_size(GPtrArray *vms);
/* Marks vm dropped at t seconds with error's message (which it reports as
 * `mem-balancer: dropped ...` on stderr) and frees error. */
void mb_vms_drop(MbVm *vm, double t, GError *error);
/* Puts the VMs not dropped in out[] (room for vms->len); returns how many. */
gsize mb_vms_live(GPtrArray *vms, MbVm **out);
/* Every VM gets its balloon set to its full size: a dropped VM too, should
 * it answer again (a QEMU that was stopped for a while), silently if it
 * does not.  A failure of a VM not dropped is reported on stderr; the
 * others are still given theirs. */
void mb_vms_restore(GPtrArray *vms);

#endif
