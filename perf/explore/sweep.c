/* sweep.c - points of a sweep, their traces, resumability, parallel runs
 * (see sweep.h). */
#include "sweep.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "designs.h"
#include "point.h"
#include "pool.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "slurm.h"
#include "source.h"
#include "sk_free.h"

typedef struct TraceJob {
    const SkSource *source;
    char *path;
    uint32_t tenants, burst;
    char *order;
    uint64_t translations;
    char *error;           /* set when it could not be made */
    gboolean checked;      /* the cached trace was checked this run */
} TraceJob;

struct SkSweep {
    const SkSweepSpec *spec;
    GPtrArray *sources;        /* SkSource *, one per benchmark */
    GPtrArray *points;         /* SkPoint * */
    GPtrArray *traces;         /* TraceJob *, distinct paths */
    GHashTable *trace_by_path; /* path -> TraceJob * */
    SkProgress *progress;
    guint done;
    SkSweepStats *stats;
};

void sk_sweep_spec_clear(SkSweepSpec *sp)
{
    GPtrArray *strings[] = {sp->benchmarks, sp->orders, sp->designs, sp->models};
    GArray *numbers[] = {sp->tenants, sp->bursts, sp->iotlb_sizes, sp->tqueues,
                         sp->links, sp->packet_bytes, sp->per_packet, sp->walk_tables};

    for (guint i = 0; i < G_N_ELEMENTS(strings); i++)
        if (strings[i])
            g_ptr_array_free(strings[i], TRUE);
    for (guint i = 0; i < G_N_ELEMENTS(numbers); i++)
        if (numbers[i])
            g_array_free(numbers[i], TRUE);
    SK_FREE_ALL(sp->logs_dir, sp->logs_root, sp->traces_dir, sp->out_dir, sp->self);
    memset(sp, 0, sizeof(*sp));
}

static void source_free(SkSource *s)
{
    sk_source_clear(s);
    g_free(s);
}

static void trace_job_free(TraceJob *t)
{
    SK_FREE_ALL(t->path, t->order, t->error, t);
}

void sk_sweep_free(SkSweep *sw)
{
    if (sw == NULL)
        return;
    g_ptr_array_free(sw->points, TRUE);
    g_ptr_array_free(sw->traces, TRUE);
    g_hash_table_destroy(sw->trace_by_path);
    g_ptr_array_free(sw->sources, TRUE);
    g_free(sw);
}

/* The id names every axis; those added later (the device, the walk
 * table) only when not their default, so that earlier ids stay. */
static char *point_id(const SkPoint *p, const SkSource *s, gboolean walk_table_swept)
{
    char link[G_ASCII_DTOSTR_BUF_SIZE], tq[16] = "D", iotlb[16] = "D";
    char n[32] = "";
    GString *more = g_string_new(NULL);
    char *id;

    g_ascii_formatd(link, sizeof(link), "%.10g", p->link_gbps);   /* no "e+" */
    if (p->tqueue)
        g_snprintf(tq, sizeof(tq), "%u", p->tqueue);
    if (p->iotlb_size)
        g_snprintf(iotlb, sizeof(iotlb), "%u", p->iotlb_size);
    g_snprintf(n, sizeof(n), "-n%" G_GUINT64_FORMAT, p->translations);
    if (p->packet_bytes != SK_PACKET_BYTES)
        g_string_append_printf(more, "_pb%u", p->packet_bytes);
    if (p->translations_per_packet != SK_TRANSLATIONS_PER_PACKET)
        g_string_append_printf(more, "_tpp%u", p->translations_per_packet);
    if (walk_table_swept)
        g_string_append_printf(more, "_wt%u", p->walk_table);
    id = g_strdup_printf("%s_%s_%s-%s%s_%s%u_t%u_tq%s_iotlb%s_%sg%s", p->design,
                         p->model, p->benchmark, s->tag, n, p->order, p->burst,
                         p->tenants, tq, iotlb, link, more->str);
    g_string_free(more, TRUE);
    return id;
}

