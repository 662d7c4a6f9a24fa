/* iperf3.h - the iperf3 test: host-to-tenant traffic through each NIC.
 *
 * Each tenant runs a one-shot iperf3 server bound to its NIC's address;
 * the host runs one iperf3 client per tenant at the same time, to the
 * tenant's forwarded port on 127.0.0.1, for `duration` seconds.  Direction
 * rx (host sends: the NIC's receive DMA, the default), tx (-R: the guest
 * sends) or both (--bidir).  Each client's JSON report is kept as
 * iperf3-<tenant>.json in the run folder. */
#ifndef COLLECTOR_IPERF3_H
#define COLLECTOR_IPERF3_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "board.h"
#include "topology.h"

typedef enum {
    IPERF3_RX,
    IPERF3_TX,
    IPERF3_BOTH,
} Iperf3Direction;

gboolean iperf3_direction_parse(const char *name, Iperf3Direction *d);
const char *iperf3_direction_name(Iperf3Direction d);

/* Runs the test on every tenant of topo; results gets one object per
 * tenant: {"tenant", "file", "mbytes_per_s"[, "error"]}.  FALSE (with an
 * error naming the first tenant that failed) unless every tenant's
 * traffic ran to the end. */
gboolean iperf3_run(const Topology *topo, unsigned duration, Iperf3Direction dir,
                    const char *run_dir, Board *board, JsonArray *results, GError **error);

#endif
