/* fuzz_cacheconfig.c - fuzz target: any bytes as a cache configuration.
 * A result is either a configuration that satisfies every invariant of
 * sk_cacheconfig.h or an SK_ERROR_INPUT error; never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sk_cacheconfig.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static void check_one(const uint8_t *data, size_t size, SkConfigDialect dialect);

static int is_pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int dialect = SK_CONFIG_SIOKIT; dialect <= SK_CONFIG_HYPERSIO; dialect++)
        check_one(data, size, (SkConfigDialect)dialect);
    return 0;
}

static void check_one(const uint8_t *data, size_t size, SkConfigDialect dialect)
{
    SkCacheConfig c;
    GError *error = NULL;

    if (sk_cache_config_parse("fuzz.cfg", (const char *)data, size, dialect, &c, &error)) {
        const SkCacheGeometry *g[] = {&c.cc, &c.iotlb, &c.l2page, &c.l3page};
        for (size_t i = 0; i < 4; i++) {
            if (!is_pow2(g[i]->groups))
                abort();
            if (g[i]->size && (g[i]->assoc == 0 || g[i]->size % g[i]->assoc ||
                               !is_pow2(g[i]->size / g[i]->assoc) ||
                               g[i]->groups > g[i]->size / g[i]->assoc))
                abort();
        }
        for (int k = 0; k < SK_N_LAT_KEYS; k++)
            if (c.latency[k] < 1 || c.latency[k] > SK_LATENCY_MAX)
                abort();
        if (c.tqueue > SK_TQUEUE_MAX || c.walk_table > SK_WALK_TABLE_MAX)
            abort();
        /* What is written reads back the same in siokit's dialect. */
        char *text = sk_cache_config_to_string(&c);
        SkCacheConfig back;
        if (!sk_cache_config_parse("back.cfg", text, strlen(text), SK_CONFIG_SIOKIT,
                                   &back, NULL) ||
            memcmp(back.latency, c.latency, sizeof(c.latency)) != 0 ||
            back.tqueue != c.tqueue || back.walk_table != c.walk_table)
            abort();
        g_free(text);
    } else {
        fuzz_refused(error, TRUE);
    }
}
