/* vm.h - one guest VM run by direct QEMU: launch, readiness, stop, state.
 *
 * A launched VM has a state folder build/vms/<name>/ (name = l1-0, l2-3,
 * client-1 ...) holding vm.json (its QEMU pid, ports, sockets), the QMP
 * socket, the serial console log, QEMU's own messages and the known_hosts
 * file that pins its SSH host key.  Other vmwrapper commands (exec, login,
 * copy, status, poweroff) find the VM through that folder.
 *
 * Ports are forwarded on 127.0.0.1 only: the management NIC's SSH, and
 * each test NIC's iperf3 port (5201 in the guest).  QEMU dies with the
 * process that launched it (PR_SET_PDEATHSIG), so a launcher killed
 * without a chance to clean up still leaves no QEMU behind. */
#ifndef VM_VM_H
#define VM_VM_H

#include <glib.h>

typedef enum {
    VM_TYPE_L1,
    VM_TYPE_L2,
    VM_TYPE_CLIENT,
} VmType;

typedef enum {
    VM_NIC_VIRTIO,      /* virtio-net, disable-legacy=on,iommu_platform=on */
    VM_NIC_E1000E,
} VmNicModel;

gboolean vm_type_parse(const char *name, VmType *type);
const char *vm_type_name(VmType type);
gboolean vm_nic_model_parse(const char *name, VmNicModel *model);

typedef struct VmSpec {
    VmType type;
    unsigned id;
    unsigned nics;              /* test NICs behind the vIOMMU */
    VmNicModel nic_model;
    const char *qemu;           /* QEMU binary */
    const char *firmware;       /* -L folder, or NULL */
    const char *image;          /* folder with vmlinuz, initrd.img, host_key.pub */
    const char *identity;       /* SSH private key */
    const char *state_root;     /* build/vms */
    const char *accel;          /* "tcg" or "kvm" */
    unsigned memory_mb, cpus;
    const char *const *extra;   /* more QEMU arguments (e.g. -trace ...) */
    int ready_timeout_ms;
    /* virtio-fs (direct QEMU only): the host folder shared with the guest
     * as tag "share" (mounted at /mnt/share at boot), or NULL; the
     * virtiofsd to run (NULL: VM_VIRTIOFSD) and more arguments for it. */
    const char *share;
    const char *virtiofsd;
    const char *const *virtiofsd_args;
    /* A virtio-balloon device, id "balloon0" (VM_BALLOON_DEVICE), that
     * gives memory back when the guest runs out (deflate-on-oom) and is told
     * of freed pages (free-page-reporting); mem-balancer drives it. */
    gboolean balloon;
} VmSpec;

/* What --balloon adds (no iommu_platform: its DMA stays out of IOMMU logs). */
#define VM_BALLOON_DEVICE \
    "virtio-balloon-pci,id=balloon0,deflate-on-oom=on,free-page-reporting=on"

/* Debian 12's virtiofsd (package qemu-system-common). */
#define VM_VIRTIOFSD "/usr/lib/qemu/virtiofsd"

typedef struct Vm {
    char *name;
    char *dir;
    GPid pid;                   /* QEMU (for an L2: its L1's QEMU) */
    int ssh_port;
    GArray *nic_ports;          /* int, one per test NIC */
    GArray *l2_ports;           /* L1: host port forwarded to L1 port
                                   VM_L2_SSH_BASE + k, the SSH of its L2 k */
    char *inside;               /* L2: the L1 it runs in, e.g. "l1-0" */
    char *qmp;
    char *console;
    char *known_hosts;
    char *identity;
    gboolean ours;              /* launched by this process */
    char *backend;              /* NULL: direct QEMU; "libvirt" */
    char *backend_uri;          /* libvirt: the connection URI */
    GPid fs_pid;                /* virtiofsd started by this process, or 0 */
} Vm;

/* A libvirt domain's name: this prefix and the VM's name. */
#define VM_LIBVIRT_PREFIX "siokit-"

/* Builds (or finds cached: instant) the image of a VM type with the
 * checkout's vmwrapper/image/build-image.sh, run in root (qemu: the QEMU an
 * L1 image embeds, or NULL); returns the image's folder, or NULL with an
 * error (the builder's own messages went to stderr). */
char *vm_image_build(const char *root, VmType type, const char *qemu, GError **error);

/* The VM's name, e.g. "l1-0". */
char *vm_name(VmType type, unsigned id);

