/* bal_mom.c - MOM-like free-memory threshold policy (bal_mom.h). */
#include "bal_mom.h"

gboolean bal_mom_step(BalVm *vms, gsize n, gint64 total)
{
    gint64 held = 0;

    for (gsize i = 0; i < n; i++)
        held += vms[i].target;
    gboolean pressure = (double)(total - held) < BAL_MOM_PRESSURE * (double)total;
    for (gsize i = 0; i < n; i++) {
        BalVm *v = &vms[i];
        gint64 goal = (gint64)(BAL_MOM_FREE_GOAL * (double)v->target);
        gint64 step = (gint64)(BAL_MOM_MAX_CHANGE * (double)v->max);
        gint64 least = (gint64)(BAL_MOM_MIN_CHANGE * (double)v->max);
        gint64 change = 0;

        if (v->free < goal)
            change = MIN(goal - v->free, step);
        else if (pressure && v->free > goal)
            change = -MIN(v->free - goal, step);
        if (change < least && change > -least)
            change = 0;
        v->next = v->target + change;
    }
    return pressure;
}
