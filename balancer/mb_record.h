/* mb_record.h - mem-balancer's records: a TSV per VM, one CSV, a summary.
 *
 * Under the run folder (-d DIR):
 *   NAME.tsv     xenmm's per-domain log: a comment line, then
 *                time target used free total (seconds into the run, KiB)
 *   balancer.csv time,vm,target,used,free,total,tax_rate for every VM
 *   summary.json the run: options, intervals, how it ended, per VM
 * Rows are kept in memory and every file is rewritten whole (sk_file.h) by
 * mb_record_write(), which the driver calls each interval and at the end,
 * so that a run stopped at any moment leaves whole files. */
#ifndef MB_RECORD_H
#define MB_RECORD_H

#include <glib.h>

#include "mb_vm.h"

typedef struct MbRecord MbRecord;

/* dir NULL: nothing is written, rows are still kept for the summary. */
MbRecord *mb_record_new(const char *dir, MbVm *const *vms, gsize n);
/* One row for vms[i] at t seconds. */
void mb_record_row(MbRecord *r, gsize i, double t, double tau);
/* Rewrites the TSVs and the CSV. */
gboolean mb_record_write(MbRecord *r, GError **error);
/* Writes summary.json (already made by the driver). */
gboolean mb_record_summary(MbRecord *r, const char *json, GError **error);
void mb_record_free(MbRecord *r);

#endif
