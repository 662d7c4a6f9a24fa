/* sioperf.c - replay a translation trace against an IOMMU design.
 *
 * A thin driver: options in, libsiokitperf's model, JSON or text out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "report.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"

static char *opt_model, *opt_config, *opt_policy, *opt_tqueue, *opt_tenants;
static char *opt_link, *opt_format, *opt_packet_bytes, *opt_per_packet;
static gboolean opt_inorder, opt_salloc, opt_json, opt_quiet;

static GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_STRING, &opt_model,
     NULL /* the table of models: sk_model_help() */, "MODEL"},
    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config,
     "cache configuration (HyperSIO format; default: HyperSIO's base design)", "FILE"},
    {"policy", 'p', 0, G_OPTION_ARG_STRING, &opt_policy,
     "IOTLB replacement: lru (default), lfu or oracle", "POLICY"},
    {"tqueue", 'q', 0, G_OPTION_ARG_STRING, &opt_tqueue,
     "translation queue entries (default: the config's TQUEUE, else 1)", "N"},
    {"inorder", 0, 0, G_OPTION_ARG_NONE, &opt_inorder,
     "complete translations in order (default: out of order)", NULL},
    {"salloc", 0, 0, G_OPTION_ARG_NONE, &opt_salloc,
     "selective allocation: each cache fills only for its groups' domains", NULL},
    {"tenants", 't', 0, G_OPTION_ARG_STRING, &opt_tenants,
     "number of tenants (default: the domains in the trace)", "N"},
    {"link-gbps", 'g', 0, G_OPTION_ARG_STRING, &opt_link,
     "link speed in Gb/s (default 200)", "G"},
    {"packet-bytes", 0, 0, G_OPTION_ARG_STRING, &opt_packet_bytes,
     "packet size in bytes, 1 to 65536 (default 1542)", "N"},
    {"translations-per-packet", 0, 0, G_OPTION_ARG_STRING, &opt_per_packet,
     "translations each packet needs, 1 to 64 (default 3)", "N"},
    {"input-format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
     "siokit or hypersio (default: from the file name)", "FORMAT"},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
     "print one JSON object instead of text", NULL},
    {"quiet", 0, 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no progress line on a terminal", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static gboolean parse_options(int argc, char **argv, SkModelOptions *o,
                              SkTraceFormat *format, char **trace,
                              GError **error)
{
    GOptionContext *ctx = g_option_context_new("TRACE");
    uint64_t v;
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Replays a translation trace against an IOMMU design and reports the\n"
        "link bandwidth it allows, with cache hit rates overall and per tenant.");
    g_option_context_set_description(ctx,
        "TRACE is a siokit trace, or a HyperSIO 1.0 trace (a name ending in\n"
        "_iotlb_trace.bin, or --input-format hypersio).\n"
        "Exit status: 0 success, 1 the run failed, 2 bad usage or bad input\n"
        "(a bad trace or config; a FIFO, device or folder as either), 130 or\n"
        "143 stopped by SIGINT or SIGTERM.\n"
        "See docs/sioperf.md.");
    char *models = sk_model_help();
    entries[0].description = models;
    g_option_context_add_main_entries(ctx, entries, NULL);
    sk_model_options_default(o);
    *format = SK_FORMAT_AUTO;
    if (!sk_cli_parse(ctx, &argc, &argv, error))
        goto out;
    if (argc != 2) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, argc < 2
                    ? "no trace given (usage: sioperf [OPTION...] TRACE)"
                    : "more than one trace given (usage: sioperf [OPTION...] TRACE)");
        goto out;
    }
    *trace = g_strdup(argv[1]);
    if (opt_model && !sk_model_parse(opt_model, &o->model)) {
        char *names = sk_model_names();
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --model: unknown model '%s' (%s)", opt_model, names);
        g_free(names);
        goto out;
    }
    if (opt_policy && !sk_policy_parse(opt_policy, &o->policy)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --policy: unknown policy '%s' (lru, lfu, oracle)", opt_policy);
        goto out;
    }
    if (opt_format && !sk_trace_format_parse(opt_format, format)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --input-format: unknown format '%s' (siokit, hypersio)",
                    opt_format);
        goto out;
    }
    if (opt_tqueue) {
        if (!sk_cli_parse_u64("--tqueue", opt_tqueue, 1, 1u << 20, &v, error))
            goto out;
        o->tqueue = (uint32_t)v;
    }
    if (opt_tenants) {
        if (!sk_cli_parse_u64("--tenants", opt_tenants, 1, UINT32_MAX, &v, error))
            goto out;
        o->tenants = (uint32_t)v;
    }
    if (opt_link) {
        double g;
        if (!sk_cli_parse_link_speed("--link-gbps", opt_link, &g, error))
            goto out;
        o->link_mbps = (uint64_t)llround(g * 1000.0);
    }
    if (opt_packet_bytes) {
        if (!sk_cli_parse_u64("--packet-bytes", opt_packet_bytes, 1,
                              SK_PACKET_BYTES_MAX, &v, error))
            goto out;
        o->packet_bytes = (uint32_t)v;
    }
    if (opt_per_packet) {
        if (!sk_cli_parse_u64("--translations-per-packet", opt_per_packet, 1,
                              SK_TRANSLATIONS_PER_PACKET_MAX, &v, error))
            goto out;
        o->translations_per_packet = (uint32_t)v;
    }
    o->inorder = opt_inorder;
    o->salloc = opt_salloc;
    sk_input_claim(*trace);
    if (opt_config) {
        sk_input_claim(opt_config);
        o->config_path = opt_config;
        if (!sk_cache_config_load_lines(opt_config, sk_model_info(o->model)->dialect,
                                        &o->caches, &o->config_lines, error))
            goto out;
        if (!opt_tqueue && o->caches.tqueue)
            o->tqueue = o->caches.tqueue;    /* the file's TQUEUE: --tqueue's default */
    }
    ok = sk_model_options_check(o, error);
out:
    g_option_context_free(ctx);
    entries[0].description = NULL;
    g_free(models);
    return ok;
}

int main(int argc, char **argv)
{
    SkModelOptions options;
    SkModelResult result = {0};
    SkTraceFormat format;
    char *trace = NULL;
    GError *error = NULL;
    int status = 0;

    if (!parse_options(argc, argv, &options, &format, &trace, &error) ||
        !sk_model_run_trace(&options, trace, format, opt_quiet, &result, &error))
        goto fail;
    if (opt_json) {
        char *json = sk_report_json(&result, &options, trace, FALSE);
        printf("%s\n", json);
        g_free(json);
    } else {
        sk_report_text(stdout, &result, &options, trace);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "sioperf: cannot write the result\n");
        status = 1;
    }
    goto out;
fail:
    status = sk_report("sioperf", error);
out:
    sk_model_result_clear(&result);
    g_free(trace);
    return status;
}
