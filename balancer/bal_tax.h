/* bal_tax.h - xenmm's idle-memory tax: targets from used memory and a tax rate.
 *
 * For n VMs sharing T KiB, with A_i the memory VM i uses:
 *   Amax = max A_i / T,  Amean = sum A_i / n,  xi = reserve / T
 *   target_i = T/n - tau * Amean + tau * A_i      (truncated toward zero)
 * so the targets always sum to T (up to the truncation).  tau is a static
 * rate, or `auto`:
 *   tau_new = (xi + Amax - 1/n) / (Amax - Amean/T), clamped to [0, 1]
 *   tau     = max(tau_new, tau_old - (tau_old - tau_new) / 10)
 * it rises at once and falls by a tenth of the gap per interval; tau_old
 * starts at 0.  Both exactly as xenmm's mmserver (docs/mem-balancer.md),
 * except where xenmm divides by zero (every A_i equal): there the targets do
 * not depend on tau, and the rate stays tau_old instead of becoming NaN. */
#ifndef BAL_TAX_H
#define BAL_TAX_H

#include <glib.h>

#include "bal_vm.h"

/* The automatic rate for used[0..n-1] (n >= 1), from the last rate old_tau. */
double bal_tax_auto_rate(const gint64 *used, gsize n, gint64 total, gint64 reserve,
                         double old_tau);

/* target[i] = T/n + tau (A_i - Amean), in xenmm's order of operations. */
void bal_tax_targets(const gint64 *used, gsize n, gint64 total, double tau,
                     gint64 *target);

/* The tax policy over vms[0..n-1]: sets each vms[i].next from its used
 * memory, with rate tau (static) or, when automatic, the auto rate from
 * *tau; returns the rate used (store it for the next interval). */
double bal_tax_step(BalVm *vms, gsize n, gint64 total, gint64 reserve,
                    gboolean automatic, double tau);

#endif
