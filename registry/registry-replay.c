/* registry-replay.c - replay IBM container-registry traces, or simulate registry caches (seed 003).
 *
 * A thin driver over librr: the seed's YAML config in, its trace requests
 * read and limited, then one of warmup, run (rr_replay.h) or simulate
 * (rr_sim.h).  See docs/registry-replay.md. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "rr_config.h"
#include "rr_replay.h"
#include "rr_sim.h"
#include "rr_trace.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"

#define PROG "registry-replay"
#define USAGE "usage: " PROG " -c warmup|run|simulate -i CONFIG.yaml [OPTION...]"

static char *opt_command, *opt_input, *opt_jobs, *opt_launcher, *opt_worker,
            *opt_worker_output, *opt_start_us;
static gboolean opt_json, opt_quiet, opt_strict;

static GOptionEntry entries[] = {
    {"command", 'c', 0, G_OPTION_ARG_STRING, &opt_command,
     "warmup, run or simulate (required)", "CMD"},
    {"input", 'i', 0, G_OPTION_ARG_FILENAME, &opt_input,
     "the seed's YAML configuration (required)", "CONFIG"},
    {"jobs", 'j', 0, G_OPTION_ARG_STRING, &opt_jobs,
     "run: client processes (default: one per client_info.client_list entry)", "N"},
    {"launcher", 0, 0, G_OPTION_ARG_STRING, &opt_launcher,
     "run: how clients start: local processes (default) or slurm tasks", "L"},
    {"json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
     "print one JSON object on stdout instead of the seed's lines", NULL},
    {"strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict,
     "a malformed trace record is an error (exit 2)", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no warnings or progress on stderr", NULL},
    /* run's clients are this program too (rr_replay.h) */
    {"worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_worker, NULL, NULL},
    {"worker-output", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt_worker_output,
     NULL, NULL},
    {"start-us", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_start_us, NULL, NULL},
    {NULL},
};

static gboolean fail_usage(GError **error, const char *msg)
{
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s (%s)", msg, USAGE);
    return FALSE;
}

static gboolean parse_options(int argc, char **argv, RrCommand *cmd, RrReplayOptions *ro,
                              GError **error)
{
    GOptionContext *ctx = g_option_context_new("- replay or simulate registry traces");
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Reads the Docker registry trace player's configuration (seed 003) and the\n"
        "IBM registry traces it names, then\n"
        "  warmup    pushes one blob of the traced size for every layer GET to the\n"
        "            first registry and writes warmup.output (uri -> digest);\n"
        "  run       replays the requests from client processes over keep-alive\n"
        "            connections, writes trace.output and prints the seed's statistics;\n"
        "  simulate  runs simulate.name: cache.py, prefetch.py (the seed's, exactly),\n"
        "            lru2, prefetch (corrected), or a plugin FILE.so.\n"
        "Exit status: 0 success, 1 the work failed, 2 bad usage, bad configuration\n"
        "or bad trace, 130/143 interrupted by SIGINT/SIGTERM (no partial output).\n"
        "See docs/registry-replay.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!sk_cli_parse(ctx, &argc, &argv, error))
        goto out;
    if (argc > 1) {
        char *m = g_strdup_printf("unexpected argument '%s'", argv[1]);

        fail_usage(error, m);
        g_free(m);
        goto out;
    }
    if (opt_command == NULL) {
        fail_usage(error, "option -c/--command is required");
        goto out;
    }
    if (strcmp(opt_command, "warmup") == 0)
        *cmd = RR_CMD_WARMUP;
    else if (strcmp(opt_command, "run") == 0)
        *cmd = RR_CMD_RUN;
    else if (strcmp(opt_command, "simulate") == 0)
        *cmd = RR_CMD_SIMULATE;
    else {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option -c/--command: unknown command "
                    "'%s' (warmup, run, simulate)", opt_command);
        goto out;
    }
    if (opt_input == NULL || *opt_input == '\0') {
        fail_usage(error, "option -i/--input is required");
        goto out;
    }
    ro->jobs = 0;
    if (!sk_cli_parse_uint("--jobs", opt_jobs, 1, 1024, &ro->jobs, error))
        goto out;
    ro->launcher = RR_LAUNCH_LOCAL;
    if (opt_launcher && strcmp(opt_launcher, "slurm") == 0)
        ro->launcher = RR_LAUNCH_SLURM;
    else if (opt_launcher && strcmp(opt_launcher, "local") != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --launcher: unknown launcher "
                    "'%s' (local, slurm)", opt_launcher);
        goto out;
    }
    ro->worker = -1;
    if (opt_worker || opt_worker_output || opt_start_us) {
        guint64 start;
        guint k;

        if (!opt_worker || !opt_worker_output || !opt_start_us || *cmd != RR_CMD_RUN) {
            fail_usage(error, "--worker, --worker-output and --start-us go together, "
                       "with -c run");
            goto out;
        }
        if (!sk_cli_parse_uint("--worker", opt_worker, 0, 1023, &k, error) ||
            !sk_cli_parse_u64("--start-us", opt_start_us, 0, G_MAXINT64, &start, error))
            goto out;
        ro->worker = (int)k;
        ro->start_us = (gint64)start;
        ro->worker_output = opt_worker_output;
    }
    ro->json = opt_json;
    ro->quiet = opt_quiet;
    ro->strict = opt_strict;
    ro->config_path = opt_input;
    ok = TRUE;
