/* mem-balancer.c - balloon memory between VMs by xenmm's idle-memory tax or a MOM-like policy.
 *
 * A thin driver over balancer/ (the policies) and mb_vm (QMP).  One interval:
 *   1. every VM still taking part is sampled: its balloon's size and the
 *      guest's own statistics (total, free, available) through QMP; a VM
 *      that does not answer is dropped, reported on stderr and in the
 *      summary, and the others go on;
 *   2. the policy proposes targets from what the VMs use (tax: xenmm's
 *      formula over the memory given; mom: free-memory thresholds);
 *   3. bal_limits holds them to the floor, each VM's maximum, --max-step
 *      and the memory given;
 *   4. each target is set with QMP `balloon`, a row logged per VM and the
 *      logs rewritten whole;
 *   5. sleep until the next interval, waking at once on SIGINT/SIGTERM.
 * The run ends after --duration, on a signal or when every VM is gone;
 * each VM still there gets its balloon back to its full memory and the
 * summary is written.  Exit: 0, 1 (the run failed, every VM gone), 2 (bad
 * usage, a VM not running or unreachable at the start), 128 + signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bal_limits.h"
#include "bal_listen.h"
#include "bal_mom.h"
#include "bal_size.h"
#include "bal_tax.h"
#include "mb_json.h"
#include "mb_record.h"
#include "mb_vm.h"
#include "mb_web.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"
#include "vm.h"

static char **opt_vms, *opt_policy, *opt_tax_rate, *opt_reserve, *opt_floor;
static char *opt_interval, *opt_max_step, *opt_memory, *opt_dir, *opt_duration;
static char *opt_listen;
static gboolean opt_all, opt_quiet;

static GOptionEntry entries[] = {
    {"vm", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_vms,
     "balance VM NAME (vmwrapper's name: client-0, l1-0 ...; repeatable)", "NAME"},
    {"all", 0, 0, G_OPTION_ARG_NONE, &opt_all, "balance every running VM", NULL},
    {"policy", 'p', 0, G_OPTION_ARG_STRING, &opt_policy, "tax (default) or mom", "POLICY"},
    {"tax-rate", 0, 0, G_OPTION_ARG_STRING, &opt_tax_rate,
     "tax: auto (default) or a rate in [0, 1]", "auto|R"},
    {"reserve", 0, 0, G_OPTION_ARG_STRING, &opt_reserve,
     "tax: memory kept free (xenmm's -f; default 100M)", "SIZE"},
    {"memory", 'N', 0, G_OPTION_ARG_STRING, &opt_memory,
     "memory shared by the VMs (xenmm's -N; default: the sum of their sizes)", "SIZE"},
    {"floor", 0, 0, G_OPTION_ARG_STRING, &opt_floor,
     "no VM's target below SIZE (default 128M)", "SIZE"},
    {"max-step", 0, 0, G_OPTION_ARG_STRING, &opt_max_step,
     "no target changes by more than SIZE an interval (default: no limit)", "SIZE"},
    {"interval", 'i', 0, G_OPTION_ARG_STRING, &opt_interval,
     "seconds between steps, 1 to 3600 (default 2, as xenmm)", "S"},
    {"duration", 0, 0, G_OPTION_ARG_STRING, &opt_duration,
     "end after S seconds (default: run until SIGINT/SIGTERM)", "S"},
    {"listen", 0, 0, G_OPTION_ARG_STRING, &opt_listen,
     "serve GET /vms (JSON) and GET / (a live page) on 127.0.0.1:PORT", "127.0.0.1:PORT"},
    {"dir", 'd', 0, G_OPTION_ARG_FILENAME, &opt_dir,
     "write NAME.tsv, balancer.csv and summary.json in DIR (made if missing)", "DIR"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "no table on a terminal", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef enum { POLICY_TAX, POLICY_MOM } Policy;

typedef struct Run {
    Policy policy;
    gboolean tax_auto;
    double tax_rate;          /* static rate, or the auto rate now */
    gint64 reserve;
    gint64 memory;            /* 0: the sum of the VMs' sizes */
    BalLimits limits;
    double interval, duration;
    GPtrArray *vms;           /* MbVm */
    guint64 intervals;
    double elapsed;
    guint16 port;             /* --listen, or 0 */
} Run;

