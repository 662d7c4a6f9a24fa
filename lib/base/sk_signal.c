/* sk_signal.c - the first SIGINT or SIGTERM asks the work to stop (see sk_signal.h). */
#include "sk_signal.h"

#include <signal.h>
#include <string.h>

#include "sk_error.h"
#include "sk_file.h"

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo)
{
    stop_signal = signo;
    sk_output_discard_all();
}

void sk_signal_catch(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void on_die_signal(int signo)
{
    sk_output_discard_all();
    signal(signo, SIG_DFL);
    raise(signo);
}

void sk_signal_die_cleanly(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_die_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int sk_signal_stop(void)
{
    return stop_signal;
}

gboolean sk_signal_stopped(GError **error, const char *what)
{
    int signo = stop_signal ? stop_signal : SIGINT;
    g_set_error(error, SK_ERROR, SK_ERROR_STOPPED, "%s: stopped by %s", what,
                signo == SIGTERM ? "SIGTERM" : signo == SIGINT ? "SIGINT" :
                strsignal(signo));
    return FALSE;
}
