/* results.c - a sweep's rows: from the points' JSON, to and from CSV (see
 * results.h). */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "designs.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"

const char *const sk_result_columns[SK_N_COLS] = {
    "id", "status", "design", "model", "benchmark", "source", "order", "burst",
    "translations_asked", "iotlb_size", "tqueue", "link_gbps", "tenants",
    "utilization", "mbps", "iotlb_hit_rate", "cc_hit_rate", "l2page_hit_rate",
    "l3page_hit_rate", "prefetch_hit_rate", "translations", "dropped_slots",
    "elapsed_ns", "error", "packet_bytes", "translations_per_packet", "walk_table",
    "iotlb_coalesced", "walk_stalls",
};

gboolean sk_result_column_is_axis(SkResultColumn c)
{
    return (c >= SK_COL_DESIGN && c <= SK_COL_TENANTS) ||
           (c >= SK_COL_PACKET_BYTES && c <= SK_COL_WALK_TABLE);
}

/* What a numeric column may hold.  Empty is allowed (a failed point has no
 * results; older sweeps left some axes out) except where `needed` says. */
typedef enum { NEED_NEVER, NEED_ALWAYS, NEED_IF_OK } Need;

static const struct {
    SkResultColumn col;
    gboolean whole;       /* an integer */
    double min, max;
    Need needed;
} numeric_columns[] = {
    {SK_COL_BURST, TRUE, 1, 1e6, NEED_NEVER},
    {SK_COL_TRANSLATIONS_ASKED, TRUE, 0, 1e12, NEED_NEVER},
    {SK_COL_IOTLB_SIZE, TRUE, 0, 16777216, NEED_NEVER},
    {SK_COL_TQUEUE, TRUE, 0, 1048576, NEED_NEVER},
    {SK_COL_LINK_GBPS, FALSE, 0.001, 1e6, NEED_NEVER},
    {SK_COL_TENANTS, TRUE, 1, 1e6, NEED_ALWAYS},
    /* hypersio-1.0's whole-ns packet slot can exceed the link, below 2x. */
    {SK_COL_UTILIZATION, FALSE, 0, 2, NEED_IF_OK},
    {SK_COL_MBPS, TRUE, 0, 1e15, NEED_NEVER},
    {SK_COL_IOTLB_HIT_RATE, FALSE, 0, 1, NEED_NEVER},
    {SK_COL_CC_HIT_RATE, FALSE, 0, 1, NEED_NEVER},
    {SK_COL_L2PAGE_HIT_RATE, FALSE, 0, 1, NEED_NEVER},
    {SK_COL_L3PAGE_HIT_RATE, FALSE, 0, 1, NEED_NEVER},
    {SK_COL_PREFETCH_HIT_RATE, FALSE, 0, 1, NEED_NEVER},
    {SK_COL_TRANSLATIONS, TRUE, 0, 1.8e19, NEED_NEVER},
    {SK_COL_DROPPED_SLOTS, TRUE, 0, 1.8e19, NEED_NEVER},
    {SK_COL_ELAPSED_NS, TRUE, 0, 1.8e19, NEED_NEVER},
    {SK_COL_PACKET_BYTES, TRUE, 1, 65536, NEED_NEVER},
    {SK_COL_TRANSLATIONS_PER_PACKET, TRUE, 1, 64, NEED_NEVER},
    {SK_COL_WALK_TABLE, TRUE, 0, 1048576, NEED_NEVER},
    {SK_COL_IOTLB_COALESCED, TRUE, 0, 1.8e19, NEED_NEVER},
    {SK_COL_WALK_STALLS, TRUE, 0, 1.8e19, NEED_NEVER},
};

/* A plain decimal number (sk_parse_decimal) with no sign; whole: digits
 * only. */
static gboolean plain_number(const char *text, gboolean whole, double *out)
{
    if (!g_ascii_isdigit(*text) || (whole && text[strspn(text, "0123456789")] != '\0'))
        return FALSE;
    return sk_parse_decimal(text, out);
}

gboolean sk_result_column_is_number(SkResultColumn col)
{
    for (guint i = 0; i < G_N_ELEMENTS(numeric_columns); i++)
        if (numeric_columns[i].col == col)
            return TRUE;
    return FALSE;
}

