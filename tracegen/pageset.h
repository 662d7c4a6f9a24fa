/* pageset.h - a set of (page, tenant) pairs, to count each tenant's
 * distinct pages; memory grows with distinct pages, not with records. */
#ifndef TG_PAGESET_H
#define TG_PAGESET_H

#include <glib.h>
#include <stdint.h>

typedef struct TgPageSet {
    uint64_t *page;
    uint32_t *tenant;     /* UINT32_MAX = empty slot */
    uint64_t mask;        /* capacity - 1 */
    uint64_t count;
} TgPageSet;

void tg_page_set_init(TgPageSet *s);
void tg_page_set_clear(TgPageSet *s);
/* Adds (page, tenant); TRUE if it was not there. */
gboolean tg_page_set_add(TgPageSet *s, uint64_t page, uint32_t tenant);

#endif
