/* mb_record.c - per-VM TSV, all-VM CSV and summary files (mb_record.h). */
#include "mb_record.h"

#include <string.h>

#include "sk_file.h"

struct MbRecord {
    char *dir;
    MbVm *const *vms;
    gsize n;
    GString **tsv;
    GString *csv;
};

MbRecord *mb_record_new(const char *dir, MbVm *const *vms, gsize n)
{
    MbRecord *r = g_new0(MbRecord, 1);
    GDateTime *now = g_date_time_new_now_utc();
    char *when = g_date_time_format_iso8601(now);

    r->dir = g_strdup(dir);
    r->vms = vms;
    r->n = n;
    r->tsv = g_new0(GString *, n);
    for (gsize i = 0; i < n; i++) {
        r->tsv[i] = g_string_new(NULL);
        g_string_append_printf(r->tsv[i], "# recorded by mem-balancer vm %s time:%s\n"
                               "time\ttarget\tused\tfree\ttotal\n", vms[i]->name, when);
    }
    r->csv = g_string_new("time,vm,target,used,free,total,tax_rate,guest_total,guest_free,"
                          "guest_available\n");
    g_free(when);
    g_date_time_unref(now);
    return r;
}

void mb_record_row(MbRecord *r, gsize i, double t, double tau)
{
    const MbVm *vm = r->vms[i];
    const BalVm *b = &vm->b;

    g_string_append_printf(r->tsv[i], "%.3f\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT
                           "\t%" G_GINT64_FORMAT "\t%" G_GINT64_FORMAT "\n",
                           t, b->target, b->used, b->free, b->total);
    g_string_append_printf(r->csv, "%.3f,%s,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                           ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%.6f,%" G_GINT64_FORMAT
                           ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "\n",
                           t, vm->name, b->target, b->used, b->free, b->total, tau,
                           vm->guest_total, vm->guest_free, vm->guest_available);
}

static gboolean put(MbRecord *r, const char *what, const char *name, const char *text,
                    gsize len, GError **error)
{
    char *path = g_build_filename(r->dir, name, NULL);
    gboolean ok = sk_output_write_file(what, path, text, (gssize)len, error);
    g_free(path);
    return ok;
}

gboolean mb_record_write(MbRecord *r, GError **error)
{
    if (!r->dir)
        return TRUE;
    for (gsize i = 0; i < r->n; i++) {
        char *name = g_strconcat(r->vms[i]->name, ".tsv", NULL);
        gboolean ok = put(r, "log", name, r->tsv[i]->str, r->tsv[i]->len, error);
        g_free(name);
        if (!ok)
            return FALSE;
    }
    return put(r, "csv", "balancer.csv", r->csv->str, r->csv->len, error);
}

gboolean mb_record_summary(MbRecord *r, const char *json, GError **error)
{
    if (!r->dir)
        return TRUE;
    return put(r, "summary", "summary.json", json, strlen(json), error);
}

void mb_record_free(MbRecord *r)
{
    if (!r)
        return;
    for (gsize i = 0; i < r->n; i++)
        g_string_free(r->tsv[i], TRUE);
    g_free(r->tsv);
    g_string_free(r->csv, TRUE);
    g_free(r->dir);
    g_free(r);
}
