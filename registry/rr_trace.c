/* rr_trace.c - reads IBM registry trace files into the seed's sorted requests.
 *
 * The life of one record: the array scanner hands over its text; json-glib
 * parses that text alone; the filter of the seed's master decides whether
 * it is kept; a kept record's strings go to a string chunk and its request
 * to a growing array.  Once every file is read, the array is sorted by
 * (timestamp, sequence), delays are computed and the limit cuts the tail. */
#include "rr_trace.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "rr_jsonarray.h"
#include "sk_error.h"
#include "sk_file.h"

typedef struct {
    RrTrace *t;
    GArray *reqs;           /* RrRequest */
    GHashTable *uri_ids;    /* uri (chunk) -> id + 1 */
    GPtrArray *uris;
    JsonParser *parser;
    gboolean strict;
    GError **error;
} Reader;

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : d[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* Up to `max` digits (at least 1) into *v. */
static const char *digits(const char *s, int min, int max, int *v, int *count)
{
    int n = 0, x = 0;

    while (n < max && g_ascii_isdigit(s[n])) {
        x = x * 10 + (s[n] - '0');
        n++;
    }
    if (n < min)
        return NULL;
    *v = x;
    if (count)
        *count = n;
    return s + n;
}

gboolean rr_trace_parse_time(const char *s, int64_t *us)
{
    int y, mo, d, h, mi, sec, frac, nfrac;

    /* strptime's %Y takes 4 digits, the others 1 or 2, %f 1 to 6. */
    if (!(s = digits(s, 4, 4, &y, NULL)) || *s++ != '-' ||
        !(s = digits(s, 1, 2, &mo, NULL)) || *s++ != '-' ||
        !(s = digits(s, 1, 2, &d, NULL)) || *s++ != 'T' ||
        !(s = digits(s, 1, 2, &h, NULL)) || *s++ != ':' ||
        !(s = digits(s, 1, 2, &mi, NULL)) || *s++ != ':' ||
        !(s = digits(s, 1, 2, &sec, NULL)) || *s++ != '.' ||
        !(s = digits(s, 1, 6, &frac, &nfrac)) || *s++ != 'Z' || *s != '\0')
        return FALSE;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 59)
        return FALSE;
    for (int i = nfrac; i < 6; i++)
        frac *= 10;
    *us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000000) + frac;
    return TRUE;
}

/* Counts a malformed record; FALSE when that is fatal (strict). */
static gboolean malformed(Reader *r, const char *file, guint64 index, const char *why)
{
    char *msg = g_strdup_printf("trace '%s': record %" G_GUINT64_FORMAT ": %s", file,
                                index, why);

    r->t->malformed++;
    if (r->strict) {
        g_set_error_literal(r->error, SK_ERROR, SK_ERROR_INPUT, msg);
        g_free(msg);
        return FALSE;
    }
    if (r->t->reports->len < RR_TRACE_REPORTED)
        g_ptr_array_add(r->t->reports, msg);
    else
        g_free(msg);
    return TRUE;
}

static const char *member_string(JsonObject *o, const char *name)
{
    JsonNode *n = json_object_get_member(o, name);

    if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

/* One record: kept, filtered out, or malformed. */
static gboolean take_record(Reader *r, const char *file, guint64 index, const char *text,
                            gsize len)
{
    JsonNode *root, *n;
    JsonObject *o;
    const char *method, *uri, *ts, *client;
    gint64 written;
    double duration;
    int64_t us;
    RrRequest req;
    gpointer id;

    if (!json_parser_load_from_data(r->parser, text, (gssize)len, NULL))
        return malformed(r, file, index, "not JSON");
    root = json_parser_get_root(r->parser);
    if (root == NULL || JSON_NODE_TYPE(root) != JSON_NODE_OBJECT)
        return malformed(r, file, index, "not an object");
    o = json_node_get_object(root);
    method = member_string(o, "http.request.method");
    uri = member_string(o, "http.request.uri");
    if (method == NULL)
        return malformed(r, file, index, "http.request.method missing or not a string");
    if (uri == NULL)
        return malformed(r, file, index, "http.request.uri missing or not a string");
    if ((strcmp(method, "GET") != 0 && strcmp(method, "PUT") != 0) ||
        (strstr(uri, "manifest") == NULL && strstr(uri, "blobs") == NULL))
        return TRUE;
    n = json_object_get_member(o, "http.response.written");
    if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
        json_node_get_value_type(n) != G_TYPE_INT64)
        return malformed(r, file, index, "http.response.written missing or not a whole number");
    written = json_node_get_int(n);
    if (written <= 0)
        return TRUE;
    ts = member_string(o, "timestamp");
    if (ts == NULL || !rr_trace_parse_time(ts, &us))
        return malformed(r, file, index, "timestamp missing or not %Y-%m-%dT%H:%M:%S.%fZ");
    n = json_object_get_member(o, "http.request.duration");
    if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
        (json_node_get_value_type(n) != G_TYPE_INT64 &&
         json_node_get_value_type(n) != G_TYPE_DOUBLE))
        return malformed(r, file, index, "http.request.duration missing or not a number");
    duration = json_node_get_double(n);
    client = member_string(o, "http.request.remoteaddr");
    if (client == NULL)
        return malformed(r, file, index, "http.request.remoteaddr missing or not a string");
    memset(&req, 0, sizeof(req));
    req.time_us = us;
    req.size = (uint64_t)written;
    req.duration = duration;
    req.method = method[0] == 'G' ? RR_GET : RR_PUT;
    req.client = g_string_chunk_insert_const(r->t->strings, client);
    if (g_hash_table_lookup_extended(r->uri_ids, uri, (gpointer *)&req.uri, &id)) {
        req.uri_id = GPOINTER_TO_UINT(id) - 1;
    } else {
        req.uri = g_string_chunk_insert_const(r->t->strings, uri);
        req.uri_id = r->uris->len;
        g_ptr_array_add(r->uris, (gpointer)req.uri);
        g_hash_table_insert(r->uri_ids, (gpointer)req.uri, GUINT_TO_POINTER(req.uri_id + 1));
    }
    g_array_append_val(r->reqs, req);
    return TRUE;
}

