/* test_tracegen.c - trace-gen's parts: the per-tenant spill, the tenant
 * orders (HyperSIO's rr and rand exactly, weighted and zipf), tenant ids. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "interleave.h"
#include "sk_error.h"
#include "tracegen.h"
#include "spill.h"
#include "tenants.h"
#include "sk_test.h"

static SkRecord rec(uint32_t tenant, uint64_t i)
{
    SkRecord r = {0};
    r.tenant = tenant;
    r.iova = i << 12;
    r.level = 1;
    r.mask = sk_level_mask(1);
    return r;
}

/* Many tenants (so chunks are small), records added in a random tenant
 * order, read back per tenant in order. */
SK_TEST(test_spill_round_trip, "/tracegen/spill")
{
    GError *error = NULL;
    const uint32_t tenants = 300000;   /* chunks of the minimum size */
    TgSpill *s = tg_spill_new(NULL, tenants, &error);
    GRand *rng = g_rand_new_with_seed(3);
    uint64_t next[50] = {0};

    g_assert_no_error(error);
    for (int i = 0; i < 20000; i++) {
        uint32_t t = (uint32_t)g_rand_int_range(rng, 0, 50) * 7919;
        SkRecord r = rec(t, next[t / 7919]++);
        g_assert_true(tg_spill_add(s, t, &r, &error));
    }
    for (uint32_t k = 0; k < 50; k++)
        g_assert_cmpuint(tg_spill_count(s, k * 7919), ==, next[k]);
    /* Read the streams interleaved, one record at a time. */
    uint64_t seen[50] = {0};
    gboolean more = TRUE;
    while (more) {
        more = FALSE;
        for (uint32_t k = 0; k < 50; k++) {
            SkRecord r;
            int got = tg_spill_next(s, k * 7919, &r, &error);
            g_assert_cmpint(got, >=, 0);
            if (got == 0)
                continue;
            more = TRUE;
            g_assert_cmpuint(r.tenant, ==, k * 7919);
            g_assert_cmpuint(r.iova >> 12, ==, seen[k]);
            seen[k]++;
        }
    }
    for (uint32_t k = 0; k < 50; k++)
        g_assert_cmpuint(seen[k], ==, next[k]);
    SkRecord r;
    g_assert_cmpint(tg_spill_next(s, 12345, &r, &error), ==, 0);
    tg_spill_free(s);
    g_rand_free(rng);
}

typedef struct Collected {
    GArray *records;
} Collected;

static gboolean collect(const SkRecord *r, void *data, GError **error)
{
    (void)error;
    g_array_append_val(((Collected *)data)->records, *r);
    return TRUE;
}

/* Spill with tenants[i] holding lengths[i] records. */
static TgSpill *spill_of(const uint32_t *tenants, const uint32_t *lengths, guint n)
{
    TgSpill *s = tg_spill_new(NULL, n, NULL);
    for (guint i = 0; i < n; i++)
        for (uint32_t k = 0; k < lengths[i]; k++) {
            SkRecord r = rec(tenants[i], k);
            g_assert_true(tg_spill_add(s, tenants[i], &r, NULL));
        }
    return s;
}

static GArray *run(const uint32_t *tenants, const uint32_t *lengths, guint n,
                   TgOrderParams *p)
{
    Collected c = {g_array_new(FALSE, FALSE, sizeof(SkRecord))};
    TgSpill *s = spill_of(tenants, lengths, n);
    GError *error = NULL;
    g_assert_true(tg_interleave(s, tenants, n, p, collect, &c, &error));
    g_assert_no_error(error);
    tg_spill_free(s);
    return c.records;
}

/* rr: turns of consec in id order; the trace ends with the round in which
 * the first tenant runs out (HyperSIO's ALL_DID_END_SAME_TIME). */
