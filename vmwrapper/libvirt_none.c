/* libvirt_none.c - the libvirt backend of a vmwrapper built without libvirt
 * (meson -Dlibvirt=disabled, or libvirt-dev missing): it refuses, with the
 * reason, and the direct-QEMU backend is unaffected. */
#include "libvirt.h"

#include "sk_error.h"

Vm *vm_libvirt_launch(const VmSpec *s, const char *libvirt_dir, GError **error)
{
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "option --backend: this vmwrapper was built without libvirt "
                "(install libvirt-dev and reconfigure with -Dlibvirt=enabled)");
    return NULL;
}

gboolean vm_libvirt_wait(Vm *vm)
{
    return TRUE;
}

gboolean vm_libvirt_stop(Vm *vm, int timeout_ms, GError **error)
{
    return TRUE;
}

void vm_libvirt_cleanup(void)
{
}
