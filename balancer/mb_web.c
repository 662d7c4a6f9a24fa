/* mb_web.c - the live view's HTTP server on libsoup 3 (mb_web.h). */
#include "mb_web.h"

#include <libsoup/soup.h>
#include <string.h>

#include "sk_error.h"

struct MbWeb {
    SoupServer *server;
    MbWebJson json;
    gpointer data;
};

static void answer(SoupServerMessage *msg, guint status, const char *type,
                   char *body)
{
    soup_server_message_set_status(msg, status, NULL);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg),
                                 "Cache-Control", "no-store");
    soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, body, strlen(body));
}

static void on_request(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer user_data)
{
    MbWeb *web = user_data;
    const char *method = soup_server_message_get_method(msg);

    if (method != SOUP_METHOD_GET && method != SOUP_METHOD_HEAD) {
        answer(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", g_strdup("GET only\n"));
        return;
    }
    if (strcmp(path, "/vms") == 0)
        answer(msg, SOUP_STATUS_OK, "application/json", web->json(web->data));
    else if (strcmp(path, "/") == 0)
        answer(msg, SOUP_STATUS_OK, "text/html; charset=utf-8", g_strdup(mb_page_html));
    else
        answer(msg, SOUP_STATUS_NOT_FOUND, "text/plain", g_strdup("not found\n"));
}

MbWeb *mb_web_new(guint16 port, MbWebJson json, gpointer data, GError **error)
{
    MbWeb *web = g_new0(MbWeb, 1);
    GError *e = NULL;

    web->json = json;
    web->data = data;
    web->server = soup_server_new("server-header", "mem-balancer", NULL);
    soup_server_add_handler(web->server, NULL, on_request, web, NULL);
    /* listen_local: the loopback address only */
    if (!soup_server_listen_local(web->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &e)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --listen: 127.0.0.1:%u: %s",
                    port, e->message);
        g_error_free(e);
        mb_web_free(web);
        return NULL;
    }
    return web;
}

void mb_web_free(MbWeb *web)
{
    if (!web)
        return;
    if (web->server) {
        soup_server_disconnect(web->server);
        g_object_unref(web->server);
    }
    g_free(web);
}
