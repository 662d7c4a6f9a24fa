/* report.c - sioperf's output: one JSON object, or text at a glance. */
#include "report.h"

#include <json-glib/json-glib.h>

#include "sk_json.h"

static double rate(uint64_t hits, uint64_t misses)
{
    return hits + misses ? (double)hits / (double)(hits + misses) : 0.0;
}

/* The IOTLB's hit rate: lookups served without a walk of their own, a
 * coalesced miss being served by the fill of the walk it waited for (as a
 * real IOMMU replays it against the IOTLB); docs/model.md. */
static double iotlb_rate(uint64_t hits, uint64_t misses, uint64_t coalesced)
{
    return rate(hits + coalesced, misses);
}

static uint64_t tenant_mbps(const SkTenantStats *t, const SkModelOptions *o)
{
    if (t->last_end <= t->first_start)
        return 0;
    return sk_model_mbps(o, t->translations, t->last_end - t->first_start);
}

char *sk_report_json(const SkModelResult *r, const SkModelOptions *o,
                     const char *trace, gboolean pretty)
{
    JsonBuilder *b = json_builder_new();

    json_builder_begin_object(b);
    sk_json_member_string(b, "model", sk_model_name(r->model));
    sk_json_member_string(b, "trace", trace);
    sk_json_member_string(b, "policy", sk_policy_name(r->policy));
    sk_json_member_int(b, "tqueue", o->tqueue);
    sk_json_member_bool(b, "inorder", o->inorder);
    sk_json_member_bool(b, "salloc", o->salloc);
    sk_json_member_double(b, "link_gbps", (double)r->link_mbps / 1000.0);
    sk_json_member_int(b, "packet_bytes", o->packet_bytes);
    sk_json_member_int(b, "translations_per_packet", o->translations_per_packet);
    sk_json_member_int(b, "walk_table", o->caches.walk_table);
    sk_json_member_int(b, "elapsed_ns", (gint64)r->elapsed_ns);
    sk_json_member_int(b, "translations", (gint64)r->translations);
    sk_json_member_int(b, "packets", (gint64)r->packets);
    sk_json_member_int(b, "dropped_slots", (gint64)r->dropped_slots);
    sk_json_member_int(b, "mbps", (gint64)r->mbps);
    sk_json_member_double(b, "utilization", r->utilization);
    sk_json_member_int(b, "prefetch_walks", (gint64)r->prefetch_walks);
    sk_json_member_int(b, "max_in_flight", (gint64)r->max_in_flight);
    sk_json_member_int(b, "max_walks_in_flight", (gint64)r->max_walks);
    sk_json_member_int(b, "tenant_count", r->tenants);

    json_builder_set_member_name(b, "caches");
    json_builder_begin_object(b);
    for (int i = 0; i < SK_N_STATS; i++) {
        const SkCacheStats *c = &r->caches[i];
        json_builder_set_member_name(b, sk_stat_names[i]);
        json_builder_begin_object(b);
        sk_json_member_int(b, "hits", (gint64)c->hits);
        sk_json_member_int(b, "misses", (gint64)c->misses);
        sk_json_member_int(b, "conflicts", (gint64)c->conflicts);
        if (i == SK_STAT_IOTLB) {
            sk_json_member_int(b, "coalesced", (gint64)r->coalesced);
            sk_json_member_int(b, "stalls", (gint64)r->walk_stalls);
        }
        sk_json_member_double(b, "hit_rate", i == SK_STAT_IOTLB
            ? iotlb_rate(c->hits, c->misses, r->coalesced) : rate(c->hits, c->misses));
        json_builder_end_object(b);
    }
    json_builder_end_object(b);

    json_builder_set_member_name(b, "tenants");
    json_builder_begin_array(b);
    for (guint i = 0; r->per_tenant && i < r->per_tenant->len; i++) {
        const SkTenantStats *t = &g_array_index(r->per_tenant, SkTenantStats, i);
        json_builder_begin_object(b);
        sk_json_member_int(b, "id", t->tenant);
        sk_json_member_int(b, "translations", (gint64)t->translations);
        sk_json_member_int(b, "iotlb_hits", (gint64)t->iotlb_hits);
        sk_json_member_int(b, "iotlb_misses", (gint64)t->iotlb_misses);
        sk_json_member_int(b, "iotlb_coalesced", (gint64)t->iotlb_coalesced);
        sk_json_member_double(b, "iotlb_hit_rate",
                              iotlb_rate(t->iotlb_hits, t->iotlb_misses, t->iotlb_coalesced));
        sk_json_member_double(b, "mean_latency_ns", t->translations
            ? (double)t->latency_sum / (double)t->translations : 0.0);
        sk_json_member_int(b, "mbps", (gint64)tenant_mbps(t, o));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);

    return sk_json_builder_finish(b, pretty);
}

void sk_report_text(FILE *out, const SkModelResult *r, const SkModelOptions *o,
                    const char *trace)
{
    double min = 1.0, max = 0.0, sum = 0.0;
    guint n = r->per_tenant ? r->per_tenant->len : 0;

    fprintf(out, "trace          %s\n", trace);
    fprintf(out, "model          %s, IOTLB %s, tqueue %u %s%s, link %g Gb/s\n",
            sk_model_name(r->model), sk_policy_name(r->policy), o->tqueue,
            o->inorder ? "in order" : "out of order",
            o->salloc ? ", selective allocation" : "",
            (double)r->link_mbps / 1000.0);
    fprintf(out, "elapsed        %" G_GUINT64_FORMAT " ns\n", r->elapsed_ns);
    fprintf(out, "translations   %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
            " packets, %" G_GUINT64_FORMAT " slots dropped)\n",
            r->translations, r->packets, r->dropped_slots);
    fprintf(out, "throughput     %" G_GUINT64_FORMAT " Mb/s = %.1f%% of the link\n",
            r->mbps, 100.0 * r->utilization);
    fprintf(out, "\n%-10s %12s %12s %12s %9s\n", "cache", "hits", "misses",
            "conflicts", "hit rate");
    for (int i = 0; i < SK_N_STATS; i++) {
        const SkCacheStats *c = &r->caches[i];
        fprintf(out, "%-10s %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT
                " %12" G_GUINT64_FORMAT " %8.1f%%\n", sk_stat_names[i], c->hits,
                c->misses, c->conflicts, 100.0 * (i == SK_STAT_IOTLB
                    ? iotlb_rate(c->hits, c->misses, r->coalesced)
                    : rate(c->hits, c->misses)));
    }
    if (o->caches.walk_table)
        fprintf(out, "\nwalk table     %u entries: %" G_GUINT64_FORMAT " IOTLB misses "
                "coalesced, %" G_GUINT64_FORMAT " stalls (table full), at most %"
                G_GUINT64_FORMAT " walks in flight\n", o->caches.walk_table,
                r->coalesced, r->walk_stalls, r->max_walks);
    for (guint i = 0; i < n; i++) {
        const SkTenantStats *t = &g_array_index(r->per_tenant, SkTenantStats, i);
        double h = iotlb_rate(t->iotlb_hits, t->iotlb_misses, t->iotlb_coalesced);
        min = MIN(min, h);
        max = MAX(max, h);
        sum += h;
    }
    if (n)
        fprintf(out, "\ntenants        %u; IOTLB hit rate min %.1f%%, mean %.1f%%, "
                "max %.1f%% (--json for each)\n", r->tenants, 100.0 * min,
                100.0 * sum / n, 100.0 * max);
}
