/* bal_size.c - strict k/M/G memory size parsing (bal_size.h). */
#include "bal_size.h"

#include "sk_error.h"

gboolean bal_size_parse(const char *name, const char *text, gint64 *kib, GError **error)
{
    const char *p = text;
    guint64 v = 0;
    int shift = 0;

    if (!text || !g_ascii_isdigit(*p))
        goto bad;
    while (g_ascii_isdigit(*p)) {
        v = v * 10 + (guint64)(*p - '0');
        if (v > (guint64)BAL_SIZE_MAX)
            goto bad;
        p++;
    }
    switch (*p) {
    case '\0': break;
    case 'k': case 'K': shift = 0; p++; break;
    case 'm': case 'M': shift = 10; p++; break;
    case 'g': case 'G': shift = 20; p++; break;
    default: goto bad;
    }
    if (*p != '\0' || v > ((guint64)BAL_SIZE_MAX >> shift))
        goto bad;
    *kib = (gint64)(v << shift);
    return TRUE;
bad:
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option %s: bad size '%s' (digits, then k, M or G)", name,
                text ? text : "");
    return FALSE;
}
