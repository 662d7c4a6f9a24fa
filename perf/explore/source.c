/* source.c - a benchmark's collected logs or synthetic workload, and the
 * cached traces made from them (see source.h). */
#include "source.h"

#include <string.h>
#include <sys/stat.h>

#include "sk_error.h"
#include "sk_free.h"
#include "sk_manifest.h"
#include "sk_trace.h"
#include "tracegen.h"

void sk_source_clear(SkSource *s)
{
    SK_FREE_ALL(s->benchmark, s->run_dir, s->trace_events, s->label, s->tag);
    g_strfreev(s->logs);
    memset(s, 0, sizeof(*s));
}

gboolean sk_source_load_run(const char *run_dir, SkSource *s, GError **error)
{
    char *manifest = g_build_filename(run_dir, "manifest.json", NULL);
    SkManifest *m = NULL;
    gboolean ok = FALSE;

    memset(s, 0, sizeof(*s));
    if (!g_file_test(run_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "logs '%s': no such run directory",
                    run_dir);
        goto out;
    }
    if ((m = sk_manifest_read(manifest, error)) == NULL)
        goto out;
    if (m->status != SK_MANIFEST_COMPLETE) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "manifest '%s': member 'status': run is 'incomplete', not complete",
                    manifest);
        goto out;
    }
    s->benchmark = g_strdup(m->test);
    s->collected = (uint32_t)m->tenants;
    s->logs = g_new0(char *, g_strv_length(m->logs) + 1);
    for (guint i = 0; m->logs[i]; i++)
        s->logs[i] = g_build_filename(run_dir, m->logs[i], NULL);
    if (m->qemu && m->qemu->trace_events)
        s->trace_events = g_build_filename(run_dir, m->qemu->trace_events, NULL);
    s->run_dir = g_strdup(run_dir);
    s->label = g_strdup_printf("logs:%s", run_dir);
    /* The cached trace's name changes with the run and its manifest. */
    {
        char *abs = g_canonicalize_filename(run_dir, NULL);
        char *text = sk_manifest_to_data(m);
        GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
        g_checksum_update(ck, (const guchar *)abs, -1);
        g_checksum_update(ck, (const guchar *)text, -1);
        char *hash = g_strndup(g_checksum_get_string(ck), 12);
        s->tag = g_strdup_printf("logs-%s", hash);
        g_free(hash);
        g_checksum_free(ck);
        g_free(text);
        g_free(abs);
    }
    ok = TRUE;
out:
    if (!ok)
        sk_source_clear(s);
    sk_manifest_free(m);
    g_free(manifest);
    return ok;
}

/* The newest complete run of benchmark under root, or NULL. */
static char *newest_run(const char *benchmark, const char *root)
{
    GDir *dir = g_dir_open(root, 0, NULL);
    const char *name;
    char *best = NULL, *prefix = g_strdup_printf("%s_", benchmark);
    gint64 best_time = -1;

    while (dir && (name = g_dir_read_name(dir))) {
        char *run = g_build_filename(root, name, NULL);
        char *manifest = g_build_filename(run, "manifest.json", NULL);
        struct stat st;
        SkSource s;
        if (g_str_has_prefix(name, prefix) && stat(manifest, &st) == 0 &&
            sk_source_load_run(run, &s, NULL)) {
            gint64 t = (gint64)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
            if (strcmp(s.benchmark, benchmark) == 0 &&
                (t > best_time || (t == best_time && strcmp(run, best) > 0))) {
                g_free(best);
                best = g_strdup(run);
                best_time = t;
            }
            sk_source_clear(&s);
        }
        g_free(manifest);
        g_free(run);
    }
    if (dir)
        g_dir_close(dir);
    g_free(prefix);
    return best;
}

