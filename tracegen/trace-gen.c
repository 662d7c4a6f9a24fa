/* trace-gen.c - per-tenant IOMMU event logs to one interleaved
 * hyper-tenant trace that sioperf replays.
 *
 * Pass 1 reads the logs in order (HyperSIO 1.0 text, stock QEMU 7.2 text,
 * QEMU simple-backend binary; compressed or not) and keeps each tenant's
 * translations in a spill file; pass 2 interleaves the tenants in the
 * chosen order into the NAT builder, which writes the trace.  Memory is
 * bounded by tenants and distinct pages, never by events.  With --format
 * hypersio the output is byte for byte what HyperSIO 1.0's builder writes
 * for the same logs and parameters.  See docs/trace-gen.md. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-glib/json-glib.h>

#include "interleave.h"
#include "pageset.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_nat.h"
#include "sk_trace.h"
#include "spill.h"
#include "tenants.h"

#define HS_FIRST_DEVICE 2        /* HyperSIO's logs number devices 2, 3 ... */
#define REUSE_IOVA_SHIFT 40      /* reused logs move to iova + round << 40 */
#define MAX_EXAMPLES 5
#define BATCH 4096

static char **opt_logs, *opt_tenants, *opt_order, *opt_burst, *opt_dpl;
static char *opt_weights, *opt_zipf, *opt_seed, *opt_format, *opt_output;
static char *opt_trace_events, *opt_tmpdir, *opt_translations;
static gboolean opt_strict, opt_reuse, opt_json, opt_quiet, opt_compress;