static gboolean parse_size_opt(const char *name, const char *text, gint64 *out,
                               GError **error)
{
    return !text || bal_size_parse(name, text, out, error);
}

static gboolean valid_name(const char *name)
{
    if (!*name)
        return FALSE;
    for (const char *p = name; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
            return FALSE;
    return TRUE;
}

static gboolean parse_options(int argc, char **argv, Run *run, GError **error)
{
    GOptionContext *ctx = g_option_context_new(NULL);
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Balloons memory between the VMs vmwrapper runs: reads each guest's\n"
        "memory from its virtio-balloon statistics every interval and sets\n"
        "balloon targets by xenmm's idle-memory tax (or a MOM-like policy).");
    g_option_context_set_description(ctx,
        "SIZE: digits with k, M or G (no suffix: KiB).  The VMs need a balloon:\n"
        "vmwrapper --action launch --balloon.\n"
        "Exit status: 0 success, 1 the run failed (every VM gone, cannot write),\n"
        "2 bad usage or a VM not running or unreachable at the start, 130 or 143\n"
        "stopped by SIGINT or SIGTERM (every balloon back at full memory first).\n"
        "See docs/mem-balancer.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    *run = (Run){.policy = POLICY_TAX, .tax_auto = TRUE, .reserve = 100 << 10,
                 .interval = 2, .limits = {.floor = 128 << 10}};
    if (!sk_cli_parse(ctx, &argc, &argv, error))
        goto out;
    if (argc > 1) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "unexpected argument '%s' (usage: mem-balancer (--vm NAME ... | --all) "
                    "[OPTION...])", argv[1]);
        goto out;
    }
    if (!opt_all && !opt_vms) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no VM given (--vm NAME or --all)");
        goto out;
    }
    if (opt_all && opt_vms) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "--all and --vm exclude each other");
        goto out;
    }
    for (char **v = opt_vms; v && *v; v++) {
        if (!valid_name(*v)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --vm: bad VM name '%s'", *v);
            goto out;
        }
        for (char **w = opt_vms; w < v; w++)
            if (strcmp(*v, *w) == 0) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --vm: '%s' given twice", *v);
                goto out;
            }
    }
    if (opt_policy && g_strcmp0(opt_policy, "tax") == 0)
        run->policy = POLICY_TAX;
    else if (opt_policy && g_strcmp0(opt_policy, "mom") == 0)
        run->policy = POLICY_MOM;
    else if (opt_policy) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --policy: unknown policy '%s' (tax, mom)", opt_policy);
        goto out;
    }
    if (opt_tax_rate && g_strcmp0(opt_tax_rate, "auto") != 0) {
        run->tax_auto = FALSE;
        if (!sk_cli_parse_double("--tax-rate", opt_tax_rate, 0, 1, &run->tax_rate, error))
            goto out;
    }
    if (opt_listen && !bal_listen_parse(opt_listen, &run->port, error))
        goto out;
    if (!parse_size_opt("--reserve", opt_reserve, &run->reserve, error) ||
        !parse_size_opt("--memory", opt_memory, &run->memory, error) ||
        !parse_size_opt("--floor", opt_floor, &run->limits.floor, error) ||
        !parse_size_opt("--max-step", opt_max_step, &run->limits.max_step, error))
        goto out;
    if (opt_memory && run->memory == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --memory: must be above 0");
        goto out;
    }
    if (opt_interval &&
        !sk_cli_parse_double("--interval", opt_interval, 1, 3600, &run->interval, error))
        goto out;
    if (opt_duration &&
        !sk_cli_parse_double("--duration", opt_duration, 0.001, 1e9, &run->duration, error))
        goto out;
    ok = TRUE;
out:
    g_option_context_free(ctx);
    return ok;
}

