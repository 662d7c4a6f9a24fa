/* rr_lru.h - an LRU list of ids with byte sizes and a capacity (intrusive, O(1) per step).
 *
 * Invariants: 1. an id is in the list at most once; 2. used is the sum of
 * the sizes of the ids in the list; 3. after rr_lru_make_room(l, s)
 * returns TRUE, used + s <= capacity. */
#ifndef RR_LRU_H
#define RR_LRU_H

#include <glib.h>
#include <stdint.h>

#define RR_LRU_NONE UINT32_MAX

typedef struct RrLru {
    uint32_t *prev, *next;  /* per id; RR_LRU_NONE at the ends */
    uint64_t *size;         /* per id, while in the list */
    guint8 *in;             /* per id: in the list */
    uint32_t head, tail;    /* head: least recently used */
    uint64_t used, capacity;
} RrLru;

void rr_lru_init(RrLru *l, uint32_t n_ids, uint64_t capacity);
void rr_lru_free(RrLru *l);
static inline gboolean rr_lru_has(const RrLru *l, uint32_t id)
{
    return l->in[id];
}
/* Moves id to the most recently used end. */
void rr_lru_touch(RrLru *l, uint32_t id);
/* Adds id (not in the list) at the most recently used end. */
void rr_lru_add(RrLru *l, uint32_t id, uint64_t size);
void rr_lru_remove(RrLru *l, uint32_t id);
/* Removes and returns the least recently used id, or RR_LRU_NONE. */
uint32_t rr_lru_pop(RrLru *l);

#endif
