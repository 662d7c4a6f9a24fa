/* report.c - sioperf's output: one JSON object, or text at a glance. */
#include "report.h"

#include <json-glib/json-glib.h>

static double rate(uint64_t hits, uint64_t misses)
{
    return hits + misses ? (double)hits / (double)(hits + misses) : 0.0;
}

static uint64_t tenant_mbps(const SkTenantStats *t)
{
    if (t->last_end <= t->first_start)
        return 0;
    return sk_model_mbps(t->translations, t->last_end - t->first_start);
}

char *sk_report_json(const SkModelResult *r, const SkModelOptions *o,
                     const char *trace, gboolean pretty)
{
    JsonBuilder *b = json_builder_new();
    JsonGenerator *gen;
    JsonNode *root;
    char *text;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "model");
    json_builder_add_string_value(b, sk_model_name(r->model));
    json_builder_set_member_name(b, "trace");
    json_builder_add_string_value(b, trace);
    json_builder_set_member_name(b, "policy");
    json_builder_add_string_value(b, sk_policy_name(r->policy));
    json_builder_set_member_name(b, "tqueue");
    json_builder_add_int_value(b, o->tqueue);
    json_builder_set_member_name(b, "inorder");
    json_builder_add_boolean_value(b, o->inorder);
    json_builder_set_member_name(b, "salloc");
    json_builder_add_boolean_value(b, o->salloc);
    json_builder_set_member_name(b, "link_gbps");
    json_builder_add_double_value(b, (double)r->link_mbps / 1000.0);
    json_builder_set_member_name(b, "elapsed_ns");
    json_builder_add_int_value(b, (gint64)r->elapsed_ns);
    json_builder_set_member_name(b, "translations");
    json_builder_add_int_value(b, (gint64)r->translations);
    json_builder_set_member_name(b, "packets");
    json_builder_add_int_value(b, (gint64)r->packets);
    json_builder_set_member_name(b, "dropped_slots");
    json_builder_add_int_value(b, (gint64)r->dropped_slots);
    json_builder_set_member_name(b, "mbps");
    json_builder_add_int_value(b, (gint64)r->mbps);
    json_builder_set_member_name(b, "utilization");
    json_builder_add_double_value(b, r->utilization);
    json_builder_set_member_name(b, "prefetch_walks");
    json_builder_add_int_value(b, (gint64)r->prefetch_walks);
    json_builder_set_member_name(b, "max_in_flight");
    json_builder_add_int_value(b, (gint64)r->max_in_flight);
    json_builder_set_member_name(b, "tenant_count");
    json_builder_add_int_value(b, r->tenants);

    json_builder_set_member_name(b, "caches");
    json_builder_begin_object(b);
    for (int i = 0; i < SK_N_STATS; i++) {
        const SkCacheStats *c = &r->caches[i];
        json_builder_set_member_name(b, sk_stat_names[i]);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "hits");
        json_builder_add_int_value(b, (gint64)c->hits);
        json_builder_set_member_name(b, "misses");
        json_builder_add_int_value(b, (gint64)c->misses);
        json_builder_set_member_name(b, "conflicts");
        json_builder_add_int_value(b, (gint64)c->conflicts);
        json_builder_set_member_name(b, "hit_rate");
        json_builder_add_double_value(b, rate(c->hits, c->misses));
        json_builder_end_object(b);
    }
    json_builder_end_object(b);

    json_builder_set_member_name(b, "tenants");
    json_builder_begin_array(b);
    for (guint i = 0; r->per_tenant && i < r->per_tenant->len; i++) {
        const SkTenantStats *t = &g_array_index(r->per_tenant, SkTenantStats, i);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_int_value(b, t->tenant);
        json_builder_set_member_name(b, "translations");
        json_builder_add_int_value(b, (gint64)t->translations);
        json_builder_set_member_name(b, "iotlb_hits");
        json_builder_add_int_value(b, (gint64)t->iotlb_hits);
        json_builder_set_member_name(b, "iotlb_misses");
        json_builder_add_int_value(b, (gint64)t->iotlb_misses);
        json_builder_set_member_name(b, "iotlb_hit_rate");
        json_builder_add_double_value(b, rate(t->iotlb_hits, t->iotlb_misses));
        json_builder_set_member_name(b, "mean_latency_ns");
        json_builder_add_double_value(b, t->translations
            ? (double)t->latency_sum / (double)t->translations : 0.0);
        json_builder_set_member_name(b, "mbps");
        json_builder_add_int_value(b, (gint64)tenant_mbps(t));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);

    root = json_builder_get_root(b);
    gen = json_generator_new();
    json_generator_set_pretty(gen, pretty);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    return text;
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
                c->misses, c->conflicts, 100.0 * rate(c->hits, c->misses));
    }
    for (guint i = 0; i < n; i++) {
        const SkTenantStats *t = &g_array_index(r->per_tenant, SkTenantStats, i);
        double h = rate(t->iotlb_hits, t->iotlb_misses);
        min = MIN(min, h);
        max = MAX(max, h);
        sum += h;
    }
    if (n)
        fprintf(out, "\ntenants        %u; IOTLB hit rate min %.1f%%, mean %.1f%%, "
                "max %.1f%% (--json for each)\n", r->tenants, 100.0 * min,
                100.0 * sum / n, 100.0 * max);
}