SK_TEST(test_rr, "/tracegen/rr")
{
    uint32_t tenants[] = {2, 5, 9}, lengths[] = {12, 7, 12};
    TgOrderParams p = {.order = TG_ORDER_RR, .consec = 3};
    GArray *a = run(tenants, lengths, 3, &p);
    /* Rounds: 3+3+3, 3+3+3, 3+1+3 (tenant 5 runs out) -> stop. */
    static const uint32_t expect_tenant[] = {2,2,2, 5,5,5, 9,9,9, 2,2,2, 5,5,5,
                                             9,9,9, 2,2,2, 5, 9,9,9};
    g_assert_cmpuint(a->len, ==, G_N_ELEMENTS(expect_tenant));
    uint64_t pos[10] = {0};
    for (guint i = 0; i < a->len; i++) {
        SkRecord *r = &g_array_index(a, SkRecord, i);
        g_assert_cmpuint(r->tenant, ==, expect_tenant[i]);
        g_assert_cmpuint(r->iova >> 12, ==, pos[r->tenant]++);
    }
    g_array_free(a, TRUE);

    /* A tenant that runs out exactly at a turn's end is noticed in the
     * next round, whose other turns still happen. */
    uint32_t l2[] = {6, 3, 9};
    a = run(tenants, l2, 3, &p);
    g_assert_cmpuint(a->len, ==, 3 + 3 + 3 + 3 + 0 + 3);
    g_array_free(a, TRUE);
}

/* rand: glibc's rand() after srand(1) picks rand() % live; a tenant that
 * runs out leaves (order kept); nothing is cut. */
SK_TEST(test_rand_is_hypersio, "/tracegen/rand-is-hypersio")
{
    uint32_t tenants[] = {0, 1, 2, 3, 4}, lengths[] = {9, 30, 3, 17, 12};
    TgOrderParams p = {.order = TG_ORDER_RAND, .consec = 3};
    GArray *a = run(tenants, lengths, 5, &p);

    /* The same algorithm with the C library's own rand(). */
    uint32_t live[5] = {0, 1, 2, 3, 4}, left[5] = {9, 30, 3, 17, 12};
    guint n = 5, pos = 0;
    srand(1);
    while (n > 0) {
        guint i = (guint)(rand() % (int)n);
        uint32_t t = live[i];
        for (int e = 0; e < 3; e++) {
            if (left[t] == 0) {
                for (guint k = i; k + 1 < n; k++)
                    live[k] = live[k + 1];
                n--;
                break;
            }
            left[t]--;
            g_assert_cmpuint(pos, <, a->len);
            g_assert_cmpuint(g_array_index(a, SkRecord, pos).tenant, ==, t);
            pos++;
        }
    }
    g_assert_cmpuint(pos, ==, a->len);
    g_assert_cmpuint(a->len, ==, 9 + 30 + 3 + 17 + 12);
    g_array_free(a, TRUE);
}

SK_TEST(test_weighted, "/tracegen/weighted")
{
    uint32_t tenants[] = {0, 1, 2}, lengths[] = {3000, 3000, 3000};
    double weights[] = {0.0, 1.0, 3.0};
    TgOrderParams p = {.order = TG_ORDER_WEIGHTED, .consec = 3, .seed = 7,
                       .weights = weights};
    GArray *a = run(tenants, lengths, 3, &p);
    guint count[3] = {0}, first_half[3] = {0};

    for (guint i = 0; i < a->len; i++) {
        uint32_t t = g_array_index(a, SkRecord, i).tenant;
        count[t]++;
        if (i < 1500)
            first_half[t]++;
    }
    g_assert_cmpuint(count[0], ==, 0);          /* weight 0: never drawn */
    g_assert_cmpuint(count[1], ==, 3000);       /* nothing is cut */
    g_assert_cmpuint(count[2], ==, 3000);
    /* Early on tenant 2 gets about three turns for each of tenant 1's. */
    g_assert_cmpuint(first_half[2], >, 2 * first_half[1]);
    g_assert_cmpuint(first_half[2], <, 5 * first_half[1]);
    /* The same seed gives the same trace; another seed another. */
    GArray *b = run(tenants, lengths, 3, &p);
    g_assert_cmpmem(a->data, a->len * sizeof(SkRecord), b->data, b->len * sizeof(SkRecord));
    p.seed = 8;
    GArray *c = run(tenants, lengths, 3, &p);
    g_assert_true(memcmp(a->data, c->data, a->len * sizeof(SkRecord)) != 0);
    g_array_free(a, TRUE);
    g_array_free(b, TRUE);
    g_array_free(c, TRUE);
}

