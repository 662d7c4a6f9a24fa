/* fuzz_manifest.c - fuzz target: any bytes as a run manifest
 * (sk_manifest_parse).  A result is either a manifest that writes back to
 * a text which parses again to the same text, every path in it relative
 * with no "..", or an SK_ERROR_INPUT error; never a crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "sk_error.h"
#include "sk_manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const char *p)
{
    if (p && (*p == '/' || strcmp(p, "..") == 0 || g_str_has_prefix(p, "../") ||
              strstr(p, "/../") || g_str_has_suffix(p, "/..")))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    SkManifest *m = sk_manifest_parse((const char *)data, size, "fuzz/manifest.json", &error);

    if (m == NULL) {
        fuzz_refused(error, TRUE);
        return 0;
    }
    if (m->tenants < 1 || m->test == NULL || m->logs == NULL)
        abort();
    for (char **l = m->logs; *l; l++)
        check_path(*l);
    if (m->qemu)
        check_path(m->qemu->trace_events);
    char *text = sk_manifest_to_data(m);
    SkManifest *again = sk_manifest_parse(text, strlen(text), "fuzz/manifest.json", NULL);
    if (again == NULL || again->format != SK_MANIFEST_FORMAT)
        abort();
    char *text2 = sk_manifest_to_data(again);
    if (strcmp(text, text2) != 0)
        abort();
    g_free(text2);
    g_free(text);
    sk_manifest_free(again);
    sk_manifest_free(m);
    return 0;
}
