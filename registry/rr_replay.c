/* rr_replay.c - warmup and run as commands: the master, the worker, their outputs. */
#include "rr_replay.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rr_http.h"
#include "rr_launch.h"
#include "rr_plan.h"
#include "rr_results.h"
#include "rr_warmup.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_gnuplot.h"
#include "sk_json.h"
#include "sk_signal.h"

#define START_DELAY_US 1000000      /* workers start together a second after the master */
#define FAILURES_SHOWN 5            /* per client, on stderr */

static const char *const companions[] = {"-rps.csv", "-rps.gp", "-rps.svg"};

char *rr_replay_companion(const char *output, const char *suffix)
{
    gsize n = strlen(output);

    if (g_str_has_suffix(output, ".json"))
        n -= 5;
    return g_strdup_printf("%.*s%s", (int)n, output, suffix);
}

gboolean rr_replay_check_outputs(const RrConfig *cfg, RrCommand cmd, GError **error)
{
    if (cmd == RR_CMD_WARMUP)
        return sk_output_check("warmup output", cfg->warmup_output, error);
    if (cmd != RR_CMD_RUN)
        return TRUE;
    if (!sk_output_check("results", cfg->output, error))
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(companions); i++) {
        char *p = rr_replay_companion(cfg->output, companions[i]);
        gboolean ok = sk_output_check("results", p, error);

        g_free(p);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static gboolean registries_ok(const RrConfig *cfg, GError **error)
{
    for (guint i = 0; i < cfg->n_registries; i++)
        if (!rr_http_registry_ok(cfg->registries[i])) {
            sk_error_in_file(error, "config", cfg->path, "registry[%u]: '%s' is not "
                             "host:port", i, cfg->registries[i]);
            return FALSE;
        }
    return TRUE;
}

gboolean rr_warmup(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                   GError **error)
{
    RrWarmupStats s;
    gboolean ok;

    if (!registries_ok(cfg, error))
        return FALSE;
    ok = rr_warmup_push(cfg, t, o->json ? NULL : stdout, &s, error);
    if (ok && o->json) {
        JsonBuilder *b = json_builder_new();
        char *text;

        json_builder_begin_object(b);
        sk_json_member_string(b, "registry", cfg->registries[0]);
        sk_json_member_string(b, "output", cfg->warmup_output);
        sk_json_member_int(b, "layers", (gint64)s.layers);
        sk_json_member_int(b, "pushed", (gint64)s.pushed);
        sk_json_member_int(b, "bad", (gint64)s.bad);
        sk_json_member_int(b, "bytes", (gint64)s.bytes);
        sk_json_member_double(b, "seconds", s.seconds);
        json_builder_end_object(b);
        text = sk_json_builder_finish(b, TRUE);
        printf("%s\n", text);
        g_free(text);
    }
    if (ok && s.bad && !o->quiet)
        fprintf(stderr, "registry-replay: warning: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " layers could not be pushed (marked bad), first: %s\n", s.bad, s.layers,
                s.first_error);
    rr_warmup_stats_clear(&s);
    return ok;
}

/* ---- shares: clients replayed in this process ---- */

/* Every lane of every share; lane l belongs to share lane_share[l], whose
 * lanes are first[share] .. first[share] + threads - 1. */
typedef struct Lanes {
    const RrConfig *cfg;
    RrShare *shares;
    gint64 start_us;
    gboolean quiet;
    guint *lane_share;
    guint *first;
    guint *lane_next;           /* per lane: position in its list */
    guint *lane_request;        /* per lane: the request in flight */
    gboolean *lane_early;       /* per lane: it waited for its start */
    GRand **rand;               /* per share: registry choice */
    guint *failures;            /* per share */
} Lanes;

static gboolean lane_next(void *ctx, guint lane, RrTransfer *t, int64_t *start_us)
{
    Lanes *l = ctx;
    guint s = l->lane_share[lane];
    RrShare *sh = &l->shares[s];
    GArray *list = sh->plan->lanes[lane - l->first[s]];
    const RrPlanned *p;
    int64_t due;

    if (l->lane_next[lane] >= list->len)
        return FALSE;
    l->lane_request[lane] = g_array_index(list, guint, l->lane_next[lane]++);
    p = &g_array_index(sh->plan->requests, RrPlanned, l->lane_request[lane]);
    t->registry = sh->registries[sh->n_registries == 1 ? 0 :
        g_rand_int_range(l->rand[s], 0, (gint32)sh->n_registries)];
    if (p->digest) {
        t->kind = RR_PULL;
        g_strlcpy(t->digest, p->digest, sizeof(t->digest));
    } else {
        t->kind = RR_PUSH;
        t->blob.size = p->request->size;
        t->blob.random = l->cfg->random;
        t->blob.seed = rr_warmup_seed(p->request->uri);
    }
    due = l->start_us + (int64_t)(p->delay * 1e6);
    l->lane_early[lane] = l->cfg->wait && due > g_get_real_time();
    *start_us = l->cfg->wait ? due : 0;
    return TRUE;
}

static void lane_done(void *ctx, guint lane, const RrTransfer *t)
{
    Lanes *l = ctx;
    guint s = l->lane_share[lane];
    RrShare *sh = &l->shares[s];
    const RrPlanned *p = &g_array_index(sh->plan->requests, RrPlanned, l->lane_request[lane]);
    RrResult r = {
        .time = (double)t->began_us / 1e6,
        .duration = (double)(t->ended_us - t->began_us) / 1e6,
        .size = t->kind == RR_PULL ? t->bytes : t->blob.size,
        .on_time = !t->ok ? RR_FAILED : l->lane_early[lane] ? RR_ON_TIME_YES : RR_ON_TIME_NO,
        .status = (int)t->status,
        .put = t->kind == RR_PUSH,
    };

    g_array_append_val(sh->results, r);
    if (!t->ok && l->failures[s]++ < FAILURES_SHOWN && !l->quiet)
        fprintf(stderr, "registry-replay: client %d: %s %s on %s failed: %s\n", sh->client,
                r.put ? "PUT" : "GET", p->request->uri, t->registry, t->error);
}

gboolean rr_replay_shares(const RrConfig *cfg, RrShare *shares, guint n, gint64 start_us,
                          gboolean quiet, GError **error)
{
    guint lanes = 0;

    for (guint s = 0; s < n; s++)
        lanes += shares[s].plan->threads;
    Lanes l = {cfg, shares, start_us, quiet, g_new0(guint, lanes), g_new0(guint, n),
               g_new0(guint, lanes), g_new0(guint, lanes), g_new0(gboolean, lanes),
               g_new0(GRand *, n), g_new0(guint, n)};
    RrLaneSource src = {lane_next, lane_done, &l};
    gboolean ok;

    for (guint s = 0, lane = 0; s < n; s++) {
        g_assert(shares[s].n_registries >= 1 && shares[s].results != NULL);
        l.first[s] = lane;
        l.rand[s] = g_rand_new_with_seed(shares[s].seed);
        for (guint k = 0; k < shares[s].plan->threads; k++)
            l.lane_share[lane++] = s;
    }
    ok = rr_http_run(lanes, &src, error);
    for (guint s = 0; s < n; s++)
        g_rand_free(l.rand[s]);
    SK_FREE_ALL(l.lane_share, l.first, l.lane_next, l.lane_request, l.lane_early, l.rand,
                l.failures);
    return ok;
}

/* A worker: one client's share, its results into its file. */
static gboolean run_worker(const RrConfig *cfg, const RrReplayOptions *o, RrPlan *plan,
                           GError **error)
{
    RrShare share = {&plan->clients[o->worker], (const char *const *)cfg->registries,
                     cfg->n_registries, (guint32)o->worker, o->worker,
                     g_array_new(FALSE, FALSE, sizeof(RrResult))};
    gboolean ok = rr_replay_shares(cfg, &share, 1, o->start_us, o->quiet, error) &&
                  rr_results_write(o->worker_output, share.results, error);

    g_array_free(share.results, TRUE);
    return ok;
}

/* ---- the master ---- */

static char **worker_command(const RrReplayOptions *o, guint clients, gint64 start_us)
{
    GPtrArray *a = g_ptr_array_new();
    char *self = g_file_read_link("/proc/self/exe", NULL);

    g_ptr_array_add(a, self ? self : g_strdup("registry-replay"));
    g_ptr_array_add(a, g_strdup("-c"));
    g_ptr_array_add(a, g_strdup("run"));
    g_ptr_array_add(a, g_strdup("-i"));
    g_ptr_array_add(a, g_strdup(o->config_path));
    g_ptr_array_add(a, g_strdup_printf("--jobs=%u", clients));
    g_ptr_array_add(a, g_strdup_printf("--start-us=%" G_GINT64_FORMAT, start_us));
    if (o->quiet)
        g_ptr_array_add(a, g_strdup("--quiet"));
    if (o->strict)
        g_ptr_array_add(a, g_strdup("--strict"));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static const char plot_script[] =
    "# Requests per second of a registry-replay run: gnuplot THIS_FILE\n"
    "if (!exists('svg')) svg = '%s'\n"
    "set terminal svg size 800,400 dynamic background '#ffffff'\n"
    "set output svg\n"
    "set datafile separator ','\n"
    "set key top right\n"
    "set xlabel 'second of the run'\n"
    "set ylabel 'requests per second'\n"
    "set yrange [0:*]\n"
    "plot '%s' using 1:2 skip 1 with steps title 'successful', \\\n"
    "     '' using 1:3 skip 1 with steps title 'failed'\n";

static gboolean write_per_second(const char *output, GArray *results, GError **error)
{
    char *csv_path = rr_replay_companion(output, "-rps.csv");
    char *gp_path = rr_replay_companion(output, "-rps.gp");
    char *svg_path = rr_replay_companion(output, "-rps.svg");
    char *csv = rr_results_per_second_csv(results), *gp = NULL;
    char *csv_base = g_path_get_basename(csv_path), *svg_base = g_path_get_basename(svg_path);
    char *dir = g_path_get_dirname(output), *gp_base = g_path_get_basename(gp_path);
    SkOutput svg = {0};
    const char *var = "svg";
    gboolean ok = FALSE;

    if (csv == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "the results span more than %.0f "
                    "seconds: no per-second table", RR_RESULTS_MAX_SECONDS);
        goto out;
    }
    gp = g_strdup_printf(plot_script, svg_base, csv_base);
    ok = sk_output_write_file("results", csv_path, csv, -1, error) &&
         sk_output_write_file("results", gp_path, gp, -1, error) &&
         sk_output_open(&svg, "plot", svg_path, error) &&
         sk_gnuplot_draw(dir, gp_base, &var, &svg, 1, error) &&
         sk_output_commit(&svg, error);
out:
    sk_output_discard(&svg);
    SK_FREE_ALL(csv_path, gp_path, svg_path, csv, gp, csv_base, svg_base, dir, gp_base);
    return ok;
}

static void remove_work_dir(const char *dir, guint clients)
{
    for (guint k = 0; k < clients; k++) {
        char *p = rr_launch_results_path(dir, k);

        g_unlink(p);
        g_free(p);
    }
    g_rmdir(dir);
}

static gboolean run_master(const RrConfig *cfg, const RrReplayOptions *o, RrPlan *plan,
                           GError **error)
{
    char *out_dir = g_path_get_dirname(cfg->output);
    char *work = g_build_filename(out_dir, ".registry-replay-XXXXXX", NULL);
    gint64 start_us = g_get_real_time() + START_DELAY_US;
    char **argv = worker_command(o, plan->n_clients, start_us);
    GArray *results = g_array_new(FALSE, FALSE, sizeof(RrResult));
    gboolean ok = FALSE;
    RrStats s;

    if (g_mkdtemp(work) == NULL) {
        sk_file_set_io_error(error, "results", work, "creating the work folder", errno);
        goto out;
    }
    ok = rr_launch(o->launcher, argv, plan->n_clients, work, error);
    for (guint k = 0; ok && k < plan->n_clients; k++) {
        char *p = rr_launch_results_path(work, k);

        ok = rr_results_read(p, results, error);
        g_free(p);
    }
    remove_work_dir(work, plan->n_clients);
    if (!ok)
        goto out;
    ok = rr_results_write(cfg->output, results, error) &&
         write_per_second(cfg->output, results, error);
    if (!ok)
        goto out;
    rr_stats_compute(results, &s);
    if (o->json) {
        JsonBuilder *b = json_builder_new();
        char *text;

        json_builder_begin_object(b);
        sk_json_member_string(b, "results", cfg->output);
        sk_json_member_int(b, "clients", plan->n_clients);
        sk_json_member_int(b, "threads_per_client", cfg->threads);
        sk_json_member_bool(b, "wait", cfg->wait);
        sk_json_member_string(b, "routing", cfg->route ? "hash" : "round-robin");
        sk_json_member_int(b, "dropped_bad_layers", (gint64)plan->dropped);
        rr_stats_json(b, &s);
        json_builder_end_object(b);
        text = sk_json_builder_finish(b, TRUE);
        printf("%s\n", text);
        g_free(text);
    } else {
        printf("results written to %s\n", cfg->output);
        rr_stats_print(stdout, &s);
    }
    if (s.total == 0 && s.failed > 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "all %" G_GUINT64_FORMAT " requests "
                    "failed (their results are in %s)", s.failed, cfg->output);
        ok = FALSE;
    }
out:
    g_strfreev(argv);
    g_array_free(results, TRUE);
    SK_FREE_ALL(out_dir, work);
    return ok;
}

gboolean rr_run(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                GError **error)
{
    guint clients = o->jobs ? o->jobs : cfg->n_clients;
    GHashTable *map;
    RrPlan *plan;
    gboolean ok;

    if (!registries_ok(cfg, error))
        return FALSE;
    map = rr_warmup_map_read(cfg->warmup_output, error);
    if (map == NULL)
        return FALSE;
    if (o->worker >= (int)clients) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "--worker %d: only %u clients",
                    o->worker, clients);
        g_hash_table_destroy(map);
        return FALSE;
    }
    plan = rr_plan_new(t, map, clients, cfg->route, cfg->threads);
    ok = o->worker >= 0 ? run_worker(cfg, o, plan, error) : run_master(cfg, o, plan, error);
    rr_plan_free(plan);
    g_hash_table_destroy(map);
    return ok;
}
