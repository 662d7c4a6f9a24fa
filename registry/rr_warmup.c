/* rr_warmup.c - the warmup pushes and the map file both ways. */
#include "rr_warmup.h"

#include <string.h>

#include "rr_blob.h"
#include "rr_http.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_json.h"

typedef struct Warmup {
    const RrConfig *cfg;
    const RrTrace *t;
    GArray *layers;         /* request index of each distinct GET uri */
    guint next;
    guint *lane_layer;      /* the layer each lane pushes */
    char **digests;         /* per layer: hex, "bad", or NULL */
    FILE *lines;
    RrWarmupStats *stats;
} Warmup;

guint64 rr_warmup_seed(const char *uri)
{
    guint64 h = 0xcbf29ce484222325ull;

    for (const guchar *p = (const guchar *)uri; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return h;
}

static gboolean next_layer(void *ctx, guint lane, RrTransfer *t, int64_t *start_us)
{
    Warmup *w = ctx;
    const RrRequest *r;

    if (w->next >= w->layers->len)
        return FALSE;
    w->lane_layer[lane] = w->next;
    r = &w->t->requests[g_array_index(w->layers, gsize, w->next++)];
    t->kind = RR_PUSH;
    t->registry = w->cfg->registries[0];
    t->blob.size = r->size;
    t->blob.random = w->cfg->random;
    t->blob.seed = rr_warmup_seed(r->uri);
    *start_us = 0;
    return TRUE;
}

static void layer_done(void *ctx, guint lane, const RrTransfer *t)
{
    Warmup *w = ctx;
    guint layer = w->lane_layer[lane];
    const char *uri = w->t->requests[g_array_index(w->layers, gsize, layer)].uri;

    if (t->ok) {
        w->digests[layer] = g_strdup(t->digest);
        w->stats->pushed++;
        w->stats->bytes += t->bytes;
    } else {
        w->digests[layer] = g_strdup("bad");
        w->stats->bad++;
        if (w->stats->first_error == NULL)
            w->stats->first_error = g_strdup_printf("%s: %s", uri, t->error);
    }
    if (w->lines)
        fprintf(w->lines, "%s %s\n", uri, w->digests[layer]);
}

static char *map_text(const Warmup *w)
{
    JsonBuilder *b = json_builder_new();

    json_builder_begin_object(b);
    for (guint i = 0; i < w->layers->len; i++)
        sk_json_member_string(b, w->t->requests[g_array_index(w->layers, gsize, i)].uri,
                              w->digests[i]);
    json_builder_end_object(b);
    return sk_json_builder_finish(b, TRUE);
}

gboolean rr_warmup_push(const RrConfig *cfg, const RrTrace *t, FILE *lines,
                        RrWarmupStats *stats, GError **error)
{
    Warmup w = {cfg, t, g_array_new(FALSE, FALSE, sizeof(gsize)), 0, NULL, NULL, lines,
                stats};
    guint8 *seen = g_new0(guint8, t->n_uris);
    RrLaneSource src = {next_layer, layer_done, &w};
    gint64 start = g_get_monotonic_time();
    gboolean ok;

    memset(stats, 0, sizeof(*stats));
    g_assert(cfg->n_registries >= 1);
    for (gsize i = 0; i < t->n; i++)
        if (t->requests[i].method == RR_GET && !seen[t->requests[i].uri_id]) {
            seen[t->requests[i].uri_id] = 1;
            g_array_append_val(w.layers, i);
        }
    g_free(seen);
    stats->layers = w.layers->len;
    w.digests = g_new0(char *, w.layers->len + 1);
    w.lane_layer = g_new0(guint, cfg->warmup_threads);
    ok = rr_http_run(MAX(1u, MIN(cfg->warmup_threads, w.layers->len)), &src, error);
    stats->seconds = (double)(g_get_monotonic_time() - start) / 1e6;
    if (ok && w.layers->len > 0 && stats->pushed == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "no layer could be pushed to %s "
                    "(%" G_GUINT64_FORMAT " tried), first: %s", cfg->registries[0],
                    stats->bad, stats->first_error);
        ok = FALSE;
    }
    if (ok) {
        char *text = map_text(&w);

        ok = sk_output_write_file("warmup output", cfg->warmup_output, text, -1, error);
        g_free(text);
    }
    for (guint i = 0; i < w.layers->len; i++)
        g_free(w.digests[i]);
    g_free(w.digests);
    g_free(w.lane_layer);
    g_array_free(w.layers, TRUE);
    return ok;
}

void rr_warmup_stats_clear(RrWarmupStats *s)
{
    g_free(s->first_error);
    memset(s, 0, sizeof(*s));
}

static gboolean digest_ok(const char *d)
{
    if (strcmp(d, "bad") == 0)
        return TRUE;
    for (int i = 0; i < 64; i++)
        if (!g_ascii_isxdigit(d[i]) || g_ascii_isupper(d[i]))
            return FALSE;
    return d[64] == '\0';
}

GHashTable *rr_warmup_map_parse(const char *name, const char *data, gsize len,
                                GError **error)
{
    JsonParser *parser = json_parser_new();
    GHashTable *map = NULL;
    GError *why = NULL;
    JsonNode *root;
    JsonObjectIter it;
    const char *uri;
    JsonNode *value;

    if (!json_parser_load_from_data(parser, data, (gssize)len, &why)) {
        sk_error_in_file(error, "warmup output", name, "not JSON: %s", why->message);
        g_error_free(why);
        goto out;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        sk_error_in_file(error, "warmup output", name, "not a JSON object");
        goto out;
    }
    map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    json_object_iter_init(&it, json_node_get_object(root));
    while (json_object_iter_next(&it, &uri, &value)) {
        const char *d = JSON_NODE_HOLDS_VALUE(value) &&
                        json_node_get_value_type(value) == G_TYPE_STRING ?
                        json_node_get_string(value) : NULL;

        if (d == NULL || !digest_ok(d)) {
            char *shown = g_strescape(uri, NULL);

            sk_error_in_file(error, "warmup output", name, "'%s': expected 64 lowercase "
                             "hex digits or \"bad\"", shown);
            g_free(shown);
            g_clear_pointer(&map, g_hash_table_destroy);
            goto out;
        }
        g_hash_table_insert(map, g_strdup(uri), g_strdup(d));
    }
out:
    g_object_unref(parser);
    return map;
}

GHashTable *rr_warmup_map_read(const char *path, GError **error)
{
    gsize len;
    char *data = sk_input_read("warmup output", path, &len, error);
    GHashTable *map;

    if (data == NULL)
        return NULL;
    map = rr_warmup_map_parse(path, data, len, error);
    g_free(data);
    return map;
}
