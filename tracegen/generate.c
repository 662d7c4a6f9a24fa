/* generate.c - sk_tracegen_run(): logs to one interleaved trace (see tracegen.h).
 *
 * The life of one translation: pass 1 reads it from its log (read_log),
 * finds its tenant, the (log, domain) pair, and its output source id
 * (translation), and appends it to the tenant's stream in the spill (or,
 * in orig order, straight to the NAT builder).  Pass 2 takes the streams in
 * the chosen order (tg_interleave) and hands each translation to emit(),
 * which counts it and batches it into the NAT builder; the builder's
 * backward pass gives it its next-access time and its forward pass writes
 * it to the trace writer, which renames the trace into place once whole. */
#include "tracegen.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pageset.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_nat.h"
#include "sk_signal.h"
#include "spill.h"
#include "tenants.h"

#define HS_FIRST_DEVICE 2        /* HyperSIO's logs number devices 2, 3 ... */
#define REUSE_IOVA_SHIFT 40      /* reused logs move to iova + round << 40 */
#define MAX_EXAMPLES 5
#define BATCH 4096
#define TICK_EVENTS 0xfffu       /* the progress callback every 4096 events */
#define MAX_WEIGHT 1e300

typedef struct Gen {
    const SkTraceGenParams *p;
    uint32_t want;              /* tenants */
    uint32_t per_log;           /* devices per log, 0 = all devices */
    TgOrderParams order;
    TgTenants tenants;
    TgSpill *spill;             /* pass 1 -> pass 2 (not for orig) */
    SkNatBuilder *nat;
    TgPageSet pages;
    SkRecord batch[BATCH];
    gsize n_batch;
    GArray *logs;               /* SkTraceGenLog of every reading */
    char **phases;              /* "reading PATH" of each log file */
    const char *phase;          /* the phase now */
    uint64_t translations;      /* in the trace */
    uint64_t beyond;            /* translations of domains past the tenants */
    uint64_t unusable;          /* translations without a usable level */
    uint64_t duplicates;        /* dmar_translate of a logged hit/update */
    uint64_t limit;             /* translations, 0 = none */
    uint64_t tenant_cap;        /* most translations a tenant can give, 0 = none */
    gboolean limited;           /* the trace reached limit */
    gboolean stopped;           /* the progress callback said stop */
    GArray *last_new;           /* per log file: the event after which its first
                                   reading found no new domain (uint64_t) */
} Gen;

void sk_tracegen_params_init(SkTraceGenParams *p)
{
    memset(p, 0, sizeof(*p));
    p->order = TG_ORDER_RR;
    p->burst = 1;
    p->seed = 1;
    p->zipf = 1.0;
    p->format = SK_FORMAT_SIOKIT;
}

static gboolean bad_param(GError **error, const char *msg)
{
    g_set_error_literal(error, SK_ERROR, SK_ERROR_INPUT, msg);
    return FALSE;
}

gboolean sk_tracegen_params_check(const SkTraceGenParams *p, GError **error)
{
    if (p->logs == NULL || p->logs[0] == NULL)
        return bad_param(error, "no logs given (--logs PREFIX|FILE)");
    if (p->output == NULL || *p->output == '\0')
        return bad_param(error, "option -o/--output is required");
    if (p->tenants < 1 || p->tenants > SK_TRACEGEN_MAX_TENANTS)
        return bad_param(error, "option --tenants: outside 1..16777216");
    if (p->burst < 1 || p->burst > SK_TRACEGEN_MAX_BURST)
        return bad_param(error, "option --burst: outside 1..1000000");
    if (p->devices_per_log > SK_TRACEGEN_MAX_DEVICES_PER_LOG)
        return bad_param(error, "option --devices-per-log: outside 1..8190");
    if (!(p->zipf >= 0 && p->zipf <= SK_TRACEGEN_MAX_ZIPF))
        return bad_param(error, "option --zipf: outside 0..100");
    if (p->translations > SK_TRACEGEN_MAX_TRANSLATIONS)
        return bad_param(error, "option --translations: outside 1..1099511627776");
    if ((unsigned)p->order > TG_ORDER_ZIPF)
        return bad_param(error, "option --order: unknown order");
    if (p->order == TG_ORDER_WEIGHTED && p->weights == NULL)
        return bad_param(error, "--order weighted needs --weights FILE");
    if (p->format != SK_FORMAT_SIOKIT && p->format != SK_FORMAT_HYPERSIO)
        return bad_param(error, "option --format: unknown format (siokit, hypersio)");
    if (p->compress && p->format == SK_FORMAT_HYPERSIO)
        return bad_param(error, "option --compress: HyperSIO traces are never compressed");
    return TRUE;
}

