/* walktable.h - the table of page walks in flight, for miss coalescing
 * (the siokit model's WALKTABLE; docs/model.md).
 *
 * A walk is known by its page: (address & page mask, domain id, level).  A
 * translation that misses the IOTLB and the prefetch buffer asks the table:
 *   - a walk of its page is in flight: it waits for that walk and completes
 *     with it (coalesced), sk_walk_table_wait();
 *   - else, with an entry free and nobody stalled, it starts a walk and
 *     takes the entry until the walk completes, sk_walk_table_start();
 *   - else it stalls, first in first out, sk_walk_table_stall(): when a
 *     walk completes the caller takes stalled translations from the head
 *     while each can wait for a walk in flight or start one.
 * Translations are the caller's ids (uint32_t); waiters and stalled ones
 * are at most `capacity` (the translation queue) at once.
 *
 * Invariants (sk_walk_table_check, asserted under SK_CHECK_INVARIANTS):
 *   1. used <= entries; used walks are exactly those reachable from the
 *      hash buckets, each once, in the bucket of its page's hash;
 *   2. no two walks in flight have the same page;
 *   3. free entries are on the free list, used + free = entries;
 *   4. waiters + stalled <= capacity; a stalled translation exists only
 *      while the table is full (after the caller's drain). */
#ifndef WALKTABLE_H
#define WALKTABLE_H

#include <glib.h>
#include <stdint.h>

#define SK_WALK_NONE UINT32_MAX

typedef struct SkWalk {
    uint64_t addr;                 /* page address (iova & mask) */
    uint32_t did, level;
    uint32_t next;                 /* next in its bucket, or free list */
    uint32_t first, last;          /* its waiters (nodes), or NONE */
    uint32_t n_waiters;
} SkWalk;

typedef struct SkWalkTable {
    uint32_t entries, used, max_used;
    SkWalk *walks;
    uint32_t free_walk;
    uint32_t *bucket;              /* heads of the hash chains */
    uint32_t bucket_mask;
    /* Waiter nodes: a translation id and the next node. */
    uint32_t capacity;
    uint32_t *node_id, *node_next;
    uint32_t free_node, waiters;
    /* Stalled translations: a ring of capacity. */
    uint32_t *stall;
    uint32_t stall_head, stalled;
} SkWalkTable;

/* A table of `entries` walks (>= 1) for at most `capacity` translations
 * waiting or stalled at once. */
void sk_walk_table_init(SkWalkTable *t, uint32_t entries, uint32_t capacity);
void sk_walk_table_destroy(SkWalkTable *t);
gboolean sk_walk_table_check(const SkWalkTable *t);

/* The walk in flight of that page, or SK_WALK_NONE. */
uint32_t sk_walk_table_find(const SkWalkTable *t, uint64_t addr, uint32_t did,
                            uint32_t level);

static inline gboolean sk_walk_table_full(const SkWalkTable *t)
{
    return t->used == t->entries;
}

/* Takes an entry for a walk of that page; the table is not full and has no
 * walk of that page.  Returns the walk. */
uint32_t sk_walk_table_start(SkWalkTable *t, uint64_t addr, uint32_t did,
                             uint32_t level);
/* Translation id waits for walk. */
void sk_walk_table_wait(SkWalkTable *t, uint32_t walk, uint32_t id);
/* The walk completed: frees its entry and writes its waiters' ids, in the
 * order they came, to out (room for capacity ids); returns how many. */
uint32_t sk_walk_table_finish(SkWalkTable *t, uint32_t walk, uint32_t *out);

/* The stall queue: add at the tail; the head (SK_WALK_NONE when empty);
 * remove the head. */
void sk_walk_table_stall(SkWalkTable *t, uint32_t id);
static inline uint32_t sk_walk_table_stalled_head(const SkWalkTable *t)
{
    return t->stalled ? t->stall[t->stall_head] : SK_WALK_NONE;
}
void sk_walk_table_unstall(SkWalkTable *t);

#endif