SK_TEST(test_zipf, "/tracegen/zipf")
{
    uint32_t tenants[16], lengths[16];
    for (int i = 0; i < 16; i++) {
        tenants[i] = (uint32_t)i * 3;
        lengths[i] = 3000;
    }
    TgOrderParams p = {.order = TG_ORDER_ZIPF, .consec = 3, .seed = 1, .theta = 2.0};
    GArray *a = run(tenants, lengths, 16, &p);
    guint first = 0, last = 0;
    for (guint i = 0; i < 3000; i++) {
        uint32_t t = g_array_index(a, SkRecord, i).tenant;
        first += t == 0;
        last += t == 45;
    }
    g_assert_cmpuint(a->len, ==, 16 * 3000);
    /* weight 1 against 1/256: the first tenant dominates the start */
    g_assert_cmpuint(first, >, 1000);
    g_assert_cmpuint(last, <, 100);
    g_array_free(a, TRUE);
}

static uint32_t sid_of(TgTenants *t, uint32_t log, uint32_t sid)
{
    uint32_t out = 0;
    GError *error = NULL;
    g_assert_true(tg_tenants_sid(t, log, sid, &out, &error));
    g_assert_no_error(error);
    return out;
}

SK_TEST(test_tenant_ids, "/tracegen/tenant-ids")
{
    TgTenants t;
    tg_tenants_init(&t, FALSE, 3);
    g_assert_cmpuint(tg_tenants_get(&t, 0, 5)->id, ==, 0);
    g_assert_cmpuint(tg_tenants_get(&t, 0, 9)->id, ==, 1);
    g_assert_cmpuint(tg_tenants_get(&t, 1, 5)->id, ==, 2);   /* other log: new */
    g_assert_cmpuint(tg_tenants_get(&t, 0, 5)->id, ==, 0);
    g_assert_null(tg_tenants_get(&t, 2, 1));                 /* past the cap */
    /* siokit source ids never collide */
    g_assert_cmpuint(sid_of(&t, 0, 0x90), !=, sid_of(&t, 1, 0x10));
    tg_tenants_clear(&t);

    /* HyperSIO's: domain + 128 * log and sid + 128 * log, 16 bits. */
    tg_tenants_init(&t, TRUE, 0);
    g_assert_cmpuint(tg_tenants_get(&t, 0, 130)->id, ==, 0);
    g_assert_cmpuint(tg_tenants_get(&t, 1, 2)->id, ==, 0);   /* 130 == 2 + 128 */
    g_assert_cmpuint(sid_of(&t, 0, 0x90), ==, sid_of(&t, 1, 0x10));
    tg_tenants_clear(&t);
}

/* Reuse rounds past 65,536: every (log, domain) pair still has its own
 * tenant id and every (log, sid) pair its own source id; the first 65,536
 * logs keep log << 16 | sid.  200,000 logs of the same domain also show
 * that the table keys on the whole pair (hashing only the low 32 bits, the
 * domain, made this quadratic). */
SK_TEST(test_ids_past_65536_logs, "/tracegen/ids-past-65536-logs")
{
    const uint32_t logs = 200000;
    TgTenants t;
    GHashTable *sids = g_hash_table_new(g_direct_hash, g_direct_equal);

    tg_tenants_init(&t, FALSE, 0);
    for (uint32_t log = 0; log < logs; log++) {
        TgTenant *a = tg_tenants_get(&t, log, 3);
        g_assert_cmpuint(a->id, ==, log);
        g_assert_cmpuint(a->log, ==, log);
        for (uint32_t sid = 0x18; sid <= 0x20; sid += 8) {
            uint32_t out = sid_of(&t, log, sid);
            if (log < 65536)
                g_assert_cmpuint(out, ==, log << 16 | sid);
            g_assert_false(g_hash_table_contains(sids, GUINT_TO_POINTER(out)));
            g_hash_table_add(sids, GUINT_TO_POINTER(out));
            g_assert_cmpuint(sid_of(&t, log, sid), ==, out);    /* stable */
        }
    }
    g_assert_cmpuint(g_hash_table_size(sids), ==, 2 * logs);
    g_assert_cmpuint(t.rows->len, ==, logs);
    g_assert_cmpuint(tg_tenants_get(&t, 70000, 3)->id, ==, 70000);
    g_hash_table_destroy(sids);
    tg_tenants_clear(&t);
}