/* The SK_ERROR_STOPPED error of a run the progress callback stopped. */
static gboolean set_stopped(Gen *g, GError **error)
{
    char *what = g_strdup_printf("trace '%s'", g->p->output);
    g->stopped = TRUE;
    sk_signal_stopped(error, what);
    g_free(what);
    return FALSE;
}

/* Calls the progress callback; FALSE with an SK_ERROR_STOPPED error when
 * it says stop. */
static gboolean tick(Gen *g, uint64_t done, uint64_t total, GError **error)
{
    if (g->p->progress == NULL || g->p->progress(g->phase, done, total, g->p->progress_data))
        return TRUE;
    return set_stopped(g, error);
}

/* The NAT builder's phases go through the same callback. */
static gboolean nat_progress(const char *phase, uint64_t done, uint64_t total,
                             gpointer data)
{
    Gen *g = data;
    g->phase = phase;
    if (g->p->progress == NULL || g->p->progress(phase, done, total, g->p->progress_data))
        return TRUE;
    g->stopped = TRUE;
    return FALSE;
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
        if (!tick(g, g->translations, g->limit, error))
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
    uint32_t valid;             /* devices per log: devices that count */
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

static gboolean translation(Gen *g, LogPass *p, SkTraceGenLog *info,
                            const SkLogEvent *ev, GError **error)
{
    uint32_t did, sid;
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
        if (g->p->strict) {
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
    if (!tg_tenants_sid(&g->tenants, p->log, ev->sid, &sid, error))
        return FALSE;

    SkRecord r = {
        .iova = ev->iova + p->iova_offset,
        .mask = mask,
        .slpte = ev->slpte,
        .nat = SK_NAT_NONE,
        .tenant = t->id,
        .sid = sid,
        .level = (uint8_t)level,
        .kind = (uint8_t)kind_of(ev),
    };
    if (!t->has_sid) {
        t->sid = r.sid;
        t->has_sid = TRUE;
    }
    info->translations++;
    if (g->tenant_cap && t->read >= g->tenant_cap)
        return TRUE;             /* more than the translations can use */
    t->read++;
    if (g->order.order == TG_ORDER_ORIG)
        return emit(&r, g, error);
    return tg_spill_add(g->spill, t->id, &r, error);
}

/* TRUE when every tenant this reading of a log made has all the
 * translations the trace can use (only with a translation limit). */
static gboolean tenants_full(Gen *g, guint first)
{
    for (guint i = first; i < g->tenants.rows->len; i++)
        if (tg_tenant(&g->tenants, i)->read < g->tenant_cap)
            return FALSE;
    return TRUE;
}

static void keep_log_info(Gen *g, SkTraceGenLog *info, SkLogReader *reader)
{
    guint n = 0;
    const char *const *ex = sk_log_reader_examples(reader, &n);

    info->dialect = sk_log_reader_dialect(reader);
    info->stats = *sk_log_reader_stats(reader);
    info->examples = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        info->examples[i] = g_strdup(ex[i]);
    g_array_append_val(g->logs, *info);
}

/* Reads one log (file number file, reading `log` of the trace); returns the
 * number of domains it contributed (what HyperSIO subtracts from the
 * tenants still wanted), or -1.  With reuse and a translation limit, a
 * later reading of a file stops once it is past the point where the first
 * reading found its last domain and its tenants are full: the rest could
 * not be used. */
static int read_log(Gen *g, guint file, uint32_t log, uint32_t round,
                    uint32_t valid, GError **error)
{
    const char *path = g->p->logs[file];
    SkLogReaderOptions ropt = {.trace_events = g->p->trace_events,
                               .strict = g->p->strict, .max_examples = MAX_EXAMPLES};
    LogPass p = {.log = log, .iova_offset = (uint64_t)round << REUSE_IOVA_SHIFT,
                 .valid = valid};
    SkTraceGenLog info = {.path = g_strdup(path)};
    SkLogReader *reader;
    SkLogEvent ev;
    int got, result = -1;
    uint64_t events = 0;

    g->phase = g->phases[file];
    if (!tick(g, 0, 0, error) || !(reader = sk_log_reader_open(path, &ropt, error))) {
        g_free(info.path);
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
        if ((++events & TICK_EVENTS) == 0 &&
            !tick(g, sk_log_reader_stats(reader)->lines, 0, error))
            goto out;
        if (round == 0 && g_hash_table_size(p.seen_dids) != domains) {
            domains = g_hash_table_size(p.seen_dids);
            *last_new = events;
        }
        if (round > 0 && g->tenant_cap && (events & 0x3f) == 0 && events > *last_new &&
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
    keep_log_info(g, &info, reader);
    sk_log_reader_free(reader);
    g_hash_table_destroy(p.valid_dids);
    g_hash_table_destroy(p.seen_dids);
    g_hash_table_destroy(p.sid_domain);
    return result;
}

/* ---- finding the logs ---- */

gboolean sk_tracegen_find_logs(GPtrArray *logs, const char *arg, GError **error)
{
    static const char *const suffixes[] = {".txt", ".txt.gz", ".txt.zst", ".log", ".bin"};

    /* Any file that exists is taken as given: a FIFO or a device is then
     * refused by name (sk_input_open), never read as a prefix. */
    if (g_file_test(arg, G_FILE_TEST_EXISTS) && !g_file_test(arg, G_FILE_TEST_IS_DIR)) {
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

char *sk_tracegen_output_path(const char *output, SkTraceFormat format)
{
    if (format == SK_FORMAT_HYPERSIO && !g_str_has_suffix(output, "_iotlb_trace.bin"))
        return g_strconcat(output, "_iotlb_trace.bin", NULL);
    return g_strdup(output);
}

/* ---- weights ---- */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* One weight per tenant of ids[0..n) (ascending): 1 unless the weights
 * file says otherwise. */
static gboolean load_weights(const char *path, const uint32_t *ids, guint n,
                             double **out, GError **error)
{
    char *text = sk_input_read("weights", path, NULL, error);
    double *w;
    char **lines;
    gboolean ok = FALSE;

    if (text == NULL)
        return FALSE;
    w = g_new(double, n);
    for (guint i = 0; i < n; i++)
        w[i] = 1.0;
    lines = g_strsplit(text, "\n", -1);
    for (guint l = 0; lines[l]; l++) {
        char *line = g_strstrip(lines[l]);
        if (*line == '\0' || *line == '#')
            continue;
        char **f = g_strsplit_set(line, " \t", -1);
        char *field[3] = {NULL, NULL, NULL};
        guint nf = 0;
        for (char **x = f; *x; x++)
            if (**x && nf < 3)
                field[nf++] = *x;
        uint64_t id = 0;
        double weight = 0;
        gboolean good = nf == 2 &&
            sk_cli_parse_u64("TENANT", field[0], 0, UINT32_MAX, &id, NULL) &&
            sk_cli_parse_double("WEIGHT", field[1], 0, MAX_WEIGHT, &weight, NULL);
        g_strfreev(f);
        if (!good) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "weights '%s': line %u: expected 'TENANT WEIGHT' with a "
                        "decimal weight 0..1e300", path, l + 1);
            goto out;
        }
        uint32_t key = (uint32_t)id;
        const uint32_t *hit = bsearch(&key, ids, n, sizeof(uint32_t), cmp_u32);
        if (hit == NULL) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "weights '%s': line %u: tenant %" G_GUINT64_FORMAT
                        " is not in the trace", path, l + 1, id);
            goto out;
        }
        w[hit - ids] = weight;
    }
    *out = w;
    w = NULL;
    ok = TRUE;
out:
    g_strfreev(lines);
    g_free(w);
    g_free(text);
    return ok;
}

/* ---- the run ---- */

/* Every input is a regular file, refused by name before any is read. */
static gboolean check_inputs(const SkTraceGenParams *p, GError **error)
{
    const char *extra[] = {p->trace_events, p->weights};
    const char *what[] = {"trace-events", "weights"};

    for (guint i = 0; p->logs[i]; i++) {
        int fd = sk_input_open("log", p->logs[i], error);
        if (fd < 0)
            return FALSE;
        close(fd);
    }
    for (guint i = 0; i < G_N_ELEMENTS(extra); i++) {
        if (extra[i] == NULL)
            continue;
        int fd = sk_input_open(what[i], extra[i], error);
        if (fd < 0)
            return FALSE;
        close(fd);
    }
    return TRUE;
}

/* Pass 1: logs in order, again as new tenants with reuse. */
static gboolean read_logs(Gen *g, GError **error)
{
    guint n_logs = g_strv_length((char **)g->p->logs);
    int64_t remaining = g->want;
    gboolean done = FALSE;

    for (uint32_t round = 0; !done; round++) {
        guint before = g->tenants.rows->len;
        if ((uint64_t)(round + 1) * n_logs > UINT32_MAX) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%u tenants asked for, but %u readings of the logs give %u",
                        g->want, round * n_logs, g->tenants.rows->len);
            return FALSE;
        }
        for (guint k = 0; k < n_logs && !done; k++) {
            uint32_t log = round * n_logs + k;
            uint32_t valid = g->per_log ? (uint32_t)MIN(remaining, (int64_t)g->per_log) : 0;
            int domains = read_log(g, k, log, round, valid, error);
            if (domains < 0)
                return FALSE;
            if (g->per_log) {
                remaining -= domains;
                done = remaining <= 0;
            } else {
                done = g->tenants.rows->len >= g->want;
            }
        }
        if (done)
            break;
        if (!g->p->reuse || g->tenants.rows->len == before) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%u tenants asked for, but the %u logs hold %u%s", g->want,
                        n_logs, g->tenants.rows->len,
                        g->p->reuse ? "" : " (--reuse reads them again as new tenants)");
            return FALSE;
        }
    }
    return TRUE;
}

