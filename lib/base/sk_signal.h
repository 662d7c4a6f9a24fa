/* sk_signal.h - how a siokit command stops on SIGINT and SIGTERM.
 *
 * sk_signal_catch() catches the first SIGINT and SIGTERM (a second one kills
 * as usual).  The handler removes at once every temporary output of the
 * process (sk_file.h), so nothing half-written survives even if the command
 * is slow to notice; long work polls sk_signal_stop() and, when it is not 0,
 * stops with an SK_ERROR_STOPPED error, which exits 128 + the signal. */
#ifndef SK_SIGNAL_H
#define SK_SIGNAL_H

#include <glib.h>

void sk_signal_catch(void);
/* The signal that asked the process to stop, or 0. */
int sk_signal_stop(void);
/* For a worker process that its parent stops: the first SIGINT or SIGTERM
 * removes the worker's temporary outputs and ends it at once, killed by
 * that signal. */
void sk_signal_die_cleanly(void);
/* Sets an SK_ERROR_STOPPED error "<what>: stopped by SIGINT" and returns
 * FALSE, for `if (sk_signal_stop()) return sk_signal_stopped(error, ...)`. */
gboolean sk_signal_stopped(GError **error, const char *what);

#endif
