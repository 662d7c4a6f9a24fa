/* events.c - counting and splitting a run's event log per tenant
 * (see events.h). */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_logreader.h"
#include "sk_qemulog.h"
#include "sk_vtdlog.h"

/* A context entry's domain id (VT-d: bits 8..23 of its high word). */
#define CONTEXT_DID(high) ((int64_t)(((high) >> 8) & 0xffff))

static int by_sid(const TenantEvents *t, unsigned n, unsigned sid)
{
    for (unsigned k = 0; k < n; k++)
        if (t[k].sid == sid)
            return (int)k;
    return -1;
}

static int by_did(const TenantEvents *t, unsigned n, int64_t did)
{
    for (unsigned k = 0; k < n; k++)
        if (t[k].did >= 0 && t[k].did == did)
            return (int)k;
    return -1;
}

/* The tenant an event belongs to, or -1.  Domain-keyed events need the
 * domains, known once the translations are read: pending holds them. */
static int owner(const SkLogEvent *ev, const TenantEvents *t, unsigned n)
{
    switch (ev->type) {
    case SK_LOG_TRANSLATE:
    case SK_LOG_FAULT:
        return by_sid(t, n, ev->sid);
    case SK_LOG_CONTEXT:
        return by_sid(t, n, ev->sid);
    case SK_LOG_SLPTE_FETCH:
        return by_did(t, n, CONTEXT_DID(ev->high));
    case SK_LOG_INVALIDATE:
        return (ev->has & SK_LOG_HAS_DID) ? by_did(t, n, ev->did) : -1;
    default:
        return -1;
    }
}

gboolean events_count(const char *log, const char *trace_events, TenantEvents *t,
                      unsigned n, LogSummary *summary, GError **error)
{
    SkLogReaderOptions opt = {.trace_events = trace_events,
                              .max_examples = SK_LOG_READER_EXAMPLES};
    SkLogReader *r = sk_log_reader_open(log, &opt, error);
    GHashTable *by_domain = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    SkLogEvent ev;
    int got;

    memset(summary, 0, sizeof *summary);
    for (unsigned k = 0; k < n; k++) {
        unsigned sid = t[k].sid;
        memset(&t[k], 0, sizeof t[k]);
        t[k].sid = sid;
        t[k].did = -1;
    }
    if (r == NULL) {
        g_hash_table_destroy(by_domain);
        return FALSE;
    }
    /* Pass one: source-id events, and domain-keyed ones kept by domain. */
    while ((got = sk_log_reader_next(r, &ev, error)) == 1) {
        int k = -1;
        int64_t did = -1;
        switch (ev.type) {
        case SK_LOG_TRANSLATE:
            if ((k = by_sid(t, n, ev.sid)) >= 0) {
                t[k].translations++;
                t[k].iotlb_hits += ev.via == SK_LOG_VIA_IOTLB;
                t[k].walks += ev.via == SK_LOG_VIA_WALK;
                if ((ev.has & SK_LOG_HAS_DID) && t[k].did < 0)
                    t[k].did = ev.did;
            }
            break;
        case SK_LOG_CONTEXT:
            if ((k = by_sid(t, n, ev.sid)) >= 0)
                t[k].context++;
            break;
        case SK_LOG_FAULT:
            if ((k = by_sid(t, n, ev.sid)) >= 0)
                t[k].faults++;
            break;
        case SK_LOG_SLPTE_FETCH:
            did = CONTEXT_DID(ev.high);
            break;
        case SK_LOG_INVALIDATE:
            if (ev.has & SK_LOG_HAS_DID)
                did = ev.did;
            break;
        default:
            break;
        }
        if (did >= 0) {
            /* [0] fetches, [1] invalidations */
            uint64_t *c = g_hash_table_lookup(by_domain, &did);
            if (c == NULL) {
                c = g_new0(uint64_t, 2);
                g_hash_table_insert(by_domain, g_memdup2(&did, sizeof did), c);
            }
            c[ev.type == SK_LOG_INVALIDATE]++;
        } else if (k < 0) {
            summary->unattributed++;
        }
    }
    if (got == 0) {
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, by_domain);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            const uint64_t *c = value;
            int k = by_did(t, n, *(int64_t *)key);
            if (k >= 0) {
                t[k].slpte_fetches += c[0];
                t[k].invalidations += c[1];
            } else {
                summary->unattributed += c[0] + c[1];
            }
        }
        summary->stats = *sk_log_reader_stats(r);
        summary->dialect = g_strdup(sk_log_dialect_name(sk_log_reader_dialect(r)));
    }
    g_hash_table_destroy(by_domain);
    sk_log_reader_free(r);
    return got == 0;
}

