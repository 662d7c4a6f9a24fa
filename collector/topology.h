/* topology.h - the guests of a collection run and their tenants.
 *
 * nested (HyperSIO's): one L1 under TCG with N test NICs behind L0's
 *   virtual IOMMU; test NIC k is handed to L2 k through VFIO, and L2 k is
 *   tenant k.  L2s start one after another (simultaneous starts crashed L1,
 *   DESIGN.md).
 * flat: the same L1 uses its N test NICs itself; each NIC is its own DMA
 *   domain and its own subnet, and is tenant k.
 *
 * Either way tenant k's NIC is L1's test NIC k, on the user-mode network
 * 10.0.(10+k).0/24: its address in the guest is .15, and a host port on
 * 127.0.0.1 forwards to .15:5201.  Its source id in L0's vIOMMU is the
 * NIC's PCI address in L1 (bus << 8 | dev << 3 | fn).
 *
 * With disks, tenant k also has the data disk vmwrapper's prepare-vm made
 * for L2 k of this L1: an NVMe behind L0's vIOMMU (serial siokit-l2-k),
 * used by L1 itself (flat) or handed to L2 k through VFIO (nested). */
#ifndef COLLECTOR_TOPOLOGY_H
#define COLLECTOR_TOPOLOGY_H

#include <glib.h>

#include "board.h"
#include "vm.h"

typedef struct Tenant {
    unsigned index;
    char *name;          /* "l2-3" (nested) or "l1-0.t3" (flat) */
    Vm *vm;              /* where its workload runs: L2 k, or the L1 */
    char *ifname;        /* the NIC's interface in that VM */
    char *addr;          /* its IPv4 address, 10.0.(10+k).15 */
    int host_port;       /* 127.0.0.1 port forwarded to addr:5201 */
    char *bdf;           /* the NIC's PCI address in L1 */
    unsigned sid;        /* its source id in L0's vIOMMU */
    char *disk;          /* with disks: its NVMe in that VM, e.g. /dev/nvme0n1 */
    char *disk_bdf;      /* the NVMe's PCI address in L1 */
    unsigned disk_sid;
} Tenant;

typedef struct TopologyOptions {
    gboolean nested;
    gboolean disks;           /* each tenant has its data disk (prepare-vm) */
    unsigned tenants;
    unsigned l1_id;
    const char *state_root;   /* build/vms */
    const char *identity;     /* SSH key of the images */
    const char *l1_image, *l2_image;
    const char *qemu;         /* L1's QEMU */
    const char *const *qemu_args;  /* more arguments for it (recording) */
    const char *console_dir;  /* consoles (and virtiofsd's log) are copied
                                 here when torn down */
    const char *share;        /* flat: a host folder shared by virtio-fs */
    const char *virtiofsd;
    const char *const *virtiofsd_args;
    int boot_timeout_ms;
} TopologyOptions;

typedef struct Topology {
    Vm *l1;
    GPtrArray *tenants;       /* Tenant* */
    GPtrArray *l2s;           /* Vm*, nested only, index = tenant */
} Topology;

/* The L1 of the run as a VmSpec (l1spec.c): under TCG, a test NIC per
 * tenant, 2048 MiB (nested: 512 more per L2), o->qemu_args after its own. */
void topology_l1_spec(const TopologyOptions *o, VmSpec *s);

/* Boots the guests and readies every tenant's NIC.  On failure (or a stop
 * signal) everything started is stopped and NULL is returned. */
Topology *topology_up(const TopologyOptions *o, Board *board, GError **error);

/* Stops every guest (L2s first, then L1 by ACPI power-down, QMP quit and
 * SIGKILL), copying the consoles into o->console_dir.  Safe on NULL. */
void topology_down(Topology *t, const TopologyOptions *o, Board *board);

#endif