static GOptionEntry entries[] = {
    {"logs", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_logs,
     "a log file, or a prefix P of logs P_0.txt, P_1.txt ... (repeatable; "
     "log files may also follow the options)", "PREFIX|FILE"},
    {"tenants", 't', 0, G_OPTION_ARG_STRING, &opt_tenants,
     "tenants in the trace (required)", "N"},
    {"order", 'r', 0, G_OPTION_ARG_STRING, &opt_order,
     "rr (default), rand, orig, weighted or zipf", "ORDER"},
    {"burst", 'b', 0, G_OPTION_ARG_STRING, &opt_burst,
     "packets a tenant's turn, 3 translations each (default 1)", "P"},
    {"devices-per-log", 'V', 0, G_OPTION_ARG_STRING, &opt_dpl,
     "HyperSIO's device selection: in each log only devices 2, 3 ... up to "
     "V (or fewer when fewer tenants are left) count", "V"},
    {"weights", 'w', 0, G_OPTION_ARG_FILENAME, &opt_weights,
     "tenant weights for --order weighted: lines 'TENANT WEIGHT'", "FILE"},
    {"zipf", 0, 0, G_OPTION_ARG_STRING, &opt_zipf,
     "skew of --order zipf (default 1)", "THETA"},
    {"seed", 's', 0, G_OPTION_ARG_STRING, &opt_seed,
     "seed of the weighted and zipf orders (default 1)", "S"},
    {"format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
     "siokit (default) or hypersio (writes OUT_iotlb_trace.bin)", "FORMAT"},
    {"strict", 0, 0, G_OPTION_ARG_NONE, &opt_strict,
     "fail on the first malformed line", NULL},
    {"translations", 'n', 0, G_OPTION_ARG_STRING, &opt_translations,
     "end the trace after N translations (default: when the order ends)", "N"},
    {"reuse", 0, 0, G_OPTION_ARG_NONE, &opt_reuse,
     "read the logs again as new tenants when they hold too few", NULL},
    {"trace-events", 'e', 0, G_OPTION_ARG_FILENAME, &opt_trace_events,
     "trace-events file of the QEMU that wrote simple-backend logs", "FILE"},
    {"tmpdir", 0, 0, G_OPTION_ARG_FILENAME, &opt_tmpdir,
     "where to spill (default $TMPDIR or /tmp)", "DIR"},
    {"compress", 'z', 0, G_OPTION_ARG_NONE, &opt_compress,
     "zstd-compress the trace (siokit format)", NULL},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json,
     "print the summary as one JSON object on stdout", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet,
     "no progress and no summary", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "the trace to write (required)", "OUT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* What was read from one log. */
typedef struct LogInfo {
    char *path;
    SkLogDialect dialect;
    SkLogStats stats;
    uint64_t translations;      /* used in the trace's tenants */
    uint64_t invalidations;
    uint64_t faults;
    char **examples;            /* first malformed lines */
} LogInfo;

typedef struct Gen {
    uint32_t want;              /* --tenants */
    uint32_t per_log;           /* --devices-per-log, 0 = all devices */
    TgOrderParams order;
    SkTraceFormat format;
    TgTenants tenants;
    TgSpill *spill;             /* pass 1 -> pass 2 (not for orig) */
    SkNatBuilder *nat;
    TgPageSet pages;
    SkRecord batch[BATCH];
    gsize n_batch;
    GArray *logs;               /* LogInfo of every log read */
    uint64_t translations;      /* in the trace */
    uint64_t beyond;            /* translations of domains past --tenants */
    uint64_t unusable;          /* translations without a usable level */
    uint64_t duplicates;        /* dmar_translate of a logged hit/update */
    uint64_t limit;             /* --translations, 0 = none */
    uint64_t tenant_cap;        /* most translations a tenant can give, 0 = none */
    gboolean limited;           /* the trace reached limit */
    GArray *last_new;           /* per log file: the event after which its first
                                   reading found no new domain (uint64_t) */
} Gen;

static gboolean stopped(GError **error)
{
    int sig = sk_signal_stop();
    if (sig == 0)
        return FALSE;
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "interrupted by %s, nothing written",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    return TRUE;
}

/* ---- pass 2 (or pass 1 for orig): the trace, record by record ---- */

static gboolean flush_batch(Gen *g, GError **error)
{
    gboolean ok = sk_nat_builder_add(g->nat, g->batch, g->n_batch, error);
    g->n_batch = 0;
    return ok;
}

static gboolean emit(const SkRecord *r, void *data, GError **error)
{
    Gen *g = data;
    TgTenant *t = tg_tenant(&g->tenants, r->tenant);

    if (g->limit && g->translations >= g->limit) {
        /* Full: interleaving stops here (no error); orig reads on. */
        g->limited = TRUE;
        return g->order.order == TG_ORDER_ORIG;
    }
    t->emitted++;
    if (tg_page_set_add(&g->pages, r->iova & r->mask, r->tenant))
        t->pages++;
    g->translations++;
    g->batch[g->n_batch++] = *r;
    if (g->n_batch == BATCH) {
        if (stopped(error))
            return FALSE;
        return flush_batch(g, error);
    }
    return TRUE;
}

/* ---- pass 1: one log ---- */

/* The page level of a translation: what the log says, else from the
 * leaf entry's page-size bit (bit 7: 2 MiB when set, 4 KiB when not). */
static unsigned level_of(const SkLogEvent *ev, uint64_t *mask)
{
    unsigned level = 0;
    if (ev->has & SK_LOG_HAS_MASK) {
        *mask = ev->mask;
        return sk_mask_level(ev->mask);
    }
    if (ev->has & SK_LOG_HAS_LEVEL)
        level = ev->level;
    else if (ev->has & SK_LOG_HAS_SLPTE)
        level = (ev->slpte >> 7) & 1 ? 2 : 1;
    if (level >= SK_LEVEL_MIN && level <= SK_LEVEL_MAX)
        *mask = sk_level_mask(level);
    return level;
}

static SkKind kind_of(const SkLogEvent *ev)
{
    switch (ev->via) {
    case SK_LOG_VIA_IOTLB: return SK_KIND_IOTLB_HIT;
    case SK_LOG_VIA_WALK: return SK_KIND_WALK;
    default: return SK_KIND_UNKNOWN;
    }
}

typedef struct LogPass {
    uint32_t log;               /* log index, counting reuse rounds */
    uint64_t iova_offset;
    uint32_t valid;             /* --devices-per-log: devices that count */
    GHashTable *valid_dids;     /* domains of valid devices' contexts */
    GHashTable *seen_dids;      /* domains met in this log */
    GHashTable *sid_domain;     /* sid -> domain + 1, from context events */
    gboolean seen_iotlb_events; /* page_hit/_update seen: dmar duplicates */
} LogPass;

static gboolean sid_counts(const Gen *g, const LogPass *p, uint32_t sid)
{
    if (g->per_log == 0)
        return TRUE;
    /* Devices 2, 3 ... on bus 0, function 0: sid = dev << 3. */
    return (sid & 7) == 0 && sid >> 3 >= HS_FIRST_DEVICE &&
           sid >> 3 < HS_FIRST_DEVICE + p->valid;
}

static gboolean translation(Gen *g, LogPass *p, LogInfo *info,
                            const SkLogEvent *ev, GError **error)
{
    uint32_t did;
    uint64_t mask = 0;
    unsigned level;
    TgTenant *t;

    if (ev->via == SK_LOG_VIA_DMAR) {
        /* Each DMA translation once: a dmar_translate repeats a page hit or
         * update when the log has those. */
        if (p->seen_iotlb_events) {
            g->duplicates++;
            return TRUE;
        }
    } else {
        p->seen_iotlb_events = TRUE;
    }
    if (!sid_counts(g, p, ev->sid))
        return TRUE;
    if (ev->has & SK_LOG_HAS_DID) {
        did = ev->did;
    } else {
        gpointer d = g_hash_table_lookup(p->sid_domain, GUINT_TO_POINTER(ev->sid));
        did = d ? GPOINTER_TO_UINT(d) - 1 : ev->sid;   /* no context seen */
    }
    level = level_of(ev, &mask);
    if (level < SK_LEVEL_MIN || level > SK_LEVEL_MAX) {
        g->unusable++;
        if (opt_strict) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "log '%s': translation of iova 0x%" G_GINT64_MODIFIER
                        "x with no page level 1..3", info->path, ev->iova);
            return FALSE;
        }
        return TRUE;
    }
    t = tg_tenants_get(&g->tenants, p->log, did);
    if (t == NULL) {
        g->beyond++;
        return TRUE;
    }
    g_hash_table_add(p->seen_dids, GUINT_TO_POINTER(did + 1));

    SkRecord r = {
        .iova = ev->iova + p->iova_offset,
        .mask = mask,
        .slpte = ev->slpte,
        .nat = SK_NAT_NONE,
        .tenant = t->id,
        .sid = tg_tenants_sid(&g->tenants, p->log, ev->sid),
        .level = (uint8_t)level,
        .kind = (uint8_t)kind_of(ev),
    };
    if (!t->has_sid) {
        t->sid = r.sid;
        t->has_sid = TRUE;
    }
    info->translations++;
    if (g->tenant_cap && t->read >= g->tenant_cap)
        return TRUE;             /* more than --translations can use */
    t->read++;
    if (g->order.order == TG_ORDER_ORIG)
        return emit(&r, g, error);
    return tg_spill_add(g->spill, t->id, &r, error);
}

