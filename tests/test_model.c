/* test_model.c - behaviour of both models beyond the golden vectors:
 * hypersio-1.0's time jumps give exactly its tick-by-tick numbers, and the
 * siokit model fixes each defect of spec section 5. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "golden_traces.h"
#include "model.h"
#include "sk_error.h"
#include "sk_trace.h"
#include "sk_test.h"

static int trace_no;

static char *write_trace(GArray *records, SkTraceFormat format)
{
    char *name = g_strdup_printf("t%d%s", trace_no++,
                                 format == SK_FORMAT_HYPERSIO ? "_iotlb_trace.bin" : ".trace");
    char *path = sk_test_path(name);

    golden_write(path, format, records);
    g_free(name);
    return path;
}

static gboolean run_path(const char *path, const SkModelOptions *o,
                         SkModelResult *res, GError **error)
{
    SkTraceReader *r = sk_trace_reader_open(path, SK_FORMAT_AUTO, error);
    gboolean ok;
    g_assert_nonnull(r);
    ok = sk_model_run(o, r, res, error);
    sk_trace_reader_free(r);
    return ok;
}

static SkModelResult run(GArray *records, const SkModelOptions *o)
{
    GError *error = NULL;
    SkModelResult res;
    char *path = write_trace(records, SK_FORMAT_SIOKIT);
    g_assert_true(run_path(path, o, &res, &error));
    g_assert_no_error(error);
    g_unlink(path);
    g_free(path);
    return res;
}

/* A random multi-tenant trace: bursts of packets per tenant over a small
 * page pool, some 2 MiB (and with huge, 1 GiB) pages. */
static GArray *random_trace(GRand *rng, guint n, uint32_t tenants, gboolean huge)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    while (a->len < n) {
        uint32_t t = (uint32_t)g_rand_int_range(rng, 0, (gint32)tenants);
        int burst = g_rand_int_range(rng, 1, 4) * 3;
        for (int i = 0; i < burst; i++) {
            unsigned level = 1;
            int roll = g_rand_int_range(rng, 0, 20);
            if (roll == 0)
                level = 2;
            else if (roll == 1 && huge)
                level = 3;
            uint64_t page = (uint64_t)g_rand_int_range(rng, 0, 96);
            uint64_t iova = 0x80000000ull + (page << (level == 1 ? 12 : 21)) +
                            (uint64_t)g_rand_int_range(rng, 0, 64) * 64;
            if (level == 3)
                iova = (uint64_t)g_rand_int_range(rng, 4, 8) << 30;
            SkRecord r = golden_record(0x10 + 8 * t, t, iova, level);
            g_array_append_val(a, r);
        }
    }
    golden_fill_nat(a);
    return a;
}

static void assert_same_result(const SkModelResult *a, const SkModelResult *b)
{
    g_assert_cmpuint(a->elapsed_ns, ==, b->elapsed_ns);
    g_assert_cmpuint(a->translations, ==, b->translations);
    g_assert_cmpuint(a->dropped_slots, ==, b->dropped_slots);
    g_assert_cmpuint(a->mbps, ==, b->mbps);
    g_assert_cmpuint(a->prefetch_walks, ==, b->prefetch_walks);
    g_assert_cmpmem(a->caches, sizeof(a->caches), b->caches, sizeof(b->caches));
    g_assert_cmpuint(a->per_tenant->len, ==, b->per_tenant->len);
    g_assert_cmpmem(a->per_tenant->data, a->per_tenant->len * sizeof(SkTenantStats),
                    b->per_tenant->data, b->per_tenant->len * sizeof(SkTenantStats));
}

