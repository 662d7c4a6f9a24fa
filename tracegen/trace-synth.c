/* trace-synth.c - write a synthetic hyper-tenant translation trace.
 *
 * A thin driver over sk_synth (the workloads) and sk_nat (the oracle's
 * next-access times): options in, one trace out, written under a temporary
 * name and renamed only when whole.  SIGINT/SIGTERM abort the writer, so an
 * interrupted run leaves nothing.  See docs/trace-synth.md. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "reaper.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_json.h"
#include "sk_synth.h"
#include "sk_trace.h"

#define PROG "trace-synth"
#define USAGE "usage: " PROG " [OPTION...] --tenants N --translations M -o OUT"
#define MAX_TRANSLATIONS UINT64_C(1000000000000)   /* 48 TB of spill */

static char *opt_workload, *opt_tenants, *opt_translations, *opt_order;
static char *opt_burst, *opt_seed, *opt_pages, *opt_huge, *opt_format;
static char *opt_output, *opt_tmpdir;
static gboolean opt_compress, opt_quiet, opt_json;

static GOptionEntry entries[] = {
    {"workload", 'w', 0, G_OPTION_ARG_STRING, &opt_workload,
     "iperf3 (default), uniform or mixed", "NAME"},
    {"tenants", 't', 0, G_OPTION_ARG_STRING, &opt_tenants,
     "number of tenants, 1..1000000 (required)", "N"},
    {"translations", 'n', 0, G_OPTION_ARG_STRING, &opt_translations,
     "translations in the trace (required)", "M"},
    {"order", 'r', 0, G_OPTION_ARG_STRING, &opt_order,
     "turns of the tenants: rr (default, id order) or rand", "ORDER"},
    {"burst", 'b', 0, G_OPTION_ARG_STRING, &opt_burst,
     "packets per turn, 3 translations each (default 1)", "P"},
    {"seed", 's', 0, G_OPTION_ARG_STRING, &opt_seed,
     "seed of every random choice (default 1)", "S"},
    {"pages", 'k', 0, G_OPTION_ARG_STRING, &opt_pages,
     "pages per tenant: buffer pool (default 256) or, for uniform, "
     "working set (default 512)", "K"},
    {"huge-fraction", 0, 0, G_OPTION_ARG_STRING, &opt_huge,
     "fraction of buffer pages that are 2 MiB pages, 0..1 (default 0)", "F"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
     "siokit, hypersio or auto (default: hypersio for names ending "
     "in _iotlb_trace.bin)", "FORMAT"},
    {"compress", 'z', 0, G_OPTION_ARG_NONE, &opt_compress,
     "zstd-compress the blocks (siokit format)", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "the trace to write (required)", "OUT"},
    {"tmpdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_tmpdir,
     "where to spill while computing NATs (56 bytes a translation; "
     "default $TMPDIR or /tmp)", "DIR"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
     "print a JSON object describing the trace on stdout", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no progress and no summary line", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gboolean fail_usage(GError **error, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static gboolean fail_usage(GError **error, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error_literal(error, SK_ERROR, SK_ERROR_INPUT, msg);
    g_free(msg);
    return FALSE;
}

static gboolean parse_options(int argc, char **argv, SkSynthParams *p,
                              SkTraceFormat *format, GError **error)
{
    GOptionContext *ctx = g_option_context_new("-o OUT");
    uint64_t v;
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Writes a synthetic hyper-tenant IOMMU translation trace: N tenants\n"
        "taking turns of 3P translations (P packets: descriptor, buffer,\n"
        "descriptor writeback), with next-access times for the oracle policy.\n"
        "The same options always give the same trace.");
    g_option_context_set_description(ctx,
        "Workloads: iperf3 (a NIC RX ring and a buffer pool per tenant),\n"
        "uniform (random pages of a working set), mixed (iperf3, every\n"
        "fourth tenant with 2 MiB and 1 GiB pages).\n"
        "An existing output that is not a regular file (/dev/null, a FIFO) is\n"
        "refused before any work.\n"
        "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input,\n"
        "130/143 interrupted by SIGINT/SIGTERM (nothing written).\n"
        "See docs/trace-synth.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    sk_synth_params_init(p);
    *format = SK_FORMAT_AUTO;
    if (!sk_cli_parse(ctx, &argc, &argv, error))
        goto out;
    if (argc > 1) {
        fail_usage(error, "unexpected argument '%s' (%s)", argv[1], USAGE);
        goto out;
    }
    if (opt_output == NULL || *opt_output == '\0') {
        fail_usage(error, "option -o/--output is required (%s)", USAGE);
        goto out;
    }
    if (opt_tenants == NULL) {
        fail_usage(error, "option --tenants is required (%s)", USAGE);
        goto out;
    }
    if (opt_translations == NULL) {
        fail_usage(error, "option --translations is required (%s)", USAGE);
        goto out;
    }
    if (opt_workload && !sk_synth_workload_parse(opt_workload, &p->workload)) {
        fail_usage(error, "option --workload: unknown workload '%s' "
                   "(iperf3, uniform, mixed)", opt_workload);
        goto out;
    }
    if (opt_order && !sk_synth_order_parse(opt_order, &p->order)) {
        fail_usage(error, "option --order: unknown order '%s' (rr, rand)",
                   opt_order);
        goto out;
    }
    if (opt_format && !sk_trace_format_parse(opt_format, format)) {
        fail_usage(error, "option --format: unknown format '%s' "
                   "(siokit, hypersio, auto)", opt_format);
        goto out;
    }
    if (!sk_cli_parse_u64("--tenants", opt_tenants, 1, SK_SYNTH_MAX_TENANTS,
                          &v, error))
        goto out;
    p->tenants = (uint32_t)v;
    if (!sk_cli_parse_u64("--translations", opt_translations, 1,
                          MAX_TRANSLATIONS, &p->translations, error))
        goto out;
    if (opt_burst) {
        if (!sk_cli_parse_u64("--burst", opt_burst, 1, SK_SYNTH_MAX_BURST, &v,
                              error))
            goto out;
        p->burst = (uint32_t)v;
    }
    if (opt_seed &&
        !sk_cli_parse_u64("--seed", opt_seed, 0, UINT64_MAX, &p->seed, error))
        goto out;
    if (opt_pages) {
        if (!sk_cli_parse_u64("--pages", opt_pages, 1, SK_SYNTH_MAX_PAGES, &v,
                              error))
            goto out;
        p->pages = (uint32_t)v;
    }
    if (opt_huge && !sk_cli_parse_double("--huge-fraction", opt_huge, 0.0, 1.0,
                                         &p->huge_fraction, error))
        goto out;
    if (opt_json && !g_utf8_validate(opt_output, -1, NULL)) {
        fail_usage(error, "option --json: the output name is not UTF-8, "
                   "which JSON cannot hold");
        goto out;
    }
    if (!sk_output_check("trace", opt_output, error))
        goto out;
    if (*format == SK_FORMAT_AUTO)
        *format = sk_trace_format_detect(opt_output);
    if (*format == SK_FORMAT_HYPERSIO) {
        if (sk_synth_sid(p->tenants - 1) > 0xffff) {
            fail_usage(error, "option --tenants: %u tenants do not fit the "
                       "hypersio format (16-bit source ids: at most %u)",
                       p->tenants, (0xffffu - sk_synth_sid(0)) / 8 + 1);
            goto out;
        }
        if (opt_compress) {
            fail_usage(error, "option --compress: only siokit traces can be "
                       "compressed");
            goto out;
        }
    }
    ok = TRUE;
out:
    g_option_context_free(ctx);
    return ok;
}

/* 64-bit FNV-1a of the parameters: the trace's "source" hash. */
static uint64_t params_hash(const SkSynthParams *p)
{
    char *text = g_strdup_printf(
        "trace-synth workload=%s tenants=%u translations=%" G_GUINT64_FORMAT
        " order=%s burst=%u seed=%" G_GUINT64_FORMAT " pages=%u huge=%.17g",
        sk_synth_workload_name(p->workload), p->tenants, p->translations,
        sk_synth_order_name(p->order), p->burst, p->seed, sk_synth_pages(p),
        p->huge_fraction);
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        h = (h ^ *c) * UINT64_C(0x100000001b3);
    g_free(text);
    return h;
}

/* The trace's description as one JSON object (json-glib: always valid).
 * A non-UTF-8 output name is refused before any work (parse_options). */
static void print_json(const SkSynthParams *p, SkTraceFormat format)
{
    JsonBuilder *b = json_builder_new();
    char *text;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "output");
    json_builder_add_string_value(b, opt_output);
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, format == SK_FORMAT_HYPERSIO ? "hypersio" : "siokit");
    json_builder_set_member_name(b, "tenants");
    json_builder_add_int_value(b, p->tenants);
    json_builder_set_member_name(b, "translations");
    json_builder_add_int_value(b, (gint64)p->translations);
    json_builder_set_member_name(b, "workload");
    json_builder_add_string_value(b, sk_synth_workload_name(p->workload));
    json_builder_set_member_name(b, "order");
    json_builder_add_string_value(b, sk_synth_order_name(p->order));
    json_builder_set_member_name(b, "burst");
    json_builder_add_int_value(b, p->burst);
    json_builder_set_member_name(b, "seed");
    /* a seed above 2^63 stays exact: as a string then */
    if (p->seed > G_MAXINT64) {
        char *seed = g_strdup_printf("%" G_GUINT64_FORMAT, p->seed);
        json_builder_add_string_value(b, seed);
        g_free(seed);
    } else {
        json_builder_add_int_value(b, (gint64)p->seed);
    }
    json_builder_end_object(b);
    text = sk_json_builder_finish(b, FALSE);
    printf("%s\n", text);
    g_free(text);
}