static char *state_root(void)
{
    char *root = sk_cli_checkout();
    char *state = g_build_filename(root, "build", "vms", NULL);
    g_free(root);
    return state;
}

/* Finds and opens every VM asked for; at the start any failure is exit 2. */
static gboolean open_vms(Run *run, GError **error)
{
    char *state = state_root();
    GPtrArray *names = NULL;
    gboolean ok = FALSE;

    run->vms = g_ptr_array_new_with_free_func((GDestroyNotify)mb_vm_free);
    if (opt_all) {
        names = vm_list(state);
        for (guint i = 0; i < names->len;) {     /* only those running */
            GError *e = NULL;
            Vm *v = vm_find(state, names->pdata[i], &e);
            g_clear_error(&e);
            if (v) {
                vm_free(v);
                i++;
            } else {
                g_ptr_array_remove_index(names, i);
            }
        }
        if (names->len == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no running VM in %s", state);
            goto out;
        }
    } else {
        names = g_ptr_array_new_with_free_func(g_free);
        for (char **v = opt_vms; *v; v++)
            g_ptr_array_add(names, g_strdup(*v));
    }
    unsigned poll = (unsigned)MAX(1, (int)run->interval);
    for (guint i = 0; i < names->len; i++) {
        MbVm *vm = mb_vm_open(state, names->pdata[i], poll, error);
        if (!vm)
            goto out;
        g_ptr_array_add(run->vms, vm);
    }
    if (run->memory == 0)
        for (guint i = 0; i < run->vms->len; i++)
            run->memory += ((MbVm *)run->vms->pdata[i])->b.max;
    run->limits.total = run->memory;
    ok = TRUE;
out:
    if (names)
        g_ptr_array_unref(names);
    g_free(state);
    return ok;
}

static void drop(Run *run, MbVm *vm, GError *error)
{
    vm->dropped = g_strdup(error->message);
    vm->dropped_at = run->elapsed;
    fprintf(stderr, "mem-balancer: dropped %s\n", error->message);
    g_error_free(error);
}

/* The VMs still taking part, as BalVm copies (for the policies). */
static gsize live(Run *run, MbVm **out)
{
    gsize n = 0;
    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        if (!vm->dropped)
            out[n++] = vm;
    }
    return n;
}

static void show(Run *run, gboolean header)
{
    if (opt_quiet || !isatty(2))
        return;
    if (header) {
        fprintf(stderr, "%-10s", run->policy == POLICY_TAX ? "tau" : "");
        for (guint i = 0; i < run->vms->len; i++)
            fprintf(stderr, "%14s", ((MbVm *)run->vms->pdata[i])->name);
        fprintf(stderr, "\n");
    }
    if (run->policy == POLICY_TAX)
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
static gboolean step(Run *run, MbRecord *rec, GError **error)
{
    MbVm **vms = g_new(MbVm *, run->vms->len);
    BalVm *b = g_new(BalVm, run->vms->len);
    gsize n;
    gboolean ok = TRUE;

    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        GError *e = NULL;
        if (!vm->dropped && !mb_vm_sample(vm, &e))
            drop(run, vm, e);
    }
    n = live(run, vms);
    if (n == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "every VM is gone");
        ok = FALSE;
        goto out;
    }
    for (gsize i = 0; i < n; i++)
        b[i] = vms[i]->b;
    if (run->policy == POLICY_TAX)
        run->tax_rate = bal_tax_step(b, n, run->memory, run->reserve, run->tax_auto,
                                     run->tax_rate);
    else
        bal_mom_step(b, n, run->memory);
    bal_limits_apply(&run->limits, b, n);
    g_assert(bal_limits_check(&run->limits, b, n));
    for (gsize i = 0; i < n; i++) {
        GError *e = NULL;
        if (b[i].next != vms[i]->b.target && !mb_vm_set_target(vms[i], b[i].next, &e))
            drop(run, vms[i], e);
    }
    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        if (!vm->dropped)
            mb_record_row(rec, i, run->elapsed, run->policy == POLICY_TAX ? run->tax_rate : 0);
    }
    run->intervals++;
    show(run, run->intervals == 1);
    ok = mb_record_write(rec, error);
