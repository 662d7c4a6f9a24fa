/* fio.c - the storage test (see fio.h). */
#include "fio.h"

#include <string.h>

#include "remote.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

typedef struct Job {
    const Tenant *tenant;
    FioTarget target;
    unsigned duration;
    char *report;             /* fio's JSON, or NULL */
    GError *error;
    gint finished;            /* atomic */
} Job;

/* In the tenant's VM: `sh -c SCRIPT x PIDFILE DIR FIO-ARGS...`: fio (in
 * DIR, made if missing), its pid kept so that an interrupted run can stop
 * it (and only it). */
static const char fio_script[] =
    "echo $$ > \"$1\" && mkdir -p \"$2\" && cd \"$2\" || exit 1\n"
    "shift 2\n"
    "exec fio \"$@\"\n";
static const char stop_script[] = "p=$(cat \"$1\" 2>/dev/null) && kill \"$p\" 2>/dev/null; true\n";

static char *pid_file(const Tenant *t)
{
    return g_strdup_printf("/run/fio-%u.pid", t->index);
}

static gpointer run_job(gpointer data)
{
    Job *j = data;
    char *pids = pid_file(j->tenant);
    char *runtime = g_strdup_printf("--runtime=%u", j->duration);
    char *where, *file;
    if (j->target == FIO_DISK) {
        where = g_strdup("/tmp");
        file = g_strdup_printf("--filename=%s", j->tenant->disk);
    } else {
        where = g_strdup_printf("/mnt/share/tenant-%u", j->tenant->index);
        file = g_strdup("--size=32M");
    }
    const char *args[] = {pids, where, "--name=siokit", file, "--rw=randrw", "--bs=4k",
                          j->target == FIO_DISK ? "--direct=1" : "--direct=0",
                          j->target == FIO_DISK ? "--ioengine=libaio" : "--ioengine=psync",
                          "--iodepth=8", j->target == FIO_DISK ? "--size=256M" : "--nrfiles=4",
                          "--time_based", runtime, "--output-format=json", NULL};
    j->report = remote_script(j->tenant->vm, fio_script, args, ((int)j->duration + 120) * 1000,
                              &j->error);
    if (j->error)
        g_prefix_error(&j->error, "fio: ");
    SK_FREE_ALL(pids, where, file, runtime);
    g_atomic_int_set(&j->finished, 1);
    return NULL;
}

/* Sums what a fio JSON report says of its jobs. */
static gboolean report_rates(const char *text, double *riops, double *wiops, double *mbytes,
                             GError **error)
{
    JsonParser *p = json_parser_new();
    gboolean ok = FALSE;
    /* fio may print notes before its JSON. */
    const char *json = strchr(text, '{');
    if (json && json_parser_load_from_data(p, json, -1, error)) {
        JsonObject *root = json_node_get_object(json_parser_get_root(p));
        JsonArray *jobs = root && json_object_has_member(root, "jobs")
                              ? json_object_get_array_member(root, "jobs") : NULL;
        *riops = *wiops = *mbytes = 0;
        for (guint i = 0; jobs && i < json_array_get_length(jobs); i++) {
            JsonObject *job = json_array_get_object_element(jobs, i);
            JsonObject *r = json_object_get_object_member(job, "read");
            JsonObject *w = json_object_get_object_member(job, "write");
            *riops += json_object_get_double_member(r, "iops");
            *wiops += json_object_get_double_member(w, "iops");
            /* bw is in KiB/s */
            *mbytes += (json_object_get_double_member(r, "bw") +
                        json_object_get_double_member(w, "bw")) * 1024 / 1e6;
        }
        ok = jobs != NULL && json_array_get_length(jobs) > 0;
        if (!ok)
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "fio reported no jobs");
    } else if (json == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "fio printed no JSON");
    }
    g_object_unref(p);
    return ok;
}

gboolean fio_run(const Topology *topo, FioTarget target, unsigned duration,
                 const char *run_dir, Board *board, JsonArray *results, GError **error)
{
    guint n = topo->tenants->len;
    Job *jobs = g_new0(Job, n);
    GThread **threads = g_new0(GThread *, n);
    gboolean ok = TRUE;

    for (guint k = 0; k < n; k++) {
        jobs[k].tenant = topo->tenants->pdata[k];
        jobs[k].duration = duration;
        jobs[k].target = target;
        board_step(board, jobs[k].tenant->name, "fio");
        threads[k] = g_thread_new("fio", run_job, &jobs[k]);
    }
    /* Wait, showing progress; a stop signal stops every fio by its pid. */
    for (gboolean stopped = FALSE;;) {
        guint left = 0;
        for (guint k = 0; k < n; k++)
            left += !g_atomic_int_get(&jobs[k].finished);
        if (left == 0)
            break;
        if (sk_signal_stop() && !stopped) {
            for (guint k = 0; k < n; k++) {
                char *pids = pid_file(jobs[k].tenant);
                const char *args[] = {pids, NULL};
                g_free(remote_script(jobs[k].tenant->vm, stop_script, args, 10000, NULL));
                g_free(pids);
            }
            stopped = TRUE;
        }
        board_tick(board);
        g_usleep(100000);
    }
    for (guint k = 0; k < n; k++) {
        const Tenant *t = jobs[k].tenant;
        JsonObject *o = json_object_new();
        double riops = 0, wiops = 0, mbytes = 0;

        g_thread_join(threads[k]);
        json_object_set_string_member(o, "tenant", t->name);
        if (jobs[k].report &&
            report_rates(jobs[k].report, &riops, &wiops, &mbytes, &jobs[k].error)) {
            char *base = g_strdup_printf("fio-%s.json", t->name);
            char *file = g_build_filename(run_dir, base, NULL);
            if (sk_output_write_file("fio report", file, strchr(jobs[k].report, '{'), -1,
                                     &jobs[k].error)) {
                json_object_set_string_member(o, "file", base);
                json_object_set_double_member(o, "read_iops", riops);
                json_object_set_double_member(o, "write_iops", wiops);
                json_object_set_double_member(o, "mbytes_per_s", mbytes);
            }
            g_free(base);
            g_free(file);
        }
        if (jobs[k].error) {
            json_object_set_string_member(o, "error", jobs[k].error->message);
            board_done(board, t->name, FALSE, jobs[k].error->message);
            if (ok) {
                g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s", t->name,
                            jobs[k].error->message);
                ok = FALSE;
            }
            g_clear_error(&jobs[k].error);
        } else {
            board_done(board, t->name, TRUE, NULL);
        }
        json_array_add_object_element(results, o);
        g_free(jobs[k].report);
    }
    g_free(threads);
    g_free(jobs);
    return ok;
}
