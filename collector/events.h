/* events.h - what a run's event log holds for each tenant.
 *
 * Counting reads the log with libsiokit's reader (any dialect trace-gen
 * reads) and attributes each event to a tenant: translations, context
 * entries and faults by source id; page-table fetches and domain-selective
 * invalidations by domain id, which each tenant's translations reveal.
 * Splitting writes each tenant's own part of the log: for a text log its
 * lines into tenant_<k>.txt (a log set trace-gen reads with `--logs
 * DIR/tenant`), for siokit's binary log the header and its records into
 * tenant_<k>.bin. */
#ifndef COLLECTOR_EVENTS_H
#define COLLECTOR_EVENTS_H

#include <glib.h>
#include <stdint.h>

#include "sk_logstats.h"

typedef struct TenantEvents {
    unsigned sid;                 /* in: the tenant's source id */
    int64_t did;                  /* out: its domain id, -1 if never seen */
    uint64_t translations, iotlb_hits, walks;
    uint64_t slpte_fetches, context, invalidations, faults;
} TenantEvents;

typedef struct LogSummary {
    SkLogStats stats;
    char *dialect;
    uint64_t unattributed;        /* events of no tenant (other devices, global) */
} LogSummary;

/* Counts the events of log (trace_events: for a simple-backend log, else
 * NULL) for the n tenants of t. */
gboolean events_count(const char *log, const char *trace_events, TenantEvents *t,
                      unsigned n, LogSummary *summary, GError **error);

/* Writes dir/tenant_<k>.txt (or .bin) for k < n: the part of the log that
 * belongs to tenant k (events_count() must have filled t).  Each file is
 * written under a temporary name and renamed. */
gboolean events_split(const char *log, const TenantEvents *t, unsigned n, const char *dir,
                      GError **error);

/* "bin" for siokit's binary log, else "txt": the split files' suffix. */
const char *events_split_suffix(const char *log);

void log_summary_clear(LogSummary *s);

#endif
