/* registry-synth.c - write a synthetic registry trace in the IBM format (seed 003).
 *
 * A thin driver over rr_synth.h (the model and its distributions): options
 * in, one JSON array out, written under a temporary name and renamed only
 * when whole.  See docs/registry-replay.md. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rr_synth.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"

#define PROG "registry-synth"
#define USAGE "usage: " PROG " --requests N [OPTION...] -o TRACE.json"

static char *opt_requests, *opt_repos, *opt_clients, *opt_zipf, *opt_put, *opt_seed,
            *opt_median, *opt_output;
static gboolean opt_quiet;

static GOptionEntry entries[] = {
    {"requests", 'n', 0, G_OPTION_ARG_STRING, &opt_requests, "records to write (required)", "N"},
    {"repos", 0, 0, G_OPTION_ARG_STRING, &opt_repos, "repositories (default 100)", "N"},
    {"clients", 0, 0, G_OPTION_ARG_STRING, &opt_clients, "client addresses (default 10)", "N"},
    {"zipf", 0, 0, G_OPTION_ARG_STRING, &opt_zipf,
     "exponent of repository popularity, 0..10 (default 1; 0 uniform)", "T"},
    {"put-fraction", 0, 0, G_OPTION_ARG_STRING, &opt_put,
     "fraction of events that are pushes, 0..1 (default 0.05)", "F"},
    {"layer-median", 0, 0, G_OPTION_ARG_STRING, &opt_median,
     "median layer size in bytes, 100..1073741824 (default 2097152)", "BYTES"},
    {"seed", 's', 0, G_OPTION_ARG_STRING, &opt_seed, "seed of every choice (default 1)", "S"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "the trace to write (required)", "OUT"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "print nothing on stderr", NULL},
    {NULL},
};

static gboolean parse_options(int argc, char **argv, RrSynthParams *p, GError **error)
{
    GOptionContext *ctx = g_option_context_new("- write a synthetic registry trace");
    gboolean ok = FALSE;
    guint64 v;

    g_option_context_set_summary(ctx,
        "Writes N records of a container registry's log in the IBM traces' format (a\n"
        "JSON array): Zipf-popular repositories, log-normal layer sizes, pulls of a\n"
        "manifest then its layers, pushes of new layers then the manifest, several\n"
        "clients, Poisson arrivals.  The same options and seed give the same bytes.\n"
        "Exit status: 0 success, 1 the work failed, 2 bad usage,\n"
        "130/143 interrupted by SIGINT/SIGTERM (nothing written).\n"
        "See docs/registry-replay.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    rr_synth_params_init(p);
    if (!sk_cli_parse(ctx, &argc, &argv, error))
        goto out;
    if (argc > 1) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unexpected argument '%s' (%s)", argv[1],
                    USAGE);
        goto out;
    }
    if (opt_output == NULL || *opt_output == '\0' || opt_requests == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "options --requests and -o/--output "
                    "are required (%s)", USAGE);
        goto out;
    }
    if (!sk_cli_parse_u64("--requests", opt_requests, 1, UINT64_C(10000000000), &p->requests,
                          error) ||
        !sk_cli_parse_uint("--repos", opt_repos, 1, 10000000, &p->repos, error) ||
        !sk_cli_parse_uint("--clients", opt_clients, 1, 10000000, &p->clients, error))
        goto out;
    if (opt_zipf && !sk_cli_parse_double("--zipf", opt_zipf, 0, 10, &p->zipf, error))
        goto out;
    if (opt_put && !sk_cli_parse_double("--put-fraction", opt_put, 0, 1, &p->put_fraction,
                                        error))
        goto out;
    if (opt_median && !sk_cli_parse_u64("--layer-median", opt_median, 100, 1073741824,
                                        &p->layer_median, error))
        goto out;
    if (opt_seed) {
        if (!sk_cli_parse_u64("--seed", opt_seed, 0, UINT64_MAX, &v, error))
            goto out;
        p->seed = v;
    }
    ok = TRUE;
out:
    g_option_context_free(ctx);
    return ok;
}

int main(int argc, char **argv)
{
    RrSynthParams p;
    SkOutput out = {0};
    GError *error = NULL;
    int status = 0;

    if (!parse_options(argc, argv, &p, &error))
        return sk_report(PROG, error);
    sk_signal_catch();
    if (!sk_output_check("trace", opt_output, &error) ||
        !sk_output_open(&out, "trace", opt_output, &error))
        goto fail;
    if (!rr_synth_write(&p, out.f, opt_output, &error) || sk_signal_stop()) {
        sk_output_discard(&out);
        goto fail;
    }
    if (!sk_output_commit(&out, &error))
        goto fail;
    if (!opt_quiet)
        fprintf(stderr, "wrote %" G_GUINT64_FORMAT " records to %s\n", p.requests, opt_output);
    return 0;
fail:
    if (sk_signal_stop()) {
        fprintf(stderr, PROG ": interrupted by %s, nothing written\n",
                sk_signal_stop() == SIGINT ? "SIGINT" : "SIGTERM");
        g_clear_error(&error);
        status = 128 + sk_signal_stop();
    } else {
        status = sk_report(PROG, error);
    }
    return status;
}