/* Pass 2 and the NAT builder: the trace itself. */
static gboolean write_trace(Gen *g, const uint32_t *ids, guint n, GError **error)
{
    SkTraceWriterOptions wopt = {.compress = g->p->compress};
    SkTraceWriter *writer;
    gboolean ok;

    if (g->order.order != TG_ORDER_ORIG) {
        double *weights = NULL;
        if (g->order.order == TG_ORDER_WEIGHTED &&
            !load_weights(g->p->weights, ids, n, &weights, error))
            return FALSE;
        g->order.weights = weights;
        g->phase = "interleaving";
        ok = tg_interleave(g->spill, ids, n, &g->order, emit, g, error);
        g_free(weights);
        g->order.weights = NULL;
        if (!ok && !(g->limited && error && *error == NULL))
            return FALSE;
    }
    if (!flush_batch(g, error))
        return FALSE;
    if (g->translations == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "the trace would be empty");
        return FALSE;
    }
    writer = sk_trace_writer_new(g->p->output, g->p->format, &wopt, error);
    if (writer == NULL)
        return FALSE;
    sk_nat_builder_set_progress(g->nat, nat_progress, g);
    GError *local = NULL;
    ok = sk_nat_builder_finish(g->nat, writer, &local);
    if (ok && !g->stopped)
        ok = tick(g, g->translations, g->translations, &local);  /* last word */
    if (!ok || g->stopped) {
        sk_trace_writer_abort(writer);
        if (g->stopped) {
            g_clear_error(&local);
            return set_stopped(g, error);
        }
        g_propagate_error(error, local);
        return FALSE;
    }
    return sk_trace_writer_close(writer, error);
}

