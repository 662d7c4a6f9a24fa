/* test_golden.c - the golden vectors of the HyperSIO 1.0 spec (section 4):
 * --model hypersio-1.0 must give exactly HyperSIO's numbers. */
#include <glib.h>
#include <glib/gstdio.h>

#include "golden_traces.h"
#include "model.h"
#include "sk_trace.h"
#include "sk_test.h"

/* Writes the records as a HyperSIO trace and runs the hypersio-1.0 model. */
static SkModelResult run(GArray *records, uint32_t tqueue, gboolean inorder,
                         gboolean salloc)
{
    GError *error = NULL;
    char *path = sk_test_path("golden_iotlb_trace.bin");
    SkModelOptions o;
    SkModelResult res;

    golden_write(path, SK_FORMAT_HYPERSIO, records);
    sk_model_options_default(&o);
    o.model = SK_MODEL_HYPERSIO;
    o.tqueue = tqueue;
    o.inorder = inorder;
    o.salloc = salloc;
    g_assert_true(sk_model_run_trace(&o, path, SK_FORMAT_AUTO, TRUE, &res, &error));
    g_assert_no_error(error);
    g_unlink(path);
    g_free(path);
    return res;
}

SK_TEST(test_m1, "/golden/m1")
{
    GArray *m1 = golden_m1();
    SkModelResult r = run(m1, 1, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 2501);
    g_assert_cmpuint(r.mbps, ==, 49324);
    g_assert_cmpuint(r.dropped_slots, ==, 31);
    g_assert_cmpuint(r.translations, ==, 30);
    /* One context miss then hits; one IOTLB miss per translation of the
     * first bundle (all three walk: the fill lands after they looked). */
    g_assert_cmpuint(r.caches[SK_STAT_CC].misses, ==, 1);
    g_assert_cmpuint(r.caches[SK_STAT_CC].hits, ==, 29);
    g_assert_cmpuint(r.caches[SK_STAT_IOTLB].misses, ==, 1);
    g_assert_cmpuint(r.caches[SK_STAT_IOTLB].hits, ==, 29);
    sk_model_result_clear(&r);
    r = run(m1, 64, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 2501);
    sk_model_result_clear(&r);
    g_array_free(m1, TRUE);
}

SK_TEST(test_m2, "/golden/m2")
{
    GArray *m2 = golden_m2();
    SkModelResult r = run(m2, 1, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 21472);
    g_assert_cmpuint(r.mbps, ==, 11490);
    g_assert_cmpuint(r.per_tenant->len, ==, 2);
    sk_model_result_clear(&r);
    r = run(m2, 64, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 2987);
    g_assert_cmpuint(r.mbps, ==, 82597);
    sk_model_result_clear(&r);
    r = run(m2, 1, TRUE, TRUE);
    g_assert_cmpuint(r.elapsed_ns, ==, 21960);
    sk_model_result_clear(&r);
    r = run(m2, 64, TRUE, TRUE);
    g_assert_cmpuint(r.elapsed_ns, ==, 3058);
    sk_model_result_clear(&r);
    g_array_free(m2, TRUE);
}

SK_TEST(test_m3, "/golden/m3")
{
    GArray *m3 = golden_m3();
    SkModelResult r = run(m3, 1, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 2562);
    g_assert_cmpuint(r.mbps, ==, 48149);
    sk_model_result_clear(&r);
    r = run(m3, 64, FALSE, FALSE);
    g_assert_cmpuint(r.elapsed_ns, ==, 2456);
    g_assert_cmpuint(r.mbps, ==, 50228);
    sk_model_result_clear(&r);
    g_array_free(m3, TRUE);
}

SK_TEST_MAIN()
