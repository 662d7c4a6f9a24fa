/* explore.c - perf-explore: how link utilisation falls as tenants grow, and
 * which IOMMU design restores it.
 *
 * The command line: the values of each axis (tenants, benchmarks, orders,
 * bursts, designs, IOTLB sizes, queues, link speeds, models) make a sweep
 * (sweep.c) whose points run in-process through libsiokitperf (point.c),
 * locally in -j workers or on Slurm (slurm.c); then the CSV (results.c),
 * a table (table.c) and plots (plot.c).  See docs/perf-explore.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "designs.h"
#include "model.h"
#include "plot.h"
#include "point.h"
#include "results.h"
#include "sk_cacheconfig.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sweep.h"
#include "table.h"

#define PROG "perf-explore"

static char **opt_tenants, **opt_benchmarks, **opt_orders, **opt_bursts;
static char **opt_designs, **opt_iotlb, **opt_tqueues, **opt_links, **opt_models;
static char **opt_packet_bytes, **opt_per_packet, **opt_walk_tables;
static char *opt_translations, *opt_jobs, *opt_launcher, *opt_output, *opt_name;
static char *opt_traces, *opt_logs, *opt_logs_root, *opt_run_point, *opt_plot;
static gboolean opt_list_designs, opt_no_plot, opt_quiet;

static GOptionEntry entries[] = {
    {"tenants", 't', 0, G_OPTION_ARG_STRING_ARRAY, &opt_tenants,
     "tenant counts (repeat or comma-separate; default 1,2,4,...,1024)", "N"},
    {"benchmark", 'b', 0, G_OPTION_ARG_STRING_ARRAY, &opt_benchmarks,
     "benchmark whose collected logs (or synthetic workload) make the traces "
     "(default iperf3)", "NAME"},
    {"order", 'r', 0, G_OPTION_ARG_STRING_ARRAY, &opt_orders,
     "tenant order: rr (default), rand, orig (logs only)", "ORDER"},
    {"burst", 'B', 0, G_OPTION_ARG_STRING_ARRAY, &opt_bursts,
     "packets per turn (default 1)", "P"},
    {"design", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &opt_designs,
     "design preset (default all; --list-designs)", "NAME"},
    {"iotlb-size", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_iotlb,
     "IOTLB entries instead of the design's", "N"},
    {"tqueue", 'q', 0, G_OPTION_ARG_STRING_ARRAY, &opt_tqueues,
     "translation queue entries instead of the design's", "N"},
    {"link-gbps", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &opt_links,
     "link speed in Gb/s (default 200)", "G"},
    {"packet-bytes", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_packet_bytes,
     "packet size in bytes, 1 to 65536 (default 1542)", "N"},
    {"translations-per-packet", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_per_packet,
     "translations each packet needs, 1 to 64 (default 3)", "N"},
    {"walk-table", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_walk_tables,
     "walk-table entries, 0 = no miss coalescing (default: the design's; siokit only)", "N"},
    {"model", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &opt_models,
     NULL /* the table of models: sk_model_help() */, "MODEL"},
    {"translations", 'n', 0, G_OPTION_ARG_STRING, &opt_translations,
     "translations of each trace (default 1000000)", "M"},
    {"jobs", 'j', 0, G_OPTION_ARG_STRING, &opt_jobs,
     "points run at once (default: the number of cores)", "N"},
    {"launcher", 0, 0, G_OPTION_ARG_STRING, &opt_launcher,
     "local (default) or slurm (a job array through sbatch)", "NAME"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "results directory (default build/results/NAME)", "DIR"},
    {"name", 0, 0, G_OPTION_ARG_STRING, &opt_name,
     "name of the sweep (default explore)", "NAME"},
    {"traces", 0, 0, G_OPTION_ARG_FILENAME, &opt_traces,
     "trace cache (default build/traces)", "DIR"},
    {"logs", 'l', 0, G_OPTION_ARG_FILENAME, &opt_logs,
     "use this collected run (a directory with manifest.json)", "RUN"},
    {"logs-root", 0, 0, G_OPTION_ARG_FILENAME, &opt_logs_root,
     "where collected runs are looked for (default build/logs)", "DIR"},
    {"list-designs", 0, 0, G_OPTION_ARG_NONE, &opt_list_designs,
     "list the design presets and exit", NULL},
    {"run-point", 0, 0, G_OPTION_ARG_FILENAME, &opt_run_point,
     "run one point file (what Slurm tasks do) and exit", "FILE"},
    {"plot", 0, 0, G_OPTION_ARG_FILENAME, &opt_plot,
     "only print the table and draw the plots of DIR/points.csv", "DIR"},
    {"no-plot", 0, 0, G_OPTION_ARG_NONE, &opt_no_plot,
     "no plots (the CSV and the table only)", NULL},
    {"quiet", 0, 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no progress and no notes on stderr", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* Each value of a repeatable option, comma-separated ones split. */
static GPtrArray *values(char **opt, const char *fallback)
{
    GPtrArray *v = g_ptr_array_new_with_free_func(g_free);

    for (char **o = opt; o && *o; o++) {
        char **parts = g_strsplit(*o, ",", -1);
        for (char **p = parts; *p; p++) {
            g_strstrip(*p);
            if (!g_ptr_array_find_with_equal_func(v, *p, g_str_equal, NULL))
                g_ptr_array_add(v, g_strdup(*p));
        }
        g_strfreev(parts);
    }
    if (v->len == 0 && fallback) {
        char **parts = g_strsplit(fallback, ",", -1);
        for (char **p = parts; *p; p++)
            g_ptr_array_add(v, g_strdup(*p));
        g_strfreev(parts);
    }
    return v;
}

static gboolean u32_values(const char *name, char **opt, const char *fallback,
                           uint64_t min, uint64_t max, GArray **out, GError **error)
{
    GPtrArray *v = values(opt, fallback);
    gboolean ok = TRUE;

    *out = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (guint i = 0; ok && i < v->len; i++) {
        uint64_t x;
        guint32 y;
        ok = sk_cli_parse_u64(name, v->pdata[i], min, max, &x, error);
        y = (guint32)x;
        if (ok)
            g_array_append_val(*out, y);
    }
    g_ptr_array_free(v, TRUE);
    return ok;
}

/* hypersio-1.0 has HyperSIO's fixed device and no walk table: axes that
 * give it other values are refused, as sioperf refuses them. */
static gboolean hypersio_device_ok(const SkSweepSpec *sp, GError **error)
{
    static const struct { const char *option; guint32 fixed; gsize offset; } axes[] = {
        {"--packet-bytes", SK_PACKET_BYTES, G_STRUCT_OFFSET(SkSweepSpec, packet_bytes)},
        {"--translations-per-packet", SK_TRANSLATIONS_PER_PACKET,
         G_STRUCT_OFFSET(SkSweepSpec, per_packet)},
        {"--walk-table", 0, G_STRUCT_OFFSET(SkSweepSpec, walk_tables)},
    };

    for (guint a = 0; a < G_N_ELEMENTS(axes); a++) {
        GArray *v = G_STRUCT_MEMBER(GArray *, sp, axes[a].offset);
        for (guint i = 0; i < v->len; i++) {
            guint32 x = g_array_index(v, guint32, i);
            if (x == axes[a].fixed || x == SK_SWEEP_DESIGN)
                continue;
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option %s: %u, but "
                        "hypersio-1.0 has HyperSIO's fixed %u (sweep it with "
                        "--model siokit only)", axes[a].option, x, axes[a].fixed);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean parse_sweep(SkSweepSpec *sp, GError **error)
{
    GPtrArray *links;
    char *build = sk_cli_build_dir();
    uint64_t v;
    char *names;

    memset(sp, 0, sizeof(*sp));
    sp->benchmarks = values(opt_benchmarks, "iperf3");
    sp->orders = values(opt_orders, "rr");
    sp->designs = values(opt_designs, NULL);
    sp->models = values(opt_models, "siokit");
    if (!u32_values("--tenants", opt_tenants, "1,2,4,8,16,32,64,128,256,512,1024",
                    1, 1000000, &sp->tenants, error) ||
        !u32_values("--burst", opt_bursts, "1", 1, 1000000, &sp->bursts, error) ||
        !u32_values("--iotlb-size", opt_iotlb, "0", opt_iotlb ? 1 : 0,
                    SK_CACHE_MAX_ENTRIES, &sp->iotlb_sizes, error) ||
        !u32_values("--tqueue", opt_tqueues, "0", opt_tqueues ? 1 : 0, 1u << 20,
                    &sp->tqueues, error) ||
        !u32_values("--packet-bytes", opt_packet_bytes, "1542", 1, SK_PACKET_BYTES_MAX,
                    &sp->packet_bytes, error) ||
        !u32_values("--translations-per-packet", opt_per_packet, "3", 1,
                    SK_TRANSLATIONS_PER_PACKET_MAX, &sp->per_packet, error) ||
        !u32_values("--walk-table", opt_walk_tables, "4294967295",
                    opt_walk_tables ? 0 : SK_SWEEP_DESIGN,
                    opt_walk_tables ? SK_WALK_TABLE_MAX : SK_SWEEP_DESIGN,
                    &sp->walk_tables, error))
        goto fail;
    for (guint i = 0; i < sp->benchmarks->len; i++) {
        const char *b = sp->benchmarks->pdata[i];
        if (*b == '\0' || strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                     "0123456789-") != strlen(b)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --benchmark: '%s' is "
                        "not a name (letters, digits and '-')", b);
            goto fail;
        }
    }
    if (sp->designs->len == 0) {
        guint n;
        const SkDesign *d = sk_designs(&n);
        for (guint i = 0; i < n; i++)
            g_ptr_array_add(sp->designs, g_strdup(d[i].name));
    }
    names = sk_design_names();
    for (guint i = 0; i < sp->designs->len; i++) {
        if (sk_design_find(sp->designs->pdata[i]) == NULL) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --design: unknown "
                        "design '%s' (%s)", (char *)sp->designs->pdata[i], names);
            g_free(names);
            goto fail;
        }
    }
    g_free(names);
    for (guint i = 0; i < sp->models->len; i++) {
        SkModelKind kind;
        if (!sk_model_parse(sp->models->pdata[i], &kind)) {
            char *known = sk_model_names();
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --model: unknown "
                        "model '%s' (%s)", (char *)sp->models->pdata[i], known);
            g_free(known);
            goto fail;
        }
        g_free(sp->models->pdata[i]);
        sp->models->pdata[i] = g_strdup(sk_model_name(kind));
        if (kind == SK_MODEL_HYPERSIO && !hypersio_device_ok(sp, error))
            goto fail;
    }
    links = values(opt_links, "200");
    sp->links = g_array_new(FALSE, FALSE, sizeof(double));
    for (guint i = 0; i < links->len; i++) {
        double g;
        if (!sk_cli_parse_link_speed("--link-gbps", links->pdata[i], &g, error)) {
            g_ptr_array_free(links, TRUE);
            goto fail;
        }
        g_array_append_val(sp->links, g);
    }
    g_ptr_array_free(links, TRUE);
    sp->translations = 1000000;
    if (opt_translations &&
        !sk_cli_parse_u64("--translations", opt_translations, 1,
                          UINT64_C(1000000000000), &sp->translations, error))
        goto fail;
    sp->jobs = (guint)g_get_num_processors();
    if (opt_jobs) {
        if (!sk_cli_parse_u64("--jobs", opt_jobs, 1, 1024, &v, error))
            goto fail;
        sp->jobs = (guint)v;
    }
    if (opt_launcher && strcmp(opt_launcher, "slurm") == 0) {
        sp->slurm = TRUE;
    } else if (opt_launcher && strcmp(opt_launcher, "local") != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --launcher: unknown "
                    "launcher '%s' (local, slurm)", opt_launcher);
        goto fail;
    }
    if (opt_name && (!*opt_name || strchr(opt_name, '/') || opt_name[0] == '.')) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --name: '%s' is not a "
                    "plain name", opt_name);
        goto fail;
    }
    sp->out_dir = opt_output ? g_canonicalize_filename(opt_output, NULL)
        : g_build_filename(build, "results", opt_name ? opt_name : "explore", NULL);
    sp->traces_dir = opt_traces ? g_canonicalize_filename(opt_traces, NULL)
        : g_build_filename(build, "traces", NULL);
    sp->logs_dir = opt_logs ? g_canonicalize_filename(opt_logs, NULL) : NULL;
    sp->logs_root = opt_logs_root ? g_canonicalize_filename(opt_logs_root, NULL)
        : g_build_filename(build, "logs", NULL);
    sp->self = g_file_read_link("/proc/self/exe", NULL);
    sp->quiet = opt_quiet;
    g_free(build);
    return TRUE;
