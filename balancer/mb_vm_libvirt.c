/* mb_vm_libvirt.c - a libvirt domain's balloon: memory statistics and targets through libvirt. */
#include "mb_vm.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "sk_error.h"
#include "vm.h"

typedef struct {
    virConnectPtr conn;
    virDomainPtr dom;
} MbLibvirt;

static gboolean lv_fail(MbVm *vm, GError **error, const char *doing)
{
    const virError *e = virGetLastError();
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "vm %s: libvirt: %s: %s", vm->name, doing,
                e && e->message ? e->message : "failed");
    return FALSE;
}

gboolean mb_vm_libvirt_open(MbVm *vm, unsigned poll_s, GError **error)
{
    MbLibvirt *lv = g_new0(MbLibvirt, 1);
    char *domain = g_strconcat(VM_LIBVIRT_PREFIX, vm->name, NULL);
    gboolean ok = FALSE;

    vm->lv = lv;
    if (!(lv->conn = virConnectOpen(vm->uri))) {
        lv_fail(vm, error, "cannot connect");
        goto out;
    }
    if (!(lv->dom = virDomainLookupByName(lv->conn, domain))) {
        lv_fail(vm, error, "no domain");
        goto out;
    }
    vm->b.max = (gint64)virDomainGetMaxMemory(lv->dom);
    if (virDomainSetMemoryStatsPeriod(lv->dom, (int)poll_s, VIR_DOMAIN_AFFECT_LIVE) < 0) {
        lv_fail(vm, error, "cannot poll balloon statistics (no balloon? vmwrapper --balloon)");
        goto out;
    }
    if (!mb_vm_libvirt_sample(vm, error))
        goto out;
    vm->b.target = vm->b.total;
    vm->b.used = vm->b.total;
    ok = vm->b.max > 0 && vm->b.total > 0;
    if (!ok)
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "vm %s: libvirt gives no memory size",
                    vm->name);
out:
    g_free(domain);
    return ok;
}

gboolean mb_vm_libvirt_sample(MbVm *vm, GError **error)
{
    MbLibvirt *lv = vm->lv;
    virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
    gint64 actual = -1, usable = -1, unused = -1, available = -1, last = 0;
    int n = virDomainMemoryStats(lv->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

    if (n < 0)
        return lv_fail(vm, error, "no memory statistics");
    for (int i = 0; i < n; i++) {
        switch (st[i].tag) {
        case VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON: actual = (gint64)st[i].val; break;
        case VIR_DOMAIN_MEMORY_STAT_USABLE: usable = (gint64)st[i].val; break;
        case VIR_DOMAIN_MEMORY_STAT_UNUSED: unused = (gint64)st[i].val; break;
        case VIR_DOMAIN_MEMORY_STAT_AVAILABLE: available = (gint64)st[i].val; break;
        case VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE: last = (gint64)st[i].val; break;
        default: break;
        }
    }
    if (actual > 0)
        vm->b.total = actual;
    vm->guest_total = last > 0 ? available : -1;
    vm->guest_free = last > 0 ? unused : -1;
    vm->guest_available = last > 0 ? usable : -1;
    if (usable < 0)
        usable = unused;   /* a guest kernel without MemAvailable */
    vm->stats = last > 0 && usable >= 0;
    if (vm->stats) {
        vm->b.free = MIN(usable, vm->b.total);
        vm->b.used = vm->b.total - vm->b.free;
    } else {
        vm->b.free = 0;
        vm->b.used = vm->b.target;
    }
    return TRUE;
}

gboolean mb_vm_libvirt_set_target(MbVm *vm, gint64 kib, GError **error)
{
    MbLibvirt *lv = vm->lv;

    if (virDomainSetMemoryFlags(lv->dom, (unsigned long)kib, VIR_DOMAIN_AFFECT_LIVE) < 0)
        return lv_fail(vm, error, "cannot set the balloon");
    vm->b.target = kib;
    return TRUE;
}

void mb_vm_libvirt_close(MbVm *vm)
{
    MbLibvirt *lv = vm->lv;

    if (!lv)
        return;
    if (lv->dom)
        virDomainFree(lv->dom);
    if (lv->conn)
        virConnectClose(lv->conn);
    g_free(lv);
    vm->lv = NULL;
}
