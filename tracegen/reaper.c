/* reaper.c - a child that frees the spill files after a stopped command (see reaper.h). */
#include "reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sk_cli.h"
#include "sk_signal.h"

static gboolean started;

void tg_reaper_start(void)
{
    int p[2];
    pid_t pid;

    if (started)
        return;
    started = TRUE;
    if (pipe2(p, O_CLOEXEC) != 0)
        return;
    pid = fork();
    if (pid == 0) {
        char c;
        close(p[1]);
        close(0);
        close(1);
        close(2);
        /* EOF once the command has exited (its end of the pipe closed). */
        while (read(p[0], &c, 1) != 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(p[0]);
    if (pid < 0)
        close(p[1]);
    /* else the write end stays open until the command exits */
}

gboolean tg_reaper_progress(const char *phase, uint64_t done, uint64_t total,
                            gpointer phase_progress)
{
    if (sk_signal_stop())
        tg_reaper_start();
    return sk_phase_progress_update(phase, done, total, phase_progress);
}
