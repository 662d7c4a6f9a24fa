/* sweep.h - a perf-explore sweep: every combination of the given values is
 * a point; traces are made (once, cached) where missing, then the points
 * run in parallel workers (pool.h) or as a Slurm job array (slurm.h).
 *
 * Resumable: a point whose JSON already says "ok" is skipped and counted
 * as such; a failed point is recorded as failed (its JSON says why) and the
 * sweep goes on; it runs again next time. */
#ifndef SWEEP_H
#define SWEEP_H

#include <glib.h>
#include <stdint.h>

typedef struct SkSweepSpec {
    GPtrArray *benchmarks, *orders, *designs, *models;   /* char * */
    GArray *tenants, *bursts, *iotlb_sizes, *tqueues;    /* guint32; 0 = design's */
    GArray *packet_bytes, *per_packet;                    /* guint32 */
    GArray *walk_tables;        /* guint32; SK_SWEEP_DESIGN = design's */
    GArray *links;                                        /* double, Gb/s */
    uint64_t translations;      /* of synthetic traces */
    char *logs_dir;             /* one run chosen by --logs, or NULL */
    char *logs_root;            /* where runs are looked for */
    char *traces_dir, *out_dir;
    char *self;                 /* path of perf-explore (for Slurm jobs) */
    guint jobs;
    gboolean slurm, quiet;
} SkSweepSpec;

#define SK_SWEEP_DESIGN UINT32_MAX

/* Frees what the spec holds (any field may be NULL) and clears it. */
void sk_sweep_spec_clear(SkSweepSpec *spec);

typedef struct SkSweepStats {
    guint points, skipped, run, failed, traces_made;
} SkSweepStats;

typedef struct SkSweep SkSweep;

/* Finds each benchmark's source (telling on stderr which, unless quiet)
 * and lists the points.  FALSE with an SK_ERROR_INPUT error on bad input
 * (no logs and no workload for a benchmark, a bad --logs run, an order the
 * source cannot give). */
SkSweep *sk_sweep_new(const SkSweepSpec *spec, GError **error);
void sk_sweep_free(SkSweep *sweep);

/* Runs what is not done.  FALSE only when the sweep itself could not run
 * (cannot create the output directory, Slurm unusable, stopped by a
 * signal); failed points are counted in stats, not errors. */
gboolean sk_sweep_run(SkSweep *sweep, SkSweepStats *stats, GError **error);

#endif