/* Reads one log; returns the number of domains it contributed (what
 * HyperSIO subtracts from the tenants still wanted), or -1. */
/* TRUE when every tenant this reading of a log made has all the
 * translations the trace can use (only with --translations). */
static gboolean tenants_full(Gen *g, guint first)
{
    for (guint i = first; i < g->tenants.rows->len; i++)
        if (tg_tenant(&g->tenants, i)->read < g->tenant_cap)
            return FALSE;
    return TRUE;
}

/* Reads one log (file number file, reading log of the trace); returns the
 * number of domains it contributed (what HyperSIO subtracts from the
 * tenants still wanted), or -1.  With --reuse and --translations, a later
 * reading of a file stops once it is past the point where the first reading
 * found its last domain and its tenants are full: the rest could not be
 * used. */
static int read_log(Gen *g, const char *path, guint file, uint32_t log, uint32_t round,
                    uint32_t valid, GError **error)
{
    SkLogReaderOptions ropt = {.trace_events = opt_trace_events,
                               .strict = opt_strict, .max_examples = MAX_EXAMPLES};
    SkLogReader *reader = sk_log_reader_open(path, &ropt, error);
    LogPass p = {.log = log, .iova_offset = (uint64_t)round << REUSE_IOVA_SHIFT,
                 .valid = valid};
    LogInfo info = {.path = g_strdup(path)};
    SkLogEvent ev;
    int got, result = -1;
    char *what = g_strdup_printf("reading %s", path);
    SkProgress *progress = sk_progress_new(what, 0, opt_quiet || opt_json);
    uint64_t events = 0;

    if (reader == NULL) {
        g_free(info.path);
        sk_progress_free(progress);
        g_free(what);
        return -1;
    }
    p.valid_dids = g_hash_table_new(g_direct_hash, g_direct_equal);
    p.seen_dids = g_hash_table_new(g_direct_hash, g_direct_equal);
    p.sid_domain = g_hash_table_new(g_direct_hash, g_direct_equal);
    guint first_tenant = g->tenants.rows->len, domains = 0;
    if (g->last_new->len <= file)
        g_array_set_size(g->last_new, file + 1);
    uint64_t *last_new = &g_array_index(g->last_new, uint64_t, file);
    while ((got = sk_log_reader_next(reader, &ev, error)) > 0) {
        gpointer did_key = GUINT_TO_POINTER(ev.did + 1);
        if ((++events & 0xffff) == 0) {
            if (stopped(error))
                goto out;
            sk_progress_update(progress, sk_log_reader_stats(reader)->lines);
        }
        if (round == 0 && g_hash_table_size(p.seen_dids) != domains) {
            domains = g_hash_table_size(p.seen_dids);
            *last_new = events;
        }
        if (round > 0 && g->tenant_cap && (events & 0xfff) == 0 && events > *last_new &&
            tenants_full(g, first_tenant))
            break;
        switch (ev.type) {
        case SK_LOG_TRANSLATE:
            if (!translation(g, &p, &info, &ev, error))
                goto out;
            break;
        case SK_LOG_CONTEXT:
            if (!sid_counts(g, &p, ev.sid))
                break;
            g_hash_table_add(p.valid_dids, did_key);
            g_hash_table_insert(p.sid_domain, GUINT_TO_POINTER(ev.sid), did_key);
            if (g->tenants.hypersio) {        /* HyperSIO numbers these too */
                tg_tenants_get(&g->tenants, log, ev.did);
                g_hash_table_add(p.seen_dids, did_key);
            }
            break;
        case SK_LOG_SLPTE_FETCH:
            if (g->per_log && !g_hash_table_contains(p.valid_dids, did_key))
                break;
            if (g->tenants.hypersio) {
                tg_tenants_get(&g->tenants, log, ev.did);
                g_hash_table_add(p.seen_dids, did_key);
            }
            break;
        case SK_LOG_INVALIDATE:
            info.invalidations++;
            break;
        case SK_LOG_FAULT:
            info.faults++;
            break;
        default:
            break;
        }
    }
    if (got < 0)
        goto out;
    if (round == 0 && g_hash_table_size(p.seen_dids) != domains)
        *last_new = events;
    result = (int)g_hash_table_size(p.seen_dids);
out:
    info.dialect = sk_log_reader_dialect(reader);
    info.stats = *sk_log_reader_stats(reader);
    {
        guint n = 0;
        const char *const *ex = sk_log_reader_examples(reader, &n);
        info.examples = g_new0(char *, n + 1);
        for (guint i = 0; i < n; i++)
            info.examples[i] = g_strdup(ex[i]);
    }
    g_array_append_val(g->logs, info);
    sk_progress_free(progress);
    g_free(what);
    sk_log_reader_free(reader);
    g_hash_table_destroy(p.valid_dids);
    g_hash_table_destroy(p.seen_dids);
    g_hash_table_destroy(p.sid_domain);
    return result;
}