/* L2 k's SSH is L1's port VM_L2_SSH_BASE + k, forwarded from the host. */
#define VM_L2_SSH_BASE 2200
/* The MAC address of test NIC k of VM (type, id): how an L1 finds the NIC
 * it hands to L2 k. */
char *vm_test_mac(VmType type, unsigned id, unsigned k);
/* Test NIC k is on the user-mode network 10.0.(VM_TEST_NET_BASE + k).0/24:
 * the guest gives it address .15 (its forwarded iperf3 port arrives there),
 * the gateway (the host) is .2. */
#define VM_TEST_NET_BASE 10
/* Writes vm.json in the VM's folder. */
gboolean vm_save(const Vm *vm, GError **error);

/* Shared by the backends: the management NIC's MAC, the guest kernel's
 * command line, and the QEMU arguments of the NICs (user-mode networking
 * with the VM's forwarded ports), appended to a. */
char *vm_mgmt_mac(VmType type, unsigned id);
/* A child's setup (g_spawn): dies with this process (PR_SET_PDEATHSIG,
 * SIGKILL), in its own session (the terminal's Ctrl-C is ours). */
void vm_die_with_parent(gpointer data);
/* The last lines of a file, for error messages (never NULL). */
char *vm_tail_of(const char *path, int lines);
char *vm_kernel_cmdline(const VmSpec *s, const Vm *vm);
void vm_net_args(const VmSpec *s, const Vm *vm, GPtrArray *a);
/* A new Vm for spec: its folder, free ports, the image's host key pinned;
 * fails if the VM is already running. */
Vm *vm_prepare(const VmSpec *s, GError **error);
/* Waits until SSH answers with the pinned key (vm->pid must run; its
 * messages are in log_path), at most s->ready_timeout_ms. */
gboolean vm_wait_ready(Vm *vm, const VmSpec *s, const char *log_path, GError **error);

/* Starts QEMU, pins the image's host key for the SSH port and waits until
 * SSH answers (readiness), or fails with the console's last lines; on any
 * failure nothing is left running. */
Vm *vm_launch(const VmSpec *spec, GError **error);
/* The VM a launcher recorded under state_root, if it is running. */
Vm *vm_find(const char *state_root, const char *name, GError **error);
/* TRUE while its QEMU runs. */
gboolean vm_alive(const Vm *vm);
/* ACPI power-down through QMP, then QMP quit after timeout_ms, then SIGKILL;
 * returns once QEMU is gone (and the virtiofsd this process started for
 * it, if any). */
gboolean vm_stop(Vm *vm, int timeout_ms, GError **error);
/* Waits for QEMU to exit on its own (a launcher's child), or until a stop
 * signal; returns TRUE if it exited. */
gboolean vm_wait(Vm *vm);
/* Names of the VMs recorded under state_root (running or not). */
GPtrArray *vm_list(const char *state_root);
void vm_free(Vm *vm);

/* prepare-vm: gives VM (type, id) a data disk, a qcow2 overlay in its
 * state folder over an empty base of size_mb in `images` (made once, shared,
 * never copied); launch attaches it as NVMe behind the vIOMMU.  Returns the
 * overlay's path (existing or new), or NULL with error. */
char *vm_prepare_disk(const char *state_root, const char *images, VmType type,
                      unsigned id, unsigned size_mb, GError **error);
/* prepare-vm of L2 `id` in L1 `l1_id`: its data disk as above, in the
 * L2's state folder, with a note (file `l1`) naming its L1.  L1 l1_id
 * attaches it at launch (if id < its test NICs) as an NVMe with serial
 * "siokit-l2-<id>" behind L0's vIOMMU; vm_launch_l2() hands that NVMe to
 * the L2 through VFIO, beside its NIC, so its DMA is translated by L0's
 * vIOMMU in the L2's own domain. */
char *vm_prepare_l2_disk(const char *state_root, const char *images, unsigned l1_id,
                         unsigned id, unsigned size_mb, GError **error);
/* The data disk of L2 k prepared for the L1 named l1_name, or NULL (a
 * disk made by vm_prepare_disk() alone, with no note, is l1-0's). */
char *vm_l2_disk(const char *state_root, const char *l1_name, unsigned k);
/* The serial of L2 k's NVMe in its L1 ("siokit-l2-K"). */
char *vm_l2_disk_serial(unsigned k);
/* The QEMU arguments of the data disks (the VM's own; for an L1, those of
 * its L2s too), appended to a; shared by the backends. */
void vm_disk_args(const VmSpec *s, const Vm *vm, GPtrArray *a);

#endif