/* Jumping over idle nanoseconds must not change a single number. */
SK_TEST(test_hypersio_jumps_equal_ticks, "/model/hypersio/jumps-equal-ticks")
{
    GRand *rng = g_rand_new_with_seed(42);
    static const uint32_t tqueues[] = {1, 2, 7, 64};
    for (int round = 0; round < 24; round++) {
        GArray *trace = random_trace(rng, 300 + (guint)g_rand_int_range(rng, 0, 3), 5, FALSE);
        SkModelOptions o;
        sk_model_options_default(&o);
        o.model = SK_MODEL_HYPERSIO;
        o.tqueue = tqueues[round % 4];
        o.inorder = (round / 4) % 2;
        o.salloc = round % 3 == 0;
        o.policy = (SkPolicy)(round % 3);
        o.caches.iotlb = (SkCacheGeometry){16, 4, round % 3 == 0 ? 2 : 1};
        o.caches.prefetch_size = (round % 5 == 0) ? 8 : 0;
        o.caches.cc = (SkCacheGeometry){round % 2 ? 4 : 1536, round % 2 ? 4 : 1536, 1};
        o.link_mbps = round % 2 ? 200000 : 100000;
        SkModelResult jump = run(trace, &o);
        o.tick_by_tick = TRUE;
        SkModelResult tick = run(trace, &o);
        assert_same_result(&jump, &tick);
        sk_model_result_clear(&jump);
        sk_model_result_clear(&tick);
        g_array_free(trace, TRUE);
    }
    g_rand_free(rng);
}

/* A 1 GiB page whose 2 MiB region is in L2PAGE: HyperSIO never finishes;
 * hypersio-1.0 mode says so, siokit completes it. */
SK_TEST(test_1g_page, "/model/1g-page")
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    SkRecord r[6] = {
        golden_record(0x10, 0, 0x40001000, 1), golden_record(0x10, 0, 0x40002000, 1),
        golden_record(0x10, 0, 0x40003000, 1), golden_record(0x10, 0, 0x40004000, 3),
        golden_record(0x10, 0, 0x40005000, 1), golden_record(0x10, 0, 0x40006000, 1),
    };
    g_array_append_vals(a, r, 6);
    golden_fill_nat(a);
    char *path = write_trace(a, SK_FORMAT_SIOKIT);
    SkModelOptions o;
    SkModelResult res;
    GError *error = NULL;

    sk_model_options_default(&o);
    o.model = SK_MODEL_HYPERSIO;
    g_assert_false(run_path(path, &o, &res, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "record 3"));
    g_assert_nonnull(strstr(error->message, path));
    g_clear_error(&error);
    sk_model_result_clear(&res);

    o.model = SK_MODEL_SIOKIT;
    g_assert_true(run_path(path, &o, &res, &error));
    g_assert_cmpuint(res.translations, ==, 6);
    sk_model_result_clear(&res);
    g_unlink(path);
    g_free(path);
    g_array_free(a, TRUE);
}

/* One page over and over: every translation hits, the link is the limit.
 * HyperSIO floors the slot to 61 ns and reports more than the link carries;
 * siokit never exceeds 1.0. */
SK_TEST(test_utilization_bounded, "/model/utilization-bounded")
{
    GArray *a = golden_repeat(30000, 0x10, 0, 0x1000);
    SkModelOptions o;
    sk_model_options_default(&o);
    o.tqueue = 64;
    o.model = SK_MODEL_HYPERSIO;
    SkModelResult h = run(a, &o);
    g_assert_cmpfloat(h.utilization, >, 1.0);
    o.model = SK_MODEL_SIOKIT;
    SkModelResult s = run(a, &o);
    g_assert_cmpfloat(s.utilization, <=, 1.0);
    g_assert_cmpfloat(s.utilization, >, 0.99);
    g_assert_cmpuint(s.dropped_slots, <, 40);   /* the cold start only */
    sk_model_result_clear(&h);
    sk_model_result_clear(&s);
    g_array_free(a, TRUE);
}

/* A cold translation's latency: context miss 1000, PCIe 450, lookup 5,
 * one read per level walked (3, 2, 1 for 4 KiB, 2 MiB, 1 GiB), PCIe 450. */
