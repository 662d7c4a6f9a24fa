/* spill.h - per-tenant record streams kept on disk while trace-gen reads
 * the logs, so that tenants can then be interleaved in any order with
 * memory bounded by the number of tenants, never by the number of events.
 *
 * Each tenant's records gather in a small chunk in memory; a full chunk is
 * appended to one temporary file (unlinked at once, so nothing is left
 * behind) and remembered by its offset.  Reading walks each tenant's chunks
 * in order, one chunk buffer per tenant being read. */
#ifndef TG_SPILL_H
#define TG_SPILL_H

#include <glib.h>
#include <stdint.h>

#include "sk_record.h"

typedef struct TgSpill TgSpill;

/* A spill in tmpdir (NULL: $TMPDIR or /tmp) sized for about `tenants`
 * tenants: chunks shrink as tenants grow, to keep memory near 64 MiB. */
TgSpill *tg_spill_new(const char *tmpdir, uint32_t tenants, GError **error);
/* Appends r to tenant's stream (tenant < 2^32, any order of tenants). */
gboolean tg_spill_add(TgSpill *s, uint32_t tenant, const SkRecord *r,
                      GError **error);
/* Records in tenant's stream. */
uint64_t tg_spill_count(const TgSpill *s, uint32_t tenant);
/* Reads tenant's next record: 1, or 0 at its end, or -1 on an I/O error.
 * Once reading starts no more records may be added. */
int tg_spill_next(TgSpill *s, uint32_t tenant, SkRecord *out, GError **error);
void tg_spill_free(TgSpill *s);

#endif
