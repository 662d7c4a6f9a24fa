/* rr_sim_lru2.c - lru2: the two-tier cache of cache.py, corrected (true LRU, one entry per layer).
 *
 * The story of one request for layer L of s bytes (manifests dropped):
 *   1. L in memory: a memory hit, L becomes most recent.
 *   2. s >= restrict (100 MiB, at most the memory capacity): the file-system
 *      tier alone: a hit makes it most recent; a miss fetches it from the
 *      origin and stores it, evicting least recent layers until it fits
 *      (never when larger than the whole tier).
 *   3. Otherwise L in the file system: a file-system hit, L moves up to
 *      memory; not there: a miss (origin).  L enters memory; least recent
 *      layers leave memory until it fits and are demoted to the file system
 *      (same rule as 2, without counting a miss).
 * Each layer is in at most one tier (no duplicate entries, no stale ones).
 * Counters are kept for all requests and, as the seed does, for the
 * requests after warm-up (after the first memory eviction).  Tiers of 10,
 * 15 and 20 times the memory (cache_size GB) run side by side; bytes served
 * count the request's size. */
#include <string.h>

#include "rr_lru.h"
#include "rr_sim.h"
#include "rr_sim_lru2.h"
#include "sk_error.h"
#include "sk_signal.h"

void rr_lru2_init(RrLru2 *c, uint32_t n_layers, uint64_t capacity, unsigned fsfactor)
{
    memset(c, 0, sizeof(*c));
    rr_lru_init(&c->mem, n_layers, capacity);
    rr_lru_init(&c->fs, n_layers, capacity * fsfactor);
    c->restrict_ = MIN((uint64_t)100 << 20, capacity);
}

void rr_lru2_free(RrLru2 *c)
{
    rr_lru_free(&c->mem);
    rr_lru_free(&c->fs);
}

/* Stores id in the file system; FALSE when larger than the tier. */
static void fs_store(RrLru2 *c, uint32_t id, uint64_t size)
{
    if (size > c->fs.capacity)
        return;
    while (c->fs.used + size > c->fs.capacity) {
        rr_lru_pop(&c->fs);
        c->all.fs_evictions++;
    }
    rr_lru_add(&c->fs, id, size);
}

static void count(RrLru2Counts *k, int tier, uint64_t size)
{
    k->requests++;
    if (tier == 0) {
        k->mem_hits++;
        k->mem_bytes += size;
    } else if (tier == 1) {
        k->fs_hits++;
        k->fs_bytes += size;
    } else {
        k->misses++;
        k->miss_bytes += size;
    }
}

void rr_lru2_place(RrLru2 *c, uint32_t id, uint64_t size)
{
    int tier;

    if (rr_lru_has(&c->mem, id)) {
        rr_lru_touch(&c->mem, id);
        tier = 0;
    } else if (size >= c->restrict_) {
        if (rr_lru_has(&c->fs, id)) {
            rr_lru_touch(&c->fs, id);
            tier = 1;
        } else {
            fs_store(c, id, size);
            tier = 2;
        }
    } else {
        if (rr_lru_has(&c->fs, id)) {
            rr_lru_remove(&c->fs, id);
            tier = 1;
        } else {
            tier = 2;
        }
        while (c->mem.used + size > c->mem.capacity) {
            uint32_t e = c->mem.head;
            uint64_t esize = c->mem.size[e];

            rr_lru_pop(&c->mem);
            c->all.mem_evictions++;
            c->warm = TRUE;
            fs_store(c, e, esize);
        }
        rr_lru_add(&c->mem, id, size);
    }
    count(&c->all, tier, size);
    if (c->warm)
        count(&c->after_warmup, tier, size);
}

static void json_counts(JsonBuilder *b, const RrLru2Counts *k)
{
    const char *names[] = {"requests", "memory_hits", "fs_hits", "misses", "memory_bytes",
                           "fs_bytes", "miss_bytes"};
    uint64_t v[] = {k->requests, k->mem_hits, k->fs_hits, k->misses, k->mem_bytes,
                    k->fs_bytes, k->miss_bytes};

    json_builder_begin_object(b);
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        json_builder_set_member_name(b, names[i]);
        json_builder_add_int_value(b, (gint64)v[i]);
    }
    json_builder_set_member_name(b, "hit_ratio");
    json_builder_add_double_value(b, k->requests ? (double)(k->mem_hits + k->fs_hits) /
                                  (double)k->requests : 0.0);
    json_builder_set_member_name(b, "memory_hit_ratio");
    json_builder_add_double_value(b, k->requests ? (double)k->mem_hits / (double)k->requests
                                                 : 0.0);
    json_builder_end_object(b);
}

static gboolean lru2_init(const RrSimRun *run, GError **error)
{
    static const unsigned factors[3] = {10, 15, 20};
    double size_gb;
    guint32 n_layers;
    RrLayerRequest *reqs;
    gsize n;
    RrLru2 caches[3];
    uint64_t capacity;

    if (!rr_sim_arg_number(run, "cache_size", &size_gb, error))
        return FALSE;
    if (size_gb * 1073741824.0 * 20 > 9.0e18) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.args.cache_size: %g GB "
                    "is too large", size_gb);
        return FALSE;
    }
    capacity = (uint64_t)(size_gb * 1073741824.0);
    reqs = rr_sim_layer_requests(run->trace, &n, &n_layers);
    for (int k = 0; k < 3; k++)
        rr_lru2_init(&caches[k], n_layers, capacity, factors[k]);
    /* The caches are independent: one at a time keeps its state in cache. */
    for (int k = 0; k < 3 && !sk_signal_stop(); k++)
        for (gsize i = 0; i < n; i++) {
            if ((i & 0xffff) == 0 && sk_signal_stop())
                break;
            rr_lru2_place(&caches[k], reqs[i].layer, reqs[i].size);
        }
    g_free(reqs);
    if (!sk_signal_stop()) {
        if (run->text)
            for (int i = 0; i < 3; i++)
                fprintf(run->text, "lru2 %ux: %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT
                        " memory hits, %" G_GUINT64_FORMAT " fs hits, %" G_GUINT64_FORMAT
                        " misses\n", factors[i], caches[i].all.requests, caches[i].all.mem_hits,
                        caches[i].all.fs_hits, caches[i].all.misses);
        if (run->json) {
            json_builder_set_member_name(run->json, "memory_bytes");
            json_builder_add_int_value(run->json, (gint64)capacity);
            json_builder_set_member_name(run->json, "tiers");
            json_builder_begin_array(run->json);
            for (int i = 0; i < 3; i++) {
                json_builder_begin_object(run->json);
                json_builder_set_member_name(run->json, "fs_factor");
                json_builder_add_int_value(run->json, factors[i]);
                json_builder_set_member_name(run->json, "memory_evictions");
                json_builder_add_int_value(run->json, (gint64)caches[i].all.mem_evictions);
                json_builder_set_member_name(run->json, "fs_evictions");
                json_builder_add_int_value(run->json, (gint64)caches[i].all.fs_evictions);
                json_builder_set_member_name(run->json, "all");
                json_counts(run->json, &caches[i].all);
                json_builder_set_member_name(run->json, "after_warmup");
                json_counts(run->json, &caches[i].after_warmup);
                json_builder_end_object(run->json);
            }
            json_builder_end_array(run->json);
        }
    }
    for (int i = 0; i < 3; i++)
        rr_lru2_free(&caches[i]);
    if (sk_signal_stop())
        return sk_signal_stopped(error, "lru2");
    return TRUE;
}

const RrSimPlugin rr_sim_lru2 = {RR_SIM_ABI, "lru2", lru2_init};
