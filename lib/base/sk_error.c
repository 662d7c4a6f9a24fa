/* sk_error.c - the SK_ERROR domain and the one place errors become exit codes. */
#include "sk_error.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>

#include "sk_signal.h"

G_DEFINE_QUARK(siokit-error-quark, sk_error)

void sk_error_in_file(GError **error, const char *what, const char *path,
                      const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (error == NULL)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s '%s': %s", what, path, msg);
    g_free(msg);
}

int sk_exit_status(const GError *error)
{
    if (error == NULL)
        return 0;
    if (error->domain == SK_ERROR && error->code == SK_ERROR_INPUT)
        return 2;
    if (error->domain == SK_ERROR && error->code == SK_ERROR_STOPPED)
        return 128 + (sk_signal_stop() ? sk_signal_stop() : SIGINT);
    if (error->domain == G_OPTION_ERROR)
        return 2;
    return 1;
}

int sk_report(const char *prog, GError *error)
{
    int status = sk_exit_status(error);
    fprintf(stderr, "%s: %s\n", prog, error ? error->message : "unknown error");
    if (error)
        g_error_free(error);
    return status;
}
