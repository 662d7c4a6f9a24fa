/* rr_launch.c - worker processes and Slurm tasks for run's clients, waited for by PID. */
#include "rr_launch.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_signal.h"

char *rr_launch_results_path(const char *dir, guint k)
{
    char name[32];

    g_snprintf(name, sizeof(name), "%u.json", k);
    return g_build_filename(dir, name, NULL);
}

static gboolean spawn(char **argv, GPid *pid, GError **error)
{
    if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_SEARCH_PATH, NULL, NULL, pid,
                       error)) {
        g_prefix_error(error, "cannot start '%s': ", argv[0]);
        return FALSE;
    }
    return TRUE;
}

/* Waits for every pid; on a stop signal sends them SIGTERM once.  The
 * first non-zero status (by index) goes to *failed / *status. */
static gboolean wait_all(GPid *pids, guint n, int *failed, int *status)
{
    guint left = n;
    gboolean stopped = FALSE;

    *failed = -1;
    while (left > 0) {
        for (guint i = 0; i < n; i++) {
            int st;
            pid_t r;

            if (pids[i] <= 0)
                continue;
            r = waitpid(pids[i], &st, WNOHANG);
            if (r == 0 || (r < 0 && errno == EINTR))
                continue;
            pids[i] = 0;
            left--;
            if ((r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) &&
                (*failed < 0 || (guint)*failed > i)) {
                *failed = (int)i;
                *status = st;
            }
        }
        if (!stopped && sk_signal_stop()) {
            stopped = TRUE;
            for (guint i = 0; i < n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
        }
        if (left > 0)
            g_usleep(20000);
    }
    return !stopped;
}

static char **worker_argv(char *const *argv, const char *k, const char *out)
{
    GPtrArray *a = g_ptr_array_new();

    for (char *const *p = argv; *p; p++)
        g_ptr_array_add(a, g_strdup(*p));
    g_ptr_array_add(a, g_strdup("--worker"));
    g_ptr_array_add(a, g_strdup(k));
    g_ptr_array_add(a, g_strdup("--worker-output"));
    g_ptr_array_add(a, g_strdup(out));
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static gboolean launch_local(char *const *argv, guint n, const char *dir, GPid *pids,
                             GError **error)
{
    for (guint k = 0; k < n; k++) {
        char ks[16], *out = rr_launch_results_path(dir, k);
        char **wargv;
        gboolean ok;

        g_snprintf(ks, sizeof(ks), "%u", k);
        wargv = worker_argv(argv, ks, out);
        ok = spawn(wargv, &pids[k], error);
        g_strfreev(wargv);
        g_free(out);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

/* One srun step of n tasks; each task's shell turns SLURM_PROCID into its
 * worker index ("$0" is the folder, the rest the command). */
static gboolean launch_slurm(char *const *argv, guint n, const char *dir, GPid *pid,
                             GError **error)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    gboolean ok;

    g_ptr_array_add(a, g_strdup("srun"));
    g_ptr_array_add(a, g_strdup("--quiet"));
    g_ptr_array_add(a, g_strdup("--kill-on-bad-exit=1"));
    g_ptr_array_add(a, g_strdup_printf("--ntasks=%u", n));
    g_ptr_array_add(a, g_strdup("--job-name=registry-replay"));
    g_ptr_array_add(a, g_strdup("sh"));
    g_ptr_array_add(a, g_strdup("-c"));
    g_ptr_array_add(a, g_strdup("d=$0; exec \"$@\" --worker \"$SLURM_PROCID\" "
                                "--worker-output \"$d/$SLURM_PROCID.json\""));
    g_ptr_array_add(a, g_strdup(dir));
    for (char *const *p = argv; *p; p++)
        g_ptr_array_add(a, g_strdup(*p));
    g_ptr_array_add(a, NULL);
    ok = spawn((char **)a->pdata, pid, error);
    g_ptr_array_free(a, TRUE);
    return ok;
}

gboolean rr_launch(RrLauncher launcher, char *const *argv, guint n, const char *dir,
                   GError **error)
{
    guint procs = launcher == RR_LAUNCH_SLURM ? 1 : n;
    GPid *pids = g_new0(GPid, procs);
    int failed = -1, status = 0;
    gboolean started, ok;

    if (launcher == RR_LAUNCH_SLURM)
        started = launch_slurm(argv, n, dir, &pids[0], error);
    else
        started = launch_local(argv, n, dir, pids, error);
    if (!started)
        for (guint i = 0; i < procs; i++)
            if (pids[i] > 0)
                kill(pids[i], SIGTERM);
    ok = wait_all(pids, procs, &failed, &status);
    g_free(pids);
    if (!started)
        return FALSE;
    if (!ok)
        return sk_signal_stopped(error, "clients");
    if (failed >= 0) {
        GError *why = NULL;

        g_spawn_check_wait_status(status, &why);
        if (launcher == RR_LAUNCH_SLURM)
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "the Slurm step of the clients "
                        "failed: %s", why ? why->message : "");
        else
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "client %d failed: %s", failed,
                        why ? why->message : "");
        g_clear_error(&why);
        return FALSE;
    }
    return TRUE;
}
