/* test_rr_replay.c - run's parts without a registry: blobs, the plan, results and statistics, the map. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rr_blob.h"
#include "rr_hash.h"
#include "rr_http.h"
#include "rr_plan.h"
#include "rr_results.h"
#include "rr_warmup.h"
#include "sk_error.h"
#include "sk_test.h"

/* ---- blobs ---- */

SK_TEST(test_blob_ranges, "/rr-replay/blob-any-range")
{
    RrBlob b = {1000, 42, TRUE};
    guint8 whole[1000], part[1000];

    rr_blob_fill(&b, 0, whole, sizeof(whole));
    for (int i = 0; i < 200; i++) {
        guint64 off = (guint64)g_test_rand_int_range(0, 1000);
        gsize n = (gsize)g_test_rand_int_range(0, (gint32)(1000 - off) + 1);

        rr_blob_fill(&b, off, part, n);
        g_assert_cmpmem(part, n, whole + off, n);
    }
}

static char *sha256_hex(const guint8 *data, gsize n)
{
    return g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, n);
}

SK_TEST(test_blob_digest, "/rr-replay/blob-digest")
{
    /* 70000 bytes: more than the 64 KiB the digest reads at a time. */
    guint8 *buf = g_malloc(70000);
    RrBlob zeros = {70000, 0, FALSE}, rnd = {70000, 7, TRUE}, other = {70000, 8, TRUE};
    char hex[65], hex2[65];
    char *want;

    rr_blob_fill(&zeros, 0, buf, 70000);
    for (int i = 0; i < 70000; i++)
        g_assert_cmpint(buf[i], ==, 0);
    rr_blob_digest(&zeros, hex);
    want = sha256_hex(buf, 70000);
    g_assert_cmpstr(hex, ==, want);
    g_free(want);
    rr_blob_fill(&rnd, 0, buf, 70000);
    rr_blob_digest(&rnd, hex);
    want = sha256_hex(buf, 70000);
    g_assert_cmpstr(hex, ==, want);
    g_free(want);
    rr_blob_digest(&other, hex2);
    g_assert_cmpstr(hex, !=, hex2);
    g_free(buf);
}

SK_TEST(test_registry_names, "/rr-replay/registry-host-port")
{
    static const char *const good[] = {"127.0.0.1:5000", "localhost:1", "a-b.c:65535",
                                       "[::1]:5000"};
    static const char *const bad[] = {"127.0.0.1", ":5000", "host:0", "host:65536",
                                      "host:5x", "a/b:1", "a b:1", "a@b:1", "[::1:5",
                                      "h:+1", "[]:1", "a?b:1"};

    for (guint i = 0; i < G_N_ELEMENTS(good); i++)
        g_assert_true(rr_http_registry_ok(good[i]));
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_false(rr_http_registry_ok(bad[i]));
}

/* ---- the plan ---- */

/* A trace of n requests: GETs of uri u<i % uris>, client c<i % 3>, one per
 * second, duration 1.5 s. */
static RrTrace *trace(int n, int uris)
{
    GString *s = g_string_new("[");
    const char *names[] = {"t.json"};
    const char *data[1];
    gsize lens[1];
    RrTraceLimit limit = {RR_LIMIT_NONE, 0, 0};
    GError *error = NULL;
    RrTrace *t;

    for (int i = 0; i < n; i++)
        g_string_append_printf(s, "%s{\"timestamp\": \"2017-06-20T10:00:%02d.000Z\", "
                               "\"http.request.method\": \"GET\", \"http.request.uri\": "
                               "\"v2/u/r/blobs/u%d\", \"http.response.written\": %d, "
                               "\"http.request.duration\": 1.5, "
                               "\"http.request.remoteaddr\": \"c%d\"}",
                               i ? "," : "", i, i % uris, 100 + i % uris, i % 3);
    g_string_append(s, "]");
    data[0] = s->str;
    lens[0] = s->len;
    t = rr_trace_read_data(names, data, lens, 1, &limit, FALSE, &error);
    g_assert_no_error(error);
    g_string_free(s, TRUE);
    return t;
}

