/* test_rr_trace.c - the IBM trace reader against 003.md: filter, conversion, merge, limits, bad records. */
#include <string.h>

#include "rr_trace.h"
#include "sk_error.h"
#include "sk_test.h"

/* One record; written < 0 leaves the field out. */
static char *rec(const char *ts, const char *method, const char *uri, long written,
                 double duration, const char *client)
{
    GString *s = g_string_new("{");

    g_string_append_printf(s, "\"timestamp\": \"%s\", \"http.request.method\": \"%s\", "
                           "\"http.request.uri\": \"%s\", ", ts, method, uri);
    if (written >= 0)
        g_string_append_printf(s, "\"http.response.written\": %ld, ", written);
    g_string_append_printf(s, "\"http.request.duration\": %g, \"http.request.remoteaddr\": "
                           "\"%s\", \"http.response.status\": 200, \"id\": \"x\"}", duration,
                           client);
    return g_string_free(s, FALSE);
}

static RrTrace *read1(const char *text, const RrTraceLimit *limit, gboolean strict,
                      GError **error)
{
    const char *names[] = {"a.json"};
    const char *data[] = {text};
    gsize lens[] = {strlen(text)};

    return rr_trace_read_data(names, data, lens, 1, limit, strict, error);
}

static char *array(char **recs)
{
    char *body = g_strjoinv(",\n", recs);
    char *s = g_strdup_printf("[%s]\n", body);

    g_free(body);
    g_strfreev(recs);
    return s;
}

static char **strv(int n, ...)
{
    va_list ap;
    char **v = g_new0(char *, n + 1);

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        v[i] = va_arg(ap, char *);
    va_end(ap);
    return v;
}

static void test_time(void)
{
    int64_t us;

    g_assert_true(rr_trace_parse_time("1970-01-01T00:00:00.0Z", &us));
    g_assert_cmpint(us, ==, 0);
    g_assert_true(rr_trace_parse_time("2017-06-20T00:00:02.814Z", &us));
    g_assert_cmpint(us, ==, INT64_C(1497916802814000));
    g_assert_true(rr_trace_parse_time("2016-02-29T23:59:59.123456Z", &us));
    g_assert_false(rr_trace_parse_time("2017-02-29T00:00:00.1Z", &us));
    g_assert_false(rr_trace_parse_time("2017-06-20T00:00:02Z", &us));
    g_assert_false(rr_trace_parse_time("2017-06-20T00:00:02.1234567Z", &us));
    g_assert_false(rr_trace_parse_time("2017-06-20 00:00:02.1Z", &us));
    g_assert_false(rr_trace_parse_time("2017-06-20T24:00:02.1Z", &us));
    g_assert_false(rr_trace_parse_time("2017-06-20T00:00:02.1", &us));
}

/* Only GET/PUT of manifests or blobs with written > 0 are kept, converted as the seed does. */
static void test_filter_and_convert(void)
{
    char *text = array(strv(7,
        rec("2017-06-20T00:00:02.814Z", "GET", "v2/a/b/manifests/m1", 2631, 0.75, "c1"),
        rec("2017-06-20T00:00:03.000Z", "DELETE", "v2/a/b/blobs/l1", 10, 0.1, "c1"),
        rec("2017-06-20T00:00:03.100Z", "HEAD", "v2/a/b/blobs/l1", 10, 0.1, "c1"),
        rec("2017-06-20T00:00:03.200Z", "GET", "v2/a/b/tags/list", 10, 0.1, "c1"),
        rec("2017-06-20T00:00:03.300Z", "GET", "v2/a/b/blobs/l1", 0, 0.1, "c1"),
        rec("2017-06-20T00:00:04.314Z", "PUT", "v2/a/b/blobs/l2", 9576, 1.5, "c2"),
        rec("2017-06-20T00:00:01.814Z", "GET", "v2/a/b/blobs/l2", 7, 2, "c3")));
    GError *error = NULL;
    RrTrace *t = read1(text, NULL, FALSE, &error);

    g_assert_no_error(error);
    g_assert_nonnull(t);
    g_assert_cmpuint(t->records, ==, 7);
    g_assert_cmpuint(t->malformed, ==, 0);
    g_assert_cmpuint(t->n, ==, 3);
    /* Sorted by timestamp, delay from the earliest kept one. */
    g_assert_cmpstr(t->requests[0].uri, ==, "v2/a/b/blobs/l2");
    g_assert_cmpfloat(t->requests[0].delay, ==, 0.0);
    g_assert_cmpint(t->requests[0].method, ==, RR_GET);
    g_assert_cmpuint(t->requests[0].size, ==, 7);
    g_assert_cmpfloat(t->requests[0].duration, ==, 2.0);
    g_assert_cmpstr(t->requests[0].client, ==, "c3");
    g_assert_cmpstr(t->requests[1].uri, ==, "v2/a/b/manifests/m1");
    g_assert_cmpfloat_with_epsilon(t->requests[1].delay, 1.0, 1e-9);
    g_assert_cmpuint(t->requests[1].size, ==, 2631);
    g_assert_cmpint(t->requests[2].method, ==, RR_PUT);
    g_assert_cmpfloat_with_epsilon(t->requests[2].delay, 2.5, 1e-9);
    /* Equal uris share an id. */
    g_assert_cmpuint(t->n_uris, ==, 2);
    g_assert_cmpuint(t->requests[0].uri_id, ==, t->requests[2].uri_id);
    rr_trace_free(t);
    g_free(text);
}

