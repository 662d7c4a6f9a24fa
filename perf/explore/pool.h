/* pool.h - runs jobs in forked worker processes, at most N at once.
 *
 * Each job runs in a child of its own (fork, no exec): a crash or a hang of
 * one job cannot take the sweep down, and jobs share nothing.  A job's
 * error message comes back to the parent through a pipe (cut at 4000
 * bytes).  A child that dies of a signal is a failed job ("killed by signal
 * N").  Each worker leads its own process group.  When a stop signal
 * arrives (sk_signal_catch), no new job starts, the running workers'
 * groups get SIGTERM (so programs they run stop too) and are waited for. */
#ifndef POOL_H
#define POOL_H

#include <glib.h>

/* Runs in the child; FALSE with error when the job failed. */
typedef gboolean (*SkPoolJobFunc)(gpointer job, gpointer data, GError **error);
/* Runs in the parent as each job ends, with the pid of its worker (0 when
 * none could start); message is NULL on success. */
typedef void (*SkPoolDoneFunc)(gpointer job, int pid, const char *message,
                               gpointer data);

/* Runs every job of jobs (a pointer array); returns FALSE when stopped by a
 * signal before all had run, TRUE otherwise (whether jobs failed or not). */
gboolean sk_pool_run(GPtrArray *jobs, guint workers, SkPoolJobFunc run,
                     SkPoolDoneFunc done, gpointer data);

#endif
