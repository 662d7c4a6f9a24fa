/* bal_mom.h - a threshold policy after oVirt MOM's balloon rules.
 *
 * "Host free" is the memory given (total) that no VM's target holds.  Per
 * interval, for each VM with target t and free memory f (what it could
 * give back), goal = BAL_MOM_FREE_GOAL * t:
 *   - under pressure (host free < BAL_MOM_PRESSURE * total) a VM with
 *     f > goal shrinks by min(f - goal, BAL_MOM_MAX_CHANGE * max);
 *   - a VM with f < goal grows by min(goal - f, BAL_MOM_MAX_CHANGE * max),
 *     pressure or not (the sum bound of bal_limits then shares what is left);
 *   - otherwise t stays.
 * Changes smaller than BAL_MOM_MIN_CHANGE * max are not made. */
#ifndef BAL_MOM_H
#define BAL_MOM_H

#include <glib.h>

#include "bal_vm.h"

#define BAL_MOM_PRESSURE   0.20   /* MOM's pressure_threshold */
#define BAL_MOM_FREE_GOAL  0.20   /* MOM's min_guest_free_percent */
#define BAL_MOM_MAX_CHANGE 0.05   /* MOM's max_balloon_change_percent */
#define BAL_MOM_MIN_CHANGE 0.0025 /* MOM's min_balloon_change_percent */

/* Sets every vms[i].next; TRUE when the host was under pressure. */
gboolean bal_mom_step(BalVm *vms, gsize n, gint64 total);

#endif
