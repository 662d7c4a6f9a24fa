/* point.c - one sweep point: its file, its design, its run (see point.h). */
#include "point.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "designs.h"
#include "report.h"
#include "results.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_json.h"

#define GROUP "point"

void sk_point_clear(SkPoint *p)
{
    SK_FREE_ALL(p->id, p->benchmark, p->source, p->order, p->design, p->model,
                p->trace, p->output);
    memset(p, 0, sizeof(*p));
}

SkPoint *sk_point_copy(const SkPoint *p)
{
    SkPoint *c = g_new(SkPoint, 1);

    *c = *p;
    c->id = g_strdup(p->id);
    c->benchmark = g_strdup(p->benchmark);
    c->source = g_strdup(p->source);
    c->order = g_strdup(p->order);
    c->design = g_strdup(p->design);
    c->model = g_strdup(p->model);
    c->trace = g_strdup(p->trace);
    c->output = g_strdup(p->output);
    return c;
}

void sk_point_free(SkPoint *p)
{
    if (p) {
        sk_point_clear(p);
        g_free(p);
    }
}

/* The point's device, 0 meaning the default. */
static uint32_t packet_bytes(const SkPoint *p)
{
    return p->packet_bytes ? p->packet_bytes : SK_PACKET_BYTES;
}

static uint32_t per_packet(const SkPoint *p)
{
    return p->translations_per_packet ? p->translations_per_packet
                                      : SK_TRANSLATIONS_PER_PACKET;
}

char *sk_point_to_data(const SkPoint *p)
{
    GKeyFile *kf = g_key_file_new();
    char link[G_ASCII_DTOSTR_BUF_SIZE];
    char *text;

    g_key_file_set_string(kf, GROUP, "id", p->id);
    g_key_file_set_string(kf, GROUP, "benchmark", p->benchmark);
    g_key_file_set_string(kf, GROUP, "source", p->source);
    g_key_file_set_uint64(kf, GROUP, "tenants", p->tenants);
    g_key_file_set_string(kf, GROUP, "order", p->order);
    g_key_file_set_uint64(kf, GROUP, "burst", p->burst);
    g_key_file_set_uint64(kf, GROUP, "translations", p->translations);
    g_key_file_set_string(kf, GROUP, "design", p->design);
    g_key_file_set_uint64(kf, GROUP, "iotlb_size", p->iotlb_size);
    g_key_file_set_uint64(kf, GROUP, "tqueue", p->tqueue);
    g_key_file_set_string(kf, GROUP, "link_gbps",
                          g_ascii_dtostr(link, sizeof(link), p->link_gbps));
    g_key_file_set_uint64(kf, GROUP, "packet_bytes", packet_bytes(p));
    g_key_file_set_uint64(kf, GROUP, "translations_per_packet", per_packet(p));
    g_key_file_set_uint64(kf, GROUP, "walk_table", p->walk_table);
    g_key_file_set_string(kf, GROUP, "model", p->model);
    g_key_file_set_string(kf, GROUP, "trace", p->trace);
    g_key_file_set_string(kf, GROUP, "output", p->output);
    text = g_key_file_to_data(kf, NULL, NULL);
    g_key_file_free(kf);
    return text;
}

static gboolean bad_key(const char *name, const char *key, const char *why,
                        GError **error)
{
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "point file '%s': key '%s': %s",
                name, key, why);
    return FALSE;
}

static gboolean get_string(GKeyFile *kf, const char *name, const char *key,
                           char **out, GError **error)
{
    *out = g_key_file_get_string(kf, GROUP, key, NULL);
    if (*out == NULL || **out == '\0')
        return bad_key(name, key, "missing or empty", error);
    return TRUE;
}

static gboolean get_u64(GKeyFile *kf, const char *name, const char *key,
                        uint64_t min, uint64_t max, uint64_t *out, GError **error)
{
    char *text = g_key_file_get_value(kf, GROUP, key, NULL);
    char *end = NULL;
    gboolean ok;

    errno = 0;
    ok = text && *text >= '0' && *text <= '9' &&
         (*out = g_ascii_strtoull(text, &end, 10), errno == 0 && *end == '\0') &&
         *out >= min && *out <= max;
    g_free(text);
    if (!ok) {
        char *why = g_strdup_printf("not a whole number in %" G_GUINT64_FORMAT
                                    "..%" G_GUINT64_FORMAT, min, max);
        bad_key(name, key, why, error);
        g_free(why);
    }
    return ok;
}

static gboolean id_ok(const char *id)
{
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return FALSE;
    for (const char *c = id; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '.' && *c != '_' && *c != '-')
            return FALSE;
    return TRUE;
}

