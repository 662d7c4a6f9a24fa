/* cache.c - set-associative translation caches with LRU, LFU and oracle
 * replacement (see cache.h). */
#include "cache.h"
#include "sk_free.h"

#include <stdlib.h>
#include <string.h>

#define INDEX_MIN_ASSOC 24   /* sets this wide are searched through an index */

static unsigned log2u(uint64_t v)
{
    unsigned l = 0;
    while (v > 1) {
        v >>= 1;
        l++;
    }
    return l;
}

static inline uint64_t key_mix(uint64_t addr, uint32_t did, uint32_t set)
{
    uint64_t k = addr ^ ((uint64_t)did << 40) ^ ((uint64_t)set << 20) ^ did;
    k ^= k >> 31;
    k *= UINT64_C(0x9e3779b97f4a7c15);
    k ^= k >> 29;
    return k;
}

/* libstdc++'s hash code of the key, for the iteration order. */
static inline uint64_t std_hash(const SkCache *c, uint64_t addr, uint32_t did)
{
    if (c->key_is_sid)
        return addr;                    /* std::hash<uint16_t>: identity */
    return (addr << 16) | did;          /* HyperSIO's hash<AddrDidKey> */
}

void sk_cache_init(SkCache *c, const char *name, const SkCacheGeometry *g,
                   SkPolicy policy, gboolean hypersio, gboolean key_is_sid,
                   SkGlibcRand *rand)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->policy = policy;
    c->hypersio = hypersio;
    c->key_is_sid = key_is_sid;
    c->rand = rand;
    if (g->size == 0 || g->assoc == 0)
        return;
    c->assoc = g->assoc;
    c->stride = (g->assoc + 3) / 4 * 4;
    c->sets = g->size / g->assoc;
    c->groups = g->groups;
    c->fbits = log2u(c->sets) - log2u(c->groups);
    c->bits_mask = (UINT64_C(1) << c->fbits) - 1;
    gsize ways = (gsize)c->sets * c->stride;
    c->tag = g_new0(uint32_t, ways + 16);
    c->stride_mask = c->stride < 64 ? (UINT64_C(1) << c->stride) - 1 : UINT64_MAX;
    c->addr = g_new0(uint64_t, ways);
    c->did = g_new0(uint32_t, ways);
    c->stamp = g_new0(uint32_t, ways);
    c->nat = g_new0(uint64_t, ways);
    c->count = g_new0(uint16_t, ways);
    c->fill = g_new0(uint32_t, c->sets);
    if (policy == SK_POLICY_LRU) {
        c->newer = g_new(uint32_t, ways);
        c->older = g_new(uint32_t, ways);
        c->newest = g_new(uint32_t, c->sets);
        c->oldest = g_new(uint32_t, c->sets);
        memset(c->newest, 0xff, c->sets * sizeof(uint32_t));
        memset(c->oldest, 0xff, c->sets * sizeof(uint32_t));
    }
    c->version = g_new0(uint64_t, c->sets);
    c->birth = g_new0(uint64_t, ways);
    c->last_fill = g_new0(uint32_t, c->sets);
    if (hypersio && policy != SK_POLICY_LRU) {
        c->orders = g_new(SkStdOrder, c->sets);
        for (uint32_t s = 0; s < c->sets; s++)
            sk_std_order_init(&c->orders[s], c->assoc);
    }
    if (c->assoc >= INDEX_MIN_ASSOC) {
        uint64_t cap = 64;
        while (cap < (uint64_t)c->sets * c->stride * 2)
            cap *= 2;
        c->index = g_new(uint32_t, cap);
        memset(c->index, 0xff, cap * sizeof(uint32_t));
        c->index_mask = cap - 1;
    }
}

void sk_cache_destroy(SkCache *c)
{
    if (c->orders)
        for (uint32_t s = 0; s < c->sets; s++)
            sk_std_order_destroy(&c->orders[s]);
    SK_FREE_ALL(c->orders, c->tag, c->addr, c->did, c->stamp, c->nat, c->count,
                c->fill, c->newer, c->older, c->newest, c->oldest, c->version,
                c->birth, c->last_fill, c->index);
    memset(c, 0, sizeof(*c));
}

