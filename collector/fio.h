/* fio.h - the storage test: fio on each tenant's own NVMe disk.
 *
 * Tenant k's disk is the data disk vmwrapper's prepare-vm made for L2 k of
 * the L1 (a qcow2 overlay, fresh for every run), an NVMe behind L0's
 * virtual IOMMU with serial siokit-l2-k: in the flat topology the L1 uses
 * it itself, in the nested one L2 k gets it through VFIO.  Every tenant
 * runs fio at the same time (random 4 KiB reads and writes, direct I/O)
 * for `duration` seconds; each report is kept as fio-<tenant>.json. */
#ifndef COLLECTOR_FIO_H
#define COLLECTOR_FIO_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "board.h"
#include "topology.h"

/* Runs fio on every tenant's disk (t->disk); results gets one object per
 * tenant: {"tenant", "file", "read_iops", "write_iops", "mbytes_per_s"[,
 * "error"]}.  FALSE with an error naming the first tenant that failed. */
gboolean fio_run(const Topology *topo, unsigned duration, const char *run_dir, Board *board,
                 JsonArray *results, GError **error);

#endif