/* ---- finding the logs ---- */

/* A file as given, or the logs P_0.txt, P_1.txt ... of a prefix (each also
 * as .txt.gz or .txt.zst). */
static gboolean find_logs(GPtrArray *logs, const char *arg, GError **error)
{
    static const char *const suffixes[] = {".txt", ".txt.gz", ".txt.zst", ".log", ".bin"};

    if (g_file_test(arg, G_FILE_TEST_IS_REGULAR)) {
        g_ptr_array_add(logs, g_strdup(arg));
        return TRUE;
    }
    for (guint k = 0;; k++) {
        char *found = NULL;
        for (guint s = 0; s < G_N_ELEMENTS(suffixes) && !found; s++) {
            char *path = g_strdup_printf("%s_%u%s", arg, k, suffixes[s]);
            if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
                found = path;
            else
                g_free(path);
        }
        if (found == NULL) {
            if (k == 0) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "no log '%s', nor '%s_0.txt' (or .txt.gz, .txt.zst)",
                            arg, arg);
                return FALSE;
            }
            return TRUE;
        }
        g_ptr_array_add(logs, found);
    }
}

/* ---- options ---- */

static gboolean load_weights(Gen *g, const uint32_t *ids, guint n, double **out,
                             GError **error)
{
    char *text = NULL;
    gsize len;
    GError *local = NULL;
    double *w = g_new(double, n);
    gboolean ok = FALSE;

    for (guint i = 0; i < n; i++)
        w[i] = 1.0;
    if (!g_file_get_contents(opt_weights, &text, &len, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "weights '%s': %s",
                    opt_weights, local->message);
        g_error_free(local);
        goto out;
    }
    char **lines = g_strsplit(text, "\n", -1);
    for (guint l = 0; lines[l]; l++) {
        char *line = g_strstrip(lines[l]), *end;
        if (*line == '\0' || *line == '#')
            continue;
        errno = 0;
        unsigned long long id = strtoull(line, &end, 10);
        double weight = end != line ? g_ascii_strtod(end, &end) : -1;
        while (*end == ' ' || *end == '\t')
            end++;
        if (errno || *end != '\0' || !(weight >= 0) || weight > 1e300) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "weights '%s': line %u: expected 'TENANT WEIGHT' with a "
                        "weight >= 0", opt_weights, l + 1);
            g_strfreev(lines);
            goto out;
        }
        guint i;
        for (i = 0; i < n && ids[i] != id; i++)
            ;
        if (i == n) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "weights '%s': line %u: tenant %llu is not in the trace",
                        opt_weights, l + 1, id);
            g_strfreev(lines);
            goto out;
        }
        w[i] = weight;
    }
    g_strfreev(lines);
    (void)g;
    *out = w;
    w = NULL;
    ok = TRUE;