fail:
    g_free(build);
    return FALSE;
}

static void list_designs(void)
{
    guint n;
    const SkDesign *d = sk_designs(&n);

    for (guint i = 0; i < n; i++)
        printf("%-10s %s\n", d[i].name, d[i].summary);
}

static int run_point(const char *file)
{
    SkPoint p;
    GError *error = NULL;

    if (!sk_point_load(file, &p, &error))
        return sk_report(PROG, error);
    if (!sk_point_run(&p, &error)) {
        sk_point_clear(&p);
        fprintf(stderr, PROG ": %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    sk_point_clear(&p);
    return 0;
}

/* The table on stdout and the plots of dir from rows. */
static int report(const char *dir, GPtrArray *rows, gboolean plot)
{
    GError *error = NULL;

    sk_table_print(stdout, rows);
    fflush(stdout);
    if (plot && !sk_plot_write(dir, rows, &error))
        return sk_report(PROG, error);
    if (plot && !opt_quiet && sk_plot_has_points(rows))
        fprintf(stderr, PROG ": plots: %s/utilisation.svg (.png), "
                "%s/iotlb-hit-rate.svg (.png)\n", dir, dir);
    return 0;
}

static int replot(const char *dir)
{
    char *csv = g_build_filename(dir, "points.csv", NULL);
    GError *error = NULL;
    GPtrArray *rows = sk_results_load_csv(csv, &error);
    int status;

    g_free(csv);
    if (rows == NULL)
        return sk_report(PROG, error);
    sk_results_sort(rows);
    status = report(dir, rows, !opt_no_plot);
    g_ptr_array_free(rows, TRUE);
    return status;
}

static gboolean parse_options(int argc, char **argv, GError **error)
{
    GOptionContext *ctx = g_option_context_new("");
    char *models = sk_model_help();
    gboolean ok;

    for (GOptionEntry *e = entries; e->long_name; e++)
        if (strcmp(e->long_name, "model") == 0)
            e->description = models;

    g_option_context_set_summary(ctx,
        "Sweeps IOMMU designs x tenants x ... through the sioperf model: how link\n"
        "utilisation falls as tenants grow, and which design restores it.  Every\n"
        "combination of the values given is a point; results are JSON per point,\n"
        "a CSV of all points, a table on stdout and gnuplot plots (SVG, PNG).");
    g_option_context_set_description(ctx,
        "Exit status: 0 every point ran, 1 a point or the work failed (gnuplot's\n"
        "own message is shown when it fails), 2 bad usage or bad input (a bad\n"
        "value in points.csv or a point's JSON names the file, line and column\n"
        "or member), 130 or 143 stopped by SIGINT or SIGTERM (no temporary file\n"
        "is left).  See docs/perf-explore.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    ok = sk_cli_parse(ctx, &argc, &argv, error);
    if (ok && argc > 1) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unexpected argument '%s' "
                    "(usage: " PROG " [OPTION...])", argv[1]);
        ok = FALSE;
    }
    g_option_context_free(ctx);
    /* The descriptions are not needed after parsing (no --help can follow). */
    for (GOptionEntry *e = entries; e->long_name; e++)
        if (e->description == models)
            e->description = NULL;
    g_free(models);
    return ok;
}

int main(int argc, char **argv)
{
    SkSweepSpec sp;
    SkSweepStats stats;
    SkSweep *sweep = NULL;
    GPtrArray *rows = NULL;
    GError *error = NULL;
    char *csv = NULL;
    int status;

    if (!parse_options(argc, argv, &error))
        return sk_report(PROG, error);
    if (opt_list_designs) {
        list_designs();
        return 0;
    }
    if (opt_run_point)
        return run_point(opt_run_point);
    if (opt_plot) {
        sk_signal_catch();
        return replot(opt_plot);
    }
    if (!parse_sweep(&sp, &error)) {
        sk_sweep_spec_clear(&sp);
        return sk_report(PROG, error);
    }
    sk_signal_catch();
    sweep = sk_sweep_new(&sp, &error);
    if (sweep == NULL) {
        status = sk_report(PROG, error);
        goto out;
    }
    if (!sk_sweep_run(sweep, &stats, &error)) {
        sk_sweep_free(sweep);
        status = sk_report(PROG, error);
        if (sk_signal_stop())
            status = 128 + sk_signal_stop();
        goto out;
    }
    sk_sweep_free(sweep);
    if (!opt_quiet)
        fprintf(stderr, PROG ": %u points: %u run, %u skipped (done before), "
                "%u failed; %u traces made\n", stats.points, stats.run,
                stats.skipped, stats.failed, stats.traces_made);
    rows = sk_results_gather(sp.out_dir, &error);
    csv = g_build_filename(sp.out_dir, "points.csv", NULL);
    if (rows == NULL || !sk_results_write_csv(csv, rows, &error)) {
        status = sk_report(PROG, error);
        goto out;
    }
    if (!opt_quiet)
        fprintf(stderr, PROG ": results: %s\n", csv);
    status = report(sp.out_dir, rows, !opt_no_plot);
    if (status == 0 && stats.failed)
        status = 1;
out:
    if (rows)
        g_ptr_array_free(rows, TRUE);
    g_free(csv);
    sk_sweep_spec_clear(&sp);
    return status;
}
