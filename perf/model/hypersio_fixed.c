/* hypersio_fixed.c - the device HyperSIO 1.0 fixes (packet size, translations
 * per packet, latencies, no walk table): hypersio-1.0 refuses other values. */
#include <string.h>

#include "models.h"
#include "sk_error.h"

/* "config 'FILE': line N: " as far as it is known, for a key of the file. */
static char *config_where(const SkModelOptions *o, uint32_t line)
{
    if (o->config_path && line)
        return g_strdup_printf("config '%s': line %u: ", o->config_path, line);
    if (o->config_path)
        return g_strdup_printf("config '%s': ", o->config_path);
    return g_strdup("config: ");
}

gboolean hypersio_check_fixed(const SkModelOptions *o, GError **error)
{
    const SkCacheConfig *c = &o->caches;
    char *where;

    if (o->packet_bytes != SK_PACKET_BYTES) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --packet-bytes: "
                    "hypersio-1.0 has HyperSIO's fixed %d-byte packets", SK_PACKET_BYTES);
        return FALSE;
    }
    if (o->translations_per_packet != SK_TRANSLATIONS_PER_PACKET) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --translations-per-packet: "
                    "hypersio-1.0 has HyperSIO's fixed %d", SK_TRANSLATIONS_PER_PACKET);
        return FALSE;
    }
    for (int k = 0; k < SK_N_LAT_KEYS; k++) {
        if (c->latency[k] == sk_latency_defaults[k])
            continue;
        where = config_where(o, o->config_lines.latency[k]);
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%sLATENCY %s: hypersio-1.0 has "
                    "HyperSIO's fixed %u ns", where, sk_latency_keys[k],
                    sk_latency_defaults[k]);
        g_free(where);
        return FALSE;
    }
    if (c->walk_table) {
        where = config_where(o, o->config_lines.walk_table);
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%sWALKTABLE size: hypersio-1.0 "
                    "has no walk table (only 0)", where);
        g_free(where);
        return FALSE;
    }
    return TRUE;
}
