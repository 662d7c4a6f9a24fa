/* test_coalesce.c - the siokit model's miss coalescing (walk table) against
 * a tiny reference written plainly, on random traces; and the worked
 * example of docs/model.md.
 *
 * The reference covers designs where every other part is trivial: no
 * IOTLB, no page-walk caches, no prefetch buffer, a context cache that
 * never evicts, out-of-order completion.  Then each translation's life is
 * the model's stages with fixed delays, and what is left to get right is
 * the walk table, the translation queue, the packet slots and the order of
 * events of one nanosecond (the order they were scheduled in). */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "golden_traces.h"
#include "model.h"
#include "sk_error.h"
#include "sk_free.h"
#include "sk_trace.h"
#include "sk_test.h"

/* ---- the reference ---- */

enum { R_CC_DONE, R_WALK, R_WALK_DONE, R_DONE };

typedef struct {
    uint64_t time, seq;
    int stage, tx;
} RefEvent;

typedef struct {
    SkRecord rec;
    uint64_t start;
    int cc_miss;
    int walk;            /* the walk-table entry it holds, or -1 */
} RefTx;

typedef struct {
    int used;
    uint64_t page;
    uint32_t did, level;
    int waiters[4096], n_waiters;
} RefWalk;

typedef struct {
    const SkModelOptions *o;
    uint64_t lat[SK_N_LAT_KEYS], cc_miss;
    RefEvent ev[65536];
    int n_ev;
    uint64_t seq;
    RefTx tx[4096];
    int n_tx;
    RefWalk walks[64];
    int stalled[4096], n_stalled;
    int in_flight;
    int pending[64], n_pending;   /* of the admitted packet, not yet issued */
    uint32_t cc_present[64];      /* sids in the context cache */
    int n_cc;
    uint64_t now, last_done;
    /* What the model reports. */
    uint64_t coalesced, stalls, max_walks, misses[8], waited[8], latency[8], done[8];
} Ref;

static void ref_schedule(Ref *r, int tx, int stage, uint64_t delay)
{
    g_assert_cmpint(r->n_ev, <, (int)G_N_ELEMENTS(r->ev));
    r->ev[r->n_ev++] = (RefEvent){r->now + delay, r->seq++, stage, tx};
}

static int ref_walks_used(const Ref *r)
{
    int n = 0;
    for (uint32_t w = 0; w < r->o->caches.walk_table; w++)
        n += r->walks[w].used;
    return n;
}

static void ref_issue(Ref *r, int id)
{
    RefTx *x = &r->tx[id];
    int hit = 0;
    for (int i = 0; i < r->n_cc; i++)
        hit |= r->cc_present[i] == x->rec.sid;
    x->start = r->now;
    x->cc_miss = !hit;
    x->walk = -1;
    r->in_flight++;
    ref_schedule(r, id, R_CC_DONE, hit ? r->lat[SK_LAT_KEY_CC_HIT] : r->cc_miss);
}

static void ref_issue_pending(Ref *r)
{
    while (r->n_pending > 0 && r->in_flight < (int)r->o->tqueue) {
        ref_issue(r, r->pending[0]);
        memmove(r->pending, r->pending + 1, sizeof(int) * (size_t)--r->n_pending);
    }
}

/* The walk in flight of tx's page, or -1. */
static int ref_find(const Ref *r, int id)
{
    const SkRecord *q = &r->tx[id].rec;
    for (uint32_t w = 0; w < r->o->caches.walk_table; w++)
        if (r->walks[w].used && r->walks[w].page == (q->iova & q->mask) &&
            r->walks[w].did == q->tenant && r->walks[w].level == q->level)
            return (int)w;
    return -1;
}

/* Coalesce, walk or (fresh only) stall; FALSE when it cannot go on. */
static gboolean ref_walk_or_wait(Ref *r, int id, gboolean fresh)
{
    const SkRecord *q = &r->tx[id].rec;
    int w = ref_find(r, id), used = ref_walks_used(r);

    if (w >= 0) {
        r->walks[w].waiters[r->walks[w].n_waiters++] = id;
        r->coalesced++;
        r->waited[q->tenant]++;
        return TRUE;
    }
    if (used == (int)r->o->caches.walk_table || (fresh && r->n_stalled > 0)) {
        if (fresh) {
            r->stalled[r->n_stalled++] = id;
            r->stalls++;
        }
        return FALSE;
    }
    for (w = 0; r->walks[w].used; w++)
        ;
    r->walks[w] = (RefWalk){1, q->iova & q->mask, q->tenant, q->level, {0}, 0};
    r->tx[id].walk = w;
    r->max_walks = MAX(r->max_walks, (uint64_t)used + 1);
    r->misses[q->tenant]++;
    ref_schedule(r, id, R_WALK, r->lat[SK_LAT_KEY_PCIE]);
    return TRUE;
}

