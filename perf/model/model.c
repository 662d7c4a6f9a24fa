/* model.c - what both models share: options, their checks, results, the
 * per-tenant table, and the dispatch to the chosen model. */
#include "model.h"

#include <string.h>

#include "sk_error.h"

const char *const sk_stat_names[SK_N_STATS] = {
    "CC", "IOTLB", "L2PAGE", "L3PAGE", "PREFETCH",
};

void sk_model_options_default(SkModelOptions *o)
{
    memset(o, 0, sizeof(*o));
    o->model = SK_MODEL_SIOKIT;
    sk_cache_config_default(&o->caches);
    o->policy = SK_POLICY_LRU;
    o->tqueue = 1;
    o->link_mbps = 200000;
}

gboolean sk_model_parse(const char *name, SkModelKind *kind)
{
    if (strcmp(name, "siokit") == 0)
        *kind = SK_MODEL_SIOKIT;
    else if (strcmp(name, "hypersio-1.0") == 0 || strcmp(name, "hypersio") == 0)
        *kind = SK_MODEL_HYPERSIO;
    else
        return FALSE;
    return TRUE;
}

const char *sk_model_name(SkModelKind kind)
{
    return kind == SK_MODEL_HYPERSIO ? "hypersio-1.0" : "siokit";
}

gboolean sk_policy_parse(const char *name, SkPolicy *policy)
{
    if (strcmp(name, "lru") == 0)
        *policy = SK_POLICY_LRU;
    else if (strcmp(name, "lfu") == 0)
        *policy = SK_POLICY_LFU;
    else if (strcmp(name, "oracle") == 0)
        *policy = SK_POLICY_ORACLE;
    else
        return FALSE;
    return TRUE;
}

const char *sk_policy_name(SkPolicy policy)
{
    switch (policy) {
    case SK_POLICY_LFU: return "lfu";
    case SK_POLICY_ORACLE: return "oracle";
    default: return "lru";
    }
}

gboolean sk_model_options_check(const SkModelOptions *o, GError **error)
{
    const SkCacheConfig *c = &o->caches;
    gboolean prefetcher = o->model == SK_MODEL_HYPERSIO || c->prefetch_size > 0;

    if (o->tqueue == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --tqueue: must be at least 1");
        return FALSE;
    }
    if (o->link_mbps == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --link-gbps: must be more than 0");
        return FALSE;
    }
    if (o->model == SK_MODEL_HYPERSIO && o->link_mbps % 1000) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --link-gbps: hypersio-1.0 takes whole Gb/s");
        return FALSE;
    }
    if (o->model == SK_MODEL_HYPERSIO && SK_PACKET_BITS / (o->link_mbps / 1000) == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --link-gbps: above %d Gb/s a packet slot is 0 ns in "
                    "hypersio-1.0", SK_PACKET_BITS);
        return FALSE;
    }
    if (prefetcher && c->prefetch_histlen == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config: PREFETCH: histlen is 0 but the prefetcher runs%s",
                    o->model == SK_MODEL_HYPERSIO
                        ? " (hypersio-1.0 always runs it)" : "");
        return FALSE;
    }
    if (prefetcher && c->prefetch_distance == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config: PREFETCH: assoc (prediction distance) is 0 but the "
                    "prefetcher runs%s", o->model == SK_MODEL_HYPERSIO
                        ? " (hypersio-1.0 always runs it)" : "");
        return FALSE;
    }
    return TRUE;
}

gboolean sk_model_run(const SkModelOptions *o, SkTraceReader *reader,
                      SkModelResult *result, GError **error)
{
    memset(result, 0, sizeof(*result));
    result->model = o->model;
    result->policy = o->policy;
    result->link_mbps = o->link_mbps;
    if (!sk_model_options_check(o, error))
        return FALSE;
    if (o->model == SK_MODEL_HYPERSIO)
        return sk_hypersio_run(o, reader, result, error);
    return sk_siokit_run(o, reader, result, error);
}

void sk_model_result_clear(SkModelResult *r)
{
    if (r->per_tenant)
        g_array_free(r->per_tenant, TRUE);
    memset(r, 0, sizeof(*r));
}

void sk_tenant_table_init(SkTenantTable *t)
{
    sk_id_map_init(&t->ids);
    t->rows = g_array_new(FALSE, TRUE, sizeof(SkTenantStats));
}

uint32_t sk_tenant_table_add(SkTenantTable *t, uint32_t tenant)
{
    SkTenantStats row = {.tenant = tenant, .first_start = UINT64_MAX};
    g_array_append_val(t->rows, row);
    return sk_id_map_add(&t->ids, tenant);
}

SkTenantStats *sk_tenant_table_get(SkTenantTable *t, uint32_t tenant)
{
    uint32_t i = sk_tenant_table_index(t, tenant);   /* may move the rows */
    return &g_array_index(t->rows, SkTenantStats, i);
}

static int compare_tenant(gconstpointer a, gconstpointer b)
{
    uint32_t x = ((const SkTenantStats *)a)->tenant;
    uint32_t y = ((const SkTenantStats *)b)->tenant;
    return (x > y) - (x < y);
}

void sk_tenant_table_finish(SkTenantTable *t, SkModelResult *result)
{
    g_array_sort(t->rows, compare_tenant);
    result->per_tenant = t->rows;
    t->rows = NULL;
    sk_id_map_destroy(&t->ids);
}

uint64_t sk_model_mbps(uint64_t translations, uint64_t elapsed_ns)
{
    uint64_t packets = translations / SK_TRANSLATIONS_PER_PACKET;
    if (elapsed_ns == 0)
        return 0;
    return (uint64_t)((double)packets * SK_PACKET_BITS * 1000) / elapsed_ns;
}

#define FEED_BATCH 4096

void sk_feed_init(SkFeed *feed, SkTraceReader *reader, SkProgress *progress)
{
    memset(feed, 0, sizeof(*feed));
    feed->reader = reader;
    feed->progress = progress;
    feed->batch = g_new(SkRecord, FEED_BATCH);
}

void sk_feed_clear(SkFeed *feed)
{
    g_free(feed->batch);
    memset(feed, 0, sizeof(*feed));
}

gboolean sk_feed_refill(SkFeed *feed, GError **error)
{
    gssize n = sk_trace_reader_read(feed->reader, feed->batch, FEED_BATCH, error);
    if (n < 0)
        return FALSE;
    feed->n = (gsize)n;
    feed->pos = 0;
    feed->ended = n == 0;
    feed->read += (uint64_t)n;
    if (feed->progress)
        sk_progress_update(feed->progress, feed->read);
    return TRUE;
}
