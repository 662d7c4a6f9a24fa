/* sk_manifest_write.c - a run manifest as format-1 JSON text, written whole
 * (see sk_manifest.h). */
#include "sk_json.h"
#include "sk_manifest.h"

#include <math.h>

#include "sk_file.h"

static void set_string(JsonObject *o, const char *key, const char *value)
{
    if (value)
        json_object_set_string_member(o, key, value);
}

static void set_int(JsonObject *o, const char *key, gint64 value)
{
    if (value >= 0)
        json_object_set_int_member(o, key, value);
}

static void set_number(JsonObject *o, const char *key, double value)
{
    if (!isnan(value))
        json_object_set_double_member(o, key, value);
}

static void set_id(JsonObject *o, const char *key, gint64 id)
{
    if (id >= 0) {
        char *hex = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", id);
        json_object_set_string_member(o, key, hex);
        g_free(hex);
    }
}

static void set_strings(JsonObject *o, const char *key, char **v)
{
    if (v == NULL)
        return;
    JsonArray *a = json_array_new();
    for (char **s = v; *s; s++)
        json_array_add_string_element(a, *s);
    json_object_set_array_member(o, key, a);
}

/* Counts as integer members, names[i] = values[i], up to a NULL name. */
static void set_counts(JsonObject *o, const char *const *names, const gint64 *values)
{
    for (guint i = 0; names[i]; i++)
        json_object_set_int_member(o, names[i], values[i]);
}

static JsonObject *qemu_object(const SkManifestQemu *q)
{
    JsonObject *o = json_object_new();
    set_string(o, "kind", q->kind);
    set_string(o, "binary", q->binary);
    set_string(o, "version", q->version);
    if (q->build_info)
        json_object_set_object_member(o, "build_info", json_object_ref(q->build_info));
    set_string(o, "trace_events", q->trace_events);
    return o;
}

static JsonObject *result_object(const SkManifestResult *r)
{
    JsonObject *o = json_object_new();
    set_string(o, "tenant", r->tenant);
    set_string(o, "file", r->file);
    set_number(o, "mbytes_per_s", r->mbytes_per_s);
    set_number(o, "read_iops", r->read_iops);
    set_number(o, "write_iops", r->write_iops);
    set_int(o, "requests", r->requests);
    set_int(o, "failed", r->failed);
    set_int(o, "bytes", r->bytes);
    set_int(o, "warmup_layers", r->warmup_layers);
    set_number(o, "p50_ms", r->p50_ms);
    set_number(o, "p99_ms", r->p99_ms);
    set_string(o, "error", r->error);
    return o;
}

static JsonObject *tenant_object(const SkManifestTenant *t, const char *test)
{
    JsonObject *o = json_object_new();
    set_int(o, "index", t->index);
    set_string(o, "name", t->name);
    set_string(o, "vm", t->vm);
    set_string(o, "device", t->device);
    set_string(o, "bdf", t->bdf);
    set_id(o, "sid", t->sid);
    if (t->has_domain && t->domain < 0)
        json_object_set_null_member(o, "domain");
    else if (t->has_domain)
        set_id(o, "domain", t->domain);
    if (t->has_events) {
        static const char *const names[] = {"translations", "iotlb_hits", "walks",
                                            "slpte_fetches", "context", "invalidations",
                                            "faults", NULL};
        const SkManifestEvents *e = &t->events;
        const gint64 values[] = {e->translations, e->iotlb_hits, e->walks, e->slpte_fetches,
                                 e->context, e->invalidations, e->faults};
        JsonObject *c = json_object_new();
        set_counts(c, names, values);
        json_object_set_object_member(o, "events", c);
    }
    if (t->nic) {
        JsonObject *n = json_object_new();
        set_string(n, "interface", t->nic->interface);
        set_string(n, "address", t->nic->address);
        set_int(n, "host_port", t->nic->host_port);
        set_string(n, "bdf", t->nic->bdf);
        set_id(n, "sid", t->nic->sid);
        json_object_set_object_member(o, "nic", n);
    }
    if (t->disk) {
        JsonObject *d = json_object_new();
        set_string(d, "device", t->disk->device);
        set_string(d, "bdf", t->disk->bdf);
        set_id(d, "sid", t->disk->sid);
        json_object_set_object_member(o, "disk", d);
    }
    if (t->result && test)
        json_object_set_object_member(o, test, result_object(t->result));
    return o;
}

