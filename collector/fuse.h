/* fuse.h - what virtiofsd served: its FUSE request events, counted.
 *
 * siokit's patched virtiofsd logs one `virtiofsd_fuse_request` line per
 * FUSE request (docs/qemu-patches.md):
 *
 *     virtiofsd_fuse_request opcode 16 WRITE unique 42 nodeid 0x5 offset 0x0
 *         size 4096 result 0 out 24 latency_ns 8123
 *
 * (one line, maybe after a "pid@sec.usec:" prefix).  The counts go into the
 * run's manifest. */
#ifndef COLLECTOR_FUSE_H
#define COLLECTOR_FUSE_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* Counts the requests of a virtiofsd log: {"requests", "errors",
 * "read_bytes", "write_bytes", "mean_latency_ns", "by_opcode": {NAME: n}}.
 * A missing log is an error; lines that are not requests are skipped, and
 * request lines that do not parse are counted as "malformed". */
JsonObject *fuse_count(const char *log, GError **error);

#endif
