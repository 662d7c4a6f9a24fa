/* source.h - where a sweep's traces come from, and making them.
 *
 * A benchmark's traces come from the logs it left in a collected run
 * (build/logs/<test>_<N>_<run>/manifest.json, status "complete", read by
 * sk_manifest.h; docs/run-manifest.md), through libtracegen (in-process,
 * tracegen.h), or, when none were collected, from siokit's synthetic
 * workload of the same name (iperf3, uniform, mixed; sk_synth.h), so a
 * sweep runs anywhere.
 * Traces are cached by name: the name holds every input (source, tenants,
 * order, burst, translations), and traces are written under a temporary
 * name and renamed whole, so a cached trace is always complete. */
#ifndef SOURCE_H
#define SOURCE_H

#include <glib.h>
#include <stdint.h>

#include "sk_synth.h"

typedef struct SkSource {
    char *benchmark;
    gboolean synthetic;
    SkSynthWorkload workload;   /* synthetic */
    char *run_dir;              /* logs: the run directory */
    char **logs;                /* logs: absolute paths, NULL-terminated */
    char *trace_events;         /* logs: or NULL */
    uint32_t collected;         /* logs: tenants collected */
    char *label;                /* "synthetic:iperf3" or "logs:<run dir>" */
    char *tag;                  /* short, for names: "synth" or "logs-<hash>" */
} SkSource;

/* Finds the source of benchmark: the run `logs_dir` when given (missing or
 * not complete: an SK_ERROR_INPUT error), else the newest complete run of
 * that benchmark under logs_root (which may not exist), else its synthetic
 * workload; else an SK_ERROR_INPUT error naming what was looked for. */
gboolean sk_source_find(const char *benchmark, const char *logs_dir,
                        const char *logs_root, SkSource *s, GError **error);
/* Reads one run's manifest (for tests and sk_source_find). */
gboolean sk_source_load_run(const char *run_dir, SkSource *s, GError **error);
void sk_source_clear(SkSource *s);

/* Whether order suits the source (synthetic: rr, rand; logs: rr, rand,
 * orig); FALSE with an SK_ERROR_INPUT error otherwise. */
gboolean sk_source_check_order(const SkSource *s, const char *order,
                               GError **error);

/* The cached trace's path for these inputs; g_free() it. */
char *sk_source_trace_path(const SkSource *s, const char *traces_dir,
                           uint32_t tenants, const char *order, uint32_t burst,
                           uint64_t translations);

/* Makes that trace in-process: sk_synth for synthetic workloads,
 * libtracegen for logs (with reuse when more tenants are wanted than were
 * collected).  Runs in a worker process that a stop signal ends. */
gboolean sk_source_make_trace(const SkSource *s, const char *path,
                              uint32_t tenants, const char *order,
                              uint32_t burst, uint64_t translations,
                              GError **error);

/* Reads a cached trace through to its end, so that every checksum, record
 * and the tenant table are checked (sk_trace.h).  FALSE with the reader's
 * error when the trace is corrupt or truncated. */
gboolean sk_source_check_trace(const char *path, GError **error);

#endif
