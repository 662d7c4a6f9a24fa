/* model.h - sioperf's performance model: one trace against one IOMMU design.
 *
 * Two models share these options and results, listed in one table
 * (models.c: name, aliases, checks, run function; sk_model_find()):
 *   SK_MODEL_HYPERSIO  "hypersio-1.0": exactly HyperSIO 1.0's numbers, its
 *                      defects included (spec section 5), for comparison;
 *   SK_MODEL_SIOKIT    "siokit": the corrected model (docs/model.md lists
 *                      every difference and why).
 * Both are event-driven: time jumps to the next event.  Both stream the
 * trace: memory depends on the design and the number of tenants, never on
 * the trace length. */
#ifndef MODEL_H
#define MODEL_H

#include <glib.h>
#include <stdint.h>

#include "cache.h"
#include "idmap.h"
#include "sk_cacheconfig.h"
#include "sk_cli.h"
#include "sk_trace.h"

typedef enum {
    SK_MODEL_SIOKIT,
    SK_MODEL_HYPERSIO,
    SK_N_MODELS,
} SkModelKind;

/* Latencies (ns) and sizes of HyperSIO 1.0, fixed in hypersio-1.0; the
 * siokit model's defaults (sk_latency_defaults, --packet-bytes,
 * --translations-per-packet). */
#define SK_LAT_PCIE          450    /* one way over PCIe */
#define SK_LAT_DRAM          50     /* one memory read */
#define SK_LAT_CC_HIT        1
#define SK_LAT_CC_MISS       1000   /* PCIe round trip + 2 reads */
#define SK_LAT_IOTLB_HIT     2
#define SK_LAT_PREFETCH_HIT  2
#define SK_LAT_PWC_HIT       5      /* page-walk cache lookup */
#define SK_PACKET_BYTES      1542
#define SK_PACKET_BITS       (SK_PACKET_BYTES * 8)
#define SK_TRANSLATIONS_PER_PACKET 3
#define SK_PACKET_BYTES_MAX  65536
#define SK_TRANSLATIONS_PER_PACKET_MAX 64

typedef struct SkModelOptions {
    SkModelKind model;
    SkCacheConfig caches;
    SkPolicy policy;        /* IOTLB replacement */
    uint32_t tqueue;        /* translation queue entries, >= 1 */
    gboolean inorder;       /* in-order completion instead of out of order */
    gboolean salloc;        /* selective allocation by domain id */
    uint32_t tenants;       /* 0 = the number of domains in the trace */
    uint64_t link_mbps;     /* link speed in Mb/s (200 Gb/s = 200000) */
    uint32_t packet_bytes;  /* 1..SK_PACKET_BYTES_MAX, default 1542 */
    uint32_t translations_per_packet;  /* 1..64, default 3 */
    gboolean tick_by_tick;  /* tests: hypersio-1.0 visits every ns, as
                               HyperSIO does, instead of jumping */
    SkProgress *progress;   /* NULL, or updated with translations read */
    const char *config_path;/* the file caches came from, for errors; NULL
                               for a built-in design */
    SkCacheConfigLines config_lines;   /* where in it, for errors */
} SkModelOptions;

enum {
    SK_STAT_CC,
    SK_STAT_IOTLB,
    SK_STAT_L2PAGE,
    SK_STAT_L3PAGE,
    SK_STAT_PREFETCH,
    SK_N_STATS,
};

extern const char *const sk_stat_names[SK_N_STATS];

typedef struct SkCacheStats {
    uint64_t hits, misses, conflicts;
} SkCacheStats;

typedef struct SkTenantStats {
    uint32_t tenant;
    uint64_t translations;
    uint64_t iotlb_hits, iotlb_misses, iotlb_coalesced;
    uint64_t first_start, last_end;   /* ns: first issue, last completion */
    uint64_t latency_sum;             /* ns, over its translations */
} SkTenantStats;

typedef struct SkModelResult {
    SkModelKind model;
    SkPolicy policy;
    uint64_t link_mbps;
    uint64_t elapsed_ns;
    uint64_t translations;
    uint64_t packets;
    uint64_t dropped_slots;
    uint64_t mbps;
    double utilization;
    uint64_t prefetch_walks;
    uint64_t max_in_flight;           /* translations in flight at once */
    /* Miss coalescing (siokit, WALKTABLE size > 0): IOTLB misses that
     * waited for a walk in flight, misses that found the table full, and
     * the most walks in flight at once. */
    uint64_t coalesced, walk_stalls, max_walks;
    SkCacheStats caches[SK_N_STATS];
    uint32_t tenants;                 /* as given, or counted */
    GArray *per_tenant;               /* SkTenantStats, sorted by tenant */
} SkModelResult;

