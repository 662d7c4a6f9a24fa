/* cache.h - one set-associative translation cache (CC, IOTLB, page-walk
 * caches, prefetch buffer) with LRU, LFU or oracle replacement.
 *
 * A cache is `sets` sets of `assoc` ways.  The set of a lookup is
 *     ((did & (groups-1)) << fbits) | (bits & (2^fbits - 1)),
 *     fbits = log2(sets) - log2(groups),
 * where `bits` is what the caller indexes with (iova >> shift, or the source
 * id for the context cache), so `groups` partitions the sets among domains.
 * An entry's key is (addr, did); the context cache keys on the source id
 * alone (did 0).
 *
 * Replacement:
 *   LRU     victim = least recently searched or filled entry;
 *   LFU     every search hit counts +1; when an entry reaches 15 every count
 *           in the set halves; victim = least count;
 *   ORACLE  a search hit stores the searcher's next access time (NAT);
 *           victim = largest NAT (Belady).
 * Ties: in HyperSIO mode exactly as HyperSIO 1.0 broke them (the first in
 * libstdc++ unordered_map order for ORACLE; glibc rand() over the tied
 * entries in that order for LFU); otherwise the oldest entry wins.
 *
 * Invariants (checked by sk_cache_check() in debug builds):
 *   1. fill[s] == number of valid ways (tag != 0) of set s <= assoc;
 *   2. no two valid ways of a set have the same key;
 *   3. in HyperSIO mode with LFU or ORACLE, orders[s] lists exactly the valid
 *      ways of set s;
 *   4. with an index, every valid way is found through it;
 *   5. a way's tag is 0 exactly when it is invalid, and so is its stamp
 *      with LFU or ORACLE; ways assoc..stride-1 of a set are never valid;
 *   6. with LRU, each set's recency list holds exactly its valid ways, most
 *      recently used first. */
#ifndef CACHE_H
#define CACHE_H

#include <glib.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sk_glibc_rand.h"
#include "sk_cacheconfig.h"
#include "stdorder.h"

typedef enum {
    SK_POLICY_LRU,
    SK_POLICY_LFU,
    SK_POLICY_ORACLE,
} SkPolicy;

typedef struct SkCache {
    const char *name;
    SkPolicy policy;
    gboolean hypersio;      /* HyperSIO 1.0 tie-breaks */
    gboolean key_is_sid;    /* context cache: hash codes as std::hash<sid> */
    uint32_t sets, assoc, groups;
    uint32_t stride;        /* ways stored per set: assoc rounded up to a
                               multiple of 4; the rest are never valid */
    uint64_t stride_mask;   /* a bit per way of a set, sets without index */
    unsigned fbits;
    uint64_t bits_mask;     /* 2^fbits - 1 */
    /* Ways, sets * stride of them (entry set * stride + way), one array per
     * field so that a set's keys and ages scan in a cache line or two. */
    uint32_t *tag;          /* a hash of (addr, did), never 0; 0 in invalid
                               ways: one compare a way; 16 more at the end
                               for searches that read past the last set */
    uint64_t *addr;
    uint32_t *did;
    uint32_t *stamp;        /* LFU/ORACLE: insertion order (0: invalid);
                               unique within a set, renumbered before they
                               overflow */
    uint64_t *nat;          /* ORACLE */
    uint16_t *count;        /* LFU */
    uint32_t *fill;         /* valid ways per set */
    /* LRU: each set's valid ways in a list, most recently used first. */
    uint32_t *newer, *older;    /* per entry: its neighbours, or SK_CACHE_NONE */
    uint32_t *newest, *oldest;  /* per set: the ends, or SK_CACHE_NONE */
    uint64_t *version;      /* per set: fills so far (what a set holds
                               changes only when it is filled) */
    uint64_t *birth;        /* per way: its set's version just after the
                               way was last filled */
    uint32_t *last_fill;    /* per set: the entry filled last */
    SkStdOrder *orders;     /* per set, HyperSIO mode with LFU or ORACLE */
    uint32_t *index;        /* open-addressing index of entries (big sets) */
    uint64_t index_mask;
    uint32_t clock;         /* the last stamp given */
    SkGlibcRand *rand;      /* shared generator for HyperSIO's LFU ties */
} SkCache;

