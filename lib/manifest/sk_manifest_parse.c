/* sk_manifest_parse.c - reading a run manifest: every member checked against
 * the rules of sk_manifest.h and docs/run-manifest.md, old shapes
 * normalised.
 *
 * The readers below share one Reader: the first fault sets its error and
 * every later read does nothing, so a member's parse is a flat list of
 * reads and one check at the end. */
#include "sk_manifest.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sk_error.h"
#include "sk_file.h"

typedef struct Reader {
    const char *name;          /* the manifest, for errors (or NULL) */
    char *run_dir;             /* its folder, canonical (or NULL) */
    int format;
    GError *error;             /* the first fault */
} Reader;

static const char *const status_names[] = {"incomplete", "complete", NULL};
static const char *const topologies[] = {"nested", "flat", NULL};
static const char *const directions[] = {"rx", "tx", "both", NULL};
static const char *const records[] = {"binary", "text", NULL};
static const char *const devices[] = {"nic", "disk", "share", NULL};
static const char *const qemu_kinds[] = {"patched", "stock", "path", NULL};

/* The members each object of format 1 may hold. */
static const char *const top_members[] = {
    "format", "status", "reason", "tool", "command", "test", "tenants", "run",
    "topology", "duration", "direction", "qemu", "logs", "record", "started",
    "finished", "seconds", "l1", "tenant_list", "events", "steps", "tenant_logs",
    "fuse", "fuse_note", NULL};
static const char *const qemu_members[] = {"kind", "binary", "version", "build_info",
                                           "trace_events", NULL};
static const char *const l1_members[] = {"name", "pid", NULL};
static const char *const tenant_members[] = {"index", "name", "vm", "device", "bdf",
                                             "sid", "domain", "events", "nic", "disk",
                                             NULL};
static const char *const event_members[] = {"translations", "iotlb_hits", "walks",
                                            "slpte_fetches", "context",
                                            "invalidations", "faults", NULL};
static const char *const nic_members[] = {"interface", "address", "host_port", "bdf",
                                          "sid", NULL};
static const char *const disk_members[] = {"device", "bdf", "sid", NULL};
static const char *const result_members[] = {"tenant", "file", "mbytes_per_s",
                                             "read_iops", "write_iops", "requests",
                                             "failed", "bytes", "warmup_layers", "p50_ms",
                                             "p99_ms", "error", NULL};
static const char *const log_members[] = {"lines", "events", "malformed", "unattributed",
                                          "dialect", NULL};
static const char *const step_members[] = {"vm", "step", "seconds", "ok", "error", NULL};
static const char *const fuse_members[] = {"requests", "errors", "malformed", "read_bytes",
                                           "write_bytes", "mean_latency_ns", "by_opcode",
                                           NULL};

G_GNUC_PRINTF(3, 4)
static void bad(Reader *r, const char *member, const char *fmt, ...)
{
    va_list ap;
    char *why;

    if (r->error)
        return;
    va_start(ap, fmt);
    why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (r->name)
        g_set_error(&r->error, SK_ERROR, SK_ERROR_INPUT, "manifest '%s': member '%s': %s",
                    r->name, member, why);
    else
        g_set_error(&r->error, SK_ERROR, SK_ERROR_INPUT, "manifest: member '%s': %s",
                    member, why);
    g_free(why);
}

/* "prefix.key", or key at the top. */
static char *member_name(const char *prefix, const char *key)
{
    return prefix ? g_strdup_printf("%s.%s", prefix, key) : g_strdup(key);
}

/* The member key of o; NULL (and a fault when required) when absent. */
static JsonNode *member(Reader *r, JsonObject *o, const char *prefix, const char *key,
                        gboolean required)
{
    JsonNode *n = r->error ? NULL : json_object_get_member(o, key);
    if (n == NULL && required && r->error == NULL) {
        char *name = member_name(prefix, key);
        bad(r, name, "missing (required)");
        g_free(name);
    }
    return n;
}

static gboolean holds(JsonNode *n, GType type)
{
    return JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == type;
}

