/* designs.c - the named IOMMU designs of perf-explore (see designs.h). */
#include "designs.h"

#include <string.h>

#define N_DESIGNS 5

static SkDesign designs[N_DESIGNS];
static gsize designs_ready;

static void partition(SkCacheConfig *c)
{
    c->iotlb.groups = 8;      /* 8 sets of 8 ways: one set per group */
    c->l2page.groups = 32;    /* 32 sets of 16 ways */
    c->l3page.groups = 64;    /* 64 sets of 16 ways */
}

static void prefetch(SkCacheConfig *c)
{
    c->prefetch_size = 64;
    c->prefetch_distance = 32;
    c->prefetch_histlen = 2;
}

static void designs_init(void)
{
    SkDesign *d = designs;

    if (!g_once_init_enter(&designs_ready))
        return;
    for (int i = 0; i < N_DESIGNS; i++) {
        sk_cache_config_default(&d[i].caches);
        d[i].tqueue = 16;
        d[i].caches.walk_table = 16;   /* as many walks as the queue holds */
        d[i].salloc = FALSE;
    }
    d[0].name = "base";
    d[0].summary = "HyperSIO 1.0's defaults: IOTLB 64/8, L2PAGE 512/16, "
                   "L3PAGE 1024/16, CC 1536, no prefetch, tqueue 1";
    d[0].tqueue = 1;
    d[0].caches.walk_table = 0;
    d[1].name = "tq";
    d[1].summary = "base + translation queue of 16 in-flight translations, "
                   "misses coalesced in a walk table of 16 (siokit)";
    d[2].name = "part";
    d[2].summary = "tq + caches partitioned by domain (IOTLB 8, L2PAGE 32, "
                   "L3PAGE 64 groups), selective allocation";
    partition(&d[2].caches);
    d[2].salloc = TRUE;
    d[3].name = "prefetch";
    d[3].summary = "tq + prefetch buffer of 64 entries (distance 32, history 2)";
    prefetch(&d[3].caches);
    d[4].name = "hypertrio";
    d[4].summary = "all together: tq + part + prefetch";
    partition(&d[4].caches);
    prefetch(&d[4].caches);
    d[4].salloc = TRUE;
    g_once_init_leave(&designs_ready, 1);
}

const SkDesign *sk_designs(guint *n)
{
    designs_init();
    *n = N_DESIGNS;
    return designs;
}

const SkDesign *sk_design_find(const char *name)
{
    designs_init();
    for (int i = 0; i < N_DESIGNS; i++)
        if (strcmp(designs[i].name, name) == 0)
            return &designs[i];
    return NULL;
}

guint sk_design_rank(const char *name)
{
    const SkDesign *d = sk_design_find(name);
    return d ? (guint)(d - designs) : N_DESIGNS;
}

char *sk_design_names(void)
{
    GString *s = g_string_new(NULL);

    designs_init();
    for (int i = 0; i < N_DESIGNS; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", designs[i].name);
    return g_string_free(s, FALSE);
}
