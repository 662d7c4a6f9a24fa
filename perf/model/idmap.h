/* idmap.h - a map from 64-bit keys to dense indices 0, 1, 2 ... in order of
 * first appearance (open addressing, linear probing, grows by doubling).
 *
 * The model uses it to number tenants and source ids as it meets them, so
 * that per-tenant state lives in plain arrays. */
#ifndef IDMAP_H
#define IDMAP_H

#include <stdint.h>

typedef struct SkIdMap {
    uint64_t *keys;
    uint32_t *values;     /* UINT32_MAX = empty */
    uint64_t mask;        /* capacity - 1 */
    uint32_t count;
} SkIdMap;

void sk_id_map_init(SkIdMap *m);
void sk_id_map_destroy(SkIdMap *m);
static inline uint64_t sk_id_map_mix(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    return k;
}

/* The index of key, or UINT32_MAX. */
static inline uint32_t sk_id_map_find(const SkIdMap *m, uint64_t key)
{
    uint64_t i = sk_id_map_mix(key) & m->mask;
    while (m->values[i] != UINT32_MAX) {
        if (m->keys[i] == key)
            return m->values[i];
        i = (i + 1) & m->mask;
    }
    return UINT32_MAX;
}

/* Assigns key, which is not in the map, the next index. */
uint32_t sk_id_map_add(SkIdMap *m, uint64_t key);

/* The index of key, assigning the next one if it is new (*is_new set). */
static inline uint32_t sk_id_map_get(SkIdMap *m, uint64_t key, int *is_new)
{
    uint32_t v = sk_id_map_find(m, key);
    if (is_new)
        *is_new = v == UINT32_MAX;
    return v != UINT32_MAX ? v : sk_id_map_add(m, key);
}

#endif
