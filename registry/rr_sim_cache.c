/* rr_sim_cache.c - the seed's cache.py, reproduced exactly (two-tier cache, warm-up excluded).
 *
 * The story of one request (manifests were dropped; GETs and PUTs alike):
 *   1. A layer in memory is a memory hit: its key is appended again to the
 *      memory list and its reference count grows (hits, and the first-phase
 *      counters while memory, resp. the file system, has never evicted).
 *   2. Otherwise a memory miss.  A layer of at least `restrict` bytes (100
 *      MiB, at most the memory capacity) goes to the file-system tier only
 *      (fs_place).  Any other one is looked up in the file system (fs_check:
 *      a hit removes it from there but, the seed's quirk, leaves its entries
 *      in the file-system list, so that a later copy of the same layer
 *      loses references to those stale entries) and enters memory; while it
 *      does not fit, the front of the memory list is popped, its reference
 *      count dropped, and a layer whose count reaches 0 is evicted and
 *      demoted to the file system (fs_place, "ejected": no miss counted).
 *   3. fs_place: a file-system hit appends and counts; a miss is counted
 *      (not for ejected layers), the layer enters if it fits, is dropped if
 *      larger than the whole tier, else the front of the file-system list
 *      is popped (skipping layers no longer there) with the same reference
 *      counting until it fits.
 * Three such caches run side by side, file-system tiers 10, 15 and 20 times
 * the memory capacity (int(cache_size * 2^30) bytes). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rr_queue.h"
#include "rr_sim.h"
#include "sk_error.h"
#include "sk_signal.h"

typedef struct {
    uint64_t mem_size, fs_size;     /* stored size of the layer in each tier */
    uint32_t mem_refs, fs_refs;     /* entries in lmu / references in fs */
    gboolean in_mem, in_fs;
} Layer;

typedef struct {
    Layer *layers;
    RrQueue lmu, fslmu;
    int64_t capacity, fscap, restrict_, size, fssize;
    uint64_t hits, misses, firstmemhits, firstfsmemhits, firstfshits, evictions, firstMiss;
    uint64_t fsmiss, fsfirstMiss, fshits, fsevicts;
    gboolean first, fsfirst;
} Cache;

static void cache_init(Cache *c, double size_gb, int fsfactor, guint32 n_layers)
{
    memset(c, 0, sizeof(*c));
    c->layers = g_new0(Layer, n_layers ? n_layers : 1);
    rr_queue_init(&c->lmu);
    rr_queue_init(&c->fslmu);
    c->capacity = (int64_t)(size_gb * 1073741824.0);   /* int() truncates */
    c->restrict_ = INT64_C(100) << 20;
    if (c->restrict_ > c->capacity)
        c->restrict_ = c->capacity;
    c->fscap = c->capacity * fsfactor;
    c->first = c->fsfirst = TRUE;
}

static void cache_free(Cache *c)
{
    g_free(c->layers);
    rr_queue_free(&c->lmu);
    rr_queue_free(&c->fslmu);
}

static void fs_check(Cache *c, uint32_t key)
{
    Layer *l = &c->layers[key];

    if (l->in_fs) {
        c->fssize -= (int64_t)l->fs_size;
        l->in_fs = FALSE;       /* its fslmu entries stay: the quirk */
        c->fshits++;
        if (c->fsfirst)
            c->firstfshits++;
    } else {
        c->fsmiss++;
        if (c->fsfirst)
            c->fsfirstMiss++;
    }
}

static void fs_place(Cache *c, uint32_t key, uint64_t size, gboolean ejected)
{
    Layer *l = &c->layers[key];

    if (l->in_fs) {
        rr_queue_push(&c->fslmu, key);
        c->fshits++;
        l->fs_refs++;
        if (c->fsfirst)
            c->firstfshits++;
        return;
    }
    if (!ejected) {
        c->fsmiss++;
        if (c->fsfirst)
            c->fsfirstMiss++;
    }
    if ((int64_t)size + c->fssize > c->fscap) {
        if (c->fscap < (int64_t)size)
            return;
        c->fsfirst = FALSE;
        while ((int64_t)size + c->fssize > c->fscap && rr_queue_len(&c->fslmu) > 0) {
            uint32_t e = rr_queue_pop(&c->fslmu);
            Layer *el = &c->layers[e];

            if (!el->in_fs)
                continue;
            if (--el->fs_refs > 0)
                continue;
            c->fssize -= (int64_t)el->fs_size;
            el->in_fs = FALSE;
            c->fsevicts++;
        }
    }
    l->in_fs = TRUE;
    l->fs_size = size;
    l->fs_refs = 1;
    rr_queue_push(&c->fslmu, key);
    c->fssize += (int64_t)size;
}

