/* rr_results.c - the results file both ways, and the statistics over it. */
#include "rr_results.h"

#include <math.h>
#include <string.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_json.h"

static const char *const on_time_names[] = {"no", "yes", "failed"};

static gint by_time(gconstpointer a, gconstpointer b)
{
    const RrResult *x = a, *y = b;

    return (x->time > y->time) - (x->time < y->time);
}

void rr_results_sort(GArray *results)
{
    g_array_sort(results, by_time);     /* g_array_sort is stable (a merge sort) */
}

gboolean rr_results_write(const char *path, GArray *results, GError **error)
{
    JsonBuilder *b = json_builder_new();
    char *text;
    gboolean ok;

    rr_results_sort(results);
    json_builder_begin_array(b);
    for (guint i = 0; i < results->len; i++) {
        const RrResult *r = &g_array_index(results, RrResult, i);

        json_builder_begin_object(b);
        sk_json_member_double(b, "time", r->time);
        sk_json_member_double(b, "duration", r->duration);
        sk_json_member_string(b, "onTime", on_time_names[r->on_time]);
        sk_json_member_int(b, "size", (gint64)r->size);
        sk_json_member_string(b, "method", r->put ? "PUT" : "GET");
        sk_json_member_int(b, "status", r->status);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    text = sk_json_builder_finish(b, FALSE);
    ok = sk_output_write_file("results", path, text, -1, error);
    g_free(text);
    return ok;
}

static gboolean bad(GError **error, const char *name, guint record, const char *what)
{
    sk_error_in_file(error, "results", name, "record %u: %s", record, what);
    return FALSE;
}

static gboolean number(JsonObject *o, const char *key, double min, double *out)
{
    JsonNode *n = json_object_get_member(o, key);

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) ||
        (json_node_get_value_type(n) != G_TYPE_DOUBLE &&
         json_node_get_value_type(n) != G_TYPE_INT64))
        return FALSE;
    *out = json_node_get_double(n);
    return isfinite(*out) && *out >= min;
}

static gboolean whole(JsonObject *o, const char *key, gint64 max, gint64 *out)
{
    JsonNode *n = json_object_get_member(o, key);

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
        return FALSE;
    *out = json_node_get_int(n);
    return *out >= 0 && *out <= max;
}

static const char *text(JsonObject *o, const char *key)
{
    JsonNode *n = json_object_get_member(o, key);

    if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static gboolean parse_record(const char *name, guint k, JsonNode *node, RrResult *r,
                             GError **error)
{
    JsonObject *o;
    const char *on_time, *method;
    gint64 size, status;
    int idx = -1;

    if (!JSON_NODE_HOLDS_OBJECT(node))
        return bad(error, name, k, "not an object");
    o = json_node_get_object(node);
    if (!number(o, "time", 0, &r->time))
        return bad(error, name, k, "time: expected a number >= 0");
    if (!number(o, "duration", 0, &r->duration))
        return bad(error, name, k, "duration: expected a number >= 0");
    if (!whole(o, "size", G_MAXINT64, &size))
        return bad(error, name, k, "size: expected a whole number >= 0");
    r->size = (uint64_t)size;
    on_time = text(o, "onTime");
    for (int i = 0; on_time && i < (int)G_N_ELEMENTS(on_time_names); i++)
        if (strcmp(on_time, on_time_names[i]) == 0)
            idx = i;
    if (idx < 0)
        return bad(error, name, k, "onTime: expected yes, no or failed");
    r->on_time = (RrOnTime)idx;
    method = text(o, "method");
    if (method == NULL || (strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0))
        return bad(error, name, k, "method: expected GET or PUT");
    r->put = strcmp(method, "PUT") == 0;
    if (!whole(o, "status", 999, &status))
        return bad(error, name, k, "status: expected an HTTP status 0..999");
    r->status = (int)status;
    return TRUE;
}

gboolean rr_results_parse(const char *name, const char *data, gsize len, GArray *into,
                          GError **error)
{
    JsonParser *parser = json_parser_new();
    GError *why = NULL;
    JsonNode *root;
    JsonArray *a;
    gboolean ok = TRUE;

    if (!json_parser_load_from_data(parser, data, (gssize)len, &why)) {
        sk_error_in_file(error, "results", name, "not JSON: %s", why->message);
        g_error_free(why);
        g_object_unref(parser);
        return FALSE;
    }
    root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_ARRAY(root)) {
        sk_error_in_file(error, "results", name, "not a JSON array");
        g_object_unref(parser);
        return FALSE;
    }
    a = json_node_get_array(root);
    for (guint i = 0; ok && i < json_array_get_length(a); i++) {
        RrResult r = {0};

        ok = parse_record(name, i + 1, json_array_get_element(a, i), &r, error);
        if (ok)
            g_array_append_val(into, r);
    }
    g_object_unref(parser);
    return ok;
}

gboolean rr_results_read(const char *path, GArray *into, GError **error)
{
    gsize len;
    char *data = sk_input_read("results", path, &len, error);
    gboolean ok;

    if (data == NULL)
        return FALSE;
    ok = rr_results_parse(path, data, len, into, error);
    g_free(data);
    return ok;
}

