/* mb_run.c - mem-balancer's interval loop over the VMs of a run (mb_run.h).
 *
 * One interval:
 *   1. every VM still taking part is sampled: its balloon's size and the
 *      guest's own statistics (total, free, available) through QMP or
 *      libvirt; a VM that does not answer is dropped, reported on stderr
 *      and in the summary, and the others go on;
 *   2. the policy proposes targets from what the VMs use (tax: xenmm's
 *      formula over the memory given; mom: free-memory thresholds);
 *   3. bal_limits holds them to the floor, each VM's maximum, --max-step
 *      and the memory given;
 *   4. each target that changed is set (QMP `balloon`), a row logged per
 *      VM and the records rewritten whole;
 *   5. the live view is served until the next interval, waking at once on
 *      SIGINT/SIGTERM.
 * The run ends after --duration, on a signal or when every VM is gone;
 * every VM that answers (one dropped too, if it answers again) gets its
 * balloon back to its full memory and the summary is written. */
#include "mb_run.h"

#include <signal.h>
#include <stdio.h>

#include "bal_mom.h"
#include "bal_tax.h"
#include "mb_vms.h"
#include "sk_error.h"
#include "sk_signal.h"

gboolean mb_run_open(MbRun *run, const char *state_root, char *const *names,
                     GError **error)
{
    unsigned poll = (unsigned)MAX(1, (int)run->interval);

    if (!(run->vms = mb_vms_open(state_root, names, poll, error)))
        return FALSE;
    if (run->memory == 0)
        run->memory = mb_vms_size(run->vms);
    run->limits.total = run->memory;

    BalVm *b = g_new(BalVm, run->vms->len);
    for (guint i = 0; i < run->vms->len; i++)
        b[i] = ((MbVm *)run->vms->pdata[i])->b;
    gboolean fits = bal_limits_valid(&run->limits, b, run->vms->len, error);
    g_free(b);
    if (!fits)
        return FALSE;
    run->rec = mb_record_new(run->dir, (MbVm *const *)run->vms->pdata, run->vms->len);
    return TRUE;
}

/* xenmm's table on stderr: the rate (or "tg:"), then each VM's target. */
static void show(const MbRun *run, gboolean header)
{
    if (!run->table)
        return;
    if (header) {
        fprintf(stderr, "%-10s", run->policy == MB_POLICY_TAX ? "tau" : "");
        for (guint i = 0; i < run->vms->len; i++)
            fprintf(stderr, "%14s", ((MbVm *)run->vms->pdata[i])->name);
        fprintf(stderr, "\n");
    }
    if (run->policy == MB_POLICY_TAX)
        fprintf(stderr, "%-10.3f", run->tax_rate);
    else
        fprintf(stderr, "%-10s", "tg:");
    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        if (vm->dropped)
            fprintf(stderr, "%14s", "gone");
        else
            fprintf(stderr, "%14" G_GINT64_FORMAT, vm->b.target);
    }
    fprintf(stderr, "\n");
}

/* One interval (the story at the top of this file, steps 1 to 4). */
static gboolean step(MbRun *run, GError **error)
{
    MbVm **vms = g_new(MbVm *, run->vms->len);
    BalVm *b = g_new(BalVm, run->vms->len);
    gsize n;
    gboolean ok = TRUE;

    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        GError *e = NULL;
        if (!vm->dropped && !mb_vm_sample(vm, &e))
            mb_vms_drop(vm, run->elapsed, e);
    }
    n = mb_vms_live(run->vms, vms);
    if (n == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "every VM is gone");
        ok = FALSE;
        goto out;
    }
    for (gsize i = 0; i < n; i++)
        b[i] = vms[i]->b;
    if (run->policy == MB_POLICY_TAX)
        run->tax_rate = bal_tax_step(b, n, run->memory, run->reserve, run->tax_auto,
                                     run->tax_rate);
    else
        bal_mom_step(b, n, run->memory);
    bal_limits_apply(&run->limits, b, n);
    g_assert(bal_limits_check(&run->limits, b, n));
    for (gsize i = 0; i < n; i++) {
        GError *e = NULL;
        if (b[i].next != vms[i]->b.target && !mb_vm_set_target(vms[i], b[i].next, &e))
            mb_vms_drop(vms[i], run->elapsed, e);
    }
    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        if (!vm->dropped)
            mb_record_row(run->rec, i, run->elapsed,
                          run->policy == MB_POLICY_TAX ? run->tax_rate : 0);
    }
    run->intervals++;
    show(run, run->intervals == 1);
    ok = mb_record_write(run->rec, error);
out:
    g_free(vms);
    g_free(b);
    return ok;
}

/* Serves the default main context until `until` (monotonic µs) or a stop
 * signal. */
static void wait_until(gint64 until)
{
    while (!sk_signal_stop()) {
        gint64 now = g_get_monotonic_time();
        if (now >= until)
            return;
        while (g_main_context_iteration(NULL, FALSE))
            ;
        g_usleep((gulong)MIN(until - now, 20000));
    }
}

/* The last records and summary.json; the first error is kept in *error. */
static void write_end(MbRun *run, GError **error)
{
    GError *e = NULL;
    MbRunView v = mb_run_view(run);
    char *json = mb_json_summary(&v, run->ended);

    if (!mb_record_write(run->rec, &e) || !mb_record_summary(run->rec, json, &e)) {
        if (!*error)
            *error = e;
        else
            g_error_free(e);
    }
    g_free(json);
}

gboolean mb_run_balance(MbRun *run, GError **error)
{
    GError *local = NULL;
    gint64 start = g_get_monotonic_time();
    gint64 end = run->duration > 0 ? start + (gint64)(run->duration * 1e6) : G_MAXINT64;

    run->ended = "duration";
    for (guint64 k = 0;; k++) {
        run->elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
        if (!step(run, &local)) {
            run->ended = "failed";
            break;
        }
        gint64 next = start + (gint64)((double)(k + 1) * run->interval * 1e6);
        wait_until(MIN(next, end));
        if (sk_signal_stop()) {
            run->ended = sk_signal_stop() == SIGTERM ? "SIGTERM" : "SIGINT";
            break;
        }
        if (g_get_monotonic_time() >= end)
            break;
    }
    run->elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
    mb_vms_restore(run->vms);
    write_end(run, &local);
    if (local) {
        g_propagate_error(error, local);
        return FALSE;
    }
    return TRUE;
}

MbRunView mb_run_view(const MbRun *run)
{
    return (MbRunView){
        .policy = run->policy == MB_POLICY_TAX ? "tax" : "mom", .tax_auto = run->tax_auto,
        .tax_rate = run->tax_rate, .memory = run->memory, .reserve = run->reserve,
        .floor = run->limits.floor, .max_step = run->limits.max_step,
        .interval = run->interval, .elapsed = run->elapsed, .intervals = run->intervals,
        .vms = (MbVm *const *)(run->vms ? run->vms->pdata : NULL),
        .n = run->vms ? run->vms->len : 0};
}

char *mb_run_vms_json(gpointer data)
{
    MbRunView v = mb_run_view(data);
    return mb_json_vms(&v);
}

void mb_run_clear(MbRun *run)
{
    g_clear_pointer(&run->rec, mb_record_free);
    g_clear_pointer(&run->vms, g_ptr_array_unref);
}