/* 2^24 + 3 equal weights (the old fixed point, 2^40 each, overflowed the
 * 64-bit total at 2^24): they stay equal and positive and their sum is
 * theirs, without overflow. */
SK_TEST(test_weights_no_overflow, "/tracegen/weights-no-overflow")
{
    const guint n = (1u << 24) + 3;
    double *w = g_new(double, n);
    uint64_t *fixed = g_new(uint64_t, n);

    for (guint i = 0; i < n; i++)
        w[i] = 2.5;
    TgOrderParams p = {.order = TG_ORDER_WEIGHTED, .consec = 3, .weights = w};
    uint64_t total = tg_weights_fixed(&p, n, fixed);
    g_assert_cmpuint(fixed[0], >, 0);
    g_assert_cmpuint(fixed[n - 1], ==, fixed[0]);
    g_assert_cmpuint(total / n, ==, fixed[0]);
    g_assert_cmpuint(total % n, ==, 0);
    /* zipf over as many: the first weighs most, the sum stays below 2^64 */
    p.order = TG_ORDER_ZIPF;
    p.theta = 0.0;
    total = tg_weights_fixed(&p, n, fixed);
    g_assert_cmpuint(total, ==, (uint64_t)n * fixed[0]);
    g_free(fixed);
    g_free(w);
}

static char *fixture_log(void)
{
    const char *src = g_getenv("SIOKIT_SRC");
    return g_build_filename(src ? src : ".", "tests", "fixtures", "qemu72", "vtd.log", NULL);
}

static gboolean stop_after(const char *phase, uint64_t done, uint64_t total, gpointer data)
{
    int *calls = data;
    (void)phase; (void)done; (void)total;
    return --*calls > 0;
}

/* The library: a run in-process gives its summary; a progress callback
 * that says stop ends it with SK_ERROR_STOPPED and no trace, in whatever
 * phase it says so; a FIFO log is refused by name before any reading. */
SK_TEST(test_library_run_and_stop, "/tracegen/library-run-and-stop")
{
    char *log = fixture_log();
    const char *logs[] = {log, NULL};
    char *dir = g_dir_make_tmp("tracegen-XXXXXX", NULL);
    char *out = g_build_filename(dir, "t.trace", NULL);
    SkTraceGenParams p;
    SkTraceGenSummary s;
    GError *error = NULL;
    int calls = 1 << 30, total;

    sk_tracegen_params_init(&p);
    p.logs = logs;
    p.output = out;
    p.tenants = 3;
    p.reuse = TRUE;
    p.progress = stop_after;
    p.progress_data = &calls;
    g_assert_true(sk_tracegen_run(&p, &s, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(s.tenants->len, ==, 3);
    g_assert_cmpuint(s.logs->len, ==, 3);
    g_assert_true(g_file_test(out, G_FILE_TEST_IS_REGULAR));
    sk_tracegen_summary_clear(&s);
    g_remove(out);
    total = (1 << 30) - calls;
    g_assert_cmpint(total, >, 3);
    /* stop at every call in turn: always STOPPED, never a trace */
    for (int k = 1; k <= total; k++) {
        calls = k;
        g_assert_false(sk_tracegen_run(&p, &s, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_STOPPED);
        g_clear_error(&error);
        g_assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    }
    /* a FIFO as a log */
    char *fifo = g_build_filename(dir, "log.fifo", NULL);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    logs[0] = fifo;
    g_assert_false(sk_tracegen_run(&p, &s, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "log.fifo"));
    g_clear_error(&error);
    g_remove(fifo);
    g_rmdir(dir);
    g_free(fifo);
    g_free(out);
    g_free(dir);
    g_free(log);
}

SK_TEST_MAIN()