gboolean sk_source_find(const char *benchmark, const char *logs_dir,
                        const char *logs_root, SkSource *s, GError **error)
{
    char *run;

    memset(s, 0, sizeof(*s));
    if (logs_dir) {
        if (!sk_source_load_run(logs_dir, s, error))
            return FALSE;
        if (strcmp(s->benchmark, benchmark) != 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "logs '%s': a run of '%s', not of benchmark '%s'", logs_dir,
                        s->benchmark, benchmark);
            sk_source_clear(s);
            return FALSE;
        }
        return TRUE;
    }
    run = logs_root ? newest_run(benchmark, logs_root) : NULL;
    if (run) {
        gboolean ok = sk_source_load_run(run, s, error);
        g_free(run);
        return ok;
    }
    if (!sk_synth_workload_parse(benchmark, &s->workload)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "benchmark '%s': no complete run in '%s' and no synthetic "
                    "workload of that name (iperf3, uniform, mixed)", benchmark,
                    logs_root ? logs_root : "(none)");
        return FALSE;
    }
    s->synthetic = TRUE;
    s->benchmark = g_strdup(benchmark);
    s->label = g_strdup_printf("synthetic:%s", benchmark);
    s->tag = g_strdup("synth");
    return TRUE;
}

gboolean sk_source_check_order(const SkSource *s, const char *order,
                               GError **error)
{
    static const char *const synth[] = {"rr", "rand", NULL};
    static const char *const logs[] = {"rr", "rand", "orig", NULL};

    if (g_strv_contains(s->synthetic ? synth : logs, order))
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --order: unknown order '%s' "
                "(%s)", order, s->synthetic ? "rr, rand" : "rr, rand, orig");
    return FALSE;
}

char *sk_source_trace_path(const SkSource *s, const char *traces_dir,
                           uint32_t tenants, const char *order, uint32_t burst,
                           uint64_t translations)
{
    char *name, *path;

    name = g_strdup_printf("%s_%s_t%u_%s%u_n%" G_GUINT64_FORMAT ".sktrace", s->benchmark,
                           s->tag, tenants, order, burst, translations);
    path = g_build_filename(traces_dir, name, NULL);
    g_free(name);
    return path;
}

static gboolean make_synthetic(const SkSource *s, const char *path, uint32_t tenants,
                               const char *order, uint32_t burst,
                               uint64_t translations, GError **error)
{
    SkSynthParams p;
    SkTraceWriter *w;

    sk_synth_params_init(&p);
    p.workload = s->workload;
    p.tenants = tenants;
    p.burst = burst;
    p.translations = translations;
    if (!sk_synth_order_parse(order, &p.order)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unknown order '%s'", order);
        return FALSE;
    }
    w = sk_trace_writer_new(path, SK_FORMAT_SIOKIT, NULL, error);
    if (w == NULL)
        return FALSE;
    if (!sk_synth_write(&p, w, NULL, NULL, NULL, error)) {
        sk_trace_writer_abort(w);
        return FALSE;
    }
    return sk_trace_writer_close(w, error);
}

static gboolean make_from_logs(const SkSource *s, const char *path, uint32_t tenants,
                               const char *order, uint32_t burst, uint64_t translations,
                               GError **error)
{
    SkTraceGenParams p;

    sk_tracegen_params_init(&p);
    p.logs = (const char *const *)s->logs;
    p.output = path;
    p.tenants = tenants;
    p.burst = burst;
    p.translations = translations;
    p.reuse = tenants > s->collected;
    p.trace_events = s->trace_events;
    if (!tg_order_parse(order, &p.order)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "unknown order '%s'", order);
        return FALSE;
    }
    if (sk_tracegen_run(&p, NULL, error))
        return TRUE;
    g_prefix_error(error, "trace-gen on %s (%u tenants) failed: ", s->run_dir, tenants);
    return FALSE;
}

gboolean sk_source_make_trace(const SkSource *s, const char *path,
                              uint32_t tenants, const char *order,
                              uint32_t burst, uint64_t translations,
                              GError **error)
{
    if (s->synthetic)
        return make_synthetic(s, path, tenants, order, burst, translations, error);
    return make_from_logs(s, path, tenants, order, burst, translations, error);
}

gboolean sk_source_check_trace(const char *path, GError **error)
{
    SkTraceReader *r = sk_trace_reader_open(path, SK_FORMAT_SIOKIT, error);
    SkRecord *buf;
    gssize n;

    if (r == NULL)
        return FALSE;
    buf = g_new(SkRecord, 4096);
    while ((n = sk_trace_reader_read(r, buf, 4096, error)) > 0)
        ;
    g_free(buf);
    sk_trace_reader_free(r);
    return n == 0;
}
