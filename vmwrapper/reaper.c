/* reaper.c - stops what a SIGKILLed launcher started (see reaper.h).
 *
 * The child side runs after fork() in a process that may have threads, so
 * it keeps to async-signal-safe calls: read, open, kill, nanosleep, _exit. */
#include "reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sk_error.h"

#define MAX_WATCHED 64

typedef struct Watch {
    int kind;                   /* 0 stand down, 1 VM, 2 daemon */
    pid_t pid;
    unsigned long long start;   /* /proc/PID/stat field 22 */
} Watch;

static int reaper_fd = -1;      /* write end, the launcher's */
static pid_t reaper_pid;

/* The start time of pid (clock ticks since boot), or 0 if it is gone or a
 * zombie.  Async-signal-safe. */
static unsigned long long start_time(pid_t pid)
{
    char path[64], buf[1024];
    ssize_t n;
    int fd, field = 2;
    char *p;
    unsigned long long t = 0;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    if (!(p = strrchr(buf, ')')))   /* comm may hold spaces and parentheses */
        return 0;
    p++;
    while (*p == ' ')
        p++;
    if (*p == 'Z' || *p == 'X')     /* exited, waiting to be reaped */
        return 0;
    for (; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    for (; *p >= '0' && *p <= '9'; p++)
        t = t * 10 + (unsigned long long)(*p - '0');
    return t;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Signals w while it is the same process; TRUE once it is gone (waits up
 * to wait_ms). */
static int stop_one(const Watch *w, int sig, long wait_ms)
{
    if (start_time(w->pid) != w->start)
        return 1;
    kill(w->pid, sig);
    for (long t = 0; t < wait_ms; t += 50) {
        if (start_time(w->pid) != w->start)
            return 1;
        nap_ms(50);
    }
    return start_time(w->pid) != w->start;
}

static void reaper_main(int fd)
{
    Watch w[MAX_WATCHED], rec;
    int n = 0;
    ssize_t got;

    for (;;) {
        got = read(fd, &rec, sizeof(rec));
        if (got < 0 && errno == EINTR)
            continue;
        if (got != (ssize_t)sizeof(rec))
            break;                  /* end of file: the launcher is gone */
        if (rec.kind == 0)
            _exit(0);               /* it cleaned up itself */
        if (n < MAX_WATCHED)
            w[n++] = rec;
    }
    for (int i = 0; i < n; i++)
        if (w[i].kind == 1)
            stop_one(&w[i], SIGKILL, 5000);
    for (int i = n - 1; i >= 0; i--)
        if (w[i].kind == 2 && !stop_one(&w[i], SIGTERM, 10000))
            stop_one(&w[i], SIGKILL, 3000);
    _exit(0);
}

gboolean vm_reaper_start(GError **error)
{
    int p[2];
    pid_t pid;

    if (reaper_fd >= 0)
        return TRUE;
    if (pipe2(p, O_CLOEXEC) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start the reaper: %s",
                    g_strerror(errno));
        return FALSE;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start the reaper: %s",
                    g_strerror(errno));
        close(p[0]);
        close(p[1]);
        return FALSE;
    }
    if (pid == 0) {
        /* Holds nothing of the launcher's (a libvirt connection held here
         * would keep its domain alive; a pipe held would keep a reader of
         * the launcher's output waiting), and ignores the terminal. */
        int null = open("/dev/null", O_RDWR);
        long max = sysconf(_SC_OPEN_MAX);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
            if (fd != p[0])
                close(fd);
        setsid();
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        prctl(PR_SET_NAME, VM_REAPER_NAME);
        reaper_main(p[0]);
    }
    close(p[0]);
    reaper_fd = p[1];
    reaper_pid = pid;
    return TRUE;
}

void vm_reaper_watch(GPid pid, gboolean is_vm)
{
    Watch w = {.kind = is_vm ? 1 : 2, .pid = pid, .start = start_time(pid)};
    if (reaper_fd >= 0 && pid > 0 && w.start != 0 &&
        write(reaper_fd, &w, sizeof(w)) != (ssize_t)sizeof(w))
        g_warning("reaper: cannot watch pid %d: %s", (int)pid, g_strerror(errno));
}

void vm_reaper_stand_down(void)
{
    Watch w = {0};
    if (reaper_fd < 0)
        return;
    if (write(reaper_fd, &w, sizeof(w)) != (ssize_t)sizeof(w))
        g_warning("reaper: cannot stand it down: %s", g_strerror(errno));
    close(reaper_fd);
    reaper_fd = -1;
    waitpid(reaper_pid, NULL, 0);
}
