/* mb_vm_libvirt_none.c - libvirt domains when siokit was built without libvirt. */
#include "mb_vm.h"

#include "sk_error.h"

gboolean mb_vm_libvirt_open(MbVm *vm, unsigned poll_s, GError **error)
{
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "vm %s: a libvirt domain, and mem-balancer was built without libvirt", vm->name);
    return FALSE;
}

gboolean mb_vm_libvirt_sample(MbVm *vm, GError **error)
{
    return FALSE;
}

gboolean mb_vm_libvirt_set_target(MbVm *vm, gint64 kib, GError **error)
{
    return FALSE;
}

void mb_vm_libvirt_close(MbVm *vm)
{
}
