/* mb_web.h - mem-balancer's live view: GET /vms (JSON) and GET / (the page).
 *
 * An HTTP server (libsoup) on 127.0.0.1 only.  /vms answers with what the
 * driver's callback gives at that moment; / is a self-contained page
 * (mb_page.c: no external fetches) that asks /vms every second and draws
 * each VM's memory over time.  Requests are served while the driver runs
 * its main context (between intervals). */
#ifndef MB_WEB_H
#define MB_WEB_H

#include <glib.h>

typedef struct MbWeb MbWeb;
/* The JSON text of /vms (caller frees). */
typedef char *(*MbWebJson)(gpointer data);

/* Listens on 127.0.0.1:port.  NULL with an error (SK_ERROR_INPUT when
 * the port is taken or the server is not built in). */
MbWeb *mb_web_new(guint16 port, MbWebJson json, gpointer data, GError **error);
void mb_web_free(MbWeb *web);

/* The page served at / (mb_page.c). */
extern const char mb_page_html[];

#endif