out:
    g_option_context_free(ctx);
    return ok;
}

static gboolean simulate(const RrConfig *cfg, const RrTrace *t, GError **error)
{
    const RrSimPlugin *p = rr_sim_find(cfg->sim_name, error);
    RrSimRun run = {0};
    JsonBuilder *b = NULL;
    gboolean ok;
    gint64 start;
    double elapsed;

    if (p == NULL)
        return FALSE;
    run.requests = t->requests;
    run.n = t->n;
    run.trace = t;
    run.args = &cfg->args;
    run.has_args = cfg->has_args;
    run.text = opt_json ? NULL : stdout;
    run.progress = !opt_quiet && isatty(2);
    if (opt_json) {
        b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "simulation");
        json_builder_add_string_value(b, p->name);
        json_builder_set_member_name(b, "trace_requests");
        json_builder_add_int_value(b, (gint64)t->n);
        json_builder_set_member_name(b, "malformed_records");
        json_builder_add_int_value(b, (gint64)t->malformed);
        run.json = b;
    }
    start = g_get_monotonic_time();
    ok = p->init(&run, error);
    elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
    if (ok && b) {
        /* The simulation alone, without reading the traces (bench/). */
        json_builder_set_member_name(b, "sim_seconds");
        json_builder_add_double_value(b, elapsed);
        json_builder_set_member_name(b, "sim_requests_per_second");
        json_builder_add_double_value(b, elapsed > 0 ? (double)t->n / elapsed : 0.0);
        JsonNode *root;
        JsonGenerator *g = json_generator_new();
        char *text;

        json_builder_end_object(b);
        root = json_builder_get_root(b);
        json_generator_set_root(g, root);
        json_generator_set_pretty(g, TRUE);
        text = json_generator_to_data(g, NULL);
        printf("%s\n", text);
        g_free(text);
        json_node_unref(root);
        g_object_unref(g);
    }
    if (b)
        g_object_unref(b);
    return ok;
}

int main(int argc, char **argv)
{
    RrCommand cmd = RR_CMD_SIMULATE;
    RrReplayOptions ro = {0};
    RrConfig cfg = {0};
    RrTrace *t = NULL;
    RrTraceLimit limit;
    GError *error = NULL;
    int status = 0;
    gboolean ok = FALSE;

    if (!parse_options(argc, argv, &cmd, &ro, &error))
        goto done;
    sk_signal_catch();
    if (!rr_config_load(&cfg, opt_input, &error) ||
        !rr_config_check_command(&cfg, cmd, &error))
        goto done;
    sk_input_claim(opt_input);
    for (guint i = 0; i < cfg.n_traces; i++)
        sk_input_claim(cfg.traces[i]);
    if (!rr_replay_check_outputs(&cfg, cmd, &error))
        goto done;
    if (cfg.verbose && !opt_json) {
        printf("Verbose Mode\nInput traces\n");
        for (guint i = 0; i < cfg.n_traces; i++)
            printf("%s\n", cfg.traces[i]);
    }
    limit.type = cfg.limit_type;
    limit.seconds = cfg.limit_seconds;
    limit.requests = cfg.limit_requests;
    t = rr_trace_read(cfg.traces, &limit, opt_strict, &error);
    if (t == NULL)
        goto done;
    if (t->malformed && !opt_quiet && ro.worker < 0) {
        for (guint i = 0; i < t->reports->len; i++)
            fprintf(stderr, PROG ": warning: %s\n", (char *)g_ptr_array_index(t->reports, i));
        fprintf(stderr, PROG ": warning: %" G_GUINT64_FORMAT " malformed records of %"
                G_GUINT64_FORMAT " skipped\n", t->malformed, t->records);
    }
    if (cfg.limit_type == RR_LIMIT_SECONDS && !opt_json)
        printf("%zu\n", t->n);     /* the seed prints the count it kept */
    if (sk_signal_stop()) {
        sk_signal_stopped(&error, PROG);
        goto done;
    }
    if (cmd == RR_CMD_SIMULATE)
        ok = simulate(&cfg, t, &error);
    else if (cmd == RR_CMD_WARMUP)
        ok = rr_warmup(&cfg, t, &ro, &error);
    else
        ok = rr_run(&cfg, t, &ro, &error);
    if (ok && (fflush(stdout) != 0 || ferror(stdout))) {
        g_set_error(&error, SK_ERROR, SK_ERROR_IO, "cannot write to stdout");
        ok = FALSE;
    }
done:
    if (!ok) {
        if (error == NULL && sk_signal_stop())
            sk_signal_stopped(&error, PROG);
        if (error && error->code == SK_ERROR_STOPPED) {
            fprintf(stderr, PROG ": interrupted by %s, no partial output written\n",
                    sk_signal_stop() == SIGTERM ? "SIGTERM" : "SIGINT");
            status = sk_exit_status(error);
            g_clear_error(&error);
        } else {
            status = sk_report(PROG, error);
        }
    }
    rr_trace_free(t);
    rr_config_clear(&cfg);
    return status;
}