out:
    g_free(w);
    g_free(text);
    return ok;
}

static gboolean parse_options(int *argc, char ***argv, Gen *g, GPtrArray *logs,
                              GError **error)
{
    GOptionContext *ctx = g_option_context_new("[LOG...]");
    uint64_t v;
    gboolean ok = FALSE;

    g_option_context_set_summary(ctx,
        "Interleaves per-tenant IOMMU event logs (HyperSIO 1.0 or stock QEMU 7.2\n"
        "text logs, QEMU simple-backend logs, siokit's binary VT-d logs; plain,\n"
        "gzip or zstd) into one hyper-tenant translation trace for sioperf.");
    g_option_context_set_description(ctx,
        "A tenant is one domain of one log.  Exit status: 0 success, 1 failure,\n"
        "2 bad usage or bad input, 130/143 interrupted (nothing written).\n"
        "See docs/trace-gen.md.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!sk_cli_parse(ctx, argc, argv, error))
        goto out;
    for (char **l = opt_logs; l && *l; l++)
        if (!find_logs(logs, *l, error))
            goto out;
    for (int i = 1; i < *argc; i++)
        if (!find_logs(logs, (*argv)[i], error))
            goto out;
    if (logs->len == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no logs given (--logs PREFIX|FILE)");
        goto out;
    }
    if (opt_output == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option -o/--output is required");
        goto out;
    }
    if (opt_tenants == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --tenants is required");
        goto out;
    }
    if (!sk_cli_parse_u64("--tenants", opt_tenants, 1, 16777216, &v, error))
        goto out;
    g->want = (uint32_t)v;
    g->order.order = TG_ORDER_RR;
    if (opt_order && !tg_order_parse(opt_order, &g->order.order)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --order: unknown order '%s' (rr, rand, orig, weighted, zipf)",
                    opt_order);
        goto out;
    }
    v = 1;
    if (opt_burst && !sk_cli_parse_u64("--burst", opt_burst, 1, 1000000, &v, error))
        goto out;
    g->order.consec = (uint32_t)v * 3;
    if (opt_dpl) {
        if (!sk_cli_parse_u64("--devices-per-log", opt_dpl, 1, 8190, &v, error))
            goto out;
        g->per_log = (uint32_t)v;
    }
    g->order.seed = 1;
    if (opt_seed && !sk_cli_parse_u64("--seed", opt_seed, 0, UINT64_MAX, &g->order.seed, error))
        goto out;
    g->order.theta = 1.0;
    if (opt_zipf) {
        char *end;
        g->order.theta = g_ascii_strtod(opt_zipf, &end);
        if (*end || end == opt_zipf || !(g->order.theta >= 0) || g->order.theta > 100) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "option --zipf: '%s' is not a skew between 0 and 100", opt_zipf);
            goto out;
        }
    }
    if (g->order.order == TG_ORDER_WEIGHTED && opt_weights == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "--order weighted needs --weights FILE");
        goto out;
    }
    g->format = SK_FORMAT_SIOKIT;
    if (opt_format && (!sk_trace_format_parse(opt_format, &g->format) ||
                       g->format == SK_FORMAT_AUTO)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --format: unknown format '%s' (siokit, hypersio)", opt_format);
        goto out;
    }
    if (opt_compress && g->format == SK_FORMAT_HYPERSIO) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --compress: HyperSIO traces are never compressed");
        goto out;
    }
    if (opt_translations) {
        if (!sk_cli_parse_u64("--translations", opt_translations, 1, UINT64_C(1) << 40,
                              &g->limit, error))
            goto out;
        /* What a tenant can give at most: in rr every tenant takes equal
         * turns, so the trace is full before any tenant passes this. */
        uint64_t turns = (g->limit + (uint64_t)g->want * g->order.consec - 1) /
                         ((uint64_t)g->want * g->order.consec);
        g->tenant_cap = g->order.order == TG_ORDER_RR ? turns * g->order.consec : g->limit;
    }
    ok = TRUE;
