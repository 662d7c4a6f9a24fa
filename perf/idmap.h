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
/* The index of key, assigning the next one if it is new (*is_new set). */
uint32_t sk_id_map_get(SkIdMap *m, uint64_t key, int *is_new);
/* The index of key, or UINT32_MAX. */
uint32_t sk_id_map_find(const SkIdMap *m, uint64_t key);

#endif
