/* bal_listen.h - the --listen address: "127.0.0.1:PORT", loopback only.
 *
 * The host must be exactly 127.0.0.1 (the figures are for this machine's
 * users only, as xenmm's page was meant to be), the port decimal digits in
 * 1..65535 with no sign, space or leading zero. */
#ifndef BAL_LISTEN_H
#define BAL_LISTEN_H

#include <glib.h>

/* FALSE with an SK_ERROR_INPUT error "option --listen: ..." otherwise. */
gboolean bal_listen_parse(const char *text, guint16 *port, GError **error);

#endif
