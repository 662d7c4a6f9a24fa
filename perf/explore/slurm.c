/* slurm.c - the points of a sweep as Slurm job arrays (see slurm.h). */
#include "slurm.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "point.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

#define MAX_ARRAY 1000

/* Runs argv; its stdout in *out.  FALSE with an error naming the command
 * and its message when it cannot run or exits non-zero. */
static gboolean run(const char *const *argv, char **out, GError **error)
{
    char *err = NULL;
    int status;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      out, &err, &status, error)) {
        g_prefix_error(error, "cannot run %s: ", argv[0]);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_strstrip(g_strdelimit(err, "\r\n", ' '));   /* one line */
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s failed: %s", argv[0],
                    *err ? err : "no message");
        g_free(err);
        g_free(*out);
        *out = NULL;
        return FALSE;
    }
    g_free(err);
    return TRUE;
}

/* Writes the point files and the job script of points[from..to) into dir. */
static char *write_job(GPtrArray *points, guint from, guint to, const char *dir,
                       const char *self, GError **error)
{
    char *script = g_build_filename(dir, "job.sh", NULL);
    char *qself = g_shell_quote(self), *qdir = g_shell_quote(dir);
    char *text;

    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s'", dir);
        goto fail;
    }
    for (guint i = from; i < to; i++) {
        SkPoint *p = points->pdata[i];
        char *name = g_strdup_printf("%u.point", i - from);
        char *path = g_build_filename(dir, name, NULL);
        char *data = sk_point_to_data(p);
        gboolean ok = sk_output_write_file("point", path, data, -1, error);
        g_free(data);
        g_free(path);
        g_free(name);
        if (!ok)
            goto fail;
        g_unlink(p->output);   /* not "ok" (or it would not run): a new result */
    }
    text = g_strdup_printf("#!/bin/sh\n"
                           "# perf-explore: one sweep point per array task.\n"
                           "exec %s --run-point %s/\"$SLURM_ARRAY_TASK_ID\".point\n",
                           qself, qdir);
    if (!sk_output_write_file("job script", script, text, -1, error)) {
        g_free(text);
        goto fail;
    }
    g_free(text);
    g_chmod(script, 0755);
    g_free(qself);
    g_free(qdir);
    return script;
fail:
    g_free(qself);
    g_free(qdir);
    g_free(script);
    return NULL;
}

static gboolean still_queued(const char *job, GError **error)
{
    const char *argv[] = {"squeue", "-h", "-j", job, "-o", "%i", NULL};
    char *out = NULL;
    gboolean queued;
    GError *local = NULL;

    if (!run(argv, &out, &local)) {
        /* A finished job leaves squeue's view: "Invalid job id specified". */
        gboolean gone = strstr(local->message, "Invalid job id") != NULL;
        if (gone) {
            g_error_free(local);
            return FALSE;
        }
        g_propagate_error(error, local);
        return TRUE;
    }
    g_strstrip(out);
    queued = *out != '\0';
    g_free(out);
    return queued;
}

static void cancel(GPtrArray *jobs)
{
    for (guint i = 0; i < jobs->len; i++) {
        const char *argv[] = {"scancel", jobs->pdata[i], NULL};
        char *out = NULL;
        if (run(argv, &out, NULL))
            g_free(out);
    }
}

gboolean sk_slurm_run(GPtrArray *points, const char *out_dir, const char *self,
                      gboolean quiet, GError **error)
{
    GPtrArray *jobs = g_ptr_array_new_with_free_func(g_free);
    char *base = g_build_filename(out_dir, "slurm", NULL);
    SkProgress *progress = NULL;
    gboolean ok = FALSE;

    for (guint from = 0, n = 0; from < points->len; from += MAX_ARRAY, n++) {
        guint to = MIN(from + MAX_ARRAY, points->len);
        char *name = g_strdup_printf("%d-%u", (int)getpid(), n);
        char *dir = g_build_filename(base, name, NULL);
        char *script = write_job(points, from, to, dir, self, error);
        char *array = g_strdup_printf("--array=0-%u", to - from - 1);
        char *output = g_strdup_printf("--output=%s/%%a.out", dir);
        char *chdir = g_strdup_printf("--chdir=%s", dir);
        const char *argv[] = {"sbatch", "--parsable", "--job-name=perf-explore",
                              array, output, chdir, script, NULL};
        char *out = NULL;
        gboolean submitted = script && run(argv, &out, error);

        SK_FREE_ALL(name, dir, script, array, output, chdir);
        if (!submitted)
            goto out;
        g_strstrip(out);
        *strchrnul(out, ';') = '\0';   /* "JOBID;cluster" */
        g_ptr_array_add(jobs, out);
        if (!quiet)
            fprintf(stderr, "perf-explore: Slurm job %s: %u points\n", out, to - from);
    }
    progress = sk_progress_new("points (Slurm)", points->len, quiet);
    for (;;) {
        guint queued = 0, have = 0;
        if (sk_signal_stop()) {
            cancel(jobs);
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "stopped by signal %d; "
                        "Slurm jobs cancelled", sk_signal_stop());
            goto out;
        }
        for (guint i = 0; i < jobs->len; i++) {
            gboolean q = still_queued(jobs->pdata[i], error);
            if (error && *error) {
                cancel(jobs);
                goto out;
            }
            queued += q;
        }
        for (guint i = 0; i < points->len; i++)
            have += g_file_test(((SkPoint *)points->pdata[i])->output, G_FILE_TEST_EXISTS);
        sk_progress_update(progress, have);
        if (queued == 0)
            break;
        g_usleep(500000);
    }
    ok = TRUE;
out:
    sk_progress_free(progress);
    g_ptr_array_free(jobs, TRUE);
    g_free(base);
    return ok;
}
