/* fuzz_rrconfig.c - fuzz target: any bytes as a registry-replay YAML config.
 * A result is either a config that satisfies rr_config.h's invariants or an
 * SK_ERROR_INPUT error; never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rr_config.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A '..' part anywhere in a relative path. */
static int leaves(const char *p)
{
    int bad = 0;
    char **parts;

    if (p[0] == '/')
        return 0;
    parts = g_strsplit(p, "/", -1);
    for (char **q = parts; *q; q++)
        if (strcmp(*q, "..") == 0)
            bad = 1;
    g_strfreev(parts);
    return bad;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    RrConfig c;
    GError *error = NULL;

    if (rr_config_parse(&c, "fuzz.yaml", (const char *)data, size, &error)) {
        if (c.n_traces < 1 || c.traces == NULL || c.output == NULL)
            abort();
        /* Names stay in their folder: after the location, no '..' part. */
        for (guint i = 0; i < c.n_traces; i++) {
            const char *name = c.traces[i] + (c.location ? strlen(c.location) : 0);

            if (name[0] == '/' || leaves(name) || strncmp(name, "../", 3) == 0)
                abort();
        }
        if (c.threads < 1 || c.warmup_threads < 1 || c.port > 65535)
            abort();
        if (leaves(c.output))
            abort();
        for (RrCommand k = RR_CMD_WARMUP; k <= RR_CMD_SIMULATE; k++) {
            if (!rr_config_check_command(&c, k, &error)) {
                if (error == NULL || error->code != SK_ERROR_INPUT)
                    abort();
                g_clear_error(&error);
            }
        }
        rr_config_clear(&c);
    } else {
        if (error == NULL || error->domain != SK_ERROR || error->code != SK_ERROR_INPUT)
            abort();
        g_error_free(error);
    }
    return 0;
}