static GHashTable *map_of(const char *const *pairs)
{
    GHashTable *m = g_hash_table_new(g_str_hash, g_str_equal);

    for (; *pairs; pairs += 2)
        g_hash_table_insert(m, (gpointer)pairs[0], (gpointer)pairs[1]);
    return m;
}

SK_TEST(test_plan_methods, "/rr-replay/plan-get-put-dropped")
{
    static const char *const pairs[] = {"v2/u/r/blobs/u0", "aa", "v2/u/r/blobs/u1", "bad",
                                        NULL};
    RrTrace *t = trace(9, 3);
    GHashTable *map = map_of(pairs);
    RrPlan *p = rr_plan_new(t, map, 2, FALSE, 1);
    guint k = 0;

    /* u0: GET of its digest; u1: dropped; u2: not pushed, a PUT. */
    g_assert_cmpuint(p->dropped, ==, 3);
    g_assert_cmpuint(p->clients[0].requests->len + p->clients[1].requests->len, ==, 6);
    for (gsize i = 0; i < t->n; i++) {
        const RrRequest *r = &t->requests[i];
        const RrPlanned *q;

        if (strcmp(r->uri, "v2/u/r/blobs/u1") == 0)
            continue;
        /* round robin over the kept requests: 0, 1, 0, 1 ... */
        q = &g_array_index(p->clients[k % 2].requests, RrPlanned, k / 2);
        g_assert_true(q->request == r);
        if (strcmp(r->uri, "v2/u/r/blobs/u0") == 0)
            g_assert_cmpstr(q->digest, ==, "aa");
        else
            g_assert_null(q->digest);
        k++;
    }
    rr_plan_free(p);
    g_hash_table_destroy(map);
    rr_trace_free(t);
}

SK_TEST(test_plan_route, "/rr-replay/plan-routed-by-client-hash")
{
    RrTrace *t = trace(30, 5);
    RrPlan *p = rr_plan_new(t, NULL, 3, TRUE, 2);
    RrHashRing *ring = rr_hash_ring_new(3);
    guint total = 0;

    for (guint c = 0; c < 3; c++) {
        GArray *reqs = p->clients[c].requests;

        total += reqs->len;
        for (guint i = 0; i < reqs->len; i++) {
            const RrPlanned *q = &g_array_index(reqs, RrPlanned, i);

            g_assert_cmpuint(rr_hash_ring_node(ring, q->request->client), ==, c);
        }
    }
    g_assert_cmpuint(total, ==, 30);
    rr_hash_ring_free(ring);
    rr_plan_free(p);
    rr_trace_free(t);
}

SK_TEST(test_plan_threads, "/rr-replay/plan-greedy-threads")
{
    /* One client, two threads; delays 0,1,2,3,4, durations 1.5.
     *   r0: ends {0,0}  -> t0 idle before 0? no (0 < 0 false): t0 = 0+1.5 = 1.5
     *   r1: ends {1.5,0} -> t1 (0 < 1): 1 + 1.5 = 2.5
     *   r2: ends {1.5,2.5} -> t0 (1.5 < 2): 2 + 1.5 = 3.5
     *   r3: ends {3.5,2.5} -> t1 (2.5 < 3): 3 + 1.5 = 4.5
     *   r4: ends {3.5,4.5} -> t0 (3.5 < 4): 4 + 1.5 = 5.5
     * so t0 gets 0, 2, 4 and t1 gets 1, 3. */
    RrTrace *t = trace(5, 5);
    RrPlan *p = rr_plan_new(t, NULL, 1, FALSE, 2);
    GArray **lanes = p->clients[0].lanes;

    g_assert_cmpuint(lanes[0]->len, ==, 3);
    g_assert_cmpuint(lanes[1]->len, ==, 2);
    g_assert_cmpuint(g_array_index(lanes[0], guint, 1), ==, 2);
    g_assert_cmpuint(g_array_index(lanes[1], guint, 1), ==, 3);
    rr_plan_free(p);
    rr_trace_free(t);
}