static JsonObject *fuse_object(const SkManifestFuse *f)
{
    static const char *const names[] = {"requests", "errors", "malformed", "read_bytes",
                                        "write_bytes", NULL};
    const gint64 values[] = {f->requests, f->errors, f->malformed, f->read_bytes,
                             f->write_bytes};
    JsonObject *o = json_object_new();
    set_counts(o, names, values);
    json_object_set_double_member(o, "mean_latency_ns", f->mean_latency_ns);
    json_object_set_object_member(o, "by_opcode", json_object_ref(f->by_opcode));
    return o;
}

static JsonObject *manifest_object(const SkManifest *m)
{
    JsonObject *o = json_object_new();
    json_object_set_int_member(o, "format", SK_MANIFEST_FORMAT);
    json_object_set_string_member(o, "status",
                                  m->status == SK_MANIFEST_COMPLETE ? "complete" : "incomplete");
    set_string(o, "reason", m->reason);
    set_string(o, "tool", m->tool);
    set_strings(o, "command", m->command);
    set_string(o, "test", m->test);
    json_object_set_int_member(o, "tenants", m->tenants);
    set_int(o, "run", m->run);
    set_string(o, "topology", m->topology);
    set_int(o, "duration", m->duration);
    set_string(o, "direction", m->direction);
    if (m->qemu)
        json_object_set_object_member(o, "qemu", qemu_object(m->qemu));
    set_strings(o, "logs", m->logs);
    set_string(o, "record", m->record);
    set_string(o, "started", m->started);
    set_string(o, "finished", m->finished);
    set_number(o, "seconds", m->seconds);
    if (m->l1) {
        JsonObject *l1 = json_object_new();
        set_string(l1, "name", m->l1->name);
        set_int(l1, "pid", m->l1->pid);
        json_object_set_object_member(o, "l1", l1);
    }
    if (m->tenant_list) {
        JsonArray *a = json_array_new();
        for (guint i = 0; i < m->tenant_list->len; i++)
            json_array_add_object_element(a, tenant_object(m->tenant_list->pdata[i], m->test));
        json_object_set_array_member(o, "tenant_list", a);
    }
    if (m->events) {
        static const char *const names[] = {"lines", "events", "malformed", "unattributed",
                                            NULL};
        const gint64 values[] = {m->events->lines, m->events->events, m->events->malformed,
                                 m->events->unattributed};
        JsonObject *e = json_object_new();
        set_counts(e, names, values);
        set_string(e, "dialect", m->events->dialect);
        json_object_set_object_member(o, "events", e);
    }
    if (m->steps) {
        JsonArray *a = json_array_new();
        for (guint i = 0; i < m->steps->len; i++) {
            const SkManifestStep *s = m->steps->pdata[i];
            JsonObject *so = json_object_new();
            set_string(so, "vm", s->vm);
            set_string(so, "step", s->step);
            json_object_set_double_member(so, "seconds", s->seconds);
            json_object_set_boolean_member(so, "ok", s->ok);
            set_string(so, "error", s->error);
            json_array_add_object_element(a, so);
        }
        json_object_set_array_member(o, "steps", a);
    }
    set_strings(o, "tenant_logs", m->tenant_logs);
    if (m->has_fuse && m->fuse)
        json_object_set_object_member(o, "fuse", fuse_object(m->fuse));
    else if (m->has_fuse)
        json_object_set_null_member(o, "fuse");
    set_string(o, "fuse_note", m->fuse_note);
    return o;
}

char *sk_manifest_to_data(const SkManifest *m)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    char *text, *out;

    json_node_take_object(node, manifest_object(m));
    text = sk_json_node_text(node, TRUE);
    out = g_strconcat(text, "\n", NULL);
    g_free(text);
    json_node_unref(node);
    return out;
}

gboolean sk_manifest_write(const SkManifest *m, const char *path, GError **error)
{
    char *text = sk_manifest_to_data(m);
    gboolean ok = sk_output_write_file("manifest", path, text, -1, error);
    g_free(text);
    return ok;
}
