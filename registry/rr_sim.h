/* rr_sim.h - the simulation plugin interface of registry-replay -c simulate.
 *
 * A simulation is an RrSimPlugin: a name and an init function that gets the
 * whole request array (sorted by delay, after the trace limit, exactly the
 * list the seed hands its Python plugins as `data`) and simulate.args.  The
 * built-in ones (cache.py, prefetch.py, lru2, prefetch) are RrSimPlugins
 * too; rr_sim_find() returns them by simulate.name.  Any other name ending
 * in ".so" is loaded as a shared object that exports
 *
 *     const RrSimPlugin rr_sim_plugin = { RR_SIM_ABI, "name", my_init };
 *
 * Build one against librr's headers (see docs/registry-replay.md); it may
 * use sk_file.h for its output files.  init writes the plugin's lines to
 * run->text (the seed's stdout lines; NULL with --json) and, when run->json
 * is not NULL, adds members to that open JSON object; it returns FALSE with
 * a GError (SK_ERROR_INPUT for a bad argument, exit 2) on failure and polls
 * sk_signal_stop() in long loops. */
#ifndef RR_SIM_H
#define RR_SIM_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "rr_config.h"
#include "rr_trace.h"

#define RR_SIM_ABI 1

typedef struct RrSimRun {
    const RrRequest *requests;  /* sorted by delay */
    gsize n;
    const RrTrace *trace;       /* the uris (uri_id -> text) */
    const RrSimArgs *args;      /* simulate.args, never NULL (maybe empty) */
    gboolean has_args;          /* simulate.args was given */
    FILE *text;                 /* the seed's output lines, or NULL */
    JsonBuilder *json;          /* an open object, or NULL */
    gboolean progress;          /* "N% done" lines on stderr may be shown */
} RrSimRun;

typedef struct RrSimPlugin {
    unsigned abi;               /* RR_SIM_ABI */
    const char *name;
    gboolean (*init)(const RrSimRun *run, GError **error);
} RrSimPlugin;

/* The built-in simulations. */
extern const RrSimPlugin rr_sim_cache_py;      /* the seed's cache.py */
extern const RrSimPlugin rr_sim_prefetch_py;   /* the seed's prefetch.py */
extern const RrSimPlugin rr_sim_lru2;          /* two-tier LRU, corrected */
extern const RrSimPlugin rr_sim_prefetch;      /* prefetch with working time-outs */

/* The plugin called `name`: a built-in, or a shared object (a path ending in
 * ".so").  NULL with an SK_ERROR_INPUT error naming simulate.name.  A loaded
 * module stays loaded for the life of the process. */
const RrSimPlugin *rr_sim_find(const char *name, GError **error);

/* Python 2's str(float): 12 significant digits, ".0" added to whole numbers. */
char *rr_py_float(double v);

/* Arguments for plugins: a number >= 0 (cache_size), a path (outfile). */
gboolean rr_sim_arg_number(const RrSimRun *run, const char *key, double *out,
                           GError **error);
const char *rr_sim_arg_required(const RrSimRun *run, const char *key, GError **error);

/* The seed's progress: each time more than a tenth of the requests has
 * passed since the last line, "N% done" (on stderr, and only when
 * run->progress: the seed printed them on stdout). */
typedef struct RrSimProgress {
    gsize i, n;
    int count;
    gboolean on;
} RrSimProgress;

void rr_sim_progress_init(RrSimProgress *p, const RrSimRun *run, gsize n, int first);
static inline void rr_sim_progress_step(RrSimProgress *p)
{
    if (p->on && (double)p->i / (double)p->n > 0.1) {
        p->i = 0;
        fprintf(stderr, "%d%% done\n", p->count);
        p->count += 10;
    }
    p->i++;
}

/* For each uri_id of the trace, the id of its last '/' component (the
 * layer, as the seed's uri.split('/')[-1]); *n the number of layer ids.
 * Free with g_free. */
guint32 *rr_sim_layer_ids(const RrTrace *trace, guint32 *n);

/* A layer request as the two-tier caches read it: the layer id (as
 * rr_sim_layer_ids) and the size. */
typedef struct RrLayerRequest {
    guint32 layer;
    guint64 size;
} RrLayerRequest;

/* The trace's requests without those of manifests (uris holding
 * "manifest"), in order; *n of them, *n_layers layer ids.  Free with g_free. */
RrLayerRequest *rr_sim_layer_requests(const RrTrace *trace, gsize *n, guint32 *n_layers);

/* For each uri_id, the seed's prefetch type (*types: 'l' for a uri with
 * "blobs", else 'm' with "manifests", else 0: skipped) and the id of its
 * repository (parts 1 and 2 of the uri); *n the number of repositories.
 * NULL with an SK_ERROR_INPUT error when a uri of a layer or manifest has
 * fewer than three parts (the seed fails on it).  Free both with g_free. */
guint32 *rr_sim_repo_ids(const RrTrace *trace, char **types, guint32 *n, GError **error);

#endif