static void fill_summary(Gen *g, const uint32_t *ids, guint n, SkTraceGenSummary *s)
{
    memset(s, 0, sizeof(*s));
    s->output = g_strdup(g->p->output);
    s->logs = g->logs;
    g->logs = NULL;
    s->tenants = g_array_sized_new(FALSE, TRUE, sizeof(SkTraceGenTenant), n);
    for (guint i = 0; i < n; i++) {
        const TgTenant *t = tg_tenant(&g->tenants, ids[i]);
        SkTraceGenTenant row = {.id = t->id, .log = t->log, .domain = t->domain,
                                .sid = t->sid, .translations = t->emitted,
                                .pages = t->pages};
        g_array_append_val(s->tenants, row);
    }
    for (guint i = 0; i < s->logs->len; i++) {
        const SkTraceGenLog *l = &g_array_index(s->logs, SkTraceGenLog, i);
        s->lines += l->stats.lines;
        s->skipped += l->stats.skipped;
        s->malformed += l->stats.malformed;
    }
    s->translations = g->translations;
    s->beyond = g->beyond;
    s->unusable = g->unusable;
    s->duplicates = g->duplicates;
}

static void clear_logs(GArray *logs)
{
    if (logs == NULL)
        return;
    for (guint i = 0; i < logs->len; i++) {
        SkTraceGenLog *l = &g_array_index(logs, SkTraceGenLog, i);
        g_free(l->path);
        g_strfreev(l->examples);
    }
    g_array_free(logs, TRUE);
}

