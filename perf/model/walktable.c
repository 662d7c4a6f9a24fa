/* walktable.c - the table of page walks in flight (see walktable.h). */
#include "walktable.h"

#include <string.h>

static uint32_t hash(const SkWalkTable *t, uint64_t addr, uint32_t did, uint32_t level)
{
    uint64_t h = (addr >> 12) ^ ((uint64_t)did << 40) ^ ((uint64_t)level << 60);
    h *= UINT64_C(0x9e3779b97f4a7c15);
    return (uint32_t)(h >> 32) & t->bucket_mask;
}

void sk_walk_table_init(SkWalkTable *t, uint32_t entries, uint32_t capacity)
{
    uint32_t buckets = 1;

    g_assert(entries >= 1 && capacity >= 1);
    memset(t, 0, sizeof(*t));
    while (buckets < 2 * entries)
        buckets *= 2;
    t->entries = entries;
    t->walks = g_new(SkWalk, entries);
    for (uint32_t i = 0; i < entries; i++)
        t->walks[i].next = i + 1 < entries ? i + 1 : SK_WALK_NONE;
    t->free_walk = 0;
    t->bucket = g_new(uint32_t, buckets);
    memset(t->bucket, 0xff, sizeof(uint32_t) * buckets);
    t->bucket_mask = buckets - 1;
    t->capacity = capacity;
    t->node_id = g_new(uint32_t, capacity);
    t->node_next = g_new(uint32_t, capacity);
    for (uint32_t i = 0; i < capacity; i++)
        t->node_next[i] = i + 1 < capacity ? i + 1 : SK_WALK_NONE;
    t->free_node = 0;
    t->stall = g_new(uint32_t, capacity);
}

void sk_walk_table_destroy(SkWalkTable *t)
{
    g_free(t->walks);
    g_free(t->bucket);
    g_free(t->node_id);
    g_free(t->node_next);
    g_free(t->stall);
    memset(t, 0, sizeof(*t));
}

uint32_t sk_walk_table_find(const SkWalkTable *t, uint64_t addr, uint32_t did,
                            uint32_t level)
{
    for (uint32_t w = t->bucket[hash(t, addr, did, level)]; w != SK_WALK_NONE;
         w = t->walks[w].next) {
        const SkWalk *k = &t->walks[w];
        if (k->addr == addr && k->did == did && k->level == level)
            return w;
    }
    return SK_WALK_NONE;
}

uint32_t sk_walk_table_start(SkWalkTable *t, uint64_t addr, uint32_t did,
                             uint32_t level)
{
    uint32_t w = t->free_walk, b = hash(t, addr, did, level);
    SkWalk *k = &t->walks[w];

    g_assert(w != SK_WALK_NONE);
    t->free_walk = k->next;
    *k = (SkWalk){addr, did, level, t->bucket[b], SK_WALK_NONE, SK_WALK_NONE, 0};
    t->bucket[b] = w;
    t->used++;
    t->max_used = MAX(t->max_used, t->used);
    return w;
}

void sk_walk_table_wait(SkWalkTable *t, uint32_t walk, uint32_t id)
{
    SkWalk *k = &t->walks[walk];
    uint32_t n = t->free_node;

    g_assert(n != SK_WALK_NONE);
    t->free_node = t->node_next[n];
    t->node_id[n] = id;
    t->node_next[n] = SK_WALK_NONE;
    if (k->last == SK_WALK_NONE)
        k->first = n;
    else
        t->node_next[k->last] = n;
    k->last = n;
    k->n_waiters++;
    t->waiters++;
}

uint32_t sk_walk_table_finish(SkWalkTable *t, uint32_t walk, uint32_t *out)
{
    SkWalk *k = &t->walks[walk];
    uint32_t *link = &t->bucket[hash(t, k->addr, k->did, k->level)], count = 0;

    while (*link != walk)
        link = &t->walks[*link].next;
    *link = k->next;
    for (uint32_t n = k->first, next; n != SK_WALK_NONE; n = next) {
        next = t->node_next[n];
        out[count++] = t->node_id[n];
        t->node_next[n] = t->free_node;
        t->free_node = n;
    }
    t->waiters -= count;
    k->next = t->free_walk;
    t->free_walk = walk;
    t->used--;
    return count;
}

void sk_walk_table_stall(SkWalkTable *t, uint32_t id)
{
    g_assert(t->stalled < t->capacity);
    t->stall[(t->stall_head + t->stalled) % t->capacity] = id;
    t->stalled++;
}

void sk_walk_table_unstall(SkWalkTable *t)
{
    g_assert(t->stalled > 0);
    t->stall_head = (t->stall_head + 1) % t->capacity;
    t->stalled--;
}

gboolean sk_walk_table_check(const SkWalkTable *t)
{
    uint32_t reached = 0, free = 0, waiting = 0;

    for (uint32_t b = 0; b <= t->bucket_mask; b++) {
        for (uint32_t w = t->bucket[b]; w != SK_WALK_NONE; w = t->walks[w].next) {
            const SkWalk *k = &t->walks[w];
            uint32_t n_waiters = 0;
            if (w >= t->entries || ++reached > t->used ||
                hash(t, k->addr, k->did, k->level) != b)
                return FALSE;
            for (uint32_t o = t->walks[w].next; o != SK_WALK_NONE; o = t->walks[o].next)
                if (t->walks[o].addr == k->addr && t->walks[o].did == k->did &&
                    t->walks[o].level == k->level)
                    return FALSE;    /* 2: one walk a page (same bucket) */
            for (uint32_t n = k->first; n != SK_WALK_NONE; n = t->node_next[n])
                if (++n_waiters > t->capacity)
                    return FALSE;
            if (n_waiters != k->n_waiters)
                return FALSE;
            waiting += n_waiters;
        }
    }
    for (uint32_t w = t->free_walk; w != SK_WALK_NONE; w = t->walks[w].next)
        if (++free > t->entries)
            return FALSE;
    return reached == t->used && t->used <= t->entries && reached + free == t->entries &&
           waiting == t->waiters && t->waiters + t->stalled <= t->capacity &&
           (t->stalled == 0 || t->used == t->entries);
}
