/* idmap.c - dense numbering of 64-bit keys (see idmap.h). */
#include "idmap.h"
#include "sk_free.h"

#include <glib.h>

static void alloc_table(SkIdMap *m, uint64_t capacity)
{
    m->keys = g_new(uint64_t, capacity);
    m->values = g_new(uint32_t, capacity);
    for (uint64_t i = 0; i < capacity; i++)
        m->values[i] = UINT32_MAX;
    m->mask = capacity - 1;
}

void sk_id_map_init(SkIdMap *m)
{
    m->count = 0;
    alloc_table(m, 64);
}

void sk_id_map_destroy(SkIdMap *m)
{
    SK_FREE_ALL(m->keys, m->values);
    m->keys = NULL;
    m->values = NULL;
}

static void put(SkIdMap *m, uint64_t key, uint32_t value)
{
    uint64_t i = sk_id_map_mix(key) & m->mask;
    while (m->values[i] != UINT32_MAX)
        i = (i + 1) & m->mask;
    m->keys[i] = key;
    m->values[i] = value;
}

uint32_t sk_id_map_add(SkIdMap *m, uint64_t key)
{
    uint32_t v;
    if ((uint64_t)(m->count + 1) * 2 > m->mask + 1) {
        uint64_t *keys = m->keys, old_cap = m->mask + 1;
        uint32_t *values = m->values;
        alloc_table(m, old_cap * 2);
        for (uint64_t i = 0; i < old_cap; i++)
            if (values[i] != UINT32_MAX)
                put(m, keys[i], values[i]);
        g_free(keys);
        g_free(values);
    }
    v = m->count++;
    put(m, key, v);
    return v;
}