out:
    g_free(vms);
    g_free(b);
    return ok;
}

/* Every VM still there gets its full memory back. */
static void restore(Run *run)
{
    for (guint i = 0; i < run->vms->len; i++) {
        MbVm *vm = run->vms->pdata[i];
        GError *e = NULL;
        if (!vm->dropped && !mb_vm_set_target(vm, vm->b.max, &e)) {
            fprintf(stderr, "mem-balancer: cannot give back memory: %s\n", e->message);
            g_error_free(e);
        }
    }
}

/* What the records and the live view show of a run. */
static MbRunView view(const Run *run)
{
    return (MbRunView){
        .policy = run->policy == POLICY_TAX ? "tax" : "mom", .tax_auto = run->tax_auto,
        .tax_rate = run->tax_rate, .memory = run->memory, .reserve = run->reserve,
        .floor = run->limits.floor, .max_step = run->limits.max_step,
        .interval = run->interval, .elapsed = run->elapsed, .intervals = run->intervals,
        .vms = (MbVm *const *)(run->vms ? run->vms->pdata : NULL),
        .n = run->vms ? run->vms->len : 0};
}

/* GET /vms (mb_json.h). */
static char *vms_json(gpointer data)
{
    MbRunView v = view(data);
    return mb_json_vms(&v);
}

/* Serves the live view until `until` (monotonic µs) or a stop signal. */
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

int main(int argc, char **argv)
{
    Run run;
    GError *error = NULL;
    MbRecord *rec = NULL;
    MbWeb *web = NULL;
    const char *ended = "duration";
    int status = 0;

    sk_signal_catch();
    if (!parse_options(argc, argv, &run, &error))
        goto fail;
    if (opt_dir && g_mkdir_with_parents(opt_dir, 0777) != 0) {
        sk_file_set_io_error(&error, "folder", opt_dir, "cannot make it", errno);
        goto fail;
    }
    if (!open_vms(&run, &error))
        goto fail;
    {
        BalVm *b = g_new(BalVm, run.vms->len);
        for (guint i = 0; i < run.vms->len; i++)
            b[i] = ((MbVm *)run.vms->pdata[i])->b;
        gboolean fits = bal_limits_valid(&run.limits, b, run.vms->len, &error);
        g_free(b);
        if (!fits)
            goto fail;
    }
    if (run.port && !(web = mb_web_new(run.port, vms_json, &run, &error)))
        goto fail;
    rec = mb_record_new(opt_dir, (MbVm *const *)run.vms->pdata, run.vms->len);
    gint64 start = g_get_monotonic_time();
    gint64 end = run.duration > 0 ? start + (gint64)(run.duration * 1e6) : G_MAXINT64;
    for (guint64 k = 0;; k++) {
        run.elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
        if (!step(&run, rec, &error)) {
            ended = "failed";
            break;
        }
        gint64 next = start + (gint64)((double)(k + 1) * run.interval * 1e6);
        wait_until(MIN(next, end));
        if (sk_signal_stop()) {
            ended = sk_signal_stop() == SIGTERM ? "SIGTERM" : "SIGINT";
            break;
        }
        if (g_get_monotonic_time() >= end)
            break;
    }
    run.elapsed = (double)(g_get_monotonic_time() - start) / 1e6;
    restore(&run);
    {
        GError *e = NULL;
        MbRunView v = view(&run);
        char *json = mb_json_summary(&v, ended);
        if (!mb_record_write(rec, &e) || !mb_record_summary(rec, json, &e)) {
            if (!error)
                error = e;
            else
                g_error_free(e);
        }
        g_free(json);
    }
    if (!error && sk_signal_stop())
        sk_signal_stopped(&error, "mem-balancer");
    if (error)
        goto fail;
    goto out;
fail:
    status = sk_report("mem-balancer", error);
out:
    mb_web_free(web);
    mb_record_free(rec);
    if (run.vms)
        g_ptr_array_unref(run.vms);
    return status;
}