out:
    g_option_context_free(ctx);
    return ok;
}

/* ---- the summary ---- */

static const char *dialect_name(SkLogDialect d)
{
    switch (d) {
    case SK_LOG_DIALECT_HYPERSIO10: return "hypersio-1.0";
    case SK_LOG_DIALECT_QEMU72: return "qemu-7.2";
    case SK_LOG_DIALECT_SIMPLE: return "qemu-simple";
    case SK_LOG_DIALECT_SIOKIT: return "siokit";
    default: return "unknown";
    }
}

static void add_int(JsonBuilder *b, const char *name, uint64_t v)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, (gint64)v);
}

static char *summary_json(const Gen *g, const char *out, const uint32_t *ids, guint n)
{
    JsonBuilder *b = json_builder_new();
    SkLogStats total = {0};

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "output");
    json_builder_add_string_value(b, out);
    json_builder_set_member_name(b, "format");
    json_builder_add_string_value(b, g->format == SK_FORMAT_HYPERSIO ? "hypersio" : "siokit");
    json_builder_set_member_name(b, "order");
    json_builder_add_string_value(b, tg_order_name(g->order.order));
    add_int(b, "burst", g->order.consec / 3);
    add_int(b, "tenant_count", n);
    add_int(b, "translations", g->translations);
    json_builder_set_member_name(b, "logs");
    json_builder_begin_array(b);
    for (guint i = 0; i < g->logs->len; i++) {
        const LogInfo *l = &g_array_index(g->logs, LogInfo, i);
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "path");
        json_builder_add_string_value(b, l->path);
        json_builder_set_member_name(b, "dialect");
        json_builder_add_string_value(b, dialect_name(l->dialect));
        add_int(b, "lines", l->stats.lines);
        add_int(b, "events", l->stats.events);
        add_int(b, "skipped", l->stats.skipped);
        add_int(b, "malformed", l->stats.malformed);
        add_int(b, "translations", l->translations);
        add_int(b, "invalidations", l->invalidations);
        add_int(b, "faults", l->faults);
        json_builder_set_member_name(b, "malformed_examples");
        json_builder_begin_array(b);
        for (char **e = l->examples; e && *e; e++)
            json_builder_add_string_value(b, *e);
        json_builder_end_array(b);
        json_builder_end_object(b);
        total.lines += l->stats.lines;
        total.skipped += l->stats.skipped;
        total.malformed += l->stats.malformed;
    }
    json_builder_end_array(b);
    add_int(b, "lines", total.lines);
    add_int(b, "skipped", total.skipped);
    add_int(b, "malformed", total.malformed);
    add_int(b, "translations_beyond_tenants", g->beyond);
    add_int(b, "translations_without_level", g->unusable);
    add_int(b, "dmar_duplicates", g->duplicates);
    json_builder_set_member_name(b, "tenants");
    json_builder_begin_array(b);
    for (guint i = 0; i < n; i++) {
        const TgTenant *t = &g_array_index(g->tenants.rows, TgTenant, ids[i]);
        json_builder_begin_object(b);
        add_int(b, "id", t->id);
        add_int(b, "log", t->log);
        add_int(b, "domain", t->domain);
        add_int(b, "sid", t->sid);
        add_int(b, "translations", t->emitted);
        add_int(b, "pages", t->pages);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);

    JsonGenerator *gen = json_generator_new();
    JsonNode *root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    char *text = json_generator_to_data(gen, NULL);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    return text;
}

