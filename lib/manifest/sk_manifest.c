/* sk_manifest.c - the life of a run manifest: making and freeing it and its
 * parts (see sk_manifest.h). */
#include "sk_manifest.h"

#include "sk_free.h"

#include <math.h>

SkManifest *sk_manifest_new(void)
{
    SkManifest *m = g_new0(SkManifest, 1);
    m->format = SK_MANIFEST_FORMAT;
    m->status = SK_MANIFEST_INCOMPLETE;
    m->run = m->duration = -1;
    m->seconds = NAN;
    m->logs = g_new0(char *, 1);
    return m;
}

SkManifestTenant *sk_manifest_tenant_new(void)
{
    SkManifestTenant *t = g_new0(SkManifestTenant, 1);
    t->index = t->sid = -1;
    return t;
}

SkManifestResult *sk_manifest_result_new(void)
{
    SkManifestResult *r = g_new0(SkManifestResult, 1);
    r->mbytes_per_s = r->read_iops = r->write_iops = r->p50_ms = r->p99_ms = NAN;
    r->requests = r->failed = r->bytes = r->warmup_layers = -1;
    return r;
}

SkManifestStep *sk_manifest_step_new(void)
{
    return g_new0(SkManifestStep, 1);
}

SkManifestFuse *sk_manifest_fuse_new(void)
{
    SkManifestFuse *f = g_new0(SkManifestFuse, 1);
    f->by_opcode = json_object_new();
    return f;
}

void sk_manifest_result_free(SkManifestResult *r)
{
    if (r == NULL)
        return;
    SK_FREE_ALL(r->tenant, r->file, r->error, r);
}

void sk_manifest_tenant_free(SkManifestTenant *t)
{
    if (t == NULL)
        return;
    SK_FREE_ALL(t->name, t->vm, t->device, t->bdf);
    if (t->nic) {
        SK_FREE_ALL(t->nic->interface, t->nic->address, t->nic->bdf, t->nic);
    }
    if (t->disk) {
        g_free(t->disk->device);
        g_free(t->disk->bdf);
        g_free(t->disk);
    }
    sk_manifest_result_free(t->result);
    g_free(t);
}

void sk_manifest_step_free(SkManifestStep *s)
{
    if (s == NULL)
        return;
    SK_FREE_ALL(s->vm, s->step, s->error, s);
}

void sk_manifest_fuse_free(SkManifestFuse *f)
{
    if (f == NULL)
        return;
    if (f->by_opcode)
        json_object_unref(f->by_opcode);
    g_free(f);
}

void sk_manifest_free(SkManifest *m)
{
    if (m == NULL)
        return;
    SK_FREE_ALL(m->reason, m->tool);
    g_strfreev(m->command);
    SK_FREE_ALL(m->test, m->topology, m->direction);
    if (m->qemu) {
        g_free(m->qemu->kind);
        g_free(m->qemu->binary);
        g_free(m->qemu->version);
        if (m->qemu->build_info)
            json_object_unref(m->qemu->build_info);
        g_free(m->qemu->trace_events);
        g_free(m->qemu);
    }
    g_strfreev(m->logs);
    SK_FREE_ALL(m->record, m->started, m->finished);
    if (m->l1) {
        g_free(m->l1->name);
        g_free(m->l1);
    }
    if (m->tenant_list)
        g_ptr_array_free(m->tenant_list, TRUE);
    if (m->events) {
        g_free(m->events->dialect);
        g_free(m->events);
    }
    if (m->steps)
        g_ptr_array_free(m->steps, TRUE);
    g_strfreev(m->tenant_logs);
    sk_manifest_fuse_free(m->fuse);
    SK_FREE_ALL(m->fuse_note, m);
}
