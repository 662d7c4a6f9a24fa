/* pool.c - jobs in forked worker processes (see pool.h). */
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk_cli.h"

#define MAX_MESSAGE 4000

typedef struct Worker {
    pid_t pid;
    int fd;            /* read end of the child's message pipe */
    gpointer job;
} Worker;

static void child(gpointer job, SkPoolJobFunc run, gpointer data, int fd)
{
    GError *error = NULL;

    setpgid(0, 0);
    sk_signal_die_cleanly();
    if (run(job, data, &error))
        _exit(0);
    if (error) {
        size_t len = MIN(strlen(error->message), (size_t)MAX_MESSAGE);
        ssize_t w = write(fd, error->message, len);
        (void)w;
    }
    _exit(1);
}

/* Waits for a worker to end and reports it; returns early, reporting
 * nothing, when a stop signal arrives, so that the caller can stop the
 * others.  Polls: a signal handler installed with SA_RESTART would keep a
 * blocking waitpid() from returning. */
static void reap(Worker *w, guint n, guint *running, SkPoolDoneFunc done,
                 gpointer data)
{
    gboolean stopping = sk_signal_stop() != 0;
    int status;
    pid_t pid;

    for (;;) {
        pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0 || (pid < 0 && errno != EINTR))
            break;
        if (!stopping && sk_signal_stop())
            return;
        g_usleep(2000);
    }
    if (pid < 0) {                      /* no child left: none can report */
        for (guint i = 0; i < n; i++)
            if (w[i].pid) {
                close(w[i].fd);
                done(w[i].job, w[i].pid, "worker lost", data);
                w[i].pid = 0;
                (*running)--;
            }
        return;
    }
    for (guint i = 0; i < n; i++) {
        char buf[MAX_MESSAGE + 1];
        ssize_t len, got = 0;
        char *message = NULL;

        if (w[i].pid != pid || pid <= 0)
            continue;
        while (got < MAX_MESSAGE &&
               (len = read(w[i].fd, buf + got, (size_t)(MAX_MESSAGE - got))) > 0)
            got += len;
        buf[got] = '\0';
        close(w[i].fd);
        if (WIFSIGNALED(status))
            message = g_strdup_printf("killed by signal %d", WTERMSIG(status));
        else if (WEXITSTATUS(status) != 0)
            message = g_strdup(got ? buf : "failed with no message");
        done(w[i].job, pid, message, data);
        g_free(message);
        w[i].pid = 0;
        (*running)--;
        return;
    }
}

gboolean sk_pool_run(GPtrArray *jobs, guint workers, SkPoolJobFunc run,
                     SkPoolDoneFunc done, gpointer data)
{
    Worker *w;
    guint next = 0, running = 0;

    if (workers < 1)
        workers = 1;
    w = g_new0(Worker, workers);
    while (next < jobs->len || running) {
        while (next < jobs->len && running < workers && !sk_signal_stop()) {
            int fds[2];
            guint slot = 0;
            while (w[slot].pid)
                slot++;
            if (pipe(fds) != 0) {
                done(jobs->pdata[next++], 0, "cannot create a pipe", data);
                continue;
            }
            fflush(NULL);
            w[slot].pid = fork();
            if (w[slot].pid == 0) {
                close(fds[0]);
                child(jobs->pdata[next], run, data, fds[1]);
            }
            close(fds[1]);
            if (w[slot].pid < 0) {
                w[slot].pid = 0;
                close(fds[0]);
                done(jobs->pdata[next++], 0, "cannot fork a worker", data);
                continue;
            }
            setpgid(w[slot].pid, w[slot].pid);
            w[slot].fd = fds[0];
            w[slot].job = jobs->pdata[next++];
            running++;
        }
        if (sk_signal_stop()) {
            for (guint i = 0; i < workers; i++)
                if (w[i].pid)
                    kill(-w[i].pid, SIGTERM);   /* its group: trace-gen too */
        }
        if (running)
            reap(w, workers, &running, done, data);
        if (sk_signal_stop() && running == 0)
            break;
    }
    g_free(w);
    return next == jobs->len && !sk_signal_stop();
}
