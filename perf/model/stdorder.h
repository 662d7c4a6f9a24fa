/* stdorder.h - the iteration order of a libstdc++ std::unordered_map.
 *
 * HyperSIO 1.0 picks oracle victims as the first entry of largest NAT, and
 * LFU victims by rand() over the entries of least count, both in the
 * iteration order of a std::unordered_map.  That order is a property of
 * libstdc++'s hash table (a singly linked list of nodes, each bucket a run
 * of the list; new nodes go to the front of their bucket's run, or to the
 * front of the list when the bucket is empty; prime bucket counts that grow
 * when the element count exceeds the bucket count).  This module keeps the
 * same list for elements named by small integers (slots), given each one's
 * hash code, so that the model can iterate as HyperSIO did.  It is checked
 * against the real container in tests/test_stdorder.cpp.
 *
 * Invariants:
 *   1. the nodes of each bucket are contiguous in the list;
 *   2. buckets[b] is the node before bucket b's first node (SK_ORDER_HEAD
 *      for the list head) or SK_ORDER_NONE when bucket b is empty;
 *   3. count <= next_resize unless next_resize is 0 (nothing allocated). */
#ifndef STDORDER_H
#define STDORDER_H

#include <stdint.h>

#define SK_ORDER_NONE UINT32_MAX
#define SK_ORDER_HEAD (UINT32_MAX - 1)

typedef struct SkStdOrder {
    uint32_t capacity;      /* slots 0..capacity-1 */
    uint32_t count;
    uint32_t head;          /* first slot, or SK_ORDER_NONE */
    uint32_t *next;         /* next slot in the list, per slot */
    uint64_t *hash;         /* hash code, per slot */
    uint32_t *buckets;
    uint64_t n_buckets;
    uint64_t next_resize;
} SkStdOrder;

void sk_std_order_init(SkStdOrder *o, uint32_t capacity);
void sk_std_order_destroy(SkStdOrder *o);
/* Inserts slot (not present) with its hash code, as emplace() would. */
void sk_std_order_insert(SkStdOrder *o, uint32_t slot, uint64_t hash);
/* Removes slot (present), as erase(key) would. */
void sk_std_order_erase(SkStdOrder *o, uint32_t slot);

static inline uint32_t sk_std_order_first(const SkStdOrder *o)
{
    return o->head;
}

static inline uint32_t sk_std_order_next(const SkStdOrder *o, uint32_t slot)
{
    return o->next[slot];
}

#endif
