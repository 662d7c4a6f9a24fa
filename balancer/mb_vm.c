/* mb_vm.c - a VM's balloon read and set through vmwrapper's QMP client (mb_vm.h). */
#include "mb_vm.h"

#include <json-glib/json-glib.h>

#include "qmp.h"
#include "sk_error.h"
#include "vm.h"

#define MB_QMP_TIMEOUT_MS 3000

static JsonNode *qom_args(const char *property, gint64 value, gboolean set)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "path");
    json_builder_add_string_value(b, MB_BALLOON_PATH);
    json_builder_set_member_name(b, "property");
    json_builder_add_string_value(b, property);
    if (set) {
        json_builder_set_member_name(b, "value");
        json_builder_add_int_value(b, value);
    }
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    g_object_unref(b);
    return n;
}

static JsonNode *value_args(gint64 value)
{
    JsonObject *o = json_object_new();
    json_object_set_int_member(o, "value", value);
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    json_node_take_object(n, o);
    return n;
}

/* Runs one command on a fresh connection; the result or NULL. */
static JsonNode *run(MbVm *vm, const char *command, JsonNode *args, GError **error)
{
    VmQmp *q = vm_qmp_connect(vm->qmp, MB_QMP_TIMEOUT_MS, error);
    JsonNode *r = NULL;

    if (q) {
        r = vm_qmp_execute(q, command, args, MB_QMP_TIMEOUT_MS, error);
        vm_qmp_free(q);
    }
    if (args)
        json_node_unref(args);
    if (!r)
        g_prefix_error(error, "vm %s: ", vm->name);
    return r;
}

static gint64 member_int(JsonNode *n, const char *name)
{
    if (!n || !JSON_NODE_HOLDS_OBJECT(n))
        return -1;
    return json_object_get_int_member_with_default(json_node_get_object(n), name, -1);
}

MbVm *mb_vm_open(const char *state_root, const char *name, unsigned poll_s,
                 GError **error)
{
    Vm *found = vm_find(state_root, name, error);
    MbVm *vm;
    JsonNode *r;

    if (!found)
        return NULL;
    vm = g_new0(MbVm, 1);
    vm->guest_total = vm->guest_free = vm->guest_available = -1;
    vm->name = g_strdup(name);
    vm->qmp = g_strdup(found->qmp);
    vm->pid = found->pid;
    if (found->backend)
        vm->uri = g_strdup(found->backend_uri);
    vm_free(found);
    if (vm->uri) {
        if (!mb_vm_libvirt_open(vm, poll_s, error))
            goto fail;
        return vm;
    }
    if (!(r = run(vm, "query-memory-size-summary", NULL, error)))
        goto fail;
    vm->b.max = member_int(r, "base-memory") / 1024;
    json_node_unref(r);
    if (!(r = run(vm, "qom-set", qom_args("guest-stats-polling-interval", poll_s, TRUE),
                  error)))
        goto fail;
    json_node_unref(r);
    if (!(r = run(vm, "query-balloon", NULL, error)))
        goto fail;
    vm->b.total = member_int(r, "actual") / 1024;
    vm->b.target = vm->b.total;
    vm->b.used = vm->b.total;
    json_node_unref(r);
    if (vm->b.max <= 0 || vm->b.total <= 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "vm %s: QEMU gives no memory size",
                    name);
        goto fail;
    }
    return vm;
fail:
    if (error && *error && (*error)->code != SK_ERROR_INPUT)
        (*error)->code = SK_ERROR_INPUT;  /* unreachable at the start: bad input */
    mb_vm_free(vm);
    return NULL;
}

gboolean mb_vm_sample(MbVm *vm, GError **error)
{
    if (vm->uri)
        return mb_vm_libvirt_sample(vm, error);
    JsonNode *r = run(vm, "query-balloon", NULL, error);

    if (!r)
        return FALSE;
    gint64 actual = member_int(r, "actual");
    json_node_unref(r);
    if (!(r = run(vm, "qom-get", qom_args("guest-stats", 0, FALSE), error)))
        return FALSE;
    JsonObject *stats = JSON_NODE_HOLDS_OBJECT(r)
        ? json_object_get_object_member(json_node_get_object(r), "stats") : NULL;
    gint64 last = member_int(r, "last-update");
    gint64 avail = stats ? json_object_get_int_member_with_default(stats,
                               "stat-available-memory", -1) : -1;
    gint64 total = stats ? json_object_get_int_member_with_default(stats,
                               "stat-total-memory", -1) : -1;
    gint64 free_ = stats ? json_object_get_int_member_with_default(stats,
                               "stat-free-memory", -1) : -1;

    json_node_unref(r);
    vm->guest_total = last > 0 && total >= 0 ? total / 1024 : -1;
    vm->guest_free = last > 0 && free_ >= 0 ? free_ / 1024 : -1;
    vm->guest_available = last > 0 && avail >= 0 ? avail / 1024 : -1;
    if (avail < 0)      /* a guest kernel without MemAvailable */
        avail = free_;
    if (actual > 0)
        vm->b.total = actual / 1024;
    vm->stats = last > 0 && avail >= 0;
    if (vm->stats) {
        /* Memory the balloon holds is not available to the guest but is not
         * its use either: used = the guest's size now less what is available. */
        vm->b.free = MIN(avail / 1024, vm->b.total);
        vm->b.used = vm->b.total - vm->b.free;
    } else {
        vm->b.free = 0;
        vm->b.used = vm->b.target;   /* nothing known: hold the VM where it is */
    }
    return TRUE;
}

gboolean mb_vm_set_target(MbVm *vm, gint64 kib, GError **error)
{
    if (vm->uri)
        return mb_vm_libvirt_set_target(vm, kib, error);
    JsonNode *r = run(vm, "balloon", value_args(kib * 1024), error);

    if (!r)
        return FALSE;
    json_node_unref(r);
    vm->b.target = kib;
    return TRUE;
}

void mb_vm_free(MbVm *vm)
{
    if (!vm)
        return;
    mb_vm_libvirt_close(vm);
    g_free(vm->name);
    g_free(vm->qmp);
    g_free(vm->uri);
    g_free(vm->dropped);
    g_free(vm);
}