static void ref_retire(Ref *r, int id)
{
    uint32_t t = r->tx[id].rec.tenant;
    r->latency[t] += r->now - r->tx[id].start;
    r->done[t]++;
    r->in_flight--;
    r->last_done = r->now;
}

static void ref_event(Ref *r, const RefEvent *e)
{
    RefTx *x = &r->tx[e->tx];

    switch (e->stage) {
    case R_CC_DONE:
        if (x->cc_miss) {
            int present = 0;
            for (int i = 0; i < r->n_cc; i++)
                present |= r->cc_present[i] == x->rec.sid;
            if (!present)
                r->cc_present[r->n_cc++] = x->rec.sid;
        }
        if (r->o->caches.walk_table) {
            ref_walk_or_wait(r, e->tx, TRUE);
        } else {
            r->misses[x->rec.tenant]++;
            ref_schedule(r, e->tx, R_WALK, r->lat[SK_LAT_KEY_PCIE]);
        }
        break;
    case R_WALK:   /* no page-walk cache: 4 - level reads */
        ref_schedule(r, e->tx, R_WALK_DONE, r->lat[SK_LAT_KEY_WALK_CACHE] +
                     r->lat[SK_LAT_KEY_MEMORY] * (4 - x->rec.level));
        break;
    case R_WALK_DONE:
        ref_schedule(r, e->tx, R_DONE, r->lat[SK_LAT_KEY_PCIE]);
        break;
    default:
        ref_retire(r, e->tx);
        if (x->walk >= 0) {
            RefWalk *w = &r->walks[x->walk];
            for (int i = 0; i < w->n_waiters; i++)
                ref_retire(r, w->waiters[i]);
            w->used = 0;
            while (r->n_stalled > 0 && ref_walk_or_wait(r, r->stalled[0], FALSE))
                memmove(r->stalled, r->stalled + 1, sizeof(int) * (size_t)--r->n_stalled);
        }
        ref_issue_pending(r);
        break;
    }
}

/* Runs every event at or before `until`, earliest first, ties in the
 * order they were scheduled. */
static void ref_run_until(Ref *r, uint64_t until)
{
    for (;;) {
        int best = -1;
        for (int i = 0; i < r->n_ev; i++)
            if (r->ev[i].time <= until &&
                (best < 0 || r->ev[i].time < r->ev[best].time ||
                 (r->ev[i].time == r->ev[best].time && r->ev[i].seq < r->ev[best].seq)))
                best = i;
        if (best < 0)
            return;
        RefEvent e = r->ev[best];
        r->ev[best] = r->ev[--r->n_ev];
        r->now = e.time;
        ref_event(r, &e);
    }
}

/* Replays records; returns elapsed ns and fills dropped. */
static uint64_t ref_run(Ref *r, GArray *records, uint64_t *dropped)
{
    uint64_t bits = (uint64_t)r->o->packet_bytes * 8 * 1000, link = r->o->link_mbps;
    uint64_t last_packet = 0;
    guint next = 0;
    gboolean eof = FALSE;

    for (int k = 0; k < SK_N_LAT_KEYS; k++)
        r->lat[k] = r->o->caches.latency[k];
    r->cc_miss = 2 * r->lat[SK_LAT_KEY_PCIE] + 2 * r->lat[SK_LAT_KEY_MEMORY];
    *dropped = 0;
    for (uint64_t k = 0;; k++) {
        uint64_t t = k * bits / link;
        ref_run_until(r, t);
        r->now = t;
        if (eof && r->n_pending == 0)
            break;
        if (r->n_pending > 0 || r->in_flight >= (int)r->o->tqueue) {
            (*dropped)++;   /* also after the last packet: the end of the
                               trace is found by the next packet admitted */
            continue;
        }
        if (next == records->len)
            break;
        for (uint32_t i = 0; i < r->o->translations_per_packet && next < records->len; i++) {
            r->tx[r->n_tx].rec = g_array_index(records, SkRecord, next++);
            r->pending[r->n_pending++] = r->n_tx++;
        }
        /* A packet cut short by the end of the trace tells it at once. */
        eof = r->n_pending < (int)r->o->translations_per_packet;
        last_packet = k;
        ref_issue_pending(r);
    }
    ref_run_until(r, UINT64_MAX);
    return MAX(r->last_done, ((last_packet + 1) * bits + link - 1) / link);
}

/* ---- the model, on the same trace ---- */