gboolean sk_result_field_check(SkResultColumn col, const char *status,
                               const char *text, GError **error)
{
    for (guint i = 0; i < G_N_ELEMENTS(numeric_columns); i++) {
        double v;
        if (numeric_columns[i].col != col)
            continue;
        if (*text == '\0') {
            Need need = numeric_columns[i].needed;
            if (need == NEED_ALWAYS || (need == NEED_IF_OK && strcmp(status, "ok") == 0)) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "empty, but %s needs a "
                            "value", need == NEED_ALWAYS ? "every point" : "an ok point");
                return FALSE;
            }
            return TRUE;
        }
        if (!plain_number(text, numeric_columns[i].whole, &v) ||
            v < numeric_columns[i].min || v > numeric_columns[i].max) {
            char lo[G_ASCII_DTOSTR_BUF_SIZE], hi[G_ASCII_DTOSTR_BUF_SIZE];
            g_ascii_formatd(lo, sizeof(lo), "%.15g", numeric_columns[i].min);
            g_ascii_formatd(hi, sizeof(hi), "%.15g", numeric_columns[i].max);
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "'%s' is not %s in %s..%s",
                        text, numeric_columns[i].whole ? "a whole number" : "a number",
                        lo, hi);
            return FALSE;
        }
        return TRUE;
    }
    for (const char *c = text; col != SK_COL_ERROR && *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            /* A line break in a name would inject lines into plot data
             * (an error message may hold one: it is never plotted). */
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "a control character "
                        "(0x%02x) in the text", (unsigned char)*c);
            return FALSE;
        }
    }
    return TRUE;
}

static char *node_text(JsonNode *n)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
        return g_strdup("");
    switch (json_node_get_value_type(n)) {
    case G_TYPE_STRING:
        return g_strdup(json_node_get_string(n));
    case G_TYPE_INT64:
        return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
    case G_TYPE_DOUBLE:
        return g_strdup(g_ascii_formatd(buf, sizeof(buf), "%.6g", json_node_get_double(n)));
    case G_TYPE_BOOLEAN:
        return g_strdup(json_node_get_boolean(n) ? "true" : "false");
    default:
        return g_strdup("");
    }
}

static JsonNode *path_get(JsonObject *o, const char *a, const char *b, const char *c)
{
    JsonNode *n = json_object_get_member(o, a);
    if (b && n && JSON_NODE_HOLDS_OBJECT(n))
        n = json_object_get_member(json_node_get_object(n), b);
    else if (b)
        return NULL;
    if (c && n && JSON_NODE_HOLDS_OBJECT(n))
        n = json_object_get_member(json_node_get_object(n), c);
    else if (c)
        return NULL;
    return n;
}

#define LEAF(m) ((m).d ? (m).d : "hit_rate")