/* Several files merged by time; equal times keep file order. */
static void test_merge(void)
{
    char *a = array(strv(2, rec("2017-06-20T00:00:01.0Z", "GET", "v2/a/b/blobs/x1", 1, 0, "c"),
                         rec("2017-06-20T00:00:03.0Z", "GET", "v2/a/b/blobs/x3", 1, 0, "c")));
    char *b = array(strv(2, rec("2017-06-20T00:00:01.0Z", "GET", "v2/a/b/blobs/y1", 1, 0, "c"),
                         rec("2017-06-20T00:00:02.0Z", "GET", "v2/a/b/blobs/y2", 1, 0, "c")));
    const char *names[] = {"a.json", "b.json"};
    const char *data[] = {a, b};
    gsize lens[] = {strlen(a), strlen(b)};
    GError *error = NULL;
    RrTrace *t = rr_trace_read_data(names, data, lens, 2, NULL, FALSE, &error);
    const char *want[] = {"v2/a/b/blobs/x1", "v2/a/b/blobs/y1", "v2/a/b/blobs/y2",
                          "v2/a/b/blobs/x3"};

    g_assert_no_error(error);
    g_assert_cmpuint(t->n, ==, 4);
    for (int i = 0; i < 4; i++)
        g_assert_cmpstr(t->requests[i].uri, ==, want[i]);
    g_assert_cmpfloat(t->requests[1].delay, ==, 0.0);
    rr_trace_free(t);
    g_free(a);
    g_free(b);
}

static char *five_seconds(void)
{
    return array(strv(5, rec("2017-06-20T00:00:00.0Z", "GET", "v2/a/b/blobs/l0", 1, 0, "c"),
                      rec("2017-06-20T00:00:01.0Z", "GET", "v2/a/b/blobs/l1", 1, 0, "c"),
                      rec("2017-06-20T00:00:02.0Z", "GET", "v2/a/b/blobs/l2", 1, 0, "c"),
                      rec("2017-06-20T00:00:02.000001Z", "GET", "v2/a/b/blobs/l3", 1, 0, "c"),
                      rec("2017-06-20T00:00:04.0Z", "GET", "v2/a/b/blobs/l4", 1, 0, "c")));
}

