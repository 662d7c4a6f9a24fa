/* mem-balancer.c - balloon memory between VMs by xenmm's idle-memory tax or a MOM-like policy.
 *
 * A thin driver: its options become an MbRun (mb_run.h: the VMs and the
 * interval loop, over the policies of balancer/ and mb_vm's QMP or
 * libvirt), the live view (mb_web.h) is served while it runs.  Exit: 0,
 * 1 (the run failed: every VM gone, a record not written), 2 (bad usage, a
 * VM not running or unreachable at the start), 128 + signal. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bal_listen.h"
#include "bal_size.h"
#include "mb_run.h"
#include "mb_web.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"

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

/* The options into *run (its settings) and *port (--listen, or 0). */
static gboolean parse_options(int argc, char **argv, MbRun *run, guint16 *port,
                              GError **error)
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
    *run = (MbRun){.policy = MB_POLICY_TAX, .tax_auto = TRUE, .reserve = 100 << 10,
                   .interval = 2, .limits = {.floor = 128 << 10}};
    *port = 0;
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
        run->policy = MB_POLICY_TAX;
    else if (opt_policy && g_strcmp0(opt_policy, "mom") == 0)
        run->policy = MB_POLICY_MOM;
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
    if (opt_listen && !bal_listen_parse(opt_listen, port, error))
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
    run->dir = opt_dir;
    run->table = !opt_quiet && isatty(2);
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

int main(int argc, char **argv)
{
    MbRun run = {0};
    GError *error = NULL;
    MbWeb *web = NULL;
    guint16 port;
    char *state = NULL;
    int status = 0;

    sk_signal_catch();
    if (!parse_options(argc, argv, &run, &port, &error))
        goto fail;
    if (opt_dir && g_mkdir_with_parents(opt_dir, 0777) != 0) {
        sk_file_set_io_error(&error, "folder", opt_dir, "cannot make it", errno);
        goto fail;
    }
    state = state_root();
    if (!mb_run_open(&run, state, opt_all ? NULL : opt_vms, &error))
        goto fail;
    if (port && !(web = mb_web_new(port, mb_run_vms_json, &run, &error)))
        goto fail;
    if (!mb_run_balance(&run, &error))
        goto fail;
    if (sk_signal_stop())
        sk_signal_stopped(&error, "mem-balancer");
    if (error)
        goto fail;
    goto out;
fail:
    status = sk_report("mem-balancer", error);
out:
    mb_web_free(web);
    mb_run_clear(&run);
    g_free(state);
    return status;
}