void sk_tracegen_summary_clear(SkTraceGenSummary *s)
{
    g_free(s->output);
    clear_logs(s->logs);
    if (s->tenants)
        g_array_free(s->tenants, TRUE);
    memset(s, 0, sizeof(*s));
}

gboolean sk_tracegen_run(const SkTraceGenParams *p, SkTraceGenSummary *summary,
                         GError **error)
{
    Gen *g;
    uint32_t *ids = NULL;
    guint n = 0, n_logs;
    gboolean ok = FALSE;

    if (!sk_tracegen_params_check(p, error) || !check_inputs(p, error))
        return FALSE;
    g = g_new0(Gen, 1);
    g->p = p;
    g->want = p->tenants;
    g->per_log = p->devices_per_log;
    g->order = (TgOrderParams){.order = p->order, .consec = p->burst * 3,
                               .seed = p->seed, .theta = p->zipf};
    g->limit = p->translations;
    if (g->limit) {
        /* What a tenant can give at most: in rr every tenant takes equal
         * turns, so the trace is full before any tenant passes this. */
        uint64_t turn = (uint64_t)g->want * g->order.consec;
        uint64_t turns = (g->limit + turn - 1) / turn;
        g->tenant_cap = g->order.order == TG_ORDER_RR ? turns * g->order.consec : g->limit;
    }
    tg_tenants_init(&g->tenants, p->format == SK_FORMAT_HYPERSIO, g->per_log ? 0 : g->want);
    tg_page_set_init(&g->pages);
    g->logs = g_array_new(FALSE, TRUE, sizeof(SkTraceGenLog));
    g->last_new = g_array_new(FALSE, TRUE, sizeof(uint64_t));
    n_logs = g_strv_length((char **)p->logs);
    g->phases = g_new0(char *, n_logs + 1);
    for (guint i = 0; i < n_logs; i++)
        g->phases[i] = g_strdup_printf("reading %s", p->logs[i]);

    if (!(g->nat = sk_nat_builder_new(p->tmpdir, error)))
        goto out;
    if (g->order.order != TG_ORDER_ORIG &&
        !(g->spill = tg_spill_new(p->tmpdir, g->want, error)))
        goto out;
    if (!read_logs(g, error))
        goto out;

    /* The tenants of the trace: those with translations, by id. */
    ids = g_new(uint32_t, g->tenants.rows->len ? g->tenants.rows->len : 1);
    for (guint i = 0; i < g->tenants.rows->len; i++)
        if (tg_tenant(&g->tenants, i)->read > 0)
            ids[n++] = i;
    if (n == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "the logs hold no translations");
        goto out;
    }
    if (!write_trace(g, ids, n, error))
        goto out;
    if (summary)
        fill_summary(g, ids, n, summary);
    ok = TRUE;
out:
    g_free(ids);
    clear_logs(g->logs);
    g_array_free(g->last_new, TRUE);
    g_strfreev(g->phases);
    tg_page_set_clear(&g->pages);
    tg_tenants_clear(&g->tenants);
    tg_spill_free(g->spill);
    if (g->nat)
        sk_nat_builder_free(g->nat);
    g_free(g);
    return ok;
}
