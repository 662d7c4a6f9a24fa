/* iommu.h - the IOMMU state both models replay a trace against: the five
 * caches (context cache, IOTLB, the two page-walk caches, the prefetch
 * buffer), the prefetcher and the translation queue's occupancy.
 *
 * iommu_init() sets them up from the options as the model asks
 * (HyperSIO 1.0's tie-breaks or not; whether the prefetcher runs) and
 * iommu_clear() frees them, so each model's run function is its loop.
 * Hot paths (iommu_may_fill, the queue) are inline. */
#ifndef IOMMU_H
#define IOMMU_H

#include <glib.h>
#include <stdint.h>

#include "cache.h"
#include "model.h"
#include "prefetcher.h"
#include "sk_glibc_rand.h"

/* The page-walk caches' keys: a 2 MiB and a 1 GiB region. */
#define IOMMU_MASK_2M (~((UINT64_C(1) << 21) - 1))
#define IOMMU_MASK_1G (~((UINT64_C(1) << 30) - 1))

typedef struct SkIommu {
    SkCache cc, iotlb, l2, l3, pbuf;
    SkPrefetcher prefetcher;
    gboolean prefetching;           /* the prefetcher runs */
    gboolean salloc;                /* selective allocation by domain id */
    uint32_t g_iotlb, g_l2, g_l3;   /* salloc: groups of each cache */
    uint64_t tqueue;                /* translation queue entries */
    uint64_t in_flight;             /* entries taken */
    uint64_t max_in_flight;
    uint64_t checkpoints;           /* iommu_checkpoint() calls */
} SkIommu;

/* Sets up the caches of o->caches (LFU context cache keyed by source id,
 * IOTLB with o->policy, LRU page-walk caches and prefetch buffer), the
 * prefetcher when `prefetch` is TRUE, and an empty queue of o->tqueue
 * entries.  hypersio: HyperSIO 1.0's tie-breaks, drawn from rand. */
void iommu_init(SkIommu *u, const SkModelOptions *o, gboolean hypersio,
                gboolean prefetch, SkGlibcRand *rand);
void iommu_clear(SkIommu *u);

/* Whether every cache keeps its invariants (cache.h) and the queue holds
 * never more than its peak. */
gboolean iommu_check(const SkIommu *u);

/* Debug builds (meson buildtype debug, the suite's ASan run, define
 * SK_CHECK_INVARIANTS) assert iommu_check() every IOMMU_CHECK_EVERY
 * translations a model issues and when the run ends (iommu_clear()), as
 * SQLite asserts its invariants; other builds pay nothing. */
#define IOMMU_CHECK_EVERY 4096
static inline void iommu_checkpoint(SkIommu *u)
{
#ifdef SK_CHECK_INVARIANTS
    if (++u->checkpoints % IOMMU_CHECK_EVERY == 0)
        g_assert(iommu_check(u));
#else
    (void)u;
#endif
}

/* --salloc: whether domain did may fill the cache counted as `stat`
 * (SK_STAT_IOTLB, SK_STAT_L2PAGE, SK_STAT_L3PAGE; others always may). */
static inline gboolean iommu_may_fill(const SkIommu *u, int stat, uint32_t did)
{
    uint32_t a = u->g_iotlb, b = a + u->g_l2, d = b + u->g_l3;
    if (!u->salloc)
        return TRUE;
    switch (stat) {
    case SK_STAT_IOTLB: return did < a;
    case SK_STAT_L2PAGE: return did >= a && did < b;
    case SK_STAT_L3PAGE: return did >= b && did < d;
    default: return TRUE;
    }
}

/* The translation queue: a free entry, take one, give one back. */
static inline gboolean iommu_queue_free(const SkIommu *u)
{
    return u->in_flight < u->tqueue;
}

static inline void iommu_queue_take(SkIommu *u)
{
    u->in_flight++;
    u->max_in_flight = MAX(u->max_in_flight, u->in_flight);
}

static inline void iommu_queue_release(SkIommu *u)
{
    u->in_flight--;
}

#endif