/* ---- the index of wide sets: linear probing over entry numbers ---- */

uint32_t sk_cache_index_find(const SkCache *c, uint32_t set, uint64_t addr,
                             uint32_t did)
{
    uint64_t i = key_mix(addr, did, set) & c->index_mask;
    for (;;) {
        uint32_t e = c->index[i];
        if (e == UINT32_MAX)
            return SK_CACHE_NONE;
        if (c->addr[e] == addr && c->did[e] == did && e / c->stride == set)
            return e;
        i = (i + 1) & c->index_mask;
    }
}

static void index_add(SkCache *c, uint32_t set, uint32_t e)
{
    uint64_t i = key_mix(c->addr[e], c->did[e], set) & c->index_mask;
    while (c->index[i] != UINT32_MAX)
        i = (i + 1) & c->index_mask;
    c->index[i] = e;
}

static void index_remove(SkCache *c, uint32_t e)
{
    uint32_t set = e / c->stride;
    uint64_t i = key_mix(c->addr[e], c->did[e], set) & c->index_mask;

    while (c->index[i] != e)
        i = (i + 1) & c->index_mask;
    /* Backward-shift deletion keeps every probe chain unbroken. */
    for (;;) {
        uint64_t j = (i + 1) & c->index_mask;
        c->index[i] = UINT32_MAX;
        for (;;) {
            uint32_t f = c->index[j];
            if (f == UINT32_MAX)
                return;
            uint64_t home = key_mix(c->addr[f], c->did[f], f / c->stride) & c->index_mask;
            /* f may move to i if its home is not in (i, j]. */
            gboolean between = i <= j ? (home > i && home <= j)
                                      : (home > i || home <= j);
            if (!between) {
                c->index[i] = f;
                i = j;
                break;
            }
            j = (j + 1) & c->index_mask;
        }
    }
}

/* ---- replacement state ---- */

static int compare_stamp(const void *a, const void *b)
{
    uint32_t x = **(const uint32_t *const *)a, y = **(const uint32_t *const *)b;
    return (x > y) - (x < y);
}

void sk_cache_renumber(SkCache *c)
{
    uint32_t **ways = g_new(uint32_t *, c->assoc), top = 0;

    for (uint32_t s = 0; s < c->sets; s++) {
        uint32_t n = 0;
        for (uint32_t w = 0; w < c->assoc; w++)
            if (c->stamp[(uint64_t)s * c->stride + w])
                ways[n++] = &c->stamp[(uint64_t)s * c->stride + w];
        qsort(ways, n, sizeof(*ways), compare_stamp);   /* stamps are unique */
        for (uint32_t i = 0; i < n; i++)
            *ways[i] = i + 1;
        top = MAX(top, n);
    }
    c->clock = top;
    g_free(ways);
}

void sk_cache_halve_counts(SkCache *c, uint32_t set)
{
    uint16_t *counts = &c->count[(uint64_t)set * c->stride];
    for (uint32_t w = 0; w < c->assoc; w++)
        counts[w] >>= 1;       /* invalid ways hold 0 */
}

/* ---- fill ---- */

/* The way to evict from a full LFU or ORACLE set (LRU: its oldest way). */
static uint32_t victim(SkCache *c, uint32_t set)
{
    uint64_t base = (uint64_t)set * c->stride;
    const uint32_t *stamp = &c->stamp[base];
    const uint64_t *nat = &c->nat[base];
    const uint16_t *count = &c->count[base];
    uint32_t best = 0;

    if (c->hypersio) {
        const SkStdOrder *o = &c->orders[set];
        uint32_t first = sk_std_order_first(o);
        if (c->policy == SK_POLICY_ORACLE) {
            /* First entry whose NAT beats the running maximum from 0. */
            uint64_t max = 0;
            best = first;
            for (uint32_t w = first; w != SK_ORDER_NONE; w = sk_std_order_next(o, w))
                if (nat[w] > max) {
                    max = nat[w];
                    best = w;
                }
            return best;
        }
        /* LFU: rand() % ties, ties listed in iteration order. */
        uint32_t ties[c->assoc], n = 0;
        uint16_t min = SK_CACHE_LFU_MAX_COUNT;
        for (uint32_t w = first; w != SK_ORDER_NONE; w = sk_std_order_next(o, w)) {
            if (count[w] == min) {
                ties[n++] = w;
            } else if (count[w] < min) {
                min = count[w];
                n = 0;
                ties[n++] = w;
            }
        }
        return ties[(uint32_t)sk_glibc_rand_next(c->rand) % n];
    }
    for (uint32_t w = 1; w < c->assoc; w++) {
        gboolean better;
        if (c->policy == SK_POLICY_ORACLE)
            better = nat[w] > nat[best] || (nat[w] == nat[best] && stamp[w] < stamp[best]);
        else
            better = count[w] < count[best] ||
                     (count[w] == count[best] && stamp[w] < stamp[best]);
        if (better)
            best = w;
    }
    return best;
}