/* Format 1 refuses a member it does not define. */
static void known_members(Reader *r, JsonObject *o, const char *prefix,
                          const char *const *known, const char *extra)
{
    GList *names = json_object_get_members(o);
    for (GList *l = names; l && r->format >= 1 && r->error == NULL; l = l->next) {
        if (g_strv_contains(known, l->data) || (extra && strcmp(extra, l->data) == 0))
            continue;
        char *name = member_name(prefix, l->data);
        bad(r, name, "unknown member of format %d", r->format);
        g_free(name);
    }
    g_list_free(names);
}

static void read_string(Reader *r, JsonObject *o, const char *prefix, const char *key,
                        gboolean required, const char *const *choices, char **out)
{
    JsonNode *n = member(r, o, prefix, key, required);
    char *name = member_name(prefix, key);

    if (n && !holds(n, G_TYPE_STRING)) {
        bad(r, name, "not a string");
    } else if (n && choices && !g_strv_contains(choices, json_node_get_string(n))) {
        char *list = g_strjoinv(", ", (char **)choices);
        bad(r, name, "'%s' is not one of %s", json_node_get_string(n), list);
        g_free(list);
    } else if (n) {
        g_free(*out);
        *out = g_strdup(json_node_get_string(n));
    }
    g_free(name);
}

