/* fuzz_size.c - fuzz target for the memory sizes of mem-balancer
 * (balancer/bal_size.c) and mem-load (vmwrapper/image/mem_load_size.h): any
 * bytes up to the first NUL as the text of an option.  Errors are expected;
 * crashes, leaks and these broken properties are not:
 *   - a size is accepted with no error, refused with one;
 *   - an accepted size is within its maximum and reads the same once
 *     printed back in KiB ("<n>k");
 *   - both parsers agree on every text below mem-load's maximum. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bal_size.h"
#include "../../vmwrapper/image/mem_load_size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    GError *error = NULL;
    gint64 kib = -1;
    unsigned long long ml = 0;
    gboolean ok = bal_size_parse("--floor", text, &kib, &error);
    int ml_ok = mem_load_size(text, &ml) == 0;

    if (ok == (error != NULL))
        abort();
    if (ok) {
        if (kib < 0 || kib > BAL_SIZE_MAX)
            abort();
        char *again = g_strdup_printf("%" G_GINT64_FORMAT "k", kib);
        gint64 k2 = -1;
        if (!bal_size_parse("--floor", again, &k2, NULL) || k2 != kib)
            abort();
        g_free(again);
        if ((unsigned long long)kib <= MEM_LOAD_SIZE_MAX && (!ml_ok || ml != (unsigned long long)kib))
            abort();
    } else if (ml_ok) {
        abort();    /* mem-load's maximum is the smaller */
    }
    g_clear_error(&error);
    g_free(text);
    return 0;
}
