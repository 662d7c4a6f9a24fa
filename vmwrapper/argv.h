/* argv.h - the command lines vmwrapper gives QEMU, built by pure functions:
 * a spec (and the VM's ports, names and disks, already found) in, an
 * argument vector out; nothing is read from disk, nothing is started.
 * vm_launch() and the libvirt backend use them; tests/test_vmargv.c checks
 * them.  vm.h declares the smaller pieces shared by the backends
 * (vm_net_args, vm_kernel_cmdline, vm_mgmt_mac, vm_test_mac,
 * vm_l2_disk_serial); vm_share_args is in share.h. */
#ifndef VM_ARGV_H
#define VM_ARGV_H

#include "vm.h"

/* The data disks of a VM, found by vm_disks_find() (disk.c). */
typedef struct VmDisks {
    char *data;         /* its own data disk (prepare-vm), or NULL */
    GPtrArray *l2;      /* L1: L2 k's disk for each test NIC k, or NULL */
} VmDisks;

/* The QEMU arguments of the disks in d (NVMe behind the vIOMMU). */
void vm_disk_args_of(const VmDisks *d, GPtrArray *a);

/* The whole QEMU command line of an l1 or client VM, NULL-terminated:
 * accelerator, machine and vIOMMU, console and QMP in the VM's folder,
 * kernel, NICs, disks, virtio-fs share, then s->extra. */
GPtrArray *vm_qemu_argv(const VmSpec *s, const Vm *vm, const VmDisks *disks,
                        const char *kernel, const char *initrd);

/* The command L1 runs to start L2 `id` (`sh -c SCRIPT l2 MAC ID PORT MEM
 * MGMT_MAC [SERIAL]`), NULL-terminated: the script assigns L1 l1_id's test
 * NIC `id` (and with disk, the NVMe of serial siokit-l2-ID) to vfio-pci
 * and starts QEMU under KVM in L1 with memory_mb MiB. */
GPtrArray *vm_l2_argv(unsigned l1_id, unsigned id, unsigned memory_mb, gboolean disk);

/* disk.c: finds the VM's data disks (its own, and for an L1 those of its
 * L2s) on disk; vm_disks_clear() frees them. */
void vm_disks_find(const VmSpec *s, const Vm *vm, VmDisks *d);
void vm_disks_clear(VmDisks *d);

#endif
