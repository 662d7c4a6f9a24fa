/* rr_replay.h - warmup and run of registry-replay against real registries.
 *
 * run is a master and its clients, all this same program: the master
 * checks the inputs, picks a common start time and starts one worker
 * process per client (rr_launch.h); each worker reads the same config,
 * trace and warmup map, makes the same plan (rr_plan.h), replays its own
 * share with client_info.threads lanes (rr_http.h) and writes its results
 * file (rr_results.h) into the master's work folder; the master merges
 * them into trace.output, prints the seed's statistics and writes the
 * requests per second (CSV and a gnuplot SVG) beside it.  No protocol
 * between them but files and exit statuses. */
#ifndef RR_REPLAY_H
#define RR_REPLAY_H

#include <glib.h>

#include "rr_config.h"
#include "rr_plan.h"
#include "rr_trace.h"

typedef enum { RR_LAUNCH_LOCAL, RR_LAUNCH_SLURM } RrLauncher;

typedef struct RrReplayOptions {
    guint jobs;             /* clients; 0: one per client_list entry */
    gboolean json, quiet, strict;
    RrLauncher launcher;
    const char *config_path;    /* given to the workers */
    /* A worker (worker >= 0): the share it replays, when, and where its
     * results go. */
    int worker;
    gint64 start_us;
    const char *worker_output;
} RrReplayOptions;

/* One client's share of a run, replayed in this process by rr_replay_shares. */
typedef struct RrShare {
    RrClientPlan *plan;         /* its requests and thread lanes */
    const char *const *registries;  /* host:port; each request goes to one, chosen at */
    guint n_registries;             /* random by a GRand seeded with seed (the seed's choice) */
    guint32 seed;
    int client;                 /* names it in messages */
    GArray *results;            /* of RrResult (rr_results.h): one per request, appended */
} RrShare;

/* Replays n shares at once on one curl multi handle (rr_http.h), each with
 * its plan's threads as lanes, the run starting at start_us (real time):
 * a request is due at start_us + its delay when cfg->wait, else at once.
 * Failed requests are results too (RR_FAILED), the first few of a share
 * reported on stderr unless quiet.  FALSE only when the engine could not
 * run or was stopped (SK_ERROR_STOPPED). */
gboolean rr_replay_shares(const RrConfig *cfg, RrShare *shares, guint n, gint64 start_us,
                          gboolean quiet, GError **error);

/* Refuses, before any work, outputs that are inputs or not regular files:
 * warmup.output for warmup; trace.output and the files beside it for run. */
gboolean rr_replay_check_outputs(const RrConfig *cfg, RrCommand cmd, GError **error);

gboolean rr_warmup(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                   GError **error);
gboolean rr_run(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                GError **error);

/* trace.output's companions: "<stem>-rps.csv", "-rps.gp", "-rps.svg", stem
 * being the output without its ".json". */
char *rr_replay_companion(const char *output, const char *suffix);

#endif
