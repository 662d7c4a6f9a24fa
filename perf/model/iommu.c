/* iommu.c - setting up and freeing the IOMMU state of both models (see
 * iommu.h). */
#include "iommu.h"

#include <string.h>

void iommu_init(SkIommu *u, const SkModelOptions *o, gboolean hypersio,
                gboolean prefetch, SkGlibcRand *rand)
{
    const SkCacheConfig *c = &o->caches;
    SkCacheGeometry pbuf = {c->prefetch_size, c->prefetch_size, 1};

    memset(u, 0, sizeof(*u));
    sk_cache_init(&u->cc, "CC", &c->cc, SK_POLICY_LFU, hypersio, TRUE, rand);
    sk_cache_init(&u->iotlb, "IOTLB", &c->iotlb, o->policy, hypersio, FALSE, rand);
    sk_cache_init(&u->l2, "L2PAGE", &c->l2page, SK_POLICY_LRU, hypersio, FALSE, rand);
    sk_cache_init(&u->l3, "L3PAGE", &c->l3page, SK_POLICY_LRU, hypersio, FALSE, rand);
    sk_cache_init(&u->pbuf, "PREFETCH", &pbuf, SK_POLICY_LRU, hypersio, FALSE, rand);
    u->prefetching = prefetch;
    if (prefetch)
        sk_prefetcher_init(&u->prefetcher, c->prefetch_histlen, c->prefetch_distance);
    u->salloc = o->salloc;
    u->g_iotlb = c->iotlb.groups;
    u->g_l2 = c->l2page.groups;
    u->g_l3 = c->l3page.groups;
    u->tqueue = o->tqueue;
}

gboolean iommu_check(const SkIommu *u)
{
    const SkCache *caches[] = {&u->cc, &u->iotlb, &u->l2, &u->l3, &u->pbuf};

    for (guint i = 0; i < G_N_ELEMENTS(caches); i++)
        if (caches[i]->sets && !sk_cache_check(caches[i]))
            return FALSE;
    return u->in_flight <= u->max_in_flight;
}

void iommu_clear(SkIommu *u)
{
#ifdef SK_CHECK_INVARIANTS
    g_assert(iommu_check(u));
#endif
    sk_cache_destroy(&u->cc);
    sk_cache_destroy(&u->iotlb);
    sk_cache_destroy(&u->l2);
    sk_cache_destroy(&u->l3);
    sk_cache_destroy(&u->pbuf);
    if (u->prefetching)
        sk_prefetcher_destroy(&u->prefetcher);
    memset(u, 0, sizeof(*u));
}