char **sk_results_read_point(const char *path, GError **error)
{
    JsonParser *parser = json_parser_new();
    GError *local = NULL;
    char **row = NULL;
    JsonObject *o;
    JsonNode *root;
    /* Members a.b.c; when c names an object (a cache), its member d
     * (hit_rate when d is NULL). */
    static const struct { SkResultColumn col; const char *a, *b, *c, *d; } map[] = {
        {SK_COL_ID, "id", NULL, NULL, NULL},
        {SK_COL_STATUS, "status", NULL, NULL, NULL},
        {SK_COL_DESIGN, "point", "design", NULL, NULL},
        {SK_COL_MODEL, "point", "model", NULL, NULL},
        {SK_COL_BENCHMARK, "point", "benchmark", NULL, NULL},
        {SK_COL_SOURCE, "point", "source", NULL, NULL},
        {SK_COL_ORDER, "point", "order", NULL, NULL},
        {SK_COL_BURST, "point", "burst", NULL, NULL},
        {SK_COL_TRANSLATIONS_ASKED, "point", "translations", NULL, NULL},
        {SK_COL_IOTLB_SIZE, "point", "iotlb_size", NULL, NULL},
        {SK_COL_TQUEUE, "point", "tqueue", NULL, NULL},
        {SK_COL_LINK_GBPS, "point", "link_gbps", NULL, NULL},
        {SK_COL_TENANTS, "point", "tenants", NULL, NULL},
        {SK_COL_UTILIZATION, "result", "utilization", NULL, NULL},
        {SK_COL_MBPS, "result", "mbps", NULL, NULL},
        {SK_COL_IOTLB_HIT_RATE, "result", "caches", "IOTLB", NULL},
        {SK_COL_CC_HIT_RATE, "result", "caches", "CC", NULL},
        {SK_COL_L2PAGE_HIT_RATE, "result", "caches", "L2PAGE", NULL},
        {SK_COL_L3PAGE_HIT_RATE, "result", "caches", "L3PAGE", NULL},
        {SK_COL_PREFETCH_HIT_RATE, "result", "caches", "PREFETCH", NULL},
        {SK_COL_TRANSLATIONS, "result", "translations", NULL, NULL},
        {SK_COL_DROPPED_SLOTS, "result", "dropped_slots", NULL, NULL},
        {SK_COL_ELAPSED_NS, "result", "elapsed_ns", NULL, NULL},
        {SK_COL_ERROR, "error", NULL, NULL, NULL},
        {SK_COL_PACKET_BYTES, "point", "packet_bytes", NULL, NULL},
        {SK_COL_TRANSLATIONS_PER_PACKET, "point", "translations_per_packet", NULL, NULL},
        {SK_COL_WALK_TABLE, "point", "walk_table", NULL, NULL},
        {SK_COL_IOTLB_COALESCED, "result", "caches", "IOTLB", "coalesced"},
        {SK_COL_WALK_STALLS, "result", "caches", "IOTLB", "stalls"},
    };

    if (!json_parser_load_from_file(parser, path, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "result '%s': %s", path,
                    local->message);
        g_error_free(local);
        goto out;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root) ||
        !json_object_has_member(o = json_node_get_object(root), "point") ||
        !json_object_has_member(o, "status")) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "result '%s': not a perf-explore point record", path);
        goto out;
    }
    row = g_new0(char *, SK_N_COLS + 1);
    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        JsonNode *n = path_get(o, map[i].a, map[i].b, map[i].c);
        if (map[i].c && n && JSON_NODE_HOLDS_OBJECT(n))
            n = json_object_get_member(json_node_get_object(n), LEAF(map[i]));
        row[map[i].col] = node_text(n);
    }
    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        JsonNode *n = path_get(o, map[i].a, map[i].b, map[i].c);
        gboolean numeric = sk_result_column_is_number(map[i].col);
        char *member = g_strjoin(".", map[i].a, map[i].b, map[i].c,
                                 map[i].c ? LEAF(map[i]) : NULL, NULL);
        GError *bad = NULL;

        if (map[i].c && n && JSON_NODE_HOLDS_OBJECT(n))
            n = json_object_get_member(json_node_get_object(n), LEAF(map[i]));
        if (map[i].col == SK_COL_STATUS && strcmp(row[SK_COL_STATUS], "ok") != 0 &&
            strcmp(row[SK_COL_STATUS], "failed") != 0)
            g_set_error(&bad, SK_ERROR, SK_ERROR_INPUT, "'%s' is not ok or failed",
                        row[SK_COL_STATUS]);
        else if (numeric && n && JSON_NODE_HOLDS_VALUE(n) &&
                 json_node_get_value_type(n) == G_TYPE_STRING)
            g_set_error(&bad, SK_ERROR, SK_ERROR_INPUT, "'%s' is a string, not a "
                        "number", json_node_get_string(n));
        else if (numeric && n && !JSON_NODE_HOLDS_VALUE(n) && !JSON_NODE_HOLDS_NULL(n))
            g_set_error(&bad, SK_ERROR, SK_ERROR_INPUT, "not a number");
        else
            sk_result_field_check(map[i].col, row[SK_COL_STATUS],
                                  row[map[i].col], &bad);
        if (bad) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "result '%s': member %s: %s",
                        path, member, bad->message);
            g_error_free(bad);
            g_free(member);
            g_strfreev(row);
            row = NULL;
            goto out;
        }
        g_free(member);
    }
out:
    g_object_unref(parser);
    return row;
}

