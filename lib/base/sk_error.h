/* sk_error.h - error reporting shared by every siokit library and command.
 *
 * Library code never exits: it fills a GError in the SK_ERROR domain and
 * returns failure.  Only main() turns an error into a message and an exit
 * status (see sk_exit_status()).  Messages follow git's manners: subject
 * first, lowercase, no final period, and they name the file, line or field
 * at fault: "trace 'x.bin': record 12: level 7 outside 1..3". */
#ifndef SK_ERROR_H
#define SK_ERROR_H

#include <glib.h>

#define SK_ERROR (sk_error_quark())
GQuark sk_error_quark(void);

typedef enum {
    SK_ERROR_INPUT,   /* bad input or usage: exit status 2 */
    SK_ERROR_IO,      /* the work failed (disk full, cannot write...): exit 1 */
    SK_ERROR_FAILED,  /* any other failure of the work: exit 1 */
    SK_ERROR_STOPPED, /* stopped by a signal: exit 128 + the signal */
} SkErrorCode;

/* Sets an SK_ERROR_INPUT error "<what> '<path>': <message>", the one shape of
 * every complaint about what a file holds ("trace 'x.bin': record 12: ..."). */
void sk_error_in_file(GError **error, const char *what, const char *path,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* Exit status for an error: 2 for SK_ERROR_INPUT, 128 + the signal for
 * SK_ERROR_STOPPED (130 when none was caught), 1 otherwise. */
int sk_exit_status(const GError *error);

/* Prints "<prog>: <message>" on stderr and returns sk_exit_status(error).
 * Frees the error. */
int sk_report(const char *prog, GError *error);

#endif
