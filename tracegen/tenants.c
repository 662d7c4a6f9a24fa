/* tenants.c - tenant ids of (log, domain) pairs (see tenants.h). */
#include "tenants.h"

#include <string.h>

#include "sk_error.h"

#define EARLY_LOGS 65536u        /* logs whose source ids are log << 16 | sid */

/* The whole 64-bit key mixed (a murmur3 finaliser): keys that differ only
 * in their high half (the log) must not all share one hash. */
static guint key_hash(gconstpointer key)
{
    uint64_t x = (uint64_t)GPOINTER_TO_SIZE(key);
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return (guint)x;
}

void tg_tenants_init(TgTenants *t, gboolean hypersio_ids, uint32_t cap)
{
    memset(t, 0, sizeof(*t));
    t->hypersio = hypersio_ids;
    t->cap = cap;
    t->by_key = g_hash_table_new(key_hash, g_direct_equal);
    t->rows = g_array_new(FALSE, TRUE, sizeof(TgTenant));
    t->late_sids = g_hash_table_new(key_hash, g_direct_equal);
}

void tg_tenants_clear(TgTenants *t)
{
    g_hash_table_destroy(t->by_key);
    g_hash_table_destroy(t->late_sids);
    g_array_free(t->rows, TRUE);
}

static uint64_t key_of(const TgTenants *t, uint32_t log, uint32_t domain)
{
    if (t->hypersio)
        return (uint16_t)(domain + 128u * log);
    return ((uint64_t)log << 32) | domain;
}

TgTenant *tg_tenants_get(TgTenants *t, uint32_t log, uint32_t domain)
{
    gpointer key = GSIZE_TO_POINTER(key_of(t, log, domain) + 1);
    gpointer v = g_hash_table_lookup(t->by_key, key);

    if (v)
        return tg_tenant(t, GPOINTER_TO_UINT(v) - 1);
    if (t->cap && t->rows->len >= t->cap)
        return NULL;
    TgTenant row = {.id = t->rows->len, .log = log, .domain = domain};
    g_array_append_val(t->rows, row);
    g_hash_table_insert(t->by_key, key, GUINT_TO_POINTER(t->rows->len));
    return tg_tenant(t, t->rows->len - 1);
}

static gboolean sid_used(const TgTenants *t, uint32_t low)
{
    return (t->sids_used[low >> 6] >> (low & 63)) & 1;
}

gboolean tg_tenants_sid(TgTenants *t, uint32_t log, uint32_t sid, uint32_t *out,
                        GError **error)
{
    sid &= 0xffff;
    if (t->hypersio) {
        *out = (uint16_t)(sid + 128u * log);
        return TRUE;
    }
    if (log < EARLY_LOGS) {
        t->sids_used[sid >> 6] |= UINT64_C(1) << (sid & 63);
        *out = (log << 16) | sid;
        return TRUE;
    }
    /* Logs are read in increasing order: every early log is read by now,
     * so the values whose low 16 bits no early log used are all free. */
    gpointer key = GSIZE_TO_POINTER((((uint64_t)log << 16) | sid) + 1);
    gpointer v = g_hash_table_lookup(t->late_sids, key);
    if (v) {
        *out = (uint32_t)(GPOINTER_TO_SIZE(v) - 1);
        return TRUE;
    }
    while (t->next_late <= UINT32_MAX && sid_used(t, (uint32_t)(t->next_late & 0xffff)))
        t->next_late++;
    if (t->next_late > UINT32_MAX) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "log %u: no 32-bit source id left for source 0x%x", log, sid);
        return FALSE;
    }
    *out = (uint32_t)t->next_late++;
    g_hash_table_insert(t->late_sids, key, GSIZE_TO_POINTER((gsize)*out + 1));
    return TRUE;
}
