/* test_cache.c - each replacement policy against a tiny reference: a list
 * per set, searched and evicted the obvious way. */
#include <glib.h>
#include <string.h>

#include "cache.h"
#include "sk_test.h"

/* ---- the reference ---- */

typedef struct RefEntry {
    uint64_t addr, nat, last_use, inserted;
    uint32_t did;
    unsigned count;
} RefEntry;

typedef struct RefCache {
    SkPolicy policy;
    uint32_t sets, assoc, groups;
    GArray **set;          /* RefEntry */
    uint64_t clock;
} RefCache;

static RefCache *ref_new(SkPolicy policy, uint32_t size, uint32_t assoc,
                         uint32_t groups)
{
    RefCache *r = g_new0(RefCache, 1);
    r->policy = policy;
    r->assoc = assoc;
    r->sets = size / assoc;
    r->groups = groups;
    r->set = g_new(GArray *, r->sets);
    for (uint32_t s = 0; s < r->sets; s++)
        r->set[s] = g_array_new(FALSE, TRUE, sizeof(RefEntry));
    return r;
}

static void ref_free(RefCache *r)
{
    for (uint32_t s = 0; s < r->sets; s++)
        g_array_free(r->set[s], TRUE);
    g_free(r->set);
    g_free(r);
}

/* Set = (did mod groups) * (sets/groups) + (bits mod (sets/groups)). */
static uint32_t ref_set_of(const RefCache *r, uint32_t did, uint64_t bits)
{
    uint32_t per_group = r->sets / r->groups;
    return (did % r->groups) * per_group + (uint32_t)(bits % per_group);
}

static gboolean ref_access(RefCache *r, uint32_t set, uint64_t addr,
                           uint32_t did, uint64_t nat, gboolean *evicted)
{
    GArray *a = r->set[set];
    r->clock++;
    *evicted = FALSE;
    for (guint i = 0; i < a->len; i++) {
        RefEntry *e = &g_array_index(a, RefEntry, i);
        if (e->addr == addr && e->did == did) {
            e->last_use = r->clock;
            e->nat = nat;
            if (++e->count == 15)
                for (guint j = 0; j < a->len; j++)
                    g_array_index(a, RefEntry, j).count /= 2;
            return TRUE;
        }
    }
    if (a->len == r->assoc) {
        guint victim = 0;
        for (guint i = 1; i < a->len; i++) {
            RefEntry *e = &g_array_index(a, RefEntry, i);
            RefEntry *v = &g_array_index(a, RefEntry, victim);
            gboolean better = FALSE;
            switch (r->policy) {
            case SK_POLICY_LRU: better = e->last_use < v->last_use; break;
            case SK_POLICY_LFU:
                better = e->count < v->count ||
                         (e->count == v->count && e->inserted < v->inserted);
                break;
            case SK_POLICY_ORACLE:
                better = e->nat > v->nat ||
                         (e->nat == v->nat && e->inserted < v->inserted);
                break;
            }
            if (better)
                victim = i;
        }
        g_array_remove_index(a, victim);
        *evicted = TRUE;
    }
    RefEntry e = {.addr = addr, .nat = nat, .last_use = r->clock,
                  .inserted = r->clock, .did = did};
    g_array_append_val(a, e);
    return FALSE;
}

/* Drives both with the same random accesses (lookup, fill on a miss, as the
 * model does) and compares every hit, every eviction and the contents. */