static gint by_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double nearest_rank(const double *sorted, guint64 n, double q)
{
    guint64 rank = (guint64)ceil(q * (double)n);

    return n ? sorted[MAX(rank, 1) - 1] : 0.0;
}

void rr_stats_compute(GArray *results, RrStats *s)
{
    double *lat = g_new(double, results->len + 1);

    memset(s, 0, sizeof(*s));
    for (guint i = 0; i < results->len; i++) {
        const RrResult *r = &g_array_index(results, RrResult, i);

        if (i == 0)
            s->start = s->end = r->time;
        if (r->on_time == RR_FAILED) {
            s->failed++;
            continue;
        }
        lat[s->total++] = r->duration;
        s->latency_sum += r->duration;
        s->bytes += r->size;
        s->on_time += r->on_time == RR_ON_TIME_YES;
        s->gets += !r->put;
        s->puts += r->put;
        s->end = MAX(s->end, r->time + r->duration);
    }
    qsort(lat, s->total, sizeof(double), (int (*)(const void *, const void *))by_double);
    s->p50 = nearest_rank(lat, s->total, 0.50);
    s->p90 = nearest_rank(lat, s->total, 0.90);
    s->p99 = nearest_rank(lat, s->total, 0.99);
    s->max = s->total ? lat[s->total - 1] : 0.0;
    g_free(lat);
}

/* A float as Python 2's str(): 12 significant digits, ".0" when integral. */
static void py_float(FILE *f, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_formatd(buf, sizeof(buf), "%.12g", v);
    fputs(buf, f);
    if (isfinite(v) && !strpbrk(buf, ".e"))
        fputs(".0", f);
}

void rr_stats_print(FILE *f, const RrStats *s)
{
    double duration = s->end - s->start;

    fprintf(f, "Statistics\n");
    fprintf(f, "Successful Requests: %" G_GUINT64_FORMAT "\n", s->total);
    fprintf(f, "Failed Requests: %" G_GUINT64_FORMAT "\n", s->failed);
    fputs("Duration: ", f);
    py_float(f, duration);
    fprintf(f, "\nData Transfered: %" G_GUINT64_FORMAT " bytes\n", s->bytes);
    fputs("Average Latency: ", f);
    py_float(f, s->total ? s->latency_sum / (double)s->total : 0.0);
    fputs("\n% requests on time: ", f);
    py_float(f, s->total ? (double)s->on_time / (double)s->total : 0.0);
    fputs("\nThroughput: ", f);
    py_float(f, duration > 0 ? (double)s->total / duration : 0.0);
    fputs(" requests/second\n", f);
}

void rr_stats_json(JsonBuilder *b, const RrStats *s)
{
    double duration = s->end - s->start;

    sk_json_member_int(b, "successful_requests", (gint64)s->total);
    sk_json_member_int(b, "failed_requests", (gint64)s->failed);
    sk_json_member_int(b, "gets", (gint64)s->gets);
    sk_json_member_int(b, "puts", (gint64)s->puts);
    sk_json_member_double(b, "duration_seconds", duration);
    sk_json_member_int(b, "bytes", (gint64)s->bytes);
    sk_json_member_double(b, "on_time_fraction",
                          s->total ? (double)s->on_time / (double)s->total : 0.0);
    sk_json_member_double(b, "requests_per_second",
                          duration > 0 ? (double)s->total / duration : 0.0);
    sk_json_member_double(b, "bytes_per_second",
                          duration > 0 ? (double)s->bytes / duration : 0.0);
    sk_json_member_double(b, "latency_mean_seconds",
                          s->total ? s->latency_sum / (double)s->total : 0.0);
    sk_json_member_double(b, "latency_p50_seconds", s->p50);
    sk_json_member_double(b, "latency_p90_seconds", s->p90);
    sk_json_member_double(b, "latency_p99_seconds", s->p99);
    sk_json_member_double(b, "latency_max_seconds", s->max);
}

char *rr_results_per_second_csv(GArray *results)
{
    GString *csv = g_string_new("second,requests,failed,bytes\n");
    double start, last;
    guint64 seconds, *rows;

    if (results->len == 0)
        return g_string_free(csv, FALSE);
    start = g_array_index(results, RrResult, 0).time;
    last = g_array_index(results, RrResult, results->len - 1).time;
    if (last - start >= RR_RESULTS_MAX_SECONDS)
        return g_string_free(csv, TRUE), NULL;
    seconds = (guint64)floor(last - start) + 1;
    rows = g_new0(guint64, 3 * seconds);
    for (guint i = 0; i < results->len; i++) {
        const RrResult *r = &g_array_index(results, RrResult, i);
        guint64 at = MIN((guint64)floor(r->time - start), seconds - 1);

        if (r->on_time == RR_FAILED) {
            rows[3 * at + 1]++;
        } else {
            rows[3 * at]++;
            rows[3 * at + 2] += r->size;
        }
    }
    for (guint64 t = 0; t < seconds; t++)
        g_string_append_printf(csv, "%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",%"
                               G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "\n",
                               t, rows[3 * t], rows[3 * t + 1], rows[3 * t + 2]);
    g_free(rows);
    return g_string_free(csv, FALSE);
}