static void options_trivial(SkModelOptions *o)
{
    sk_model_options_default(o);
    o->caches.iotlb.size = 0;
    o->caches.l2page.size = 0;
    o->caches.l3page.size = 0;
}

static SkModelResult model_run(GArray *records, const SkModelOptions *o)
{
    static int n;
    char *name = g_strdup_printf("c%d.trace", n++);
    char *path = sk_test_path(name);
    GError *error = NULL;
    SkModelResult res;

    golden_write(path, SK_FORMAT_SIOKIT, records);
    g_assert_true(sk_model_run_trace(o, path, SK_FORMAT_AUTO, TRUE, &res, &error));
    g_assert_no_error(error);
    g_unlink(path);
    SK_FREE_ALL(name, path);
    return res;
}

/* Random traces: a few tenants, a few pages each (so that walks meet),
 * levels 1 to 3. */
static GArray *random_trace(GRand *rng, guint n, uint32_t tenants, uint32_t pages)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    for (guint i = 0; i < n; i++) {
        uint32_t t = (uint32_t)g_rand_int_range(rng, 0, (gint32)tenants);
        unsigned level = (unsigned)g_rand_int_range(rng, 1, 4);
        uint64_t page = (uint64_t)g_rand_int_range(rng, 0, (gint32)pages);
        uint64_t iova = (UINT64_C(1) << 32) + (page << (12 + 9 * (level - 1))) +
                        (uint64_t)g_rand_int_range(rng, 0, 64) * 64;
        SkRecord r = golden_record(0x10 + 8 * t, t, iova, level);
        g_array_append_val(a, r);
    }
    golden_fill_nat(a);
    return a;
}

SK_TEST(test_against_reference, "/coalesce/against-reference")
{
    GRand *rng = g_rand_new_with_seed(13);
    uint64_t coalesced = 0, stalls = 0;

    for (int round = 0; round < 300; round++) {
        SkModelOptions o;
        Ref *r = g_new0(Ref, 1);
        uint32_t tenants = (uint32_t)g_rand_int_range(rng, 1, 5);
        GArray *trace = random_trace(rng, (guint)g_rand_int_range(rng, 1, 400), tenants,
                                     (uint32_t)g_rand_int_range(rng, 1, 6));
        uint64_t dropped, elapsed;

        options_trivial(&o);
        o.tqueue = (uint32_t)g_rand_int_range(rng, 1, 24);
        o.caches.walk_table = (uint32_t)g_rand_int_range(rng, 0, 9);
        o.translations_per_packet = (uint32_t)g_rand_int_range(rng, 1, 5);
        o.packet_bytes = round % 2 ? 1542 : (uint32_t)g_rand_int_range(rng, 64, 4096);
        o.link_mbps = (uint64_t)g_rand_int_range(rng, 1, 400) * 1000;
        if (round % 3)   /* small latencies: many events in one ns */
            for (int k = 0; k < SK_N_LAT_KEYS; k++)
                o.caches.latency[k] = (uint32_t)g_rand_int_range(rng, 1, 12);
        r->o = &o;
        elapsed = ref_run(r, trace, &dropped);

        SkModelResult res = model_run(trace, &o);
        g_assert_cmpuint(res.elapsed_ns, ==, elapsed);
        g_assert_cmpuint(res.dropped_slots, ==, dropped);
        g_assert_cmpuint(res.translations, ==, trace->len);
        g_assert_cmpuint(res.coalesced, ==, r->coalesced);
        g_assert_cmpuint(res.walk_stalls, ==, r->stalls);
        g_assert_cmpuint(res.max_walks, ==, r->max_walks);
        for (guint i = 0; i < res.per_tenant->len; i++) {
            const SkTenantStats *t = &g_array_index(res.per_tenant, SkTenantStats, i);
            g_assert_cmpuint(t->iotlb_misses, ==, r->misses[t->tenant]);
            g_assert_cmpuint(t->iotlb_coalesced, ==, r->waited[t->tenant]);
            g_assert_cmpuint(t->latency_sum, ==, r->latency[t->tenant]);
            g_assert_cmpuint(t->translations, ==, r->done[t->tenant]);
        }
        coalesced += res.coalesced;
        stalls += res.walk_stalls;
        if (o.caches.walk_table == 0)
            g_assert_cmpuint(res.coalesced + res.walk_stalls, ==, 0);
        if (o.caches.walk_table >= o.tqueue)
            g_assert_cmpuint(res.walk_stalls, ==, 0);
        sk_model_result_clear(&res);
        g_array_free(trace, TRUE);
        g_free(r);
    }
    g_test_message("%" G_GUINT64_FORMAT " coalesced, %" G_GUINT64_FORMAT " stalls",
                   coalesced, stalls);
    g_assert_cmpuint(coalesced, >, 1000);   /* the cases do exercise both */
    g_assert_cmpuint(stalls, >, 1000);
    g_rand_free(rng);
}

