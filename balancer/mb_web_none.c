/* mb_web_none.c - the live view when libsoup 3 was not found at build time. */
#include "mb_web.h"

#include "sk_error.h"

const char mb_page_html[] = "";

MbWeb *mb_web_new(guint16 port, MbWebJson json, gpointer data, GError **error)
{
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "option --listen: built without libsoup-3.0 (scripts/install-deps)");
    return NULL;
}

void mb_web_free(MbWeb *web)
{
}