static gboolean read_stream(Reader *r, FILE *f, const char *name)
{
    RrJsonArray *a = rr_json_array_new(f, name);
    gboolean ok = TRUE;

    for (;;) {
        const char *text;
        gsize len;
        RrJsonStep step = rr_json_array_next(a, &text, &len, r->error);

        if (step == RR_JSON_END)
            break;
        if (step == RR_JSON_ERROR) {
            ok = FALSE;
            break;
        }
        r->t->records++;
        if (step == RR_JSON_TOO_LONG)
            ok = malformed(r, name, rr_json_array_index(a), "longer than 1 MiB");
        else
            ok = take_record(r, name, rr_json_array_index(a), text, len);
        if (!ok)
            break;
    }
    rr_json_array_free(a);
    return ok;
}

static int compare_requests(gconstpointer a, gconstpointer b)
{
    const RrRequest *x = a, *y = b;

    if (x->time_us != y->time_us)
        return x->time_us < y->time_us ? -1 : 1;
    /* Equal times: keep the reading order (the seed's sort is stable);
     * delay holds the sequence number until the delays are computed. */
    return x->delay < y->delay ? -1 : x->delay > y->delay;
}

static RrTrace *finish(Reader *r, const RrTraceLimit *limit, gboolean ok)
{
    RrTrace *t = r->t;
    RrRequest *v = (RrRequest *)(void *)r->reqs->data;
    gsize n = r->reqs->len, keep;

    g_hash_table_destroy(r->uri_ids);
    g_object_unref(r->parser);
    if (ok && n == 0) {
        g_set_error(r->error, SK_ERROR, SK_ERROR_INPUT, "the traces hold no GET or PUT "
                    "of a manifest or blob (%" G_GUINT64_FORMAT " records read)", t->records);
        ok = FALSE;
    }
    if (!ok) {
        g_array_free(r->reqs, TRUE);
        g_ptr_array_free(r->uris, TRUE);
        rr_trace_free(t);
        return NULL;
    }
    for (gsize i = 0; i < n; i++)
        v[i].delay = (double)i;
    qsort(v, n, sizeof(*v), compare_requests);
    for (gsize i = 0; i < n; i++)
        v[i].delay = (double)(v[i].time_us - v[0].time_us) / 1e6;
    keep = n;
    if (limit && limit->type == RR_LIMIT_SECONDS) {
        keep = 0;
        while (keep < n && !(v[keep].delay > limit->seconds))
            keep++;
    } else if (limit && limit->type == RR_LIMIT_REQUESTS && limit->requests < n) {
        keep = (gsize)limit->requests;
    }
    g_array_set_size(r->reqs, (guint)keep);
    t->n = keep;
    t->requests = (RrRequest *)(void *)g_array_free(r->reqs, FALSE);
    t->n_uris = r->uris->len;
    t->uris = (const char **)g_ptr_array_free(r->uris, FALSE);
    return t;
}

static void reader_init(Reader *r, gboolean strict, GError **error)
{
    r->t = g_new0(RrTrace, 1);
    r->t->reports = g_ptr_array_new_with_free_func(g_free);
    r->t->strings = g_string_chunk_new(1 << 16);
    r->reqs = g_array_new(FALSE, FALSE, sizeof(RrRequest));
    r->uri_ids = g_hash_table_new(g_str_hash, g_str_equal);
    r->uris = g_ptr_array_new();
    r->parser = json_parser_new_immutable();
    r->strict = strict;
    r->error = error;
}

RrTrace *rr_trace_read(char *const *paths, const RrTraceLimit *limit, gboolean strict,
                       GError **error)
{
    Reader r;
    gboolean ok = TRUE;

    reader_init(&r, strict, error);
    for (char *const *p = paths; ok && *p; p++) {
        FILE *f = sk_input_fopen("trace", *p, error);

        if (f == NULL) {
            ok = FALSE;
            break;
        }
        ok = read_stream(&r, f, *p);
        fclose(f);
    }
    return finish(&r, limit, ok);
}

RrTrace *rr_trace_read_data(const char *const *names, const char *const *data,
                            const gsize *lens, guint n_files, const RrTraceLimit *limit,
                            gboolean strict, GError **error)
{
    Reader r;
    gboolean ok = TRUE;

    reader_init(&r, strict, error);
    for (guint i = 0; ok && i < n_files; i++) {
        FILE *f = fmemopen((void *)data[i], lens[i], "r");

        if (lens[i] == 0 || f == NULL) {
            if (f)
                fclose(f);
            sk_error_in_file(error, "trace", names[i], "empty, not a JSON array");
            ok = FALSE;
            break;
        }
        ok = read_stream(&r, f, names[i]);
        fclose(f);
    }
    return finish(&r, limit, ok);
}

void rr_trace_free(RrTrace *t)
{
    if (t == NULL)
        return;
    g_free(t->requests);
    g_free(t->uris);
    g_ptr_array_free(t->reports, TRUE);
    g_string_chunk_free(t->strings);
    g_free(t);
}
