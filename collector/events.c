/* events.c - counting and splitting a run's event log per tenant
 * (see events.h). */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_qemulog.h"

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

gboolean events_split(const char *log, const TenantEvents *t, unsigned n, const char *dir,
                      GError **error)
{
    FILE *in = fopen(log, "re");
    FILE **out = g_new0(FILE *, n);
    char **tmp = g_new0(char *, n);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    gboolean ok = FALSE;

    if (in == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", log, g_strerror(errno));
        goto out;
    }
    for (unsigned k = 0; k < n; k++) {
        tmp[k] = g_strdup_printf("%s/.tenant_%u.txt.tmp", dir, k);
        if (!(out[k] = fopen(tmp[k], "we"))) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", tmp[k], g_strerror(errno));
            goto out;
        }
    }
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
    if (ferror(in)) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: read error", log);
        goto out;
    }
    ok = TRUE;
out:
    for (unsigned k = 0; k < n; k++) {
        if (out[k] && fclose(out[k]) != 0 && ok) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", tmp[k], g_strerror(errno));
            ok = FALSE;
        }
    }
    for (unsigned k = 0; k < n; k++) {
        if (tmp[k] == NULL)
            continue;
        char *final = g_strdup_printf("%s/tenant_%u.txt", dir, k);
        if (!ok || g_rename(tmp[k], final) != 0) {
            if (ok)
                g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", final, g_strerror(errno));
            ok = FALSE;
            g_unlink(tmp[k]);
        }
        g_free(final);
        g_free(tmp[k]);
    }
    if (in)
        fclose(in);
    free(line);
    g_free(out);
    g_free(tmp);
    return ok;
}

void log_summary_clear(LogSummary *s)
{
    g_free(s->dialect);
    memset(s, 0, sizeof *s);
}
