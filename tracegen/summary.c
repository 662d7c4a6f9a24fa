/* summary.c - what trace-gen made, as one JSON object or as text (see tracegen.h). */
#include "tracegen.h"

#include <json-glib/json-glib.h>

#include "sk_json.h"

/* trace-gen's names of the dialects (simple-backend logs: "qemu-simple"). */
static const char *dialect_name(SkLogDialect d)
{
    return d == SK_LOG_DIALECT_SIMPLE ? "qemu-simple" : sk_log_dialect_name(d);
}

/* A file name as valid UTF-8 (invalid bytes shown as \xNN escapes). */
static char *utf8_name(const char *path)
{
    return g_utf8_validate(path, -1, NULL) ? g_strdup(path)
                                           : g_strescape(path, NULL);
}

static void add_log(JsonBuilder *b, const SkTraceGenLog *l)
{
    char *path = utf8_name(l->path);

    json_builder_begin_object(b);
    sk_json_member_string(b, "path", path);
    sk_json_member_string(b, "dialect", dialect_name(l->dialect));
    sk_json_member_int(b, "lines", l->stats.lines);
    sk_json_member_int(b, "events", l->stats.events);
    sk_json_member_int(b, "skipped", l->stats.skipped);
    sk_json_member_int(b, "malformed", l->stats.malformed);
    sk_json_member_int(b, "translations", l->translations);
    sk_json_member_int(b, "invalidations", l->invalidations);
    sk_json_member_int(b, "faults", l->faults);
    json_builder_set_member_name(b, "malformed_examples");
    json_builder_begin_array(b);
    for (char **e = l->examples; e && *e; e++) {
        char *ex = utf8_name(*e);
        json_builder_add_string_value(b, ex);
        g_free(ex);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    g_free(path);
}

char *sk_tracegen_summary_json(const SkTraceGenSummary *s, const SkTraceGenParams *p)
{
    JsonBuilder *b = json_builder_new();
    char *out = utf8_name(s->output);

    json_builder_begin_object(b);
    sk_json_member_string(b, "output", out);
    sk_json_member_string(b, "format", p->format == SK_FORMAT_HYPERSIO ? "hypersio" : "siokit");
    sk_json_member_string(b, "order", tg_order_name(p->order));
    sk_json_member_int(b, "burst", p->burst);
    sk_json_member_int(b, "tenant_count", s->tenants->len);
    sk_json_member_int(b, "translations", s->translations);
    json_builder_set_member_name(b, "logs");
    json_builder_begin_array(b);
    for (guint i = 0; i < s->logs->len; i++)
        add_log(b, &g_array_index(s->logs, SkTraceGenLog, i));
    json_builder_end_array(b);
    sk_json_member_int(b, "lines", s->lines);
    sk_json_member_int(b, "skipped", s->skipped);
    sk_json_member_int(b, "malformed", s->malformed);
    sk_json_member_int(b, "translations_beyond_tenants", s->beyond);
    sk_json_member_int(b, "translations_without_level", s->unusable);
    sk_json_member_int(b, "dmar_duplicates", s->duplicates);
    json_builder_set_member_name(b, "tenants");
    json_builder_begin_array(b);
    for (guint i = 0; i < s->tenants->len; i++) {
        const SkTraceGenTenant *t = &g_array_index(s->tenants, SkTraceGenTenant, i);
        json_builder_begin_object(b);
        sk_json_member_int(b, "id", t->id);
        sk_json_member_int(b, "log", t->log);
        sk_json_member_int(b, "domain", t->domain);
        sk_json_member_int(b, "sid", t->sid);
        sk_json_member_int(b, "translations", t->translations);
        sk_json_member_int(b, "pages", t->pages);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);

    g_free(out);
    return sk_json_builder_finish(b, FALSE);
}

void sk_tracegen_summary_text(FILE *f, const char *prog, const SkTraceGenSummary *s,
                              const SkTraceGenParams *p)
{
    for (guint i = 0; i < s->logs->len; i++) {
        const SkTraceGenLog *l = &g_array_index(s->logs, SkTraceGenLog, i);
        for (char **e = l->examples; e && *e; e++)
            fprintf(f, "%s: malformed: %s\n", prog, *e);
    }
    fprintf(f, "%s: wrote %" G_GUINT64_FORMAT " translations of %u tenants "
            "to %s (%s order, %u logs, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
            " skipped, %" G_GUINT64_FORMAT " malformed)\n", prog, s->translations,
            s->tenants->len, s->output, tg_order_name(p->order), s->logs->len,
            s->lines, s->skipped, s->malformed);
}
