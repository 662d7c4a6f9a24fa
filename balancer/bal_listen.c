/* bal_listen.c - strict 127.0.0.1:PORT parsing (bal_listen.h). */
#include "bal_listen.h"

#include <string.h>

#include "sk_error.h"

#define LOOPBACK "127.0.0.1:"

gboolean bal_listen_parse(const char *text, guint16 *port, GError **error)
{
    const char *p;
    guint v = 0;

    if (!text || strncmp(text, LOOPBACK, strlen(LOOPBACK)) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --listen: '%s' is not 127.0.0.1:PORT (loopback only)",
                    text ? text : "");
        return FALSE;
    }
    p = text + strlen(LOOPBACK);
    if (*p < '1' || *p > '9')
        goto bad;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (guint)(*p - '0');
        if (v > 65535)
            goto bad;
    }
    if (*p != '\0')
        goto bad;
    *port = (guint16)v;
    return TRUE;
bad:
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "option --listen: bad port in '%s' (1 to 65535)", text);
    return FALSE;
}
