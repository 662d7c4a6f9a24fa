/* fio.h - the storage and virtio-fs tests: fio on each tenant's own NVMe
 * disk, or in its own folder of a virtio-fs share.
 *
 * Tenant k's disk is the data disk vmwrapper's prepare-vm made for L2 k of
 * the L1 (a qcow2 overlay, fresh for every run), an NVMe behind L0's
 * virtual IOMMU with serial siokit-l2-k: in the flat topology the L1 uses
 * it itself, in the nested one L2 k gets it through VFIO.  Every tenant
 * runs fio at the same time (random 4 KiB reads and writes, direct I/O)
 * for `duration` seconds; each report is kept as fio-<tenant>.json.
 *
 * virtio-fs: tenant k works in /mnt/share/tenant-k of the VM's share
 * (vmwrapper mounts it at boot), with buffered I/O. */
#ifndef COLLECTOR_FIO_H
#define COLLECTOR_FIO_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "board.h"
#include "topology.h"

typedef enum {
    FIO_DISK,         /* t->disk, direct I/O */
    FIO_SHARE,        /* /mnt/share/tenant-<k> */
} FioTarget;

/* Runs fio on every tenant's disk or share folder; results gets one object per
 * tenant: {"tenant", "file", "read_iops", "write_iops", "mbytes_per_s"[,
 * "error"]}.  FALSE with an error naming the first tenant that failed. */
gboolean fio_run(const Topology *topo, FioTarget target, unsigned duration,
                 const char *run_dir, Board *board, JsonArray *results, GError **error);

#endif
