/* rr_sim_prefetch.h - one corrected prefetch simulation (time-outs working), exposed for tests. */
#ifndef RR_SIM_PREFETCH_H
#define RR_SIM_PREFETCH_H

#include <glib.h>
#include <stdint.h>

#include "rr_trace.h"

typedef struct RrPrefetchCounts {
    uint64_t hits, misses, good, bad, layer_gets;
    uint64_t prefetched_bytes, served_bytes, max_held;
    guint32 n_repos;
} RrPrefetchCounts;

typedef struct RrPrefetch RrPrefetch;

RrPrefetch *rr_prefetch_new(guint32 n_repos, double rtimeout, double mtimeout);
/* One request at time t (seconds, never decreasing); type 'l' or 'm'. */
void rr_prefetch_put(RrPrefetch *p, double t, guint32 repo, char type, RrMethod method,
                     uint64_t client, uint64_t size);
/* Counts the entries still held; the counts stay valid until free. */
const RrPrefetchCounts *rr_prefetch_finish(RrPrefetch *p);
void rr_prefetch_free(RrPrefetch *p);

#endif