static void read_int(Reader *r, JsonObject *o, const char *prefix, const char *key,
                     gboolean required, gint64 min, gint64 max, gint64 *out)
{
    JsonNode *n = member(r, o, prefix, key, required);
    char *name = member_name(prefix, key);

    if (n && (!holds(n, G_TYPE_INT64) || json_node_get_int(n) < min ||
              json_node_get_int(n) > max))
        bad(r, name, "not an integer in %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT, min, max);
    else if (n)
        *out = json_node_get_int(n);
    g_free(name);
}

/* A count: an integer >= 0, required. */
static void read_count(Reader *r, JsonObject *o, const char *prefix, const char *key,
                       gint64 *out)
{
    read_int(r, o, prefix, key, TRUE, 0, G_MAXINT64, out);
}

/* A number >= 0 (an integer or not). */
static void read_number(Reader *r, JsonObject *o, const char *prefix, const char *key,
                        gboolean required, double *out)
{
    JsonNode *n = member(r, o, prefix, key, required);
    char *name = member_name(prefix, key);
    double v = n && holds(n, G_TYPE_INT64) ? (double)json_node_get_int(n)
               : n && holds(n, G_TYPE_DOUBLE) ? json_node_get_double(n)
                                               : -1;
    if (n && !(v >= 0 && isfinite(v)))
        bad(r, name, "not a number >= 0");
    else if (n)
        *out = v;
    g_free(name);
}

static void read_bool(Reader *r, JsonObject *o, const char *prefix, const char *key,
                      gboolean *out)
{
    JsonNode *n = member(r, o, prefix, key, TRUE);
    char *name = member_name(prefix, key);
    if (n && !holds(n, G_TYPE_BOOLEAN))
        bad(r, name, "not true or false");
    else if (n)
        *out = json_node_get_boolean(n);
    g_free(name);
}

/* An object member, borrowed; NULL when absent. */
static JsonObject *read_object(Reader *r, JsonObject *o, const char *prefix,
                               const char *key, gboolean required)
{
    JsonNode *n = member(r, o, prefix, key, required);
    if (n && !JSON_NODE_HOLDS_OBJECT(n)) {
        char *name = member_name(prefix, key);
        bad(r, name, "not an object");
        g_free(name);
        return NULL;
    }
    return n ? json_node_get_object(n) : NULL;
}

/* An array member, borrowed; NULL when absent. */
static JsonArray *read_array(Reader *r, JsonObject *o, const char *prefix, const char *key,
                             gboolean required)
{
    JsonNode *n = member(r, o, prefix, key, required);
    if (n && !JSON_NODE_HOLDS_ARRAY(n)) {
        char *name = member_name(prefix, key);
        bad(r, name, "not a list");
        g_free(name);
        return NULL;
    }
    return n ? json_node_get_array(n) : NULL;
}

/* rel made relative to the run folder: relative already (no ".."), or in
 * format 0 absolute inside the run.  NULL: outside (a fault unless
 * drop_outside, the old qemu.trace_events that named QEMU's build). */
static char *run_path(Reader *r, const char *name, const char *rel, gboolean drop_outside)
{
    if (*rel == '\0') {
        bad(r, name, "an empty path");
        return NULL;
    }
    if (g_path_is_absolute(rel) && r->format == 0 && r->run_dir) {
        char *abs = g_canonicalize_filename(rel, NULL);
        gsize n = strlen(r->run_dir);
        char *in = strncmp(abs, r->run_dir, n) == 0 && abs[n] == '/' && abs[n + 1]
                       ? g_strdup(abs + n + 1) : NULL;
        g_free(abs);
        if (in || drop_outside)
            return in;
    }
    char **parts = g_strsplit(rel, "/", -1);
    gboolean up = g_strv_contains((const char *const *)parts, "..");
    g_strfreev(parts);
    if (g_path_is_absolute(rel) || up) {
        bad(r, name, "'%s' is not a relative path inside the run folder", rel);
        return NULL;
    }
    return g_strdup(rel);
}

static void read_path(Reader *r, JsonObject *o, const char *prefix, const char *key,
                      gboolean drop_outside, char **out)
{
    char *text = NULL, *name = member_name(prefix, key);
    read_string(r, o, prefix, key, FALSE, NULL, &text);
    if (text) {
        g_free(*out);
        *out = run_path(r, name, text, drop_outside);
    }
    g_free(text);
    g_free(name);
}

/* A list of strings (paths: each made a run path). */
static char **read_strings(Reader *r, JsonObject *o, const char *key, gboolean required,
                           gboolean paths)
{
    JsonArray *a = read_array(r, o, NULL, key, required);
    guint n = a ? json_array_get_length(a) : 0;
    char **v = a ? g_new0(char *, n + 1) : NULL;

    for (guint i = 0; i < n && r->error == NULL; i++) {
        JsonNode *e = json_array_get_element(a, i);
        char *name = g_strdup_printf("%s[%u]", key, i);
        if (!holds(e, G_TYPE_STRING))
            bad(r, name, "not a string");
        else if (paths)
            v[i] = run_path(r, name, json_node_get_string(e), FALSE);
        else
            v[i] = g_strdup(json_node_get_string(e));
        g_free(name);
    }
    return v;
}

/* "0x18" (or 24): a 16-bit id. */
static void read_id(Reader *r, JsonObject *o, const char *prefix, const char *key,
                    gint64 *out)
{
    JsonNode *n = member(r, o, prefix, key, FALSE);
    char *name = member_name(prefix, key), *end = NULL;
    gint64 v = -1;

    if (n && holds(n, G_TYPE_STRING) && g_str_has_prefix(json_node_get_string(n), "0x") &&
        g_ascii_isxdigit(json_node_get_string(n)[2])) {
        guint64 u = g_ascii_strtoull(json_node_get_string(n) + 2, &end, 16);
        v = *end == '\0' && u <= 0xffff ? (gint64)u : -1;
    } else if (n && holds(n, G_TYPE_INT64) && json_node_get_int(n) <= 0xffff) {
        v = json_node_get_int(n);
    }
    if (n && v < 0)
        bad(r, name, "not a number in 0..65535 (\"0x...\")");
    else if (n)
        *out = v;
    g_free(name);
}

/* A PCI address "dddd:bb:dd.f" (the domain may be left out). */
static void read_bdf(Reader *r, JsonObject *o, const char *prefix, char **out)
{
    char *text = NULL, *name = member_name(prefix, "bdf");
    unsigned dom = 0, bus, dev, fn;
    char end;

    read_string(r, o, prefix, "bdf", FALSE, NULL, &text);
    if (text && sscanf(text, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) != 4 &&
        sscanf(text, "%2x:%2x.%1x%c", &bus, &dev, &fn, &end) != 3)
        bad(r, name, "'%s' is not a PCI address (0000:00:03.0)", text);
    else if (text && (dev > 31 || fn > 7))
        bad(r, name, "'%s': device above 31 or function above 7", text);
    else if (text) {
        g_free(*out);
        *out = g_steal_pointer(&text);
    }
    g_free(text);
    g_free(name);
}

static void read_time(Reader *r, JsonObject *o, const char *key, char **out)
{
    read_string(r, o, NULL, key, FALSE, NULL, out);
    GDateTime *t = *out ? g_date_time_new_from_iso8601(*out, NULL) : NULL;
    if (*out && t == NULL)
        bad(r, key, "'%s' is not an ISO 8601 time with its zone", *out);
    if (t)
        g_date_time_unref(t);
}

static void read_qemu(Reader *r, JsonObject *top, SkManifest *m)
{
    JsonObject *o = read_object(r, top, NULL, "qemu", FALSE);
    JsonObject *info;
    if (o == NULL)
        return;
    m->qemu = g_new0(SkManifestQemu, 1);
    known_members(r, o, "qemu", qemu_members, NULL);
    read_string(r, o, "qemu", "kind", FALSE, qemu_kinds, &m->qemu->kind);
    read_string(r, o, "qemu", "binary", FALSE, NULL, &m->qemu->binary);
    read_string(r, o, "qemu", "version", FALSE, NULL, &m->qemu->version);
    if ((info = read_object(r, o, "qemu", "build_info", FALSE)))
        m->qemu->build_info = json_object_ref(info);
    read_path(r, o, "qemu", "trace_events", TRUE, &m->qemu->trace_events);
}

static void read_nic(Reader *r, JsonObject *t, const char *prefix, SkManifestNic **out)
{
    char *name = member_name(prefix, "nic");
    JsonObject *o = read_object(r, t, prefix, "nic", FALSE);
    SkManifestNic *nic;
    unsigned a[4];
    char end;

    if (o) {
        nic = *out = g_new0(SkManifestNic, 1);
        nic->host_port = nic->sid = -1;
        known_members(r, o, name, nic_members, NULL);
        read_string(r, o, name, "interface", TRUE, NULL, &nic->interface);
        read_string(r, o, name, "address", TRUE, NULL, &nic->address);
        read_int(r, o, name, "host_port", TRUE, 1, 65535, &nic->host_port);
        read_bdf(r, o, name, &nic->bdf);
        read_id(r, o, name, "sid", &nic->sid);
        if (nic->address && (sscanf(nic->address, "%3u.%3u.%3u.%3u%c", &a[0], &a[1], &a[2],
                                    &a[3], &end) != 4 ||
                             a[0] > 255 || a[1] > 255 || a[2] > 255 || a[3] > 255)) {
            char *addr = member_name(name, "address");
            bad(r, addr, "'%s' is not an IPv4 address", nic->address);
            g_free(addr);
        }
    }
    g_free(name);
}

static void read_disk(Reader *r, JsonObject *t, const char *prefix, SkManifestDisk **out)
{
    char *name = member_name(prefix, "disk");
    JsonObject *o = read_object(r, t, prefix, "disk", FALSE);
    if (o) {
        SkManifestDisk *disk = *out = g_new0(SkManifestDisk, 1);
        disk->sid = -1;
        known_members(r, o, name, disk_members, NULL);
        read_string(r, o, name, "device", TRUE, NULL, &disk->device);
        read_bdf(r, o, name, &disk->bdf);
        read_id(r, o, name, "sid", &disk->sid);
    }
    g_free(name);
}

static SkManifestResult *read_result(Reader *r, JsonObject *o, const char *name)
{
    SkManifestResult *res = sk_manifest_result_new();
    known_members(r, o, name, result_members, NULL);
    read_string(r, o, name, "tenant", TRUE, NULL, &res->tenant);
    read_path(r, o, name, "file", FALSE, &res->file);
    read_number(r, o, name, "mbytes_per_s", FALSE, &res->mbytes_per_s);
    read_number(r, o, name, "read_iops", FALSE, &res->read_iops);
    read_number(r, o, name, "write_iops", FALSE, &res->write_iops);
    read_int(r, o, name, "requests", FALSE, 0, G_MAXINT64, &res->requests);
    read_int(r, o, name, "failed", FALSE, 0, G_MAXINT64, &res->failed);
    read_int(r, o, name, "bytes", FALSE, 0, G_MAXINT64, &res->bytes);
    read_int(r, o, name, "warmup_layers", FALSE, 0, G_MAXINT64, &res->warmup_layers);
    read_number(r, o, name, "p50_ms", FALSE, &res->p50_ms);
    read_number(r, o, name, "p99_ms", FALSE, &res->p99_ms);
    read_string(r, o, name, "error", FALSE, NULL, &res->error);
    return res;
}

static void read_events(Reader *r, JsonObject *t, const char *prefix, SkManifestTenant *tn)
{
    char *name = member_name(prefix, "events");
    JsonObject *o = read_object(r, t, prefix, "events", FALSE);
    gint64 *counts[] = {&tn->events.translations, &tn->events.iotlb_hits, &tn->events.walks,
                        &tn->events.slpte_fetches, &tn->events.context,
                        &tn->events.invalidations, &tn->events.faults};
    if (o) {
        tn->has_events = TRUE;
        known_members(r, o, name, event_members, NULL);
        for (guint i = 0; i < G_N_ELEMENTS(counts); i++)
            read_count(r, o, name, event_members[i], counts[i]);
    }
    g_free(name);
}

static SkManifestTenant *read_tenant(Reader *r, JsonObject *o, const char *name,
                                     const SkManifest *m)
{
    SkManifestTenant *t = sk_manifest_tenant_new();
    JsonNode *domain;
    JsonObject *res;

    known_members(r, o, name, tenant_members, m->test);
    read_int(r, o, name, "index", TRUE, 0, m->tenants - 1, &t->index);
    read_string(r, o, name, "name", TRUE, NULL, &t->name);
    read_string(r, o, name, "vm", TRUE, NULL, &t->vm);
    read_string(r, o, name, "device", TRUE, devices, &t->device);
    read_bdf(r, o, name, &t->bdf);
    read_id(r, o, name, "sid", &t->sid);
    domain = member(r, o, name, "domain", FALSE);
    if (domain) {
        t->has_domain = TRUE;
        if (JSON_NODE_HOLDS_NULL(domain))
            t->domain = -1;
        else
            read_id(r, o, name, "domain", &t->domain);
    }
    read_events(r, o, name, t);
    read_nic(r, o, name, &t->nic);
    read_disk(r, o, name, &t->disk);
    if ((res = read_object(r, o, name, m->test, FALSE))) {
        char *rn = member_name(name, m->test);
        t->result = read_result(r, res, rn);
        g_free(rn);
    }
    return t;
}

static void read_tenants(Reader *r, JsonObject *top, SkManifest *m)
{
    JsonArray *a = read_array(r, top, NULL, "tenant_list", FALSE);
    if (a == NULL)
        return;
    m->tenant_list = g_ptr_array_new_with_free_func((GDestroyNotify)sk_manifest_tenant_free);
    for (guint i = 0; i < json_array_get_length(a) && r->error == NULL; i++) {
        char *name = g_strdup_printf("tenant_list[%u]", i);
        JsonNode *e = json_array_get_element(a, i);
        if (JSON_NODE_HOLDS_OBJECT(e))
            g_ptr_array_add(m->tenant_list, read_tenant(r, json_node_get_object(e), name, m));
        else
            bad(r, name, "not an object");
        g_free(name);
    }
}

static void read_log_counts(Reader *r, JsonObject *top, SkManifest *m)
{
    JsonObject *o = read_object(r, top, NULL, "events", FALSE);
    if (o == NULL)
        return;
    m->events = g_new0(SkManifestLogCounts, 1);
    known_members(r, o, "events", log_members, NULL);
    read_count(r, o, "events", "lines", &m->events->lines);
    read_count(r, o, "events", "events", &m->events->events);
    read_count(r, o, "events", "malformed", &m->events->malformed);
    read_count(r, o, "events", "unattributed", &m->events->unattributed);
    read_string(r, o, "events", "dialect", FALSE, NULL, &m->events->dialect);
}

static GPtrArray *read_steps(Reader *r, JsonArray *a, const char *prefix)
{
    GPtrArray *steps = g_ptr_array_new_with_free_func((GDestroyNotify)sk_manifest_step_free);
    for (guint i = 0; i < json_array_get_length(a) && r->error == NULL; i++) {
        char *name = g_strdup_printf("%s[%u]", prefix, i);
        JsonNode *e = json_array_get_element(a, i);
        if (JSON_NODE_HOLDS_OBJECT(e)) {
            JsonObject *o = json_node_get_object(e);
            SkManifestStep *s = sk_manifest_step_new();
            g_ptr_array_add(steps, s);
            known_members(r, o, name, step_members, NULL);
            read_string(r, o, name, "vm", TRUE, NULL, &s->vm);
            read_string(r, o, name, "step", TRUE, NULL, &s->step);
            read_number(r, o, name, "seconds", TRUE, &s->seconds);
            read_bool(r, o, name, "ok", &s->ok);
            read_string(r, o, name, "error", FALSE, NULL, &s->error);
        } else {
            bad(r, name, "not an object");
        }
        g_free(name);
    }
    return steps;
}

static SkManifestFuse *read_fuse(Reader *r, JsonObject *o, const char *name)
{
    SkManifestFuse *f = sk_manifest_fuse_new();
    JsonObject *ops;

    known_members(r, o, name, fuse_members, NULL);
    read_count(r, o, name, "requests", &f->requests);
    read_count(r, o, name, "errors", &f->errors);
    read_count(r, o, name, "malformed", &f->malformed);
    read_count(r, o, name, "read_bytes", &f->read_bytes);
    read_count(r, o, name, "write_bytes", &f->write_bytes);
    read_number(r, o, name, "mean_latency_ns", TRUE, &f->mean_latency_ns);
    if ((ops = read_object(r, o, name, "by_opcode", TRUE))) {
        char *opname = member_name(name, "by_opcode");
        GList *names = json_object_get_members(ops);
        for (GList *l = names; l && r->error == NULL; l = l->next) {
            gint64 n = 0;
            read_count(r, ops, opname, l->data, &n);
            json_object_set_int_member(f->by_opcode, l->data, n);
        }
        g_list_free(names);
        g_free(opname);
    }
    return f;
}

static void read_format(Reader *r, JsonObject *top, SkManifest *m)
{
    JsonNode *n = json_object_get_member(top, "format");
    if (n == NULL) {
        r->format = m->format = 0;
    } else if (!holds(n, G_TYPE_INT64)) {
        bad(r, "format", "not an integer");
    } else if (json_node_get_int(n) != SK_MANIFEST_FORMAT) {
        bad(r, "format", "unknown format %" G_GINT64_FORMAT " (this siokit reads %d, "
            "or no format member for the first manifests)", json_node_get_int(n),
            SK_MANIFEST_FORMAT);
    } else {
        r->format = m->format = SK_MANIFEST_FORMAT;
    }
}

static void read_top(Reader *r, JsonObject *o, SkManifest *m)
{
    char *status = NULL, *old_events = NULL;
    JsonObject *l1;
    JsonNode *fuse;

    read_format(r, o, m);
    known_members(r, o, NULL, top_members, NULL);
    read_string(r, o, NULL, "status", TRUE, status_names, &status);
    m->status = status && strcmp(status, "complete") == 0 ? SK_MANIFEST_COMPLETE
                                                          : SK_MANIFEST_INCOMPLETE;
    g_free(status);
    read_string(r, o, NULL, "reason", FALSE, NULL, &m->reason);
    read_string(r, o, NULL, "tool", FALSE, NULL, &m->tool);
    m->command = read_strings(r, o, "command", FALSE, FALSE);
    read_string(r, o, NULL, "test", TRUE, NULL, &m->test);
    if (m->test && (!*m->test || strspn(m->test, "abcdefghijklmnopqrstuvwxyz"
                                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
                                     strlen(m->test) ||
                    g_strv_contains(tenant_members, m->test)))
        bad(r, "test", "'%s' is not a test name (letters, digits, '_', '.', '-'; not a "
            "tenant member's name)", m->test);
    read_int(r, o, NULL, "tenants", TRUE, 1, 1000000, &m->tenants);
    read_int(r, o, NULL, "run", FALSE, 0, G_MAXINT32, &m->run);
    read_string(r, o, NULL, "topology", FALSE, topologies, &m->topology);
    read_int(r, o, NULL, "duration", FALSE, 1, 86400, &m->duration);
    read_string(r, o, NULL, "direction", FALSE, directions, &m->direction);
    read_qemu(r, o, m);
    g_strfreev(m->logs);
    m->logs = read_strings(r, o, "logs", TRUE, TRUE);
    if (r->error == NULL && m->status == SK_MANIFEST_COMPLETE && m->logs[0] == NULL)
        bad(r, "logs", "empty, and the run is complete");
    read_string(r, o, NULL, "record", FALSE, records, &m->record);
    read_time(r, o, "started", &m->started);
    read_time(r, o, "finished", &m->finished);
    read_number(r, o, NULL, "seconds", FALSE, &m->seconds);
    if ((l1 = read_object(r, o, NULL, "l1", FALSE))) {
        m->l1 = g_new0(SkManifestL1, 1);
        known_members(r, l1, "l1", l1_members, NULL);
        read_string(r, l1, "l1", "name", TRUE, NULL, &m->l1->name);
        read_int(r, l1, "l1", "pid", TRUE, 1, G_MAXINT32, &m->l1->pid);
    }
    read_tenants(r, o, m);
    read_log_counts(r, o, m);
    JsonArray *steps = read_array(r, o, NULL, "steps", FALSE);
    if (steps)
        m->steps = read_steps(r, steps, "steps");
    m->tenant_logs = read_strings(r, o, "tenant_logs", FALSE, TRUE);
    if ((fuse = member(r, o, NULL, "fuse", FALSE))) {
        m->has_fuse = TRUE;
        if (JSON_NODE_HOLDS_OBJECT(fuse))
            m->fuse = read_fuse(r, json_node_get_object(fuse), "fuse");
        else if (!JSON_NODE_HOLDS_NULL(fuse))
            bad(r, "fuse", "not an object or null");
    }
    read_string(r, o, NULL, "fuse_note", FALSE, NULL, &m->fuse_note);
    /* Format 0: perf-explore's top-level trace_events is QEMU's. */
    if (r->format == 0) {
        read_path(r, o, NULL, "trace_events", FALSE, &old_events);
        if (old_events && m->qemu == NULL)
            m->qemu = g_new0(SkManifestQemu, 1);
        if (old_events && m->qemu->trace_events == NULL)
            m->qemu->trace_events = g_steal_pointer(&old_events);
        g_free(old_events);
    }
}

SkManifest *sk_manifest_parse(const char *text, gsize len, const char *name,
                              GError **error)
{
    JsonParser *parser = json_parser_new();
    SkManifest *m = sk_manifest_new();
    Reader r = {.name = name};
    GError *local = NULL;
    JsonNode *root;

    if (name) {
        char *dir = g_path_get_dirname(name);
        r.run_dir = g_canonicalize_filename(dir, NULL);
        g_free(dir);
    }
    if (!json_parser_load_from_data(parser, text, (gssize)len, &local)) {
        g_set_error(&r.error, SK_ERROR, SK_ERROR_INPUT, "manifest '%s': %s",
                    name ? name : "(memory)", local->message);
        g_error_free(local);
    } else if ((root = json_parser_get_root(parser)) == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
        g_set_error(&r.error, SK_ERROR, SK_ERROR_INPUT, "manifest '%s': not a JSON object",
                    name ? name : "(memory)");
    } else {
        read_top(&r, json_node_get_object(root), m);
    }
    g_object_unref(parser);
    g_free(r.run_dir);
    if (r.error) {
        g_propagate_error(error, r.error);
        sk_manifest_free(m);
        return NULL;
    }
    return m;
}

/* Faults unless rel names a regular file of run_dir. */
static void check_file(Reader *r, const char *run_dir, const char *member_path,
                       const char *rel)
{
    char *path = g_build_filename(run_dir, rel, NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        bad(r, member_path, "'%s': no such file in the run folder", rel);
    g_free(path);
}

gboolean sk_manifest_check_files(const SkManifest *m, const char *run_dir,
                                 const char *name, GError **error)
{
    Reader r = {.name = name};
    char **lists[] = {m->logs, m->tenant_logs};
    const char *list_names[] = {"logs", "tenant_logs"};

    for (guint l = 0; l < G_N_ELEMENTS(lists); l++)
        for (guint i = 0; lists[l] && lists[l][i]; i++) {
            char *member_path = g_strdup_printf("%s[%u]", list_names[l], i);
            check_file(&r, run_dir, member_path, lists[l][i]);
            g_free(member_path);
        }
    if (m->qemu && m->qemu->trace_events)
        check_file(&r, run_dir, "qemu.trace_events", m->qemu->trace_events);
    for (guint i = 0; m->tenant_list && i < m->tenant_list->len; i++) {
        const SkManifestTenant *t = m->tenant_list->pdata[i];
        if (t->result && t->result->file) {
            char *member_path = g_strdup_printf("tenant_list[%u].%s.file", i, m->test);
            check_file(&r, run_dir, member_path, t->result->file);
            g_free(member_path);
        }
    }
    if (r.error) {
        g_propagate_error(error, r.error);
        return FALSE;
    }
    return TRUE;
}

SkManifest *sk_manifest_read(const char *path, GError **error)
{
    FILE *f = sk_input_fopen("manifest", path, error);
    GString *text;
    char buf[8192];
    size_t n;
    SkManifest *m = NULL;

    if (f == NULL)
        return NULL;
    text = g_string_new(NULL);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        g_string_append_len(text, buf, (gssize)n);
    if (ferror(f)) {
        sk_file_set_io_error(error, "manifest", path, "cannot read", errno);
    } else if ((m = sk_manifest_parse(text->str, text->len, path, error)) &&
               m->status == SK_MANIFEST_COMPLETE) {
        char *dir = g_path_get_dirname(path);
        if (!sk_manifest_check_files(m, dir, path, error))
            g_clear_pointer(&m, sk_manifest_free);
        g_free(dir);
    }
    fclose(f);
    g_string_free(text, TRUE);
    return m;
}

/* A part read alone from a node (what another writer built as JSON). */
typedef gpointer (*PartReader)(Reader *r, JsonNode *node, const char *name);

static gpointer read_part(JsonNode *node, const char *name, PartReader read,
                          GDestroyNotify free_part, GError **error)
{
    Reader r = {.format = SK_MANIFEST_FORMAT};
    gpointer part = node ? read(&r, node, name) : NULL;
    if (node == NULL)
        bad(&r, name, "missing");
    if (r.error) {
        if (part)
            free_part(part);
        g_propagate_error(error, r.error);
        return NULL;
    }
    return part;
}

static gpointer result_part(Reader *r, JsonNode *node, const char *name)
{
    if (JSON_NODE_HOLDS_OBJECT(node))
        return read_result(r, json_node_get_object(node), name);
    bad(r, name, "not an object");
    return NULL;
}

static gpointer steps_part(Reader *r, JsonNode *node, const char *name)
{
    if (JSON_NODE_HOLDS_ARRAY(node))
        return read_steps(r, json_node_get_array(node), name);
    bad(r, name, "not a list");
    return NULL;
}

static gpointer fuse_part(Reader *r, JsonNode *node, const char *name)
{
    if (JSON_NODE_HOLDS_OBJECT(node))
        return read_fuse(r, json_node_get_object(node), name);
    bad(r, name, "not an object");
    return NULL;
}

SkManifestResult *sk_manifest_result_from_json(JsonNode *node, const char *member_path,
                                               GError **error)
{
    return read_part(node, member_path, result_part, (GDestroyNotify)sk_manifest_result_free,
                     error);
}

GPtrArray *sk_manifest_steps_from_json(JsonNode *node, const char *member_path,
                                       GError **error)
{
    return read_part(node, member_path, steps_part, (GDestroyNotify)g_ptr_array_unref, error);
}

SkManifestFuse *sk_manifest_fuse_from_json(JsonNode *node, const char *member_path,
                                           GError **error)
{
    return read_part(node, member_path, fuse_part, (GDestroyNotify)sk_manifest_fuse_free,
                     error);
}
