/* fuzz_listen.c - fuzz target for mem-balancer's --listen address
 * (balancer/bal_listen.c): any bytes up to the first NUL.  Errors are
 * expected; crashes, leaks and these broken properties are not:
 *   - accepted with no error, refused with one;
 *   - an accepted address is 127.0.0.1 and a port in 1..65535 that reads
 *     the same once printed back. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bal_listen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size);
    GError *error = NULL;
    guint16 port = 0;
    gboolean ok = bal_listen_parse(text, &port, &error);

    if (ok == (error != NULL))
        abort();
    if (ok) {
        char *again = g_strdup_printf("127.0.0.1:%u", port);
        if (port == 0 || strcmp(again, text) != 0)
            abort();
        g_free(again);
    }
    g_clear_error(&error);
    g_free(text);
    return 0;
}