SK_TEST(test_walk_cost_grows_with_levels, "/model/walk-cost-grows-with-levels")
{
    static const uint64_t expect[4] = {0, 2055, 2005, 1955};
    for (unsigned level = 1; level <= 3; level++) {
        GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
        SkRecord r = golden_record(0x10, 0, 0x40000000, level);
        g_array_append_val(a, r);
        SkModelOptions o;
        sk_model_options_default(&o);
        SkModelResult s = run(a, &o);
        const SkTenantStats *t = &g_array_index(s.per_tenant, SkTenantStats, 0);
        g_assert_cmpuint(t->latency_sum, ==, expect[level]);
        sk_model_result_clear(&s);
        g_array_free(a, TRUE);
    }
}

/* Statistics count lookups: one CC and one IOTLB lookup per translation. */
SK_TEST(test_stats_at_lookup, "/model/stats-at-lookup")
{
    GRand *rng = g_rand_new_with_seed(7);
    GArray *trace = random_trace(rng, 3000, 12, TRUE);
    SkModelOptions o;
    sk_model_options_default(&o);
    o.tqueue = 16;
    SkModelResult s = run(trace, &o);
    g_assert_cmpuint(s.caches[SK_STAT_CC].hits + s.caches[SK_STAT_CC].misses, ==, trace->len);
    g_assert_cmpuint(s.caches[SK_STAT_IOTLB].hits + s.caches[SK_STAT_IOTLB].misses, ==, trace->len);
    g_assert_cmpuint(s.caches[SK_STAT_L3PAGE].hits + s.caches[SK_STAT_L3PAGE].misses, >, 0);
    uint64_t sum = 0, hits = 0;
    for (guint i = 0; i < s.per_tenant->len; i++) {
        const SkTenantStats *t = &g_array_index(s.per_tenant, SkTenantStats, i);
        sum += t->translations;
        hits += t->iotlb_hits;
        if (i)
            g_assert_cmpuint(t->tenant, >, g_array_index(s.per_tenant, SkTenantStats, i - 1).tenant);
    }
    g_assert_cmpuint(sum, ==, trace->len);
    g_assert_cmpuint(hits, ==, s.caches[SK_STAT_IOTLB].hits);
    g_assert_cmpuint(s.tenants, ==, s.per_tenant->len);
    sk_model_result_clear(&s);
    g_array_free(trace, TRUE);
    g_rand_free(rng);
}

/* The translation queue bounds translations in flight (HyperSIO lets a
 * 3-translation bundle in whenever one entry is free). */
SK_TEST(test_tqueue_counts_translations, "/model/tqueue-counts-translations")
{
    GRand *rng = g_rand_new_with_seed(9);
    GArray *trace = random_trace(rng, 2000, 8, FALSE);
    static const uint32_t tq[] = {1, 2, 3, 5, 16};
    for (gsize i = 0; i < G_N_ELEMENTS(tq); i++) {
        SkModelOptions o;
        sk_model_options_default(&o);
        o.tqueue = tq[i];
        for (int inorder = 0; inorder < 2; inorder++) {
            o.inorder = inorder;
            SkModelResult s = run(trace, &o);
            g_assert_cmpuint(s.max_in_flight, <=, tq[i]);
            g_assert_cmpuint(s.translations, ==, trace->len);
            sk_model_result_clear(&s);
        }
        o.model = SK_MODEL_HYPERSIO;
        o.inorder = FALSE;
        SkModelResult h = run(trace, &o);
        g_assert_cmpuint(h.max_in_flight, ==, tq[i] + 2);
        sk_model_result_clear(&h);
    }
    g_array_free(trace, TRUE);
    g_rand_free(rng);
}

/* No prefetch walks without a prefetch buffer; with one, walks happen and
 * the buffer hits. */