static void summary_text(const Gen *g, const char *out, guint n)
{
    uint64_t lines = 0, skipped = 0, malformed = 0;
    for (guint i = 0; i < g->logs->len; i++) {
        const LogInfo *l = &g_array_index(g->logs, LogInfo, i);
        lines += l->stats.lines;
        skipped += l->stats.skipped;
        malformed += l->stats.malformed;
        for (char **e = l->examples; e && *e; e++)
            fprintf(stderr, "trace-gen: malformed: %s\n", *e);
    }
    fprintf(stderr, "trace-gen: wrote %" G_GUINT64_FORMAT " translations of %u tenants "
            "to %s (%s order, %u logs, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
            " skipped, %" G_GUINT64_FORMAT " malformed)\n", g->translations, n, out,
            tg_order_name(g->order.order), g->logs->len, lines, skipped, malformed);
}

/* ---- main ---- */

static gboolean generate(Gen *g, GPtrArray *logs, const char *out, GError **error)
{
    SkTraceWriterOptions wopt = {.compress = opt_compress};
    SkTraceWriter *writer = NULL;
    uint32_t *ids = NULL;
    guint n = 0;
    int64_t remaining = g->want;
    gboolean done = FALSE, ok = FALSE;
    SkPhaseProgress nat_progress = {.quiet = opt_quiet || opt_json};

    g->nat = sk_nat_builder_new(opt_tmpdir, error);
    if (g->nat == NULL)
        return FALSE;
    if (g->order.order != TG_ORDER_ORIG &&
        !(g->spill = tg_spill_new(opt_tmpdir, g->want, error)))
        goto out;

    /* Pass 1: logs in order, again as new tenants with --reuse. */
    for (uint32_t round = 0; !done; round++) {
        guint before = g->tenants.rows->len;
        for (guint k = 0; k < logs->len && !done; k++) {
            uint32_t log = round * logs->len + k;
            uint32_t valid = g->per_log ? (uint32_t)MIN(remaining, (int64_t)g->per_log) : 0;
            int domains = read_log(g, logs->pdata[k], k, log, round, valid, error);
            if (domains < 0)
                goto out;
            if (g->per_log) {
                remaining -= domains;
                done = remaining <= 0;
            } else {
                done = g->tenants.rows->len >= g->want;
            }
        }
        if (done)
            break;
        if (!opt_reuse || g->tenants.rows->len == before) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%u tenants asked for, but the %u logs hold %u%s", g->want,
                        logs->len, g->tenants.rows->len,
                        opt_reuse ? "" : " (--reuse reads them again as new tenants)");
            goto out;
        }
    }

    /* The tenants of the trace: those with translations, by id. */
    ids = g_new(uint32_t, g->tenants.rows->len ? g->tenants.rows->len : 1);
    for (guint i = 0; i < g->tenants.rows->len; i++)
        if (tg_tenant(&g->tenants, i)->read > 0)
            ids[n++] = i;
    if (n == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "the logs hold no translations");
        goto out;
    }

    /* Pass 2: interleave. */
    if (g->order.order != TG_ORDER_ORIG) {
        double *weights = NULL;
        if (g->order.order == TG_ORDER_WEIGHTED &&
            !load_weights(g, ids, n, &weights, error))
            goto out;
        g->order.weights = weights;
        ok = tg_interleave(g->spill, ids, n, &g->order, emit, g, error);
        g_free(weights);
        g->order.weights = NULL;
        if (!ok && !(g->limited && error && *error == NULL))
            goto out;
        ok = FALSE;
    }
    if (!flush_batch(g, error))
        goto out;
    if (g->translations == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "the trace would be empty");
        goto out;
    }
    writer = sk_trace_writer_new(out, g->format, &wopt, error);
    if (writer == NULL)
        goto out;
    sk_nat_builder_set_progress(g->nat, sk_phase_progress_update, &nat_progress);
    ok = sk_nat_builder_finish(g->nat, writer, error);
    sk_phase_progress_clear(&nat_progress);
    if (!ok || stopped(error)) {
        ok = FALSE;
        goto out;
    }
    ok = sk_trace_writer_close(writer, error);
    writer = NULL;
    if (ok && !opt_quiet && !opt_json)
        summary_text(g, out, n);
    if (ok && opt_json) {
        char *json = summary_json(g, out, ids, n);
        printf("%s\n", json);
        g_free(json);
    }
