/* pageset.c - open-addressing set of (page, tenant) pairs (see pageset.h). */
#include "pageset.h"

#include <string.h>

#include "sk_free.h"
#include "sk_prng.h"

static void alloc_slots(TgPageSet *s, uint64_t capacity)
{
    s->page = g_new(uint64_t, capacity);
    s->tenant = g_new(uint32_t, capacity);
    memset(s->tenant, 0xff, capacity * sizeof(uint32_t));
    s->mask = capacity - 1;
}

void tg_page_set_init(TgPageSet *s)
{
    s->count = 0;
    alloc_slots(s, 1024);
}

void tg_page_set_clear(TgPageSet *s)
{
    SK_FREE_ALL(s->page, s->tenant);
    memset(s, 0, sizeof(*s));
}

static inline uint64_t slot_of(const TgPageSet *s, uint64_t page, uint32_t tenant)
{
    return sk_prng_mix(page ^ ((uint64_t)tenant << 7)) & s->mask;
}

static void put(TgPageSet *s, uint64_t page, uint32_t tenant)
{
    uint64_t i = slot_of(s, page, tenant);
    while (s->tenant[i] != UINT32_MAX)
        i = (i + 1) & s->mask;
    s->page[i] = page;
    s->tenant[i] = tenant;
}

gboolean tg_page_set_add(TgPageSet *s, uint64_t page, uint32_t tenant)
{
    uint64_t i = slot_of(s, page, tenant);
    while (s->tenant[i] != UINT32_MAX) {
        if (s->page[i] == page && s->tenant[i] == tenant)
            return FALSE;
        i = (i + 1) & s->mask;
    }
    if ((s->count + 1) * 4 > (s->mask + 1) * 3) {     /* grow at 3/4 full */
        uint64_t *pages = s->page, old = s->mask + 1;
        uint32_t *tenants = s->tenant;
        alloc_slots(s, old * 2);
        for (uint64_t k = 0; k < old; k++)
            if (tenants[k] != UINT32_MAX)
                put(s, pages[k], tenants[k]);
        g_free(pages);
        g_free(tenants);
    }
    put(s, page, tenant);
    s->count++;
    return TRUE;
}