#define SK_CACHE_NONE UINT32_MAX         /* no entry */
#define SK_CACHE_CLOCK_MAX INT32_MAX     /* stamps stay below 2^31 */
#define SK_CACHE_LFU_MAX_COUNT 15

/* Sets up a cache of geometry g (size 0 = absent: lookups miss, inserts do
 * nothing).  g must satisfy sk_cacheconfig.h's invariants. */
void sk_cache_init(SkCache *c, const char *name, const SkCacheGeometry *g,
                   SkPolicy policy, gboolean hypersio, gboolean key_is_sid,
                   SkGlibcRand *rand);
void sk_cache_destroy(SkCache *c);

static inline gboolean sk_cache_present(const SkCache *c)
{
    return c->sets != 0;
}

static inline uint32_t sk_cache_set_of(const SkCache *c, uint32_t did,
                                       uint64_t bits)
{
    uint64_t group = did & (c->groups - 1);
    return (uint32_t)((group << c->fbits) | (bits & c->bits_mask));
}

/* A 32-bit hash of (addr, did): equal keys have equal tags, so a search
 * compares tags (many at a time) and confirms the few that match.  Odd, so
 * never the 0 of an invalid way. */
static inline uint32_t sk_cache_way_tag(uint64_t addr, uint32_t did)
{
    uint64_t t = addr ^ ((uint64_t)did * UINT64_C(0x9e3779b97f4a7c15));
    return (uint32_t)(t ^ (t >> 29)) | 1;
}

/* The entry (set * stride + way) holding (addr, did) in set, or
 * SK_CACHE_NONE.  The cache must be present. */
uint32_t sk_cache_index_find(const SkCache *c, uint32_t set, uint64_t addr,
                             uint32_t did);

static inline uint32_t sk_cache_find(const SkCache *c, uint32_t set,
                                     uint64_t addr, uint32_t did)
{
    if (c->index)
        return sk_cache_index_find(c, set, addr, did);
    /* Sets without an index have fewer than 32 ways: a bit per way of equal
     * tag, 16 at a time (the bits past the set dropped), then the
     * candidates confirmed. */
    uint32_t base = set * c->stride, tag = sk_cache_way_tag(addr, did), w = 0;
    const uint32_t *tags = &c->tag[base];
    uint64_t match = 0;
#ifdef __SSE2__
    __m128i key = _mm_set1_epi32((int)tag);
    do {
        __m128i a = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)&tags[w]), key);
        __m128i b = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)&tags[w + 4]), key);
        __m128i d = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)&tags[w + 8]), key);
        __m128i f = _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)&tags[w + 12]), key);
        __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(d, f));
        match |= (uint64_t)(unsigned)_mm_movemask_epi8(bytes) << w;
        w += 16;
    } while (w < c->stride);
    match &= c->stride_mask;
#else
    for (; w < c->stride; w++)
        match |= (uint64_t)(tags[w] == tag) << w;
#endif
    while (match) {
        uint32_t e = base + (uint32_t)__builtin_ctzll(match);
        if (c->addr[e] == addr && c->did[e] == did)
            return e;
        match &= match - 1;
    }
    return SK_CACHE_NONE;
}

/* Stamps renumbered, in order within each set, to start over from 1. */
void sk_cache_renumber(SkCache *c);

static inline uint32_t sk_cache_next_stamp(SkCache *c)
{
    if (c->clock >= SK_CACHE_CLOCK_MAX)
        sk_cache_renumber(c);
    return ++c->clock;
}

/* LFU: every count of set halves. */
void sk_cache_halve_counts(SkCache *c, uint32_t set);

/* LRU: entry e of set becomes the most recently used. */
static inline void sk_cache_lru_use(SkCache *c, uint32_t set, uint32_t e)
{
    uint32_t newest = c->newest[set];
    if (newest == e)
        return;
    uint32_t newer = c->newer[e], older = c->older[e];   /* newer exists */
    c->older[newer] = older;
    if (older != SK_CACHE_NONE)
        c->newer[older] = newer;
    else
        c->oldest[set] = newer;
    c->newer[e] = SK_CACHE_NONE;
    c->older[e] = newest;
    c->newer[newest] = e;
    c->newest[set] = e;
}