out:
    if (writer)
        sk_trace_writer_abort(writer);
    g_free(ids);
    return ok;
}

int main(int argc, char **argv)
{
    Gen *g = g_new0(Gen, 1);
    GPtrArray *logs = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    char *out = NULL;
    int status = 0;

    sk_signal_catch();
    if (!parse_options(&argc, &argv, g, logs, &error)) {
        status = sk_report("trace-gen", error);
        goto done;
    }
    out = g->format == SK_FORMAT_HYPERSIO && !g_str_has_suffix(opt_output, "_iotlb_trace.bin")
              ? g_strconcat(opt_output, "_iotlb_trace.bin", NULL)
              : g_strdup(opt_output);
    tg_tenants_init(&g->tenants, g->format == SK_FORMAT_HYPERSIO,
                    g->per_log ? 0 : g->want);
    tg_page_set_init(&g->pages);
    g->logs = g_array_new(FALSE, TRUE, sizeof(LogInfo));
    g->last_new = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    if (!generate(g, logs, out, &error)) {
        int sig = sk_signal_stop();
        status = sk_report("trace-gen", error);
        if (sig)
            status = 128 + sig;
    }
    for (guint i = 0; i < g->logs->len; i++) {
        LogInfo *l = &g_array_index(g->logs, LogInfo, i);
        g_free(l->path);
        g_strfreev(l->examples);
    }
    g_array_free(g->logs, TRUE);
    g_array_free(g->last_new, TRUE);
    tg_page_set_clear(&g->pages);
    tg_tenants_clear(&g->tenants);
    tg_spill_free(g->spill);
    if (g->nat)
        sk_nat_builder_free(g->nat);
done:
    g_ptr_array_free(logs, TRUE);
    g_free(out);
    g_free(g);
    return status;
}
