/* mb_run.h - one mem-balancer run: its settings, its VMs and the interval loop.
 *
 * The driver (mem-balancer.c) fills the settings from its options; then
 * mb_run_open() finds the VMs, mb_run_balance() runs the intervals until
 * the run ends and gives the memory back, and mb_run_clear() frees it all.
 * The live view (mb_web.h) is served between intervals with
 * mb_run_vms_json() as its callback. */
#ifndef MB_RUN_H
#define MB_RUN_H

#include <glib.h>

#include "bal_limits.h"
#include "mb_json.h"
#include "mb_record.h"

typedef enum { MB_POLICY_TAX, MB_POLICY_MOM } MbPolicy;

typedef struct MbRun {
    /* settings (the driver's options) */
    MbPolicy policy;
    gboolean tax_auto;
    double tax_rate;          /* static rate, or the auto rate now */
    gint64 reserve;           /* KiB */
    gint64 memory;            /* KiB; 0: the sum of the VMs' sizes (set by mb_run_open) */
    BalLimits limits;         /* total is set by mb_run_open */
    double interval;          /* seconds between steps */
    double duration;          /* seconds, 0: until a signal or every VM gone */
    const char *dir;          /* the records' folder (made), or NULL */
    gboolean table;           /* xenmm's table on stderr each interval */
    /* state */
    GPtrArray *vms;           /* MbVm */
    MbRecord *rec;
    guint64 intervals;
    double elapsed;           /* seconds into the run */
    const char *ended;        /* duration, SIGINT, SIGTERM, failed; NULL while running */
} MbRun;

/* Opens the VMs names[0..] (NULL: every running VM) under state_root,
 * sets memory (when 0) and limits.total, checks that the floors fit and
 * starts the records.  FALSE with an SK_ERROR_INPUT error when a VM is not
 * running or not answering or the floors do not fit (exit 2). */
gboolean mb_run_open(MbRun *run, const char *state_root, char *const *names,
                     GError **error);
/* Runs intervals until --duration, SIGINT/SIGTERM (sk_signal.h) or every VM
 * gone, serving the default main context between them; then every VM that
 * answers (mb_vms_restore) gets its full memory back and the records and
 * summary.json are written.  FALSE with an error when every VM went or a file could not be
 * written (run->ended says how it ended either way). */
gboolean mb_run_balance(MbRun *run, GError **error);
/* The run as records and the live view show it. */
MbRunView mb_run_view(const MbRun *run);
/* GET /vms for mb_web_new(): data is the MbRun. */
char *mb_run_vms_json(gpointer data);
/* Frees the VMs and records (the settings stay). */
void mb_run_clear(MbRun *run);

#endif
