/* bal_limits.c - floor, VM maximum, step and sum bounds on targets (bal_limits.h). */
#include "bal_limits.h"

#include "sk_error.h"

static gint64 vm_floor(const BalLimits *l, const BalVm *v)
{
    return MIN(l->floor, v->max);
}

gboolean bal_limits_valid(const BalLimits *l, const BalVm *vms, gsize n, GError **error)
{
    gint64 sum = 0;

    for (gsize i = 0; i < n; i++)
        sum += vm_floor(l, &vms[i]);
    if (sum > l->total) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "floors of %zu VMs (%" G_GINT64_FORMAT " KiB) exceed the memory "
                    "given (%" G_GINT64_FORMAT " KiB)", n, sum, l->total);
        return FALSE;
    }
    return TRUE;
}

/* Takes `excess` KiB out of next[], at most room[i] from VM i, in
 * proportion to room[i]; returns what could not be taken. */
static gint64 cut(BalVm *vms, gsize n, const gint64 *room, gint64 excess)
{
    gint64 all = 0, taken = 0;

    for (gsize i = 0; i < n; i++)
        all += room[i];
    if (all <= 0 || excess <= 0)
        return excess;
    for (gsize i = 0; i < n && taken < excess; i++) {
        /* ceil(excess * room / all), without overflow for KiB sizes */
        gint64 c = (gint64)(((__int128)excess * room[i] + all - 1) / all);
        c = MIN(c, room[i]);
        c = MIN(c, excess - taken);
        vms[i].next -= c;
        taken += c;
    }
    return excess - taken;
}

void bal_limits_apply(const BalLimits *l, BalVm *vms, gsize n)
{
    gint64 sum = 0;
    gint64 *room = g_new0(gint64, n);

    for (gsize i = 0; i < n; i++) {
        BalVm *v = &vms[i];
        gint64 lo = vm_floor(l, v), next = v->next;

        if (l->max_step > 0) {
            next = MIN(next, v->target + l->max_step);
            next = MAX(next, v->target - l->max_step);
        }
        next = MIN(next, v->max);
        next = MAX(next, lo);
        v->next = next;
        sum += next;
    }
    if (sum > l->total) {
        gint64 excess = sum - l->total;
        for (gsize i = 0; i < n; i++) {
            gint64 base = MAX(vms[i].target, vm_floor(l, &vms[i]));
            room[i] = MAX(vms[i].next - base, 0);
        }
        excess = cut(vms, n, room, excess);
        for (gsize i = 0; i < n; i++)
            room[i] = MAX(vms[i].next - vm_floor(l, &vms[i]), 0);
        cut(vms, n, room, excess);
    }
    g_free(room);
}

gboolean bal_limits_check(const BalLimits *l, const BalVm *vms, gsize n)
{
    gint64 sum = 0;

    for (gsize i = 0; i < n; i++) {
        if (vms[i].next < vm_floor(l, &vms[i]) || vms[i].next > vms[i].max)
            return FALSE;
        sum += vms[i].next;
    }
    return sum <= l->total;
}