/* One entry of the table of models (models.c). */
typedef struct SkModelInfo {
    SkModelKind kind;
    const char *name;               /* what results and --help call it */
    const char *const *aliases;     /* other names accepted, NULL-ended */
    const char *summary;            /* a few words for --help */
    SkConfigDialect dialect;        /* how it reads --config files */
    gboolean always_prefetches;     /* runs the prefetcher with no buffer */
    /* Checks of the options that only this model needs, or NULL. */
    gboolean (*check)(const SkModelOptions *options, GError **error);
    gboolean (*run)(const SkModelOptions *options, SkTraceReader *reader,
                    SkModelResult *result, GError **error);
} SkModelInfo;

/* The entry of a model; the model named name or one of its aliases, or
 * NULL. */
const SkModelInfo *sk_model_info(SkModelKind kind);
const SkModelInfo *sk_model_find(const char *name);
/* "siokit, hypersio-1.0", for errors; and the models with their summaries
 * for --help.  g_free() them. */
char *sk_model_names(void);
char *sk_model_help(void);

void sk_model_options_default(SkModelOptions *options);
gboolean sk_model_parse(const char *name, SkModelKind *kind);
const char *sk_model_name(SkModelKind kind);
gboolean sk_policy_parse(const char *name, SkPolicy *policy);
const char *sk_policy_name(SkPolicy policy);

/* Checks that the options suit the chosen model: what every model needs,
 * then the model's own check (e.g. integer link speed for hypersio-1.0).
 * A configuration error names options->config_path and the line that set
 * the value when there is one. */
gboolean sk_model_options_check(const SkModelOptions *options, GError **error);

/* Replays the whole trace.  On error (bad trace, or a trace HyperSIO 1.0
 * would never finish) returns FALSE with an SK_ERROR_INPUT error naming the
 * file and the record.  result is cleared first and owned by the caller. */
gboolean sk_model_run(const SkModelOptions *options, SkTraceReader *reader,
                      SkModelResult *result, GError **error);
/* sk_model_run() over the trace at path, opened in format, with a progress
 * line of translations unless quiet (sk_cli.h's manners). */
gboolean sk_model_run_trace(const SkModelOptions *options, const char *path,
                            SkTraceFormat format, gboolean quiet,
                            SkModelResult *result, GError **error);
void sk_model_result_clear(SkModelResult *result);

/* Shared by both models: per-tenant rows, and the final rates. */
typedef struct SkTenantTable {
    SkIdMap ids;
    GArray *rows;   /* SkTenantStats in order of first appearance */
} SkTenantTable;

void sk_tenant_table_init(SkTenantTable *t);
SkTenantStats *sk_tenant_table_get(SkTenantTable *t, uint32_t tenant);
/* Adds a row for tenant, which has none; returns its index. */
uint32_t sk_tenant_table_add(SkTenantTable *t, uint32_t tenant);

/* The row index of tenant (rows never move once added). */
static inline uint32_t sk_tenant_table_index(SkTenantTable *t, uint32_t tenant)
{
    uint32_t i = sk_id_map_find(&t->ids, tenant);
    return i != UINT32_MAX ? i : sk_tenant_table_add(t, tenant);
}
/* Moves the rows, sorted by tenant, into result->per_tenant. */
void sk_tenant_table_finish(SkTenantTable *t, SkModelResult *result);

/* A trace read in batches, record by record (both models' input). */
typedef struct SkFeed {
    SkTraceReader *reader;
    SkRecord *batch;
    gsize n, pos;
    gboolean ended;
    uint64_t read;          /* records read so far */
    SkProgress *progress;   /* NULL, or told of each batch */
} SkFeed;

void sk_feed_init(SkFeed *feed, SkTraceReader *reader, SkProgress *progress);
void sk_feed_clear(SkFeed *feed);
/* Reads the next batch; FALSE on a bad trace (error set).  At the end of
 * the trace sets feed->ended and returns TRUE. */
gboolean sk_feed_refill(SkFeed *feed, GError **error);

/* The next record, or NULL at the end of the trace or on error (then
 * *failed is TRUE and error is set). */
static inline const SkRecord *sk_feed_next(SkFeed *feed, gboolean *failed,
                                           GError **error)
{
    if (feed->pos == feed->n) {
        if (feed->ended)
            return NULL;
        if (!sk_feed_refill(feed, error)) {
            *failed = TRUE;
            return NULL;
        }
        if (feed->ended)
            return NULL;
    }
    return &feed->batch[feed->pos++];
}

/* Mb/s as HyperSIO computes it: floor(floor(translations/3) * 1542 * 8 *
 * 1000 / elapsed_ns), with the options' packet size and translations per
 * packet. */
uint64_t sk_model_mbps(const SkModelOptions *o, uint64_t translations,
                       uint64_t elapsed_ns);

#endif
