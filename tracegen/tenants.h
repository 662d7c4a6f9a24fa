/* tenants.h - which (log, domain) pairs are tenants, and their ids.
 *
 * A tenant is a domain of one log.  Ids are given in order of first
 * appearance, 0, 1, 2 ... across the logs in the order they are read
 * (every accepted event counts, context events included, as in HyperSIO).
 *
 * Two id schemes:
 *   siokit    (log, domain) pairs never share an id, at any count; a source
 *             id becomes log << 16 | sid for the first 65536 logs, and for
 *             later logs (--reuse rounds) a fresh value per (log, sid) that
 *             none of those can take (its low 16 bits are no sid the first
 *             65536 logs used), so source ids never collide either;
 *   hypersio  exactly HyperSIO 1.0's: the pair's key is the 16-bit sum
 *             domain + 128 * log and the source id becomes the 16-bit sum
 *             sid + 128 * log, so ids collide where HyperSIO's did (domains
 *             above 127, 18 or more devices a log). */
#ifndef TG_TENANTS_H
#define TG_TENANTS_H

#include <glib.h>
#include <stdint.h>

typedef struct TgTenant {
    uint32_t id;
    uint32_t log;             /* log index (counting reuse rounds) */
    uint32_t domain;          /* domain id in that log */
    uint32_t sid;             /* output source id of its first translation */
    gboolean has_sid;
    uint64_t read;            /* translations read from the log */
    uint64_t emitted;         /* translations in the trace */
    uint64_t pages;           /* distinct pages in the trace */
} TgTenant;

typedef struct TgTenants {
    gboolean hypersio;
    uint32_t cap;             /* most tenants admitted; 0 = no limit */
    GHashTable *by_key;       /* key + 1 -> id + 1 (keys hashed whole) */
    GArray *rows;             /* TgTenant, by id */
    uint64_t sids_used[1024]; /* bitmap: sids of the first 65536 logs */
    GHashTable *late_sids;    /* (log << 16 | sid) + 1 -> output sid + 1 */
    uint64_t next_late;       /* next candidate output sid of a later log */
} TgTenants;

void tg_tenants_init(TgTenants *t, gboolean hypersio_ids, uint32_t cap);
void tg_tenants_clear(TgTenants *t);
/* The tenant of (log, domain), added if new and the cap allows; NULL when
 * the cap is reached. */
TgTenant *tg_tenants_get(TgTenants *t, uint32_t log, uint32_t domain);
/* The output source id of sid (16 bits) in log, in *out.  FALSE with an
 * SK_ERROR_INPUT error only when the 32-bit source ids are exhausted. */
gboolean tg_tenants_sid(TgTenants *t, uint32_t log, uint32_t sid, uint32_t *out,
                        GError **error);
static inline TgTenant *tg_tenant(TgTenants *t, uint32_t id)
{
    return &g_array_index(t->rows, TgTenant, id);
}

#endif
