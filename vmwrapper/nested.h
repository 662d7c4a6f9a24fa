/* nested.h - L2 guests inside a running L1, HyperSIO's topology.
 *
 * L2 k gets L1's test NIC k through VFIO (unbound from its driver, bound to
 * vfio-pci) and runs under KVM inside L1 (L1's -cpu max exposes SVM), from
 * the L2 image embedded in L1's initramfs.  Its SSH is L1's port
 * VM_L2_SSH_BASE + k, which L1's launch forwarded from a host port on
 * 127.0.0.1, and is pinned to the L2 image's host key.  When prepare-vm
 * made L2 k a data disk for this L1 (vm_prepare_l2_disk()), L1 carries it
 * as an NVMe (serial siokit-l2-k) behind L0's vIOMMU, and L2 k gets that
 * NVMe through VFIO too (/dev/nvme0n1 in L2).  Everything in L1 is done
 * over SSH with quoted arguments. */
#ifndef VM_NESTED_H
#define VM_NESTED_H

#include "vm.h"

/* Starts L2 `id` in the running L1 `l1` and waits until its SSH answers.
 * l2_image is the host folder of the L2 image L1 embeds (for its host
 * key).  On failure nothing is left running in L1. */
Vm *vm_launch_l2(const char *state_root, const Vm *l1, unsigned id,
                 const char *l2_image, unsigned memory_mb,
                 int ready_timeout_ms, GError **error);
/* TRUE while L2's QEMU runs in its L1. */
gboolean vm_l2_alive(const Vm *l1, unsigned id);
/* Stops L2's QEMU in L1 (SIGTERM, then SIGKILL after timeout_ms) and
 * forgets its state. */
gboolean vm_stop_l2(Vm *l2, const Vm *l1, unsigned id, int timeout_ms,
                    GError **error);

#endif
