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
 *   1. fill[s] == number of valid ways (stamp != 0) of set s <= assoc;
 *   2. no two valid ways of a set have the same key;
 *   3. in HyperSIO mode with LFU or ORACLE, orders[s] lists exactly the valid
 *      ways of set s;
 *   4. with an index, every valid way is found through it. */
#ifndef CACHE_H
#define CACHE_H

#include <glib.h>
#include <stdint.h>

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
    unsigned fbits;
    /* Ways, sets * assoc of them, one array per field so that a set's keys
     * and ages scan in a cache line or two.  stamp 0 = invalid way. */
    uint32_t *tag;          /* a hash of (addr, did): one compare a way */
    uint64_t *addr;
    uint32_t *did;
    uint64_t *stamp;        /* LRU: last use; LFU/ORACLE: insertion */
    uint64_t *nat;          /* ORACLE */
    uint16_t *count;        /* LFU */
    uint32_t *fill;         /* valid ways per set */
    SkStdOrder *orders;     /* per set, HyperSIO mode with LFU or ORACLE */
    uint32_t *index;        /* open-addressing index of entries (big sets) */
    uint64_t index_mask;
    uint64_t clock;
    SkGlibcRand *rand;      /* shared generator for HyperSIO's LFU ties */
} SkCache;

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
    return (uint32_t)((group << c->fbits) | (bits & ((UINT64_C(1) << c->fbits) - 1)));
}

/* Searches set for (addr, did).  On a hit updates the replacement state as
 * described above and returns TRUE.  An absent cache always misses. */
gboolean sk_cache_lookup(SkCache *c, uint32_t set, uint64_t addr, uint32_t did,
                         uint64_t nat);
/* TRUE if (addr, did) is in set; changes nothing. */
gboolean sk_cache_contains(const SkCache *c, uint32_t set, uint64_t addr,
                           uint32_t did);
/* Fills (addr, did), which must not be in the set; evicts a victim when the
 * set is full and returns TRUE if it did. */
gboolean sk_cache_insert(SkCache *c, uint32_t set, uint64_t addr, uint32_t did,
                         uint64_t nat);

/* Checks the invariants above; for assert(). */
gboolean sk_cache_check(const SkCache *c);

#endif
