/* mb_json.h - mem-balancer's JSON texts: summary.json and GET /vms.
 *
 * summary.json: policy, tax_rate_mode (auto|static), tax_rate, memory_kib,
 * reserve_kib, floor_kib, max_step_kib, interval_s, intervals, elapsed_s,
 * ended (duration|SIGINT|SIGTERM|failed) and vms[] (name, max_kib,
 * target_kib, used_kib, free_kib, total_kib, stats, dropped: why, or null).
 * GET /vms: time, policy, tax_rate, intervals and vms[] (name, target,
 * used, free, total, max in KiB, dropped). */
#ifndef MB_JSON_H
#define MB_JSON_H

#include <glib.h>

#include "mb_vm.h"

/* A run as the JSON shows it (the driver fills it from its own state). */
typedef struct MbRunView {
    const char *policy;           /* "tax" or "mom" */
    gboolean tax_auto;
    double tax_rate;
    gint64 memory, reserve, floor, max_step;   /* KiB */
    double interval, elapsed;     /* seconds */
    guint64 intervals;
    MbVm *const *vms;
    gsize n;
} MbRunView;

/* Both return a newly allocated text (summary: pretty, with a newline). */
char *mb_json_summary(const MbRunView *run, const char *ended);
char *mb_json_vms(const MbRunView *run);

#endif