/* ---- results ---- */

static RrResult result(double time, double duration, RrOnTime on, guint64 size, gboolean put)
{
    RrResult r = {time, duration, size, on, on == RR_FAILED ? 0 : put ? 201 : 200, put};
    return r;
}

SK_TEST(test_results_round_trip, "/rr-replay/results-write-read")
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(RrResult));
    GArray *b = g_array_new(FALSE, FALSE, sizeof(RrResult));
    g_autofree char *path = sk_test_path("results.json");
    GError *error = NULL;
    RrResult r;

    r = result(12.5, 0.25, RR_ON_TIME_YES, 100, FALSE), g_array_append_val(a, r);
    r = result(10.0, 2.0, RR_FAILED, 0, TRUE), g_array_append_val(a, r);
    r = result(11.0, 0.5, RR_ON_TIME_NO, 7, TRUE), g_array_append_val(a, r);
    g_assert_true(rr_results_write(path, a, &error));
    g_assert_no_error(error);
    g_assert_true(rr_results_read(path, b, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(b->len, ==, 3);
    /* sorted by time on writing */
    g_assert_cmpfloat(g_array_index(b, RrResult, 0).time, ==, 10.0);
    g_assert_cmpint(g_array_index(b, RrResult, 0).on_time, ==, RR_FAILED);
    g_assert_true(g_array_index(b, RrResult, 0).put);
    g_assert_cmpfloat(g_array_index(b, RrResult, 2).duration, ==, 0.25);
    g_assert_cmpuint(g_array_index(b, RrResult, 2).size, ==, 100);
    g_assert_cmpint(g_array_index(b, RrResult, 2).status, ==, 200);
    g_array_free(a, TRUE);
    g_array_free(b, TRUE);
}

SK_TEST(test_stats, "/rr-replay/statistics-the-seed-way")
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(RrResult));
    RrStats s;
    RrResult r;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    /* The start is the first time, failed or not; the end the latest end of
     * a success; failures count apart. */
    r = result(10.0, 1.0, RR_FAILED, 0, FALSE), g_array_append_val(a, r);
    r = result(11.0, 1.0, RR_ON_TIME_YES, 300, FALSE), g_array_append_val(a, r);
    r = result(12.0, 3.0, RR_ON_TIME_NO, 100, TRUE), g_array_append_val(a, r);
    r = result(13.0, 0.5, RR_ON_TIME_YES, 600, FALSE), g_array_append_val(a, r);
    r = result(14.0, 0.5, RR_ON_TIME_YES, 0, FALSE), g_array_append_val(a, r);
    rr_stats_compute(a, &s);
    g_assert_cmpuint(s.total, ==, 4);
    g_assert_cmpuint(s.failed, ==, 1);
    g_assert_cmpuint(s.bytes, ==, 1000);
    g_assert_cmpfloat(s.start, ==, 10.0);
    g_assert_cmpfloat(s.end, ==, 15.0);
    /* latencies 0.5 0.5 1 3: nearest rank */
    g_assert_cmpfloat(s.p50, ==, 0.5);
    g_assert_cmpfloat(s.p90, ==, 3.0);
    g_assert_cmpfloat(s.max, ==, 3.0);
    rr_stats_print(f, &s);
    fclose(f);
    g_assert_cmpstr(text, ==, "Statistics\n"
                    "Successful Requests: 4\n"
                    "Failed Requests: 1\n"
                    "Duration: 5.0\n"
                    "Data Transfered: 1000 bytes\n"
                    "Average Latency: 1.25\n"
                    "% requests on time: 0.75\n"
                    "Throughput: 0.8 requests/second\n");
    free(text);
    g_array_free(a, TRUE);
}

