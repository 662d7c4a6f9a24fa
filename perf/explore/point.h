/* point.h - one point of a perf-explore sweep: one trace against one design.
 *
 * A point says where its trace is, which design (a preset of designs.h,
 * with the sweep's overrides) and model to run, and where its result goes.
 * The same point runs in a worker of a local sweep or, written to a point
 * file and read back with sk_point_load(), as `perf-explore --run-point
 * FILE` in a Slurm job; either way sk_point_run() computes it in-process
 * through libsiokitperf and writes one JSON object (docs/perf-explore.md):
 *
 *     {"id": ..., "status": "ok", "point": {...}, "result": {sioperf's}}
 *     {"id": ..., "status": "failed", "error": "...", "point": {...}}
 *
 * A point file is a GKeyFile with one group [point] and the keys of
 * SkPoint below.  Reading one checks every key: a missing or bad key is an
 * SK_ERROR_INPUT error naming the file and the key (packet_bytes,
 * translations_per_packet and walk_table, added later, may be missing:
 * 1542, 3 and the design's). */
#ifndef POINT_H
#define POINT_H

#include <glib.h>
#include <stdint.h>

#include "model.h"

typedef struct SkPoint {
    char *id;             /* unique in its sweep; [A-Za-z0-9._-] */
    char *benchmark;      /* e.g. iperf3 */
    char *source;         /* "synthetic:iperf3" or "logs:<run dir>" */
    uint32_t tenants;
    char *order;          /* rr, rand, ... */
    uint32_t burst;       /* packets per turn */
    uint64_t translations;/* of the trace (asked; logs may hold fewer) */
    char *design;         /* a preset name */
    uint32_t iotlb_size;  /* IOTLB entries; 0 = the design's */
    uint32_t tqueue;      /* 0 = the design's */
    double link_gbps;
    uint32_t packet_bytes;            /* 1542 unless swept; 0 = 1542 */
    uint32_t translations_per_packet; /* 3 unless swept; 0 = 3 */
    uint32_t walk_table;  /* entries; the design's (0 for hypersio-1.0)
                             unless swept */
    char *model;          /* siokit or hypersio-1.0 */
    char *trace;          /* the trace to replay */
    char *output;         /* the JSON to write */
} SkPoint;

void sk_point_clear(SkPoint *p);
SkPoint *sk_point_copy(const SkPoint *p);
void sk_point_free(SkPoint *p);

/* The point as a point file's text; g_free() it. */
char *sk_point_to_data(const SkPoint *p);
/* Reads a point file's text; `name` is used in messages.  On error the
 * point is left cleared. */
gboolean sk_point_parse(const char *name, const char *text, gsize len,
                        SkPoint *p, GError **error);
gboolean sk_point_load(const char *path, SkPoint *p, GError **error);

/* The model options of the point: its design, the overrides, the model.
 * FALSE (SK_ERROR_INPUT) when they make no valid design, e.g. an IOTLB
 * size that does not fit the design's ways and groups. */
gboolean sk_point_options(const SkPoint *p, SkModelOptions *o, GError **error);

/* Runs the point and writes its JSON to p->output (temporary name, then
 * renamed).  When the run fails, writes the failed record instead and
 * returns FALSE with the error. */
gboolean sk_point_run(const SkPoint *p, GError **error);
/* Writes the failed record of p with the message. */
gboolean sk_point_write_failed(const SkPoint *p, const char *message,
                               GError **error);

/* Whether p->output holds a finished ("ok") result whose every value
 * checks (sk_results_read_point).  An existing file that does not (a
 * damaged record, "status": "ok" with a utilization that is no number)
 * is not done: FALSE with why set (why may be NULL), and the point is
 * computed again. */
gboolean sk_point_done(const SkPoint *p, GError **why);

#endif