gboolean sk_cache_insert(SkCache *c, uint32_t set, uint64_t addr, uint32_t did,
                         uint64_t nat)
{
    uint32_t base, e, w;
    gboolean evicted = FALSE;

    if (c->sets == 0)
        return FALSE;
    base = set * c->stride;
    if (c->fill[set] == c->assoc) {
        w = c->policy == SK_POLICY_LRU ? c->oldest[set] - base : victim(c, set);
        if (c->index)
            index_remove(c, base + w);
        if (c->orders)
            sk_std_order_erase(&c->orders[set], w);
        evicted = TRUE;
    } else {
        for (w = 0; c->tag[base + w]; w++)
            ;
        c->fill[set]++;
    }
    e = base + w;
    c->birth[e] = ++c->version[set];
    c->last_fill[set] = e;
    c->tag[e] = sk_cache_way_tag(addr, did);
    c->addr[e] = addr;
    c->did[e] = did;
    if (c->policy == SK_POLICY_LRU) {
        if (evicted) {
            sk_cache_lru_use(c, set, e);
        } else {
            /* a new way joins its set's list as the most recently used */
            c->newer[e] = SK_CACHE_NONE;
            c->older[e] = c->newest[set];
            if (c->newest[set] != SK_CACHE_NONE)
                c->newer[c->newest[set]] = e;
            else
                c->oldest[set] = e;
            c->newest[set] = e;
        }
    } else {
        c->nat[e] = nat;
        c->count[e] = 0;
        c->stamp[e] = sk_cache_next_stamp(c);
    }
    if (c->index)
        index_add(c, set, e);
    if (c->orders)
        sk_std_order_insert(&c->orders[set], w, std_hash(c, addr, did));
    return evicted;
}

gboolean sk_cache_check(const SkCache *c)
{
    for (uint32_t s = 0; s < c->sets; s++) {
        uint64_t base = (uint64_t)s * c->stride;
        uint32_t n = 0;
        for (uint32_t w = 0; w < c->stride; w++) {
            uint64_t e = base + w;
            if ((c->policy != SK_POLICY_LRU && (c->tag[e] != 0) != (c->stamp[e] != 0)) ||
                (w >= c->assoc && c->tag[e]))
                return FALSE;
            if (!c->tag[e])
                continue;
            n++;
            for (uint32_t v = w + 1; v < c->assoc; v++)
                if (c->tag[base + v] && c->addr[base + v] == c->addr[e] &&
                    c->did[base + v] == c->did[e])
                    return FALSE;
            if (c->index && sk_cache_index_find(c, s, c->addr[e], c->did[e]) != e)
                return FALSE;
        }
        if (n != c->fill[s])
            return FALSE;
        if (c->newest) {
            uint32_t k = 0, prev = SK_CACHE_NONE;
            for (uint32_t e = c->newest[s]; e != SK_CACHE_NONE; e = c->older[e]) {
                if (e / c->stride != s || !c->tag[e] || c->newer[e] != prev || ++k > n)
                    return FALSE;
                prev = e;
            }
            if (k != n || c->oldest[s] != prev)
                return FALSE;
        }
        if (c->orders && c->orders[s].count != n)
            return FALSE;
    }
    return TRUE;
}