static void compare(SkPolicy policy, uint32_t size, uint32_t assoc,
                    uint32_t groups, uint64_t pages, uint32_t dids,
                    unsigned accesses, guint32 seed)
{
    SkCacheGeometry g = {size, assoc, groups};
    SkCache c;
    RefCache *r = ref_new(policy, size, assoc, groups);
    GRand *rng = g_rand_new_with_seed(seed);
    unsigned hits = 0, evictions = 0;

    sk_cache_init(&c, "test", &g, policy, FALSE, FALSE, NULL);
    for (unsigned i = 0; i < accesses; i++) {
        /* Skewed page choice so that hits, misses and ties all happen. */
        uint64_t page = (uint64_t)g_rand_int_range(rng, 0, (gint32)pages);
        if (g_rand_boolean(rng))
            page = page % (pages / 4 + 1);
        uint64_t addr = page << 12;
        uint32_t did = (uint32_t)g_rand_int_range(rng, 0, (gint32)dids);
        uint64_t nat = g_rand_int_range(rng, 0, 8) == 0
                           ? UINT64_MAX : i + 1 + (uint64_t)g_rand_int_range(rng, 0, 64);
        uint32_t set = sk_cache_set_of(&c, did, addr >> 12);
        g_assert_cmpuint(set, ==, ref_set_of(r, did, addr >> 12));

        gboolean ref_evicted;
        gboolean ref_hit = ref_access(r, set, addr, did, nat, &ref_evicted);
        gboolean hit = sk_cache_lookup(&c, set, addr, did, nat);
        g_assert_cmpint(hit, ==, ref_hit);
        if (!hit) {
            gboolean evicted = sk_cache_insert(&c, set, addr, did, nat);
            g_assert_cmpint(evicted, ==, ref_evicted);
            evictions += evicted;
        }
        hits += hit;
        g_assert_true(sk_cache_contains(&c, set, addr, did));
    }
    /* Same contents at the end. */
    for (uint32_t s = 0; s < r->sets; s++) {
        GArray *a = r->set[s];
        g_assert_cmpuint(c.fill[s], ==, a->len);
        for (guint i = 0; i < a->len; i++) {
            RefEntry *e = &g_array_index(a, RefEntry, i);
            g_assert_true(sk_cache_contains(&c, s, e->addr, e->did));
        }
    }
    g_assert_true(sk_cache_check(&c));
    /* The workload must exercise both outcomes, or the test proves little. */
    g_assert_cmpuint(hits, >, accesses / 20);
    g_assert_cmpuint(evictions, >, accesses / 20);
    sk_cache_destroy(&c);
    ref_free(r);
    g_rand_free(rng);
}

SK_TEST(test_lru, "/cache/lru")
{
    compare(SK_POLICY_LRU, 64, 8, 1, 100, 3, 50000, 1);
    compare(SK_POLICY_LRU, 512, 16, 4, 600, 8, 50000, 2);
}

SK_TEST(test_lfu, "/cache/lfu")
{
    compare(SK_POLICY_LFU, 64, 8, 1, 100, 3, 50000, 3);
    compare(SK_POLICY_LFU, 256, 4, 2, 300, 8, 50000, 4);
}

SK_TEST(test_oracle, "/cache/oracle")
{
    compare(SK_POLICY_ORACLE, 64, 8, 1, 100, 3, 50000, 5);
    compare(SK_POLICY_ORACLE, 128, 16, 8, 30, 16, 50000, 6);
}

SK_TEST(test_wide_sets, "/cache/wide-sets")
{
    /* Sets of 24 ways and more are searched through a hash index. */
    compare(SK_POLICY_LRU, 256, 256, 1, 300, 4, 60000, 7);
    compare(SK_POLICY_LFU, 1536, 1536, 1, 1500, 2, 60000, 8);
    compare(SK_POLICY_ORACLE, 128, 64, 2, 150, 4, 60000, 9);
}

SK_TEST(test_absent, "/cache/absent")
{
    SkCacheGeometry g = {0, 0, 1};
    SkCache c;
    sk_cache_init(&c, "none", &g, SK_POLICY_LRU, FALSE, FALSE, NULL);
    g_assert_false(sk_cache_present(&c));
    g_assert_false(sk_cache_insert(&c, 0, 0x1000, 1, 0));
    g_assert_false(sk_cache_lookup(&c, 0, 0x1000, 1, 0));
    sk_cache_destroy(&c);
}

/* HyperSIO mode's LRU is the same policy; only LFU and oracle ties differ. */
SK_TEST(test_hypersio_lru_same, "/cache/hypersio-lru")
{
    SkCacheGeometry g = {64, 8, 1};
    SkCache a, b;
    GRand *rng = g_rand_new_with_seed(10);
    sk_cache_init(&a, "a", &g, SK_POLICY_LRU, FALSE, FALSE, NULL);
    sk_cache_init(&b, "b", &g, SK_POLICY_LRU, TRUE, FALSE, NULL);
    for (int i = 0; i < 20000; i++) {
        uint64_t addr = (uint64_t)g_rand_int_range(rng, 0, 300) << 12;
        uint32_t set = sk_cache_set_of(&a, 0, addr >> 12);
        gboolean ha = sk_cache_lookup(&a, set, addr, 0, 0);
        g_assert_cmpint(ha, ==, sk_cache_lookup(&b, set, addr, 0, 0));
        if (!ha)
            g_assert_cmpint(sk_cache_insert(&a, set, addr, 0, 0), ==,
                            sk_cache_insert(&b, set, addr, 0, 0));
    }
    sk_cache_destroy(&a);
    sk_cache_destroy(&b);
    g_rand_free(rng);
}

SK_TEST_MAIN()