/* The tenant of a binary log record (docs/qemu-patches.md, "Binary log"):
 * translations and faults by source id, domain-selective invalidations by
 * domain id; -1 for none. */
static int record_owner(const uint8_t *rec, const TenantEvents *t, unsigned n)
{
    unsigned sid = rec[24] | rec[25] << 8, did = rec[26] | rec[27] << 8;
    uint32_t info = rec[28] | rec[29] << 8 | (uint32_t)rec[30] << 16 | (uint32_t)rec[31] << 24;
    unsigned type = (info >> 4) & 7;

    switch (info & 0xf) {
    case SK_VTDLOG_TRANSLATE:
    case SK_VTDLOG_FAULT:
        return by_sid(t, n, sid);
    case SK_VTDLOG_INVALIDATE:
        if (type == SK_LOG_INV_CONTEXT_DOMAIN || type == SK_LOG_INV_IOTLB_DOMAIN ||
            type == SK_LOG_INV_IOTLB_PAGES)
            return by_did(t, n, did);
        return -1;
    default:
        return -1;
    }
}

/* Splits a binary log: each tenant's file has the log's header and its own
 * records.  Returns FALSE with an error on a bad or unreadable log. */
static gboolean split_binary(const char *log, FILE *in, FILE **out, const TenantEvents *t,
                             unsigned n, GError **error)
{
    SkVtdLog *v = sk_vtd_log_open(log, error);
    if (v == NULL)
        return FALSE;
    gsize header = sk_vtd_log_header(v)->header_size;
    sk_vtd_log_free(v);
    uint8_t *head = g_malloc(header), rec[SK_VTDLOG_RECORD];
    size_t got = 0;
    gboolean ok = fread(head, 1, header, in) == header;
    for (unsigned k = 0; ok && k < n; k++)
        fwrite(head, 1, header, out[k]);
    g_free(head);
    while (ok && (got = fread(rec, 1, sizeof rec, in)) == sizeof rec) {
        int k = record_owner(rec, t, n);
        if (k >= 0)
            fwrite(rec, 1, sizeof rec, out[k]);
    }
    if (ok && (ferror(in) || got != 0)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "siokit log '%s': %s", log,
                    ferror(in) ? "read error" : "truncated last record");
        ok = FALSE;
    }
    return ok;
}

/* Splits a text log: each tenant's file has its own lines. */
static gboolean split_text(const char *log, FILE *in, FILE **out, const TenantEvents *t,
                           unsigned n, GError **error)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;

    while ((len = getline(&line, &cap, in)) > 0) {
        SkLogEvent ev;
        size_t text = (size_t)len - (line[len - 1] == '\n');
        if (sk_qemulog_parse(line, text, SK_LOG_DIALECT_UNKNOWN, NULL, &ev, NULL) !=
            SK_QEMULOG_EVENT)
            continue;
        int k = owner(&ev, t, n);
        if (k >= 0)
            fwrite(line, 1, (size_t)len, out[k]);
    }
    free(line);
    if (ferror(in)) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: read error", log);
        return FALSE;
    }
    return TRUE;
}

const char *events_split_suffix(const char *log)
{
    uint8_t head[SK_VTDLOG_SNIFF_BYTES];
    FILE *f = fopen(log, "re");
    gboolean binary = f && fread(head, 1, sizeof head, f) == sizeof head &&
                      sk_vtd_log_sniff(head, sizeof head);
    if (f)
        fclose(f);
    return binary ? "bin" : "txt";
}

gboolean events_split(const char *log, const TenantEvents *t, unsigned n, const char *dir,
                      GError **error)
{
    const char *suffix = events_split_suffix(log);
    FILE *in = sk_input_fopen("event log", log, error);
    FILE **out = g_new0(FILE *, n);
    SkOutput *files = g_new0(SkOutput, n);
    gboolean ok = FALSE;
    unsigned opened = 0;

    if (in == NULL)
        goto out;
    for (; opened < n; opened++) {
        char *final = g_strdup_printf("%s/tenant_%u.%s", dir, opened, suffix);
        gboolean made = sk_output_open(&files[opened], "tenant log", final, error);
        g_free(final);
        if (!made)
            goto out;
        out[opened] = files[opened].f;
    }
    ok = strcmp(suffix, "bin") == 0 ? split_binary(log, in, out, t, n, error)
                                    : split_text(log, in, out, t, n, error);
    for (unsigned k = 0; k < n && ok; k++)
        ok = sk_output_commit(&files[k], error);
out:
    for (unsigned k = 0; k < opened; k++)
        sk_output_discard(&files[k]);   /* the ones not committed */
    if (in)
        fclose(in);
    g_free(out);
    g_free(files);
    return ok;
}

void log_summary_clear(LogSummary *s)
{
    g_free(s->dialect);
    memset(s, 0, sizeof *s);
}