static int compare_rows(gconstpointer pa, gconstpointer pb)
{
    char *const *a = *(char *const *const *)pa, *const *b = *(char *const *const *)pb;
    guint ra = sk_design_rank(a[SK_COL_DESIGN]), rb = sk_design_rank(b[SK_COL_DESIGN]);
    static const SkResultColumn numeric[] = {
        SK_COL_BURST, SK_COL_TRANSLATIONS_ASKED, SK_COL_IOTLB_SIZE, SK_COL_TQUEUE,
        SK_COL_LINK_GBPS, SK_COL_PACKET_BYTES, SK_COL_TRANSLATIONS_PER_PACKET,
        SK_COL_WALK_TABLE,
    };
    int c;

    if (ra != rb)
        return ra < rb ? -1 : 1;
    if ((c = strcmp(a[SK_COL_DESIGN], b[SK_COL_DESIGN])) ||
        (c = strcmp(a[SK_COL_MODEL], b[SK_COL_MODEL])) ||
        (c = strcmp(a[SK_COL_BENCHMARK], b[SK_COL_BENCHMARK])) ||
        (c = strcmp(a[SK_COL_SOURCE], b[SK_COL_SOURCE])) ||
        (c = strcmp(a[SK_COL_ORDER], b[SK_COL_ORDER])))
        return c;
    for (guint i = 0; i < G_N_ELEMENTS(numeric); i++) {
        double x = g_ascii_strtod(a[numeric[i]], NULL), y = g_ascii_strtod(b[numeric[i]], NULL);
        if (x != y)
            return x < y ? -1 : 1;
    }
    {
        double x = g_ascii_strtod(a[SK_COL_TENANTS], NULL);
        double y = g_ascii_strtod(b[SK_COL_TENANTS], NULL);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return strcmp(a[SK_COL_ID], b[SK_COL_ID]);
}

void sk_results_sort(GPtrArray *rows)
{
    g_ptr_array_sort(rows, compare_rows);
}

GPtrArray *sk_results_gather(const char *dir, GError **error)
{
    char *points = g_build_filename(dir, "points", NULL);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    GDir *d = g_dir_open(points, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        char *path, **row;
        if (!g_str_has_suffix(name, ".json"))
            continue;
        path = g_build_filename(points, name, NULL);
        row = sk_results_read_point(path, error);
        g_free(path);
        if (row == NULL) {
            g_ptr_array_free(rows, TRUE);
            rows = NULL;
            break;
        }
        g_ptr_array_add(rows, row);
    }
    if (d)
        g_dir_close(d);
    g_free(points);
    if (rows)
        sk_results_sort(rows);
    return rows;
}

static void csv_field(GString *s, const char *f)
{
    if (strpbrk(f, ",\"\r\n") == NULL) {
        g_string_append(s, f);
        return;
    }
    g_string_append_c(s, '"');
    for (const char *c = f; *c; c++) {
        if (*c == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *c);
    }
    g_string_append_c(s, '"');
}

char *sk_results_csv_text(GPtrArray *rows)
{
    GString *s = g_string_new(NULL);

    for (int c = 0; c < SK_N_COLS; c++) {
        if (c)
            g_string_append_c(s, ',');
        g_string_append(s, sk_result_columns[c]);
    }
    g_string_append_c(s, '\n');
    for (guint i = 0; i < rows->len; i++) {
        char **row = rows->pdata[i];
        for (int c = 0; c < SK_N_COLS; c++) {
            if (c)
                g_string_append_c(s, ',');
            csv_field(s, row[c]);
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

gboolean sk_results_write_csv(const char *path, GPtrArray *rows, GError **error)
{
    char *text = sk_results_csv_text(rows);
    gboolean ok = sk_output_write_file("csv", path, text, -1, error);

    g_free(text);
    return ok;
}

/* Reads one record starting at *pos; NULL with error on a bad quote.
 * *line counts line breaks, also those inside quoted fields. */
static GPtrArray *csv_record(const char *name, const char *text, gsize len,
                             gsize *pos, guint *line, GArray *starts,
                             GError **error)
{
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *f = g_string_new(NULL);
    gsize i = *pos;
    guint start = *line;

    g_array_set_size(starts, 0);
    for (;;) {
        g_array_append_val(starts, *line);
        if (i < len && text[i] == '"') {
            i++;
            for (;;) {
                if (i >= len) {
                    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                                "csv '%s': line %u: unterminated quoted field", name, start);
                    goto bad;
                }
                if (text[i] == '"') {
                    if (i + 1 < len && text[i + 1] == '"') {
                        g_string_append_c(f, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (text[i] == '\n')
                    (*line)++;
                g_string_append_c(f, text[i++]);
            }
            if (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "csv '%s': line %u: text after a quoted field", name, *line);
                goto bad;
            }
        } else {
            while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                if (text[i] == '"' || text[i] == '\0') {
                    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                                "csv '%s': line %u: stray %s in a field", name, *line,
                                text[i] ? "quote" : "NUL byte");
                    goto bad;
                }
                g_string_append_c(f, text[i++]);
            }
        }
        g_ptr_array_add(fields, g_string_free(f, FALSE));
        f = g_string_new(NULL);
        if (i < len && text[i] == ',') {
            i++;
            continue;
        }
        if (i < len && text[i] == '\r')
            i++;
        if (i < len && text[i] == '\n')
            i++;
        (*line)++;
        break;
    }
    g_string_free(f, TRUE);
    *pos = i;
    return fields;
bad:
    g_string_free(f, TRUE);
    g_ptr_array_free(fields, TRUE);
    return NULL;
}

GPtrArray *sk_results_parse_csv(const char *name, const char *text, gsize len,
                                GError **error)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    GPtrArray *rec;
    GArray *starts = g_array_new(FALSE, FALSE, sizeof(guint));
    gsize pos = 0;
    guint line = 1, l;

    if (!g_utf8_validate(text, (gssize)len, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "csv '%s': not UTF-8 text", name);
        goto bad;
    }
    l = line;
    rec = csv_record(name, text, len, &pos, &line, starts, error);
    if (rec == NULL)
        goto bad;
    for (int c = 0; c < SK_N_COLS; c++) {
        if (rec->len != SK_N_COLS || strcmp(rec->pdata[c], sk_result_columns[c]) != 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "csv '%s': line %u: header is "
                        "not perf-explore's (column %d should be '%s')", name, l, c + 1,
                        sk_result_columns[c]);
            g_ptr_array_free(rec, TRUE);
            goto bad;
        }
    }
    g_ptr_array_free(rec, TRUE);
    while (pos < len) {
        l = line;
        rec = csv_record(name, text, len, &pos, &line, starts, error);
        if (rec == NULL)
            goto bad;
        if (rec->len != SK_N_COLS) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "csv '%s': line %u: %u fields, "
                        "not %d", name, l, rec->len, SK_N_COLS);
            g_ptr_array_free(rec, TRUE);
            goto bad;
        }
        if (strcmp(rec->pdata[SK_COL_STATUS], "ok") != 0 &&
            strcmp(rec->pdata[SK_COL_STATUS], "failed") != 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "csv '%s': line %u: field "
                        "'status': not ok or failed", name, l);
            g_ptr_array_free(rec, TRUE);
            goto bad;
        }
        for (int c = 0; c < SK_N_COLS; c++) {
            GError *why = NULL;
            if (sk_result_field_check(c, rec->pdata[SK_COL_STATUS], rec->pdata[c], &why))
                continue;
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "csv '%s': line %u: column %d "
                        "(%s): %s", name, g_array_index(starts, guint, c), c + 1,
                        sk_result_columns[c], why->message);
            g_error_free(why);
            g_ptr_array_free(rec, TRUE);
            goto bad;
        }
        g_ptr_array_add(rec, NULL);
        g_ptr_array_add(rows, g_ptr_array_free(rec, FALSE));
    }
    g_array_free(starts, TRUE);
    return rows;
bad:
    g_array_free(starts, TRUE);
    g_ptr_array_free(rows, TRUE);
    return NULL;
}

GPtrArray *sk_results_load_csv(const char *path, GError **error)
{
    gsize len;
    char *text = sk_input_read("csv", path, &len, error);
    GPtrArray *rows;

    if (text == NULL)
        return NULL;
    rows = sk_results_parse_csv(path, text, len, error);
    g_free(text);
    return rows;
}