/* seconds: the prefix with delay <= amount, stopping at the first one past it. */
static void test_seconds_limit(void)
{
    char *text = five_seconds();
    RrTraceLimit limit = {RR_LIMIT_SECONDS, 2.0, 0};
    GError *error = NULL;
    RrTrace *t = read1(text, &limit, FALSE, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(t->n, ==, 3);
    g_assert_cmpstr(t->requests[2].uri, ==, "v2/a/b/blobs/l2");
    rr_trace_free(t);
    limit.seconds = 0;
    t = read1(text, &limit, FALSE, &error);
    g_assert_cmpuint(t->n, ==, 1);
    rr_trace_free(t);
    limit.seconds = 100;
    t = read1(text, &limit, FALSE, &error);
    g_assert_cmpuint(t->n, ==, 5);
    rr_trace_free(t);
    g_free(text);
}

static void test_requests_limit(void)
{
    char *text = five_seconds();
    RrTraceLimit limit = {RR_LIMIT_REQUESTS, 0, 2};
    GError *error = NULL;
    RrTrace *t = read1(text, &limit, FALSE, &error);

    g_assert_cmpuint(t->n, ==, 2);
    g_assert_cmpstr(t->requests[1].uri, ==, "v2/a/b/blobs/l1");
    rr_trace_free(t);
    limit.requests = 0;
    t = read1(text, &limit, FALSE, &error);
    g_assert_cmpuint(t->n, ==, 0);
    rr_trace_free(t);
    limit.requests = 99;
    t = read1(text, &limit, FALSE, &error);
    g_assert_cmpuint(t->n, ==, 5);
    rr_trace_free(t);
    g_free(text);
}

/* Malformed records are counted, the first five reported with file and number. */
static void test_malformed(void)
{
    GString *s = g_string_new("[");
    GError *error = NULL;
    RrTrace *t;
    char *good = rec("2017-06-20T00:00:00.0Z", "GET", "v2/a/b/blobs/l0", 1, 0, "c");

    g_string_append_printf(s, "%s,\n", good);
    g_string_append(s, "42,\n\"text\",\n{\"http.request.method\": 5},\n");
    g_string_append(s, "{\"http.request.method\": \"GET\", \"http.request.uri\": \"v2/a/b/blobs/x\", "
                    "\"http.response.written\": 1.5},\n");
    g_string_append(s, "{\"http.request.method\": \"GET\", \"http.request.uri\": \"v2/a/b/blobs/x\", "
                    "\"http.response.written\": 3, \"timestamp\": \"yesterday\"},\n");
    g_string_append(s, "{\"http.request.method\": \"GET\", \"http.request.uri\": \"v2/a/b/blobs/x\", "
                    "\"http.response.written\": 3, \"timestamp\": \"2017-06-20T00:00:00.0Z\", "
                    "\"http.request.duration\": \"slow\"},\n");
    g_string_append(s, "{\"broken\" 1}\n,");
    /* filtered out before the fields that would be malformed are looked at */
    g_string_append(s, "{\"http.request.method\": \"DELETE\", \"http.request.uri\": \"x\"}\n]");
    t = read1(s->str, NULL, FALSE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(t->n, ==, 1);
    g_assert_cmpuint(t->records, ==, 9);
    g_assert_cmpuint(t->malformed, ==, 7);
    g_assert_cmpuint(t->reports->len, ==, RR_TRACE_REPORTED);
    g_assert_nonnull(strstr(g_ptr_array_index(t->reports, 0), "trace 'a.json': record 2: "));
    g_assert_nonnull(strstr(g_ptr_array_index(t->reports, 4), "record 6: timestamp"));
    rr_trace_free(t);
    /* --strict: the first one is fatal. */
    t = read1(s->str, NULL, TRUE, &error);
    g_assert_null(t);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "record 2");
    g_string_free(s, TRUE);
    g_free(good);
}

/* A broken array is an error for the file, naming it. */
static void test_broken(void)
{
    static const char *const cases[] = {
        "", "{}", "[", "[{\"a\": 1}", "[{\"a\": 1},", "[{\"a\": \"x]", "[] x", "[{},,{}]",
        "[{} {}]", "[{}]]",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *error = NULL;

        g_test_message("case '%s'", cases[i]);
        g_assert_null(read1(cases[i], NULL, FALSE, &error));
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "a.json");
    }
}

/* No request kept at all is an error (the seed fails on it). */
static void test_empty(void)
{
    GError *error = NULL;

    g_assert_null(read1("[]", NULL, FALSE, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "no GET or PUT");
}

/* A real file, read through stdio. */
static void test_file(void)
{
    char *text = five_seconds();
    char *path = sk_test_write_tmp("t.json", text, strlen(text));
    char *paths[] = {path, NULL};
    GError *error = NULL;
    RrTrace *t = rr_trace_read(paths, NULL, FALSE, &error);

    g_assert_no_error(error);
    g_assert_cmpuint(t->n, ==, 5);
    rr_trace_free(t);
    paths[0] = (char *)"/nonexistent/t.json";
    g_assert_null(rr_trace_read(paths, NULL, FALSE, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "/nonexistent/t.json");
    g_free(text);
    g_free(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rr-trace/timestamp", test_time);
    g_test_add_func("/rr-trace/filter-and-convert", test_filter_and_convert);
    g_test_add_func("/rr-trace/merge-by-time", test_merge);
    g_test_add_func("/rr-trace/seconds-limit", test_seconds_limit);
    g_test_add_func("/rr-trace/requests-limit", test_requests_limit);
    g_test_add_func("/rr-trace/malformed", test_malformed);
    g_test_add_func("/rr-trace/broken-array", test_broken);
    g_test_add_func("/rr-trace/nothing-kept", test_empty);
    g_test_add_func("/rr-trace/file", test_file);
    return g_test_run();
}