static void add_points(SkSweep *sw, const SkSource *src, const char *order,
                       guint32 burst, guint32 tenants, const char *points_dir)
{
    const SkSweepSpec *sp = sw->spec;
    uint64_t n = sp->translations;
    char *trace = sk_source_trace_path(src, sp->traces_dir, tenants, order, burst, n);
    TraceJob *t = g_hash_table_lookup(sw->trace_by_path, trace);

    if (t == NULL) {
        t = g_new0(TraceJob, 1);
        t->source = src;
        t->path = g_strdup(trace);
        t->tenants = tenants;
        t->burst = burst;
        t->order = g_strdup(order);
        t->translations = n;
        g_ptr_array_add(sw->traces, t);
        g_hash_table_insert(sw->trace_by_path, t->path, t);
    }
    for (guint d = 0; d < sp->designs->len; d++)
    for (guint m = 0; m < sp->models->len; m++)
    for (guint q = 0; q < sp->tqueues->len; q++)
    for (guint s = 0; s < sp->iotlb_sizes->len; s++)
    for (guint l = 0; l < sp->links->len; l++)
    for (guint pb = 0; pb < sp->packet_bytes->len; pb++)
    for (guint pp = 0; pp < sp->per_packet->len; pp++)
    for (guint w = 0; w < sp->walk_tables->len; w++) {
        SkPoint *p = g_new0(SkPoint, 1);
        guint32 walk_table = g_array_index(sp->walk_tables, guint32, w);
        SkModelKind kind = SK_MODEL_SIOKIT;
        char *file;
        p->benchmark = g_strdup(src->benchmark);
        p->source = g_strdup(src->label);
        p->tenants = tenants;
        p->order = g_strdup(order);
        p->burst = burst;
        p->translations = n;
        p->design = g_strdup(sp->designs->pdata[d]);
        p->model = g_strdup(sp->models->pdata[m]);
        p->tqueue = g_array_index(sp->tqueues, guint32, q);
        p->iotlb_size = g_array_index(sp->iotlb_sizes, guint32, s);
        p->link_gbps = g_array_index(sp->links, double, l);
        p->packet_bytes = g_array_index(sp->packet_bytes, guint32, pb);
        p->translations_per_packet = g_array_index(sp->per_packet, guint32, pp);
        sk_model_parse(p->model, &kind);
        if (walk_table != SK_SWEEP_DESIGN)
            p->walk_table = walk_table;
        else if (kind == SK_MODEL_SIOKIT)
            p->walk_table = sk_design_find(p->design)->caches.walk_table;
        p->trace = g_strdup(trace);
        p->id = point_id(p, src, walk_table != SK_SWEEP_DESIGN);
        file = g_strdup_printf("%s.json", p->id);
        p->output = g_build_filename(points_dir, file, NULL);
        g_free(file);
        g_ptr_array_add(sw->points, p);
    }
    g_free(trace);
}

SkSweep *sk_sweep_new(const SkSweepSpec *sp, GError **error)
{
    SkSweep *sw = g_new0(SkSweep, 1);
    char *points_dir = g_build_filename(sp->out_dir, "points", NULL);

    sw->spec = sp;
    sw->sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
    sw->points = g_ptr_array_new_with_free_func((GDestroyNotify)sk_point_free);
    sw->traces = g_ptr_array_new_with_free_func((GDestroyNotify)trace_job_free);
    sw->trace_by_path = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint b = 0; b < sp->benchmarks->len; b++) {
        const char *bench = sp->benchmarks->pdata[b];
        SkSource *src = g_new0(SkSource, 1);
        if (!sk_source_find(bench, sp->logs_dir, sp->logs_root, src, error)) {
            g_free(src);
            goto fail;
        }
        g_ptr_array_add(sw->sources, src);
        for (guint o = 0; o < sp->orders->len; o++)
            if (!sk_source_check_order(src, sp->orders->pdata[o], error))
                goto fail;
        if (!sp->quiet && src->synthetic)
            fprintf(stderr, "perf-explore: benchmark %s: no collected logs in %s, "
                    "using the synthetic workload %s\n", bench,
                    sp->logs_root ? sp->logs_root : "(none)", bench);
        else if (!sp->quiet)
            fprintf(stderr, "perf-explore: benchmark %s: using the logs of %s "
                    "(%u tenants collected)\n", bench, src->run_dir, src->collected);
    }
    for (guint b = 0; b < sw->sources->len; b++)
    for (guint o = 0; o < sp->orders->len; o++)
    for (guint u = 0; u < sp->bursts->len; u++)
    for (guint t = 0; t < sp->tenants->len; t++)
        add_points(sw, sw->sources->pdata[b], sp->orders->pdata[o],
                   g_array_index(sp->bursts, guint32, u),
                   g_array_index(sp->tenants, guint32, t), points_dir);
    g_free(points_dir);
    return sw;
fail:
    g_free(points_dir);
    sk_sweep_free(sw);
    return NULL;
}

/* Whether a cached trace reads back whole.  A corrupt one is made again,
 * and said so even with --quiet: its results would have been wrong. */
static gboolean cached_trace_good(const char *path)
{
    GError *why = NULL;

    if (sk_source_check_trace(path, &why))
        return TRUE;
    fprintf(stderr, "perf-explore: cached %s; making it again\n", why->message);
    g_error_free(why);
    return FALSE;
}

static gboolean make_trace(gpointer job, gpointer data, GError **error)
{
    TraceJob *t = job;

    (void)data;
    return sk_source_make_trace(t->source, t->path, t->tenants, t->order, t->burst,
                                t->translations, error);
}

