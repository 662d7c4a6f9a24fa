/* rr_launch.h - starting run's clients: worker processes here, or Slurm tasks.
 *
 * Client k runs `argv... --worker k --worker-output DIR/k.json`.  local
 * starts the n processes at once and waits for all; slurm runs them as the
 * n tasks of one `srun` step (SLURM_PROCID gives k), on the cluster that
 * sbatch/srun from PATH and the usual environment (SLURM_CONF...) name;
 * DIR must then be visible to every node.  A stop signal ends them
 * (SIGTERM to the processes, or to srun, which cancels the step). */
#ifndef RR_LAUNCH_H
#define RR_LAUNCH_H

#include <glib.h>

#include "rr_replay.h"

/* The results file of client k in dir (newly allocated). */
char *rr_launch_results_path(const char *dir, guint k);

/* FALSE with an error naming the first client that failed (its own
 * messages are on stderr), SK_ERROR_STOPPED on a signal. */
gboolean rr_launch(RrLauncher launcher, char *const *argv, guint n, const char *dir,
                   GError **error);

#endif