int main(int argc, char **argv)
{
    SkSynthParams params;
    SkTraceFormat format;
    SkTraceWriterOptions wopt = { 0 };
    SkTraceWriter *writer = NULL;
    SkPhaseProgress progress = { 0 };
    GError *error = NULL;
    int status = 0;

    if (!parse_options(argc, argv, &params, &format, &error))
        goto fail;
    progress.quiet = opt_quiet;
    wopt.compress = opt_compress;
    wopt.source_hash = params_hash(&params);
    sk_signal_catch();
    writer = sk_trace_writer_new(opt_output, format, &wopt, &error);
    if (writer == NULL)
        goto fail;
    if (!sk_synth_write(&params, writer, opt_tmpdir, tg_reaper_progress, &progress,
                        &error) ||
        sk_signal_stop()) {
        sk_trace_writer_abort(writer);
        writer = NULL;
        goto fail;
    }
    sk_phase_progress_clear(&progress);
    if (!sk_trace_writer_close(writer, &error)) {
        writer = NULL;
        goto fail;
    }
    writer = NULL;
    if (!opt_quiet)
        fprintf(stderr, "wrote %" G_GUINT64_FORMAT " translations of %u "
                "tenants to %s\n", params.translations, params.tenants,
                opt_output);
    if (opt_json) {
        print_json(&params, format);
        if (fflush(stdout) != 0 || ferror(stdout)) {
            fprintf(stderr, PROG ": cannot write to stdout\n");
            status = 1;
        }
    }
    goto out;
fail:
    sk_phase_progress_clear(&progress);
    if (sk_signal_stop()) {
        fprintf(stderr, PROG ": interrupted by %s, nothing written\n",
                sk_signal_stop() == SIGINT ? "SIGINT" : "SIGTERM");
        g_clear_error(&error);
        status = 128 + sk_signal_stop();
    } else {
        status = sk_report(PROG, error);
    }
out:
    sk_phase_progress_clear(&progress);
    return status;
}