static void trace_done(gpointer job, int pid, const char *message, gpointer data)
{
    TraceJob *t = job;
    SkSweep *sw = data;

    if (message) {
        /* A worker stopped by a signal removed its temporary files. */
        t->error = g_strdup(message);
        if (!sw->spec->quiet)
            fprintf(stderr, "perf-explore: trace %s: %s\n", t->path, message);
    } else {
        sw->stats->traces_made++;
    }
    sk_progress_update(sw->progress, ++sw->done);
}

static gboolean run_point(gpointer job, gpointer data, GError **error)
{
    return sk_point_run(job, error);
}

static void point_done(gpointer job, int pid, const char *message, gpointer data)
{
    SkPoint *p = job;
    SkSweep *sw = data;

    if (message) {
        sw->stats->failed++;
        /* A worker that died left no record: write one. */
        if (!g_file_test(p->output, G_FILE_TEST_EXISTS))
            sk_point_write_failed(p, message, NULL);
        if (!sw->spec->quiet)
            fprintf(stderr, "perf-explore: point %s failed: %s\n", p->id, message);
    } else {
        sw->stats->run++;
    }
    sk_progress_update(sw->progress, ++sw->done);
}

/* Runs jobs on the pool with a progress line; FALSE when a signal stopped
 * them. */
static gboolean run_jobs(SkSweep *sw, const char *what, GPtrArray *jobs,
                         SkPoolJobFunc run, SkPoolDoneFunc done)
{
    gboolean ok;

    sw->done = 0;
    sw->progress = sk_progress_new(what, jobs->len, sw->spec->quiet);
    ok = sk_pool_run(jobs, sw->spec->jobs, run, done, sw);
    sk_progress_free(sw->progress);
    return ok;
}

gboolean sk_sweep_run(SkSweep *sw, SkSweepStats *stats, GError **error)
{
    const SkSweepSpec *sp = sw->spec;
    GPtrArray *todo = g_ptr_array_new(), *traces = g_ptr_array_new();
    char *points_dir = g_build_filename(sp->out_dir, "points", NULL);
    gboolean ok = FALSE;

    memset(stats, 0, sizeof(*stats));
    sw->stats = stats;
    stats->points = sw->points->len;
    if (g_mkdir_with_parents(points_dir, 0755) != 0 ||
        g_mkdir_with_parents(sp->traces_dir, 0755) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s' or '%s'",
                    points_dir, sp->traces_dir);
        goto out;
    }
    for (guint i = 0; i < sw->points->len; i++) {
        SkPoint *p = sw->points->pdata[i];
        TraceJob *t = g_hash_table_lookup(sw->trace_by_path, p->trace);
        GError *why = NULL;
        if (sk_point_done(p, &why)) {
            stats->skipped++;
            continue;
        }
        if (why && !sp->quiet)
            fprintf(stderr, "perf-explore: point %s: %s; computing it again\n",
                    p->id, why->message);
        g_clear_error(&why);
        g_ptr_array_add(todo, p);
        if (t->checked)
            continue;
        t->checked = TRUE;
        if (g_file_test(t->path, G_FILE_TEST_EXISTS) && !cached_trace_good(t->path))
            g_unlink(t->path);
        if (!g_file_test(t->path, G_FILE_TEST_EXISTS))
            g_ptr_array_add(traces, t);
    }
    /* Traces first: points share them. */
    if (traces->len && !run_jobs(sw, "traces", traces, make_trace, trace_done))
        goto stopped;
    /* Points whose trace could not be made fail without running. */
    for (guint i = 0; i < todo->len;) {
        SkPoint *p = todo->pdata[i];
        TraceJob *t = g_hash_table_lookup(sw->trace_by_path, p->trace);
        if (t->error) {
            char *message = g_strdup_printf("trace not made: %s", t->error);
            sk_point_write_failed(p, message, NULL);
            g_free(message);
            stats->failed++;
            g_ptr_array_remove_index(todo, i);
        } else {
            i++;
        }
    }
    if (todo->len && sp->slurm) {
        guint failed = 0;
        if (!sk_slurm_run(todo, sp->out_dir, sp->self, sp->quiet, error)) {
            ok = FALSE;
            goto out;
        }
        for (guint i = 0; i < todo->len; i++) {
            SkPoint *p = todo->pdata[i];
            if (sk_point_done(p, NULL))
                continue;
            failed++;
            if (!g_file_test(p->output, G_FILE_TEST_EXISTS))
                sk_point_write_failed(p, "the Slurm task left no result", NULL);
            if (!sp->quiet)
                fprintf(stderr, "perf-explore: point %s failed (Slurm)\n", p->id);
        }
        stats->failed += failed;
        stats->run += todo->len - failed;
    } else if (todo->len && !run_jobs(sw, "points", todo, run_point, point_done)) {
        goto stopped;
    }
    ok = TRUE;
    goto out;
stopped:
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "stopped by signal %d",
                sk_signal_stop());
    ok = FALSE;
out:
    g_free(points_dir);
    g_ptr_array_free(todo, TRUE);
    g_ptr_array_free(traces, TRUE);
    return ok;
}
