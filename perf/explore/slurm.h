/* slurm.h - perf-explore's Slurm launcher: the points of a sweep as Slurm
 * job arrays.
 *
 * Each point is written to a point file OUT/slurm/<job>/<index>.point; a
 * job script runs `perf-explore --run-point` on the file of its
 * SLURM_ARRAY_TASK_ID, so a point is computed by the same code on Slurm as
 * locally, and writes its JSON where the local sweep would.  Arrays hold at
 * most 1000 tasks (Slurm's default MaxArraySize is 1001).  sbatch and
 * squeue come from PATH and use the usual environment (SLURM_CONF ...);
 * the launcher polls squeue every half second until the arrays have left
 * the queue (`sbatch --wait` backs off too slowly).  A stop signal cancels
 * the arrays with scancel. */
#ifndef SLURM_H
#define SLURM_H

#include <glib.h>

/* Submits points (SkPoint *) and waits for them.  The caller reads the
 * points' results afterwards.  FALSE with an error when Slurm could not be
 * used (sbatch missing or refusing) or on a stop signal. */
gboolean sk_slurm_run(GPtrArray *points, const char *out_dir, const char *self,
                      gboolean quiet, GError **error);

#endif
