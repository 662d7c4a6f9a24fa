/* sk_error.c - the SK_ERROR domain and the one place errors become exit codes. */
#include "sk_error.h"

#include <signal.h>
#include <stdio.h>

#include "sk_signal.h"

G_DEFINE_QUARK(siokit-error-quark, sk_error)

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
