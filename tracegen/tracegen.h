/* tracegen.h - trace-gen as a library: per-tenant IOMMU event logs in, one
 * interleaved hyper-tenant trace out (docs/trace-gen.md).
 *
 * sk_tracegen_run() does all of trace-gen's work: pass 1 reads the logs in
 * order (again as new tenants with reuse) and keeps each tenant's
 * translations in a spill file; pass 2 interleaves the tenants in the chosen
 * order into the NAT builder, which writes the trace under a temporary name
 * renamed only when whole.  Memory is bounded by tenants and distinct pages,
 * never by events.  With SK_FORMAT_HYPERSIO the trace is byte for byte what
 * HyperSIO 1.0's builder writes for the same logs and parameters.
 *
 * The library never claims inputs nor exits; commands call sk_input_claim()
 * on each log and sk_output_check() on the output first.  The progress
 * callback is called at least every few thousand events in every phase
 * (reading, interleaving, annotating, writing), so returning FALSE from it
 * (sk_phase_progress_update() does once a stop signal arrived) stops the
 * work within milliseconds with an SK_ERROR_STOPPED error and no output. */
#ifndef TRACEGEN_H
#define TRACEGEN_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

#include "interleave.h"
#include "sk_logreader.h"
#include "sk_trace.h"

#define SK_TRACEGEN_MAX_TENANTS 16777216u
#define SK_TRACEGEN_MAX_BURST 1000000u
#define SK_TRACEGEN_MAX_DEVICES_PER_LOG 8190u
#define SK_TRACEGEN_MAX_TRANSLATIONS (UINT64_C(1) << 40)
#define SK_TRACEGEN_MAX_ZIPF 100.0

/* Progress of sk_tracegen_run(): phase "reading PATH", "interleaving",
 * "annotating" or "writing", done out of total (0: unknown).  FALSE stops. */
typedef gboolean (*SkTraceGenProgressFunc)(const char *phase, uint64_t done,
                                           uint64_t total, gpointer data);

typedef struct SkTraceGenParams {
    const char *const *logs;    /* log files, NULL-terminated, read in order */
    const char *output;         /* the trace (see sk_tracegen_output_path()) */
    uint32_t tenants;           /* tenants in the trace, 1..MAX_TENANTS */
    uint32_t devices_per_log;   /* HyperSIO's device selection; 0 = all */
    TgOrder order;              /* default rr */
    uint32_t burst;             /* packets a turn, 3 translations each (1) */
    uint64_t seed;              /* weighted, zipf (1) */
    double zipf;                /* skew of zipf, 0..MAX_ZIPF (1) */
    const char *weights;        /* weighted: lines 'TENANT WEIGHT', or NULL */
    SkTraceFormat format;       /* SIOKIT (default) or HYPERSIO */
    gboolean compress;          /* zstd blocks (siokit only) */
    gboolean strict;            /* a malformed line fails the run */
    gboolean reuse;             /* read the logs again as new tenants */
    uint64_t translations;      /* end the trace there; 0 = when the order ends */
    const char *trace_events;   /* for simple-backend logs, or NULL */
    const char *tmpdir;         /* spill files; NULL = $TMPDIR or /tmp */
    SkTraceGenProgressFunc progress;   /* or NULL */
    gpointer progress_data;
} SkTraceGenParams;

/* What was read from one reading of a log. */
typedef struct SkTraceGenLog {
    char *path;
    SkLogDialect dialect;
    SkLogStats stats;
    uint64_t translations;      /* used in the trace's tenants */
    uint64_t invalidations;
    uint64_t faults;
    char **examples;            /* first malformed lines, "FILE:LINE: reason" */
} SkTraceGenLog;

/* One tenant of the trace. */
typedef struct SkTraceGenTenant {
    uint32_t id;                /* in the records */
    uint32_t log;               /* log index, counting reuse rounds */
    uint32_t domain;            /* domain id in that log */
    uint32_t sid;               /* source id of its first translation */
    uint64_t translations;      /* in the trace */
    uint64_t pages;             /* distinct pages in the trace */
} SkTraceGenTenant;

typedef struct SkTraceGenSummary {
    char *output;
    GArray *logs;               /* SkTraceGenLog of every reading */
    GArray *tenants;            /* SkTraceGenTenant, by id */
    uint64_t translations;      /* in the trace */
    uint64_t lines, skipped, malformed;   /* over every reading */
    uint64_t beyond;            /* translations of domains past the tenants */
    uint64_t unusable;          /* translations without a page level */
    uint64_t duplicates;        /* dmar_translate repeating a page hit/update */
} SkTraceGenSummary;

/* Defaults: rr, burst 1, seed 1, zipf 1, siokit format, nothing else. */
void sk_tracegen_params_init(SkTraceGenParams *p);

/* Checks the parameters (ranges, combinations); FALSE with an
 * SK_ERROR_INPUT error naming the option.  sk_tracegen_run() calls it. */
gboolean sk_tracegen_params_check(const SkTraceGenParams *p, GError **error);

/* Writes the trace.  summary (may be NULL) is filled on success and must
 * then be cleared.  FALSE with an error: SK_ERROR_INPUT for bad parameters
 * or logs (a log that is missing or not a regular file is refused before
 * any is read), SK_ERROR_STOPPED when the progress callback stopped it,
 * SK_ERROR_IO / SK_ERROR_FAILED otherwise; nothing is written then. */
gboolean sk_tracegen_run(const SkTraceGenParams *p, SkTraceGenSummary *summary,
                         GError **error);
void sk_tracegen_summary_clear(SkTraceGenSummary *s);

/* Appends the logs an argument names: a file as given (any file that
 * exists: sk_tracegen_run() refuses what is not a regular file), or the
 * logs P_0.txt, P_1.txt ... of a prefix P (each also .txt.gz, .txt.zst,
 * .log, .bin).  FALSE with an SK_ERROR_INPUT error when there are none. */
gboolean sk_tracegen_find_logs(GPtrArray *logs, const char *arg, GError **error);

/* The file a trace goes to: output itself, or for HyperSIO's format
 * OUTPUT_iotlb_trace.bin unless it already ends so.  g_free() it. */
char *sk_tracegen_output_path(const char *output, SkTraceFormat format);

/* The summary as one JSON object (g_free() it), or as text lines on f. */
char *sk_tracegen_summary_json(const SkTraceGenSummary *s,
                               const SkTraceGenParams *p);
void sk_tracegen_summary_text(FILE *f, const char *prog,
                              const SkTraceGenSummary *s,
                              const SkTraceGenParams *p);

#endif
