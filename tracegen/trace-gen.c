/* trace-gen.c - per-tenant IOMMU event logs to one interleaved
 * hyper-tenant trace that sioperf replays.
 *
 * A thin driver over libtracegen (tracegen.h): options in, inputs claimed
 * and the output checked before any work, sk_tracegen_run(), the summary
 * out.  See docs/trace-gen.md. */
#include <stdio.h>

#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "reaper.h"
#include "sk_signal.h"
#include "tracegen.h"

#define PROG "trace-gen"

static char **opt_logs, *opt_tenants, *opt_order, *opt_burst, *opt_dpl;
static char *opt_weights, *opt_zipf, *opt_seed, *opt_format, *opt_output;
static char *opt_trace_events, *opt_tmpdir, *opt_translations;
static gboolean opt_strict, opt_reuse, opt_json, opt_quiet, opt_compress;

static GOptionEntry entries[] = {
    {"logs", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_logs,
     "a log file, or a prefix P of logs P_0.txt, P_1.txt ... (repeatable; "
     "log files may also follow the options)", "PREFIX|FILE"},
    {"tenants", 't', 0, G_OPTION_ARG_STRING, &opt_tenants,
     "tenants in the trace (required)", "N"},
    {"order", 'r', 0, G_OPTION_ARG_STRING, &opt_order,
     "rr (default), rand, orig, weighted or zipf", "ORDER"},
    {"burst", 'b', 0, G_OPTION_ARG_STRING, &opt_burst,
     "packets a tenant's turn, 3 translations each (default 1)", "P"},
    {"devices-per-log", 'V', 0, G_OPTION_ARG_STRING, &opt_dpl,
     "HyperSIO's device selection: in each log only devices 2, 3 ... up to "
     "V (or fewer when fewer tenants are left) count", "V"},
    {"weights", 'w', 0, G_OPTION_ARG_FILENAME, &opt_weights,
     "tenant weights for --order weighted: lines 'TENANT WEIGHT'", "FILE"},
    {"zipf", 0, 0, G_OPTION_ARG_STRING, &opt_zipf,
     "skew of --order zipf (default 1)", "THETA"},
    {"seed", 's', 0, G_OPTION_ARG_STRING, &opt_seed,
     "seed of the weighted and zipf orders (default 1)", "S"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
     "siokit (default) or hypersio (writes OUT_iotlb_trace.bin)", "FORMAT"},
    {"strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict,
     "fail on the first malformed line", NULL},
    {"translations", 'n', 0, G_OPTION_ARG_STRING, &opt_translations,
     "end the trace after N translations (default: when the order ends)", "N"},
    {"reuse", 0, 0, G_OPTION_ARG_NONE, &opt_reuse,
     "read the logs again as new tenants when they hold too few", NULL},
    {"trace-events", 'e', 0, G_OPTION_ARG_FILENAME, &opt_trace_events,
     "trace-events file of the QEMU that wrote simple-backend logs", "FILE"},
    {"tmpdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_tmpdir,
     "where to spill (default $TMPDIR or /tmp)", "DIR"},
    {"compress", 'z', 0, G_OPTION_ARG_NONE, &opt_compress,
     "zstd-compress the trace (siokit format)", NULL},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
     "print the summary as one JSON object on stdout", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no progress and no summary", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "the trace to write (required)", "OUT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gboolean parse_options(int *argc, char ***argv, SkTraceGenParams *p,
                              GPtrArray *logs, GError **error)
{
    GOptionContext *ctx = g_option_context_new("[LOG...]");
    uint64_t v;
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Interleaves per-tenant IOMMU event logs (HyperSIO 1.0 or stock QEMU 7.2\n"
        "text logs, QEMU simple-backend logs, siokit's binary VT-d logs; plain,\n"
        "gzip or zstd) into one hyper-tenant translation trace for sioperf.");
    g_option_context_set_description(ctx,
        "A tenant is one domain of one log.  Logs must be regular files; an\n"
        "output that is one of the inputs, or that exists and is not a regular\n"
        "file (/dev/null, a FIFO), is refused before any work.\n"
        "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input,\n"
        "130/143 interrupted by SIGINT/SIGTERM (nothing written).\n"
        "See docs/trace-gen.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    sk_tracegen_params_init(p);
    if (!sk_cli_parse(ctx, argc, argv, error))
        goto out;
    for (char **l = opt_logs; l && *l; l++)
        if (!sk_tracegen_find_logs(logs, *l, error))
            goto out;
    for (int i = 1; i < *argc; i++)
        if (!sk_tracegen_find_logs(logs, (*argv)[i], error))
            goto out;
    if (logs->len == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no logs given (--logs PREFIX|FILE)");
        goto out;
    }
    g_ptr_array_add(logs, NULL);
    p->logs = (const char *const *)logs->pdata;
    if (opt_output == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option -o/--output is required");
        goto out;
    }
    if (opt_tenants == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --tenants is required");
        goto out;
    }
    if (!sk_cli_parse_u64("--tenants", opt_tenants, 1, SK_TRACEGEN_MAX_TENANTS, &v, error))
        goto out;
    p->tenants = (uint32_t)v;
    if (opt_order && !tg_order_parse(opt_order, &p->order)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --order: unknown order '%s' (rr, rand, orig, weighted, zipf)",
                    opt_order);
        goto out;
    }
    if (opt_burst) {
        if (!sk_cli_parse_u64("--burst", opt_burst, 1, SK_TRACEGEN_MAX_BURST, &v, error))
            goto out;
        p->burst = (uint32_t)v;
    }
    if (opt_dpl) {
        if (!sk_cli_parse_u64("--devices-per-log", opt_dpl, 1,
                              SK_TRACEGEN_MAX_DEVICES_PER_LOG, &v, error))
            goto out;
        p->devices_per_log = (uint32_t)v;
    }
    if (opt_seed && !sk_cli_parse_u64("--seed", opt_seed, 0, UINT64_MAX, &p->seed, error))
        goto out;
    if (opt_zipf && !sk_cli_parse_double("--zipf", opt_zipf, 0, SK_TRACEGEN_MAX_ZIPF,
                                         &p->zipf, error))
        goto out;
    if (opt_format && (!sk_trace_format_parse(opt_format, &p->format) ||
                       p->format == SK_FORMAT_AUTO)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --format: unknown format '%s' (siokit, hypersio)", opt_format);
        goto out;
    }
    if (opt_translations &&
        !sk_cli_parse_u64("--translations", opt_translations, 1,
                          SK_TRACEGEN_MAX_TRANSLATIONS, &p->translations, error))
        goto out;
    p->weights = opt_weights;
    p->strict = opt_strict;
    p->reuse = opt_reuse;
    p->compress = opt_compress;
    p->trace_events = opt_trace_events;
    p->tmpdir = opt_tmpdir;
    p->output = sk_tracegen_output_path(opt_output, p->format);
    ok = sk_tracegen_params_check(p, error);
out:
    g_option_context_free(ctx);
    return ok;
}

/* Claims every input and checks the output, before any work. */
static gboolean check_files(const SkTraceGenParams *p, GError **error)
{
    for (guint i = 0; p->logs[i]; i++)
        sk_input_claim(p->logs[i]);
    sk_input_claim(p->weights);
    sk_input_claim(p->trace_events);
    return sk_output_check("trace", p->output, error);
}

int main(int argc, char **argv)
{
    SkTraceGenParams params;
    SkTraceGenSummary summary;
    SkPhaseProgress progress = {.quiet = FALSE};
    GPtrArray *logs = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    int status = 0;

    sk_signal_catch();
    if (!parse_options(&argc, &argv, &params, logs, &error) ||
        !check_files(&params, &error)) {
        status = sk_report(PROG, error);
        goto done;
    }
    progress.quiet = opt_quiet || opt_json;
    params.progress = tg_reaper_progress;
    params.progress_data = &progress;
    if (!sk_tracegen_run(&params, &summary, &error)) {
        sk_phase_progress_clear(&progress);
        int sig = sk_signal_stop();
        status = sk_report(PROG, error);
        if (sig)
            status = 128 + sig;
        goto done;
    }
    sk_phase_progress_clear(&progress);
    if (!opt_quiet && !opt_json)
        sk_tracegen_summary_text(stderr, PROG, &summary, &params);
    if (opt_json) {
        char *json = sk_tracegen_summary_json(&summary, &params);
        printf("%s\n", json);
        g_free(json);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, PROG ": cannot write to stdout\n");
        status = 1;
    }
    sk_tracegen_summary_clear(&summary);
done:
    g_free((char *)params.output);
    g_ptr_array_free(logs, TRUE);
    return status;
}
