/* rr_replay.h - warmup and run of registry-replay against real registries.
 *
 * Not built yet on this branch: both return an SK_ERROR_FAILED error that
 * says so (docs/registry-replay.md lists what is missing).  The config
 * checks and output checks they need are in place. */
#ifndef RR_REPLAY_H
#define RR_REPLAY_H

#include <glib.h>

#include "rr_config.h"
#include "rr_trace.h"

typedef struct RrReplayOptions {
    guint jobs;         /* client processes; 0: one per client_list entry */
    gboolean json, quiet;
} RrReplayOptions;

/* Refuses, before any work, outputs that are inputs or not regular files:
 * warmup.output for warmup, trace.output for run. */
gboolean rr_replay_check_outputs(const RrConfig *cfg, RrCommand cmd, GError **error);

gboolean rr_warmup(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                   GError **error);
gboolean rr_run(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                GError **error);

#endif
