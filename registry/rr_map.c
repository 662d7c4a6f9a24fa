/* rr_map.c - open addressing, linear probing, for (a, b) -> value. */
#include "rr_map.h"

static gsize slot_of(uint64_t a, uint64_t b, gsize cap)
{
    uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull) * 0xbf58476d1ce4e5b9ull;

    h ^= h >> 31;
    return (gsize)(h & (cap - 1));
}

void rr_map_init(RrMap *m)
{
    m->cap = 64;
    m->len = 0;
    m->slots = g_new0(RrMapSlot, m->cap);
}

RrMapSlot *rr_map_find(const RrMap *m, uint64_t a, uint64_t b)
{
    for (gsize i = slot_of(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
        RrMapSlot *s = &m->slots[i];

        if (!s->used)
            return NULL;
        if (s->a == a && s->b == b)
            return s;
    }
}

static void grow(RrMap *m)
{
    RrMapSlot *old = m->slots;
    gsize cap = m->cap;

    m->cap *= 2;
    m->slots = g_new0(RrMapSlot, m->cap);
    for (gsize i = 0; i < cap; i++) {
        if (!old[i].used)
            continue;
        gsize j = slot_of(old[i].a, old[i].b, m->cap);

        while (m->slots[j].used)
            j = (j + 1) & (m->cap - 1);
        m->slots[j] = old[i];
    }
    g_free(old);
}

RrMapSlot *rr_map_add(RrMap *m, uint64_t a, uint64_t b, gboolean *added)
{
    gsize i;

    if ((m->len + 1) * 2 > m->cap)
        grow(m);
    for (i = slot_of(a, b, m->cap);; i = (i + 1) & (m->cap - 1)) {
        RrMapSlot *s = &m->slots[i];

        if (s->used && s->a == a && s->b == b) {
            if (added)
                *added = FALSE;
            return s;
        }
        if (!s->used) {
            s->used = TRUE;
            s->a = a;
            s->b = b;
            s->value = 0;
            m->len++;
            if (added)
                *added = TRUE;
            return s;
        }
    }
}

void rr_map_clear(RrMap *m)
{
    g_free(m->slots);
    m->slots = NULL;
    m->cap = m->len = 0;
}