SK_TEST(test_per_second, "/rr-replay/requests-per-second")
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(RrResult));
    RrResult r;
    char *csv;

    r = result(100.2, 1, RR_ON_TIME_NO, 5, FALSE), g_array_append_val(a, r);
    r = result(100.9, 1, RR_FAILED, 0, FALSE), g_array_append_val(a, r);
    r = result(102.5, 1, RR_ON_TIME_NO, 7, FALSE), g_array_append_val(a, r);
    csv = rr_results_per_second_csv(a);
    g_assert_cmpstr(csv, ==, "second,requests,failed,bytes\n0,1,1,5\n1,0,0,0\n2,1,0,7\n");
    g_free(csv);
    r = result(100.2 + RR_RESULTS_MAX_SECONDS, 1, RR_ON_TIME_NO, 5, FALSE);
    g_array_append_val(a, r);
    g_assert_null(rr_results_per_second_csv(a));
    g_array_free(a, TRUE);
}

SK_TEST(test_results_refused, "/rr-replay/results-bad-records")
{
    static const struct { const char *text, *want; } cases[] = {
        {"{}", "not a JSON array"},
        {"[", "not JSON"},
        {"[1]", "record 1: not an object"},
        {"[{\"time\": -1}]", "record 1: time"},
        {"[{\"time\": 1, \"duration\": \"x\"}]", "record 1: duration"},
        {"[{\"time\": 1, \"duration\": 0, \"size\": 1.5}]", "record 1: size"},
        {"[{\"time\": 1, \"duration\": 0, \"size\": 1, \"onTime\": \"late\"}]", "onTime"},
        {"[{\"time\": 1, \"duration\": 0, \"size\": 1, \"onTime\": \"no\", \"method\": "
         "\"HEAD\"}]", "method"},
        {"[{\"time\": 1, \"duration\": 0, \"size\": 1, \"onTime\": \"no\", \"method\": "
         "\"GET\", \"status\": 1000}]", "status"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        GArray *a = g_array_new(FALSE, FALSE, sizeof(RrResult));
        GError *error = NULL;

        g_assert_false(rr_results_parse("r.json", cases[i].text, strlen(cases[i].text), a,
                                        &error));
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, cases[i].want);
        g_array_free(a, TRUE);
    }
}

/* ---- the warmup map ---- */

SK_TEST(test_map, "/rr-replay/warmup-map")
{
    char good[200];
    GError *error = NULL;
    GHashTable *m;
    static const struct { const char *text, *want; } bad[] = {
        {"[]", "not a JSON object"},
        {"{\"u\": 1}", "'u'"},
        {"{\"u\": \"ABCDEF\"}", "64 lowercase hex"},
        {"{\"u\": \"sha256:0000\"}", "64 lowercase hex"},
        {"{\"u\": \"good\"}", "64 lowercase hex"},
    };

    g_snprintf(good, sizeof(good), "{\"v2/a/b/blobs/1\": \"%064d\", \"v2/x\": \"bad\"}", 0);
    m = rr_warmup_map_parse("w.json", good, strlen(good), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(g_hash_table_size(m), ==, 2);
    g_assert_cmpstr(g_hash_table_lookup(m, "v2/x"), ==, "bad");
    g_assert_cmpuint(strlen(g_hash_table_lookup(m, "v2/a/b/blobs/1")), ==, 64);
    g_hash_table_destroy(m);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(rr_warmup_map_parse("w.json", bad[i].text, strlen(bad[i].text), &error));
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, bad[i].want);
    }
    /* The blob seed is a function of the uri. */
    g_assert_cmpuint(rr_warmup_seed("v2/a"), ==, rr_warmup_seed("v2/a"));
    g_assert_cmpuint(rr_warmup_seed("v2/a"), !=, rr_warmup_seed("v2/b"));
}

SK_TEST_MAIN()