gboolean sk_point_parse(const char *name, const char *text, gsize len,
                        SkPoint *p, GError **error)
{
    GKeyFile *kf = g_key_file_new();
    GError *local = NULL;
    SkModelKind kind;
    uint64_t v;
    char *link = NULL;
    gboolean ok = FALSE;

    memset(p, 0, sizeof(*p));
    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "point file '%s': %s", name,
                    local->message);
        g_error_free(local);
        goto out;
    }
    if (!g_key_file_has_group(kf, GROUP)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "point file '%s': no [point] group", name);
        goto out;
    }
    if (!get_string(kf, name, "id", &p->id, error))
        goto out;
    if (!id_ok(p->id)) {
        bad_key(name, "id", "only letters, digits, '.', '_' and '-'", error);
        goto out;
    }
    if (!get_string(kf, name, "benchmark", &p->benchmark, error) ||
        !get_string(kf, name, "source", &p->source, error) ||
        !get_u64(kf, name, "tenants", 1, 1000000, &v, error))
        goto out;
    p->tenants = (uint32_t)v;
    if (!get_string(kf, name, "order", &p->order, error) ||
        !get_u64(kf, name, "burst", 1, 1000000, &v, error))
        goto out;
    p->burst = (uint32_t)v;
    if (!get_u64(kf, name, "translations", 0, UINT64_C(1000000000000),
                 &p->translations, error))
        goto out;
    if (!get_string(kf, name, "design", &p->design, error))
        goto out;
    if (sk_design_find(p->design) == NULL) {
        bad_key(name, "design", "unknown design", error);
        goto out;
    }
    if (!get_u64(kf, name, "iotlb_size", 0, SK_CACHE_MAX_ENTRIES, &v, error))
        goto out;
    p->iotlb_size = (uint32_t)v;
    if (!get_u64(kf, name, "tqueue", 0, 1u << 20, &v, error))
        goto out;
    p->tqueue = (uint32_t)v;
    if (!get_string(kf, name, "link_gbps", &link, error))
        goto out;
    if (!sk_cli_parse_link_speed("link_gbps", link, &p->link_gbps, NULL)) {
        bad_key(name, "link_gbps", "not a speed in 0.001..1000000", error);
        goto out;
    }
    if (!get_string(kf, name, "model", &p->model, error))
        goto out;
    if (!sk_model_parse(p->model, &kind)) {
        bad_key(name, "model", "unknown model", error);
        goto out;
    }
    p->packet_bytes = SK_PACKET_BYTES;
    p->translations_per_packet = SK_TRANSLATIONS_PER_PACKET;
    p->walk_table = kind == SK_MODEL_SIOKIT ? sk_design_find(p->design)->caches.walk_table : 0;
    if (g_key_file_has_key(kf, GROUP, "packet_bytes", NULL)) {
        if (!get_u64(kf, name, "packet_bytes", 1, SK_PACKET_BYTES_MAX, &v, error))
            goto out;
        p->packet_bytes = (uint32_t)v;
    }
    if (g_key_file_has_key(kf, GROUP, "translations_per_packet", NULL)) {
        if (!get_u64(kf, name, "translations_per_packet", 1,
                     SK_TRANSLATIONS_PER_PACKET_MAX, &v, error))
            goto out;
        p->translations_per_packet = (uint32_t)v;
    }
    if (g_key_file_has_key(kf, GROUP, "walk_table", NULL)) {
        if (!get_u64(kf, name, "walk_table", 0, SK_WALK_TABLE_MAX, &v, error))
            goto out;
        p->walk_table = (uint32_t)v;
    }
    if (!get_string(kf, name, "trace", &p->trace, error) ||
        !get_string(kf, name, "output", &p->output, error))
        goto out;
    ok = TRUE;
out:
    g_free(link);
    g_key_file_free(kf);
    if (!ok)
        sk_point_clear(p);
    return ok;
}

gboolean sk_point_load(const char *path, SkPoint *p, GError **error)
{
    gsize len;
    char *text;
    gboolean ok;

    memset(p, 0, sizeof(*p));
    text = sk_input_read("point file", path, &len, error);
    if (text == NULL)
        return FALSE;
    ok = sk_point_parse(path, text, len, p, error);
    g_free(text);
    return ok;
}

gboolean sk_point_options(const SkPoint *p, SkModelOptions *o, GError **error)
{
    const SkDesign *d = sk_design_find(p->design);
    SkCacheGeometry *g;

    sk_model_options_default(o);
    if (d == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unknown design '%s'", p->design);
        return FALSE;
    }
    if (!sk_model_parse(p->model, &o->model)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unknown model '%s'", p->model);
        return FALSE;
    }
    o->caches = d->caches;
    o->tqueue = p->tqueue ? p->tqueue : d->tqueue;
    o->salloc = d->salloc;
    o->tenants = p->tenants;
    o->link_mbps = (uint64_t)llround(p->link_gbps * 1000.0);
    o->packet_bytes = packet_bytes(p);
    o->translations_per_packet = per_packet(p);
    o->caches.walk_table = p->walk_table;
    g = &o->caches.iotlb;
    if (p->iotlb_size) {
        uint32_t sets;
        g->size = p->iotlb_size;
        if (g->assoc > g->size)
            g->assoc = g->size;    /* a small IOTLB is fully associative */
        sets = g->size / g->assoc;
        if (g->size % g->assoc || (sets & (sets - 1)) || g->groups > sets) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "--iotlb-size %u does not fit design %s: the size must be "
                        "%u ways times a power of two of sets, at least %u",
                        p->iotlb_size, d->name, g->assoc, g->groups);
            return FALSE;
        }
    }
    return sk_model_options_check(o, error);
}

