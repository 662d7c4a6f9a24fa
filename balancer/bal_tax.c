/* bal_tax.c - xenmm's idle-memory tax rate and targets (bal_tax.h). */
#include "bal_tax.h"

#include <math.h>

double bal_tax_auto_rate(const gint64 *used, gsize n, gint64 total, gint64 reserve,
                         double old_tau)
{
    double T = (double)total, amax = 0, sum = 0;

    for (gsize i = 0; i < n; i++) {
        if ((double)used[i] / T > amax || i == 0)
            amax = (double)used[i] / T;
        sum += (double)used[i];
    }
    double amean = sum / (double)n;
    double xi = (double)reserve / T;
    double denom = amax - amean / T;
    double tau;

    if (!(denom > 0))
        return old_tau;     /* all equal: xenmm's 0/0 or x/0 */
    tau = (xi + amax - 1.0 / (double)n) / denom;
    if (tau < 0)
        tau = 0;
    if (tau > 1)
        tau = 1;
    return MAX(tau, old_tau - (old_tau - tau) / 10);
}

void bal_tax_targets(const gint64 *used, gsize n, gint64 total, double tau,
                     gint64 *target)
{
    double sum = 0;

    for (gsize i = 0; i < n; i++)
        sum += (double)used[i];
    double amean = sum / (double)n;
    double share = (double)total / (double)n;
    for (gsize i = 0; i < n; i++)
        target[i] = (gint64)(share - tau * amean + tau * (double)used[i]);
}

double bal_tax_step(BalVm *vms, gsize n, gint64 total, gint64 reserve,
                    gboolean automatic, double tau)
{
    gint64 *used = g_new(gint64, n), *target = g_new(gint64, n);

    for (gsize i = 0; i < n; i++)
        used[i] = vms[i].used;
    if (automatic)
        tau = bal_tax_auto_rate(used, n, total, reserve, tau);
    bal_tax_targets(used, n, total, tau, target);
    for (gsize i = 0; i < n; i++)
        vms[i].next = target[i];
    g_free(used);
    g_free(target);
    return tau;
}
