/* libvirt.h - the libvirt backend: the same VM as vm_launch(), as a
 * transient libvirt domain (q35, <iommu model='intel'>, TCG, direct
 * kernel boot, the same user-mode NICs), with the same state folder.
 *
 * When no libvirtd answers, the launcher starts its own virtlogd and
 * libvirtd (system mode, in a private mount namespace whose /etc/libvirt,
 * /run/libvirt, /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt
 * are folders under build/libvirt/) and stops them, by pid, when it
 * exits. */
#ifndef VM_LIBVIRT_H
#define VM_LIBVIRT_H

#include "vm.h"

/* Defines and starts the domain, waits until SSH answers; on failure
 * nothing is left running. */
Vm *vm_libvirt_launch(const VmSpec *s, const char *libvirt_dir, GError **error);
/* Waits until the domain is gone (TRUE) or a stop signal (FALSE). */
gboolean vm_libvirt_wait(Vm *vm);
/* ACPI shutdown, destroy after timeout_ms; clears the VM's state. */
gboolean vm_libvirt_stop(Vm *vm, int timeout_ms, GError **error);
/* Destroys the domain this process started and stops the daemons it
 * started (also run at exit). */
void vm_libvirt_cleanup(void);

#endif