static void add_point(JsonBuilder *b, const SkPoint *p)
{
    json_builder_set_member_name(b, "point");
    json_builder_begin_object(b);
    sk_json_member_string(b, "benchmark", p->benchmark);
    sk_json_member_string(b, "source", p->source);
    sk_json_member_int(b, "tenants", (gint64)p->tenants);
    sk_json_member_string(b, "order", p->order);
    sk_json_member_int(b, "burst", (gint64)p->burst);
    sk_json_member_int(b, "translations", (gint64)p->translations);
    sk_json_member_string(b, "design", p->design);
    sk_json_member_int(b, "iotlb_size", (gint64)p->iotlb_size);
    sk_json_member_int(b, "tqueue", (gint64)p->tqueue);
    sk_json_member_double(b, "link_gbps", p->link_gbps);
    sk_json_member_int(b, "packet_bytes", packet_bytes(p));
    sk_json_member_int(b, "translations_per_packet", per_packet(p));
    sk_json_member_int(b, "walk_table", (gint64)p->walk_table);
    sk_json_member_string(b, "model", p->model);
    sk_json_member_string(b, "trace", p->trace);
    json_builder_end_object(b);
}

/* Writes {"id", "status", ["error"], "point", ["result"]} to p->output. */
static gboolean write_record(const SkPoint *p, const char *message,
                             const char *result_json, GError **error)
{
    JsonBuilder *b = json_builder_new();
    char *text;
    gboolean ok;

    json_builder_begin_object(b);
    sk_json_member_string(b, "id", p->id);
    sk_json_member_string(b, "status", message ? "failed" : "ok");
    if (message)
        sk_json_member_string(b, "error", message);
    add_point(b, p);
    if (result_json) {
        JsonNode *r = json_from_string(result_json, NULL);
        json_builder_set_member_name(b, "result");
        json_builder_add_value(b, r);
    }
    json_builder_end_object(b);
    text = sk_json_builder_finish(b, FALSE);
    ok = sk_output_write_file("result", p->output, text, -1, error);
    g_free(text);
    return ok;
}

gboolean sk_point_write_failed(const SkPoint *p, const char *message,
                               GError **error)
{
    return write_record(p, message, NULL, error);
}

gboolean sk_point_run(const SkPoint *p, GError **error)
{
    SkModelOptions o;
    SkModelResult result = {0};
    GError *local = NULL;
    char *json = NULL;
    gboolean ok = FALSE;

    if (!sk_point_options(p, &o, &local))
        goto out;
    if (!sk_model_run_trace(&o, p->trace, SK_FORMAT_AUTO, TRUE, &result, &local))
        goto out;
    json = sk_report_json(&result, &o, p->trace, FALSE);
    ok = write_record(p, NULL, json, error);
    goto done;
out:
    write_record(p, local->message, NULL, NULL);
    g_propagate_error(error, local);
done:
    sk_model_result_clear(&result);
    g_free(json);
    return ok;
}

gboolean sk_point_done(const SkPoint *p, GError **why)
{
    char **row;
    gboolean done;

    if (!g_file_test(p->output, G_FILE_TEST_EXISTS))
        return FALSE;
    row = sk_results_read_point(p->output, why);
    done = row && strcmp(row[SK_COL_STATUS], "ok") == 0;
    if (done) {
        /* A result of an earlier siokit whose device or walk table was not
         * this point's (an older tq preset had none) is computed again. */
        char *device = g_strdup_printf("%u,%u,%u", packet_bytes(p), per_packet(p),
                                       p->walk_table);
        char *had = g_strdup_printf("%s,%s,%s", row[SK_COL_PACKET_BYTES],
                                    row[SK_COL_TRANSLATIONS_PER_PACKET],
                                    row[SK_COL_WALK_TABLE]);
        done = strcmp(device, had) == 0;
        if (!done)
            g_set_error(why, SK_ERROR, SK_ERROR_INPUT, "result '%s': computed for "
                        "packet_bytes, translations_per_packet, walk_table '%s', "
                        "not %s", p->output, had, device);
        SK_FREE_ALL(device, had);
    }
    g_strfreev(row);
    return done;
}