/* A search hit on entry e of set: updates the replacement state. */
static inline void sk_cache_touch(SkCache *c, uint32_t set, uint32_t e,
                                  uint64_t nat)
{
    switch (c->policy) {
    case SK_POLICY_LRU:
        sk_cache_lru_use(c, set, e);
        break;
    case SK_POLICY_LFU:
        if (++c->count[e] == SK_CACHE_LFU_MAX_COUNT)
            sk_cache_halve_counts(c, set);
        break;
    case SK_POLICY_ORACLE:
        c->nat[e] = nat;
        break;
    }
}

/* Searches set for (addr, did).  On a hit updates the replacement state as
 * described above and returns TRUE.  An absent cache always misses. */
static inline gboolean sk_cache_lookup(SkCache *c, uint32_t set, uint64_t addr,
                                       uint32_t did, uint64_t nat)
{
    if (c->sets == 0)
        return FALSE;
    uint32_t e = sk_cache_find(c, set, addr, did);
    if (e == SK_CACHE_NONE)
        return FALSE;
    sk_cache_touch(c, set, e, nat);
    return TRUE;
}

/* Where a search looked and what it found, for searching the same key
 * again later: free while the entry found has not been refilled, or after
 * a miss while the set has been filled at most once since (that fill may
 * have been the key). */
typedef struct SkCacheSpot {
    uint64_t version;       /* the entry's birth, or after a miss the set's
                               version, at the search */
    uint32_t set;
    uint32_t entry;         /* SK_CACHE_NONE: missed */
} SkCacheSpot;

/* What must be unchanged for spot to hold. */
static inline uint64_t sk_cache_spot_version(const SkCache *c,
                                             const SkCacheSpot *spot)
{
    return spot->entry != SK_CACHE_NONE ? c->birth[spot->entry]
                                        : c->version[spot->set];
}

/* sk_cache_find() remembering the search in *spot.  The cache must be
 * present. */
static inline uint32_t sk_cache_find_spot(const SkCache *c, uint32_t set,
                                          uint64_t addr, uint32_t did,
                                          SkCacheSpot *spot)
{
    spot->set = set;
    spot->entry = sk_cache_find(c, set, addr, did);
    spot->version = sk_cache_spot_version(c, spot);
    return spot->entry;
}

/* sk_cache_lookup(), remembering the search in *spot. */
static inline gboolean sk_cache_lookup_spot(SkCache *c, uint32_t set,
                                            uint64_t addr, uint32_t did,
                                            uint64_t nat, SkCacheSpot *spot)
{
    spot->set = set;
    spot->entry = SK_CACHE_NONE;
    if (c->sets == 0)
        return FALSE;
    if (sk_cache_find_spot(c, set, addr, did, spot) == SK_CACHE_NONE)
        return FALSE;
    sk_cache_touch(c, set, spot->entry, nat);
    return TRUE;
}

/* sk_cache_find() of the key spot searched for (addr, did) in its set,
 * searching only if what spot found may have changed; updates spot.  The
 * cache must be present. */
static inline uint32_t sk_cache_find_again(const SkCache *c, SkCacheSpot *spot,
                                           uint64_t addr, uint32_t did)
{
    uint64_t version = sk_cache_spot_version(c, spot);
    if (version == spot->version)
        return spot->entry;
    if (spot->entry == SK_CACHE_NONE && version == spot->version + 1) {
        uint32_t e = c->last_fill[spot->set];
        if (c->addr[e] == addr && c->did[e] == did)
            spot->entry = e;
    } else {
        spot->entry = sk_cache_find(c, spot->set, addr, did);
    }
    spot->version = sk_cache_spot_version(c, spot);
    return spot->entry;
}

/* TRUE if (addr, did) is in set; changes nothing. */
static inline gboolean sk_cache_contains(const SkCache *c, uint32_t set,
                                         uint64_t addr, uint32_t did)
{
    return c->sets != 0 && sk_cache_find(c, set, addr, did) != SK_CACHE_NONE;
}

/* Fills (addr, did), which must not be in the set; evicts a victim when the
 * set is full and returns TRUE if it did. */
gboolean sk_cache_insert(SkCache *c, uint32_t set, uint64_t addr, uint32_t did,
                         uint64_t nat);

/* Checks the invariants above; for assert(). */
gboolean sk_cache_check(const SkCache *c);

#endif
