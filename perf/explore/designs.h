/* designs.h - perf-explore's named IOMMU designs: the design points of the
 * HyperTRIO study as presets over HyperSIO 1.0's base configuration.
 *
 *   base       HyperSIO's defaults (sk_cache_config_default), tqueue 1
 *   tq         base + a 16-entry translation queue (in-flight translations)
 *              and, in the siokit model, a 16-entry walk table (misses to a
 *              page whose walk is in flight wait for it; never full)
 *   part       tq + caches partitioned by domain id (IOTLB 8 groups,
 *              L2PAGE 32, L3PAGE 64) with selective allocation
 *   prefetch   tq + a 64-entry prefetch buffer (distance 32, history 2)
 *   hypertrio  all of them together: tq + part + prefetch
 *
 * docs/perf-explore.md gives every value. */
#ifndef DESIGNS_H
#define DESIGNS_H

#include <glib.h>
#include <stdint.h>

#include "sk_cacheconfig.h"

typedef struct SkDesign {
    const char *name;
    const char *summary;      /* one line for --list-designs */
    SkCacheConfig caches;
    uint32_t tqueue;
    gboolean salloc;
} SkDesign;

/* The presets in their order (also the order of tables and plots). */
const SkDesign *sk_designs(guint *n);
/* The preset of that name, or NULL. */
const SkDesign *sk_design_find(const char *name);
/* Its position in sk_designs(), or the number of presets for an unknown
 * name (sorts after them). */
guint sk_design_rank(const char *name);
/* "base, tq, part, prefetch, hypertrio" for messages; g_free() it. */
char *sk_design_names(void);

#endif
