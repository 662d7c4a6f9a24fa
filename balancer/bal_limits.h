/* bal_limits.h - the bounds every policy's targets are held to.
 *
 * After a policy has proposed vms[i].next, bal_limits_apply() changes them
 * so that, in this order of precedence:
 *   1. floor <= next <= max for every VM (the floor is lowered to max for a
 *      VM smaller than the floor): never below the floor, unlike xenmm,
 *      which stops adjusting a guest once it is below;
 *   2. the sum of next is at most total: rises are cut first, in proportion
 *      to each rise, then every VM above its floor in proportion to what it
 *      holds above it;
 *   3. |next - target| <= max_step (0: no limit), unless 1 needs more.
 * bal_limits_check() tells whether vms[] meets 1 and 2 (for asserts and tests);
 * 1 and 2 can only all hold when the floors fit in total, which
 * bal_limits_valid() checks before a run. */
#ifndef BAL_LIMITS_H
#define BAL_LIMITS_H

#include <glib.h>

#include "bal_vm.h"

typedef struct BalLimits {
    gint64 total;     /* memory shared by the VMs */
    gint64 floor;     /* no target below this (capped at each VM's max) */
    gint64 max_step;  /* largest change of a target per interval, 0: none */
} BalLimits;

/* FALSE with an SK_ERROR_INPUT error when n floors exceed total. */
gboolean bal_limits_valid(const BalLimits *l, const BalVm *vms, gsize n, GError **error);
void bal_limits_apply(const BalLimits *l, BalVm *vms, gsize n);
gboolean bal_limits_check(const BalLimits *l, const BalVm *vms, gsize n);

#endif