static void place(Cache *c, uint32_t key, uint64_t size)
{
    Layer *l = &c->layers[key];

    if (l->in_mem) {
        rr_queue_push(&c->lmu, key);
        l->mem_refs++;
        c->hits++;
        if (c->first)
            c->firstmemhits++;
        if (c->fsfirst)
            c->firstfsmemhits++;
        return;
    }
    c->misses++;
    if (c->first)
        c->firstMiss++;
    if ((int64_t)size >= c->restrict_) {
        fs_place(c, key, size, FALSE);
        return;
    }
    fs_check(c, key);
    if ((int64_t)size + c->size > c->capacity) {
        c->first = FALSE;
        while ((int64_t)size + c->size > c->capacity) {
            uint32_t e = rr_queue_pop(&c->lmu);
            Layer *el = &c->layers[e];

            if (--el->mem_refs > 0)
                continue;
            fs_place(c, e, el->mem_size, TRUE);
            c->size -= (int64_t)el->mem_size;
            el->in_mem = FALSE;
            c->evictions++;
        }
    }
    l->in_mem = TRUE;
    l->mem_size = size;
    l->mem_refs = 1;
    rr_queue_push(&c->lmu, key);
    c->size += (int64_t)size;
}

/* The twelve result lines, in the order Python 2.7's dict printed them. */
static const struct {
    int cache;      /* 0: 10x, 1: 15x, 2: 20x */
    int what;       /* 0 lmu hits, 1 lmu misses, 2 h hits, 3 h misses */
} order[12] = {
    {0, 3}, {0, 0}, {1, 2}, {0, 1}, {2, 1}, {1, 0}, {2, 3}, {0, 2}, {1, 1}, {2, 2}, {2, 0}, {1, 3},
};

static int64_t result(const Cache *c, int what)
{
    switch (what) {
    case 0:
        return (int64_t)(c->hits - c->firstmemhits);
    case 1:
        return (int64_t)(c->misses - c->firstMiss);
    case 2:
        return (int64_t)(c->hits + c->fshits - c->firstfsmemhits - c->firstfshits);
    default:
        return (int64_t)(c->fsmiss - c->fsfirstMiss);
    }
}

static const char *const what_names[] = {"lmu hits", "lmu misses", "h hits", "h misses"};
static const int factors[3] = {10, 15, 20};

static void json_counters(JsonBuilder *b, const Cache *c)
{
    static const char *const names[] = {
        "memory hits", "memory misses", "initial memory misses", "memory evictions",
        "file system hits", "file system misses", "initial file system misses",
        "file system evictions", "initial memory hits", "initial memory-file-system hits",
        "initial file system hits",
    };
    const uint64_t v[] = {c->hits, c->misses, c->firstMiss, c->evictions, c->fshits,
                          c->fsmiss, c->fsfirstMiss, c->fsevicts, c->firstmemhits,
                          c->firstfsmemhits, c->firstfshits};

    json_builder_begin_object(b);
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        json_builder_set_member_name(b, names[i]);
        json_builder_add_int_value(b, (gint64)v[i]);
    }
    json_builder_end_object(b);
}

static gboolean cache_py_init(const RrSimRun *run, GError **error)
{
    double size_gb;
    guint32 n_layers;
    RrLayerRequest *reqs;
    Cache caches[3] = {{0}};
    RrSimProgress progress;
    gsize kept;

    if (!rr_sim_arg_number(run, "cache_size", &size_gb, error))
        return FALSE;
    if (size_gb * 1073741824.0 * 20 > 9.0e18) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.args.cache_size: %g GB "
                    "is too large", size_gb);
        return FALSE;
    }
    if (run->text)
        fprintf(run->text, "running cache simulation\n");
    reqs = rr_sim_layer_requests(run->trace, &kept, &n_layers);
    rr_sim_progress_init(&progress, run, 3 * kept, 10);
    /* The caches are independent: one at a time keeps its state in cache. */
    for (int k = 0; k < 3 && !sk_signal_stop(); k++) {
        cache_init(&caches[k], size_gb, factors[k], n_layers);
        for (gsize i = 0; i < kept; i++) {
            if ((i & 0xffff) == 0 && sk_signal_stop())
                break;
            rr_sim_progress_step(&progress);
            place(&caches[k], reqs[i].layer, reqs[i].size);
        }
    }
    g_free(reqs);
    if (sk_signal_stop()) {
        for (int i = 0; i < 3; i++)
            cache_free(&caches[i]);
        return sk_signal_stopped(error, "cache.py");
    }
    for (int i = 0; i < 12 && run->text; i++)
        fprintf(run->text, "0 %d %s: %" G_GINT64_FORMAT "\n", factors[order[i].cache],
                what_names[order[i].what], result(&caches[order[i].cache], order[i].what));
    if (run->json) {
        JsonBuilder *b = run->json;

        json_builder_set_member_name(b, "requests");
        json_builder_add_int_value(b, (gint64)kept);
        json_builder_set_member_name(b, "results");
        json_builder_begin_object(b);
        for (int i = 0; i < 12; i++) {
            char *key = g_strdup_printf("0 %d %s", factors[order[i].cache],
                                        what_names[order[i].what]);

            json_builder_set_member_name(b, key);
            json_builder_add_int_value(b, result(&caches[order[i].cache], order[i].what));
            g_free(key);
        }
        json_builder_end_object(b);
        json_builder_set_member_name(b, "caches");
        json_builder_begin_object(b);
        for (int i = 0; i < 3; i++) {
            char key[8];

            g_snprintf(key, sizeof(key), "%d", factors[i]);
            json_builder_set_member_name(b, key);
            json_counters(b, &caches[i]);
        }
        json_builder_end_object(b);
    }
    for (int i = 0; i < 3; i++)
        cache_free(&caches[i]);
    return TRUE;
}

const RrSimPlugin rr_sim_cache_py = {RR_SIM_ABI, "cache.py", cache_py_init};
