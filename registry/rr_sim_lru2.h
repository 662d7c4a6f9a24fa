/* rr_sim_lru2.h - the corrected two-tier cache of lru2, exposed for tests. */
#ifndef RR_SIM_LRU2_H
#define RR_SIM_LRU2_H

#include "rr_lru.h"

typedef struct RrLru2Counts {
    uint64_t requests, mem_hits, fs_hits, misses;
    uint64_t mem_bytes, fs_bytes, miss_bytes;
    uint64_t mem_evictions, fs_evictions;
} RrLru2Counts;

typedef struct RrLru2 {
    RrLru mem, fs;
    uint64_t restrict_;
    gboolean warm;              /* memory has evicted once */
    RrLru2Counts all, after_warmup;
} RrLru2;

void rr_lru2_init(RrLru2 *c, uint32_t n_layers, uint64_t capacity, unsigned fsfactor);
/* One request for layer id of size bytes. */
void rr_lru2_place(RrLru2 *c, uint32_t id, uint64_t size);
void rr_lru2_free(RrLru2 *c);

#endif
