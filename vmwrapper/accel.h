/* accel.h - which accelerator a guest of this host may use.
 *
 * KVM is used only where it is proven to boot a guest: /dev/kvm existing is
 * not enough (on these hosts it offers PVM, on which a stock Debian kernel
 * does not run).  The proof is a real boot of the image's kernel under
 * `-accel kvm` with no root file system: it must get as far as looking for
 * its root (and panic there, which ends QEMU with -no-reboot) within the
 * time limit.  The verdict is kept in a file, keyed by the host's boot id,
 * the QEMU binary and the kernel, so a host is probed once per boot. */
#ifndef VM_ACCEL_H
#define VM_ACCEL_H

#include <glib.h>

/* "kvm" when a probe boot of kernel under qemu with KVM succeeds (or did,
 * as cache_file says), else "tcg".  Never fails: anything that goes wrong
 * in the probe means TCG. */
const char *vm_accel_auto(const char *qemu, const char *kernel, const char *cache_file);

#endif