/* With the IOTLB and the page-walk caches on: every translation is a hit,
 * a miss that walked, or a coalesced miss; never more walks at once than
 * the table holds; a table of 0 changes nothing. */
SK_TEST(test_accounting, "/coalesce/accounting")
{
    GRand *rng = g_rand_new_with_seed(7);

    for (int round = 0; round < 60; round++) {
        SkModelOptions o;
        GArray *trace = random_trace(rng, 2000, (uint32_t)g_rand_int_range(rng, 1, 40), 40);
        sk_model_options_default(&o);
        o.tqueue = (uint32_t)g_rand_int_range(rng, 1, 64);
        o.inorder = round % 4 == 0;
        o.caches.walk_table = (uint32_t)g_rand_int_range(rng, 1, 32);
        SkModelResult res = model_run(trace, &o);
        uint64_t hits = 0, misses = 0, coalesced = 0;
        for (guint i = 0; i < res.per_tenant->len; i++) {
            const SkTenantStats *t = &g_array_index(res.per_tenant, SkTenantStats, i);
            hits += t->iotlb_hits;
            misses += t->iotlb_misses;
            coalesced += t->iotlb_coalesced;
        }
        g_assert_cmpuint(hits + misses + coalesced, ==, trace->len);
        g_assert_cmpuint(res.caches[SK_STAT_IOTLB].hits, ==, hits);
        g_assert_cmpuint(res.caches[SK_STAT_IOTLB].misses, ==, misses);
        g_assert_cmpuint(res.coalesced, ==, coalesced);
        g_assert_cmpuint(res.max_walks, <=, o.caches.walk_table);
        g_assert_cmpuint(res.max_in_flight, <=, o.tqueue);
        sk_model_result_clear(&res);

        /* One translation in flight: nothing to coalesce, nothing stalls. */
        o.tqueue = 1;
        SkModelResult one = model_run(trace, &o);
        o.caches.walk_table = 0;
        SkModelResult off = model_run(trace, &o);
        g_assert_cmpuint(one.elapsed_ns, ==, off.elapsed_ns);
        g_assert_cmpuint(one.coalesced + one.walk_stalls, ==, 0);
        g_assert_cmpmem(one.caches, sizeof(one.caches), off.caches, sizeof(off.caches));
        sk_model_result_clear(&one);
        sk_model_result_clear(&off);
        g_array_free(trace, TRUE);
    }
    g_rand_free(rng);
}

/* docs/model.md's worked example: one packet A, B, A (a descriptor, its
 * buffer, the descriptor again; A and B in one 2 MiB region), a queue of 3,
 * tables of 0, 1 and 2 walks; the numbers worked out by hand there. */
SK_TEST(test_worked_example, "/coalesce/worked-example")
{
    static const struct {
        uint32_t table;
        uint64_t elapsed, misses, coalesced, stalls, l2_hits, latency;
    } cases[] = {
        {0, 2055, 3, 0, 0, 0, 3 * 2055},
        {1, 3010, 2, 1, 1, 1, 2 * 2055 + 3010},
        {2, 2055, 2, 1, 0, 0, 3 * 2055},
    };
    GArray *trace = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    uint64_t iova[] = {0xfff00040, 0xffe00000, 0xfff00040};

    for (int i = 0; i < 3; i++) {
        SkRecord r = golden_record(0x10, 0, iova[i], 1);
        g_array_append_val(trace, r);
    }
    golden_fill_nat(trace);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        SkModelOptions o;
        sk_model_options_default(&o);
        o.tqueue = 3;
        o.caches.walk_table = cases[i].table;
        SkModelResult res = model_run(trace, &o);
        const SkTenantStats *t = &g_array_index(res.per_tenant, SkTenantStats, 0);
        g_assert_cmpuint(res.elapsed_ns, ==, cases[i].elapsed);
        g_assert_cmpuint(res.caches[SK_STAT_IOTLB].hits, ==, 0);
        g_assert_cmpuint(res.caches[SK_STAT_IOTLB].misses, ==, cases[i].misses);
        g_assert_cmpuint(res.coalesced, ==, cases[i].coalesced);
        g_assert_cmpuint(res.walk_stalls, ==, cases[i].stalls);
        g_assert_cmpuint(res.caches[SK_STAT_L2PAGE].hits, ==, cases[i].l2_hits);
        g_assert_cmpuint(t->latency_sum, ==, cases[i].latency);
        sk_model_result_clear(&res);
    }
    g_array_free(trace, TRUE);
}

SK_TEST_MAIN()
