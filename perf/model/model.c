/* model.c - what both models share: options, their checks, results, the
 * per-tenant table, and the dispatch to the chosen model (through the table
 * of models, models.c). */
#include "model.h"

#include <string.h>

#include "sk_cli.h"
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
    o->packet_bytes = SK_PACKET_BYTES;
    o->translations_per_packet = SK_TRANSLATIONS_PER_PACKET;
}

gboolean sk_model_parse(const char *name, SkModelKind *kind)
{
    const SkModelInfo *m = sk_model_find(name);
    if (m == NULL)
        return FALSE;
    *kind = m->kind;
    return TRUE;
}

const char *sk_model_name(SkModelKind kind)
{
    return sk_model_info(kind)->name;
}

static const char *const policy_names[] = {
    [SK_POLICY_LRU] = "lru", [SK_POLICY_LFU] = "lfu", [SK_POLICY_ORACLE] = "oracle",
};

SK_ENUM_NAMES(sk_policy, SkPolicy, policy_names)

/* A configuration error: "config 'FILE': line N: PREFETCH: ...", with what
 * is known of where the value came from. */
static gboolean config_error(const SkModelOptions *o, uint32_t line,
                             const char *what, GError **error)
{
    const SkModelInfo *m = sk_model_info(o->model);
    GString *where = g_string_new("config");

    if (o->config_path)
        g_string_append_printf(where, " '%s'", o->config_path);
    if (o->config_path && line)
        g_string_append_printf(where, ": line %u", line);
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "%s: PREFETCH: %s but the prefetcher runs%s%s%s", where->str, what,
                m->always_prefetches ? " (" : "",
                m->always_prefetches ? m->name : "",
                m->always_prefetches ? " always runs it)" : "");
    g_string_free(where, TRUE);
    return FALSE;
}

gboolean sk_model_options_check(const SkModelOptions *o, GError **error)
{
    const SkModelInfo *m = sk_model_info(o->model);
    const SkCacheConfig *c = &o->caches;
    gboolean prefetcher = m->always_prefetches || c->prefetch_size > 0;

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
    if (o->packet_bytes < 1 || o->packet_bytes > SK_PACKET_BYTES_MAX) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --packet-bytes: must be 1..%d", SK_PACKET_BYTES_MAX);
        return FALSE;
    }
    if (o->translations_per_packet < 1 ||
        o->translations_per_packet > SK_TRANSLATIONS_PER_PACKET_MAX) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --translations-per-packet: must be 1..%d",
                    SK_TRANSLATIONS_PER_PACKET_MAX);
        return FALSE;
    }
    if (m->check && !m->check(o, error))
        return FALSE;
    if (prefetcher && c->prefetch_histlen == 0)
        return config_error(o, o->config_lines.prefetch_histlen, "histlen is 0", error);
    if (prefetcher && c->prefetch_distance == 0)
        return config_error(o, o->config_lines.prefetch_distance,
                            "assoc (prediction distance) is 0", error);
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
    return sk_model_info(o->model)->run(o, reader, result, error);
}

gboolean sk_model_run_trace(const SkModelOptions *options, const char *path,
                            SkTraceFormat format, gboolean quiet,
                            SkModelResult *result, GError **error)
{
    SkTraceReader *reader = sk_trace_reader_open(path, format, error);
    SkModelOptions o = *options;
    gboolean ok;

    memset(result, 0, sizeof(*result));
    if (reader == NULL)
        return FALSE;
    o.progress = sk_progress_new("translations", sk_trace_reader_n_records(reader), quiet);
    ok = sk_model_run(&o, reader, result, error);
    sk_progress_free(o.progress);
    sk_trace_reader_free(reader);
    return ok;
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

uint64_t sk_model_mbps(const SkModelOptions *o, uint64_t translations,
                       uint64_t elapsed_ns)
{
    uint64_t packets = translations / o->translations_per_packet;
    if (elapsed_ns == 0)
        return 0;
    return (uint64_t)((double)packets * o->packet_bytes * 8 * 1000) / elapsed_ns;
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
