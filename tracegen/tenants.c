/* tenants.c - tenant ids of (log, domain) pairs (see tenants.h). */
#include "tenants.h"

void tg_tenants_init(TgTenants *t, gboolean hypersio_ids, uint32_t cap)
{
    t->hypersio = hypersio_ids;
    t->cap = cap;
    t->by_key = g_hash_table_new(g_direct_hash, g_direct_equal);
    t->rows = g_array_new(FALSE, TRUE, sizeof(TgTenant));
}

void tg_tenants_clear(TgTenants *t)
{
    g_hash_table_destroy(t->by_key);
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

uint32_t tg_tenants_sid(const TgTenants *t, uint32_t log, uint32_t sid)
{
    if (t->hypersio)
        return (uint16_t)(sid + 128u * log);
    return (log << 16) | (sid & 0xffff);
}