SK_TEST(test_prefetch_needs_buffer, "/model/prefetch-needs-buffer")
{
    GArray *m2 = golden_m2();
    SkModelOptions o;
    sk_model_options_default(&o);
    SkModelResult s = run(m2, &o);
    g_assert_cmpuint(s.prefetch_walks, ==, 0);
    sk_model_result_clear(&s);
    o.model = SK_MODEL_HYPERSIO;
    SkModelResult h = run(m2, &o);
    g_assert_cmpuint(h.prefetch_walks, >, 0);
    sk_model_result_clear(&h);
    o.model = SK_MODEL_SIOKIT;
    o.caches.prefetch_size = 16;
    o.caches.prefetch_distance = 1;
    s = run(m2, &o);
    g_assert_cmpuint(s.prefetch_walks, >, 0);
    g_assert_cmpuint(s.caches[SK_STAT_PREFETCH].hits + s.caches[SK_STAT_PREFETCH].misses, >, 0);
    sk_model_result_clear(&s);
    g_array_free(m2, TRUE);
}

/* With one translation at a time the IOTLB sees the trace order, so Belady
 * (oracle) hits at least as often as LRU and LFU. */
SK_TEST(test_oracle_is_optimal, "/model/oracle-is-optimal")
{
    GRand *rng = g_rand_new_with_seed(11);
    for (int round = 0; round < 4; round++) {
        GArray *trace = random_trace(rng, 3000, 6, FALSE);
        SkModelOptions o;
        sk_model_options_default(&o);
        o.caches.iotlb = (SkCacheGeometry){16, 16, 1};
        uint64_t hits[3];
        for (int p = 0; p < 3; p++) {
            o.policy = (SkPolicy)p;
            SkModelResult s = run(trace, &o);
            hits[p] = s.caches[SK_STAT_IOTLB].hits;
            sk_model_result_clear(&s);
        }
        g_assert_cmpuint(hits[SK_POLICY_ORACLE], >=, hits[SK_POLICY_LRU]);
        g_assert_cmpuint(hits[SK_POLICY_ORACLE], >=, hits[SK_POLICY_LFU]);
        g_assert_cmpuint(hits[SK_POLICY_ORACLE], >, 0);
        g_array_free(trace, TRUE);
    }
    g_rand_free(rng);
}

/* The same trace in either format gives the same numbers. */
SK_TEST(test_formats_agree, "/model/formats-agree")
{
    GRand *rng = g_rand_new_with_seed(13);
    GArray *trace = random_trace(rng, 1500, 4, FALSE);
    GError *error = NULL;
    char *p1 = write_trace(trace, SK_FORMAT_SIOKIT);
    char *p2 = write_trace(trace, SK_FORMAT_HYPERSIO);
    for (int model = 0; model < 2; model++) {
        SkModelOptions o;
        SkModelResult a, b;
        sk_model_options_default(&o);
        o.model = model ? SK_MODEL_HYPERSIO : SK_MODEL_SIOKIT;
        o.policy = SK_POLICY_ORACLE;
        g_assert_true(run_path(p1, &o, &a, &error));
        g_assert_true(run_path(p2, &o, &b, &error));
        assert_same_result(&a, &b);
        sk_model_result_clear(&a);
        sk_model_result_clear(&b);
    }
    g_unlink(p1);
    g_unlink(p2);
    g_free(p1);
    g_free(p2);
    g_array_free(trace, TRUE);
    g_rand_free(rng);
}

SK_TEST(test_options_refused, "/model/options-refused")
{
    SkModelOptions o;
    GError *error = NULL;
    sk_model_options_default(&o);
    o.tqueue = 0;
    g_assert_false(sk_model_options_check(&o, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    sk_model_options_default(&o);
    o.model = SK_MODEL_HYPERSIO;
    o.caches.prefetch_histlen = 0;
    g_assert_false(sk_model_options_check(&o, &error));
    g_assert_nonnull(strstr(error->message, "histlen"));
    g_clear_error(&error);
    o.model = SK_MODEL_SIOKIT;   /* no buffer: the prefetcher does not run */
    g_assert_true(sk_model_options_check(&o, &error));
    o.model = SK_MODEL_HYPERSIO;
    o.caches.prefetch_histlen = 2;
    o.link_mbps = 12500;
    g_assert_false(sk_model_options_check(&o, &error));
    g_assert_nonnull(strstr(error->message, "--link-gbps"));
    g_clear_error(&error);
}

SK_TEST_MAIN()
