/* mb_vms.c - the VMs of one mem-balancer run: found, dropped, given back (mb_vms.h). */
#include "mb_vms.h"

#include <stdio.h>

#include "sk_error.h"
#include "vm.h"

/* The names of the VMs running under state_root, in vmwrapper's order. */
static GPtrArray *running(const char *state_root)
{
    GPtrArray *names = vm_list(state_root);

    for (guint i = 0; i < names->len;) {
        GError *e = NULL;
        Vm *v = vm_find(state_root, names->pdata[i], &e);
        g_clear_error(&e);
        if (v) {
            vm_free(v);
            i++;
        } else {
            g_ptr_array_remove_index(names, i);
        }
    }
    return names;
}

GPtrArray *mb_vms_open(const char *state_root, char *const *names, unsigned poll_s,
                       GError **error)
{
    GPtrArray *vms = g_ptr_array_new_with_free_func((GDestroyNotify)mb_vm_free);
    GPtrArray *all = NULL;

    if (!names) {
        all = running(state_root);
        if (all->len == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no running VM in %s", state_root);
            goto fail;
        }
        g_ptr_array_add(all, NULL);
        names = (char *const *)all->pdata;
    }
    for (char *const *n = names; *n; n++) {
        MbVm *vm = mb_vm_open(state_root, *n, poll_s, error);
        if (!vm)
            goto fail;
        g_ptr_array_add(vms, vm);
    }
    if (all)
        g_ptr_array_unref(all);
    return vms;
fail:
    if (all)
        g_ptr_array_unref(all);
    g_ptr_array_unref(vms);
    return NULL;
}

gint64 mb_vms_size(GPtrArray *vms)
{
    gint64 sum = 0;

    for (guint i = 0; i < vms->len; i++)
        sum += ((MbVm *)vms->pdata[i])->b.max;
    return sum;
}

void mb_vms_drop(MbVm *vm, double t, GError *error)
{
    vm->dropped = g_strdup(error->message);
    vm->dropped_at = t;
    fprintf(stderr, "mem-balancer: dropped %s\n", error->message);
    g_error_free(error);
}

gsize mb_vms_live(GPtrArray *vms, MbVm **out)
{
    gsize n = 0;

    for (guint i = 0; i < vms->len; i++) {
        MbVm *vm = vms->pdata[i];
        if (!vm->dropped)
            out[n++] = vm;
    }
    return n;
}

void mb_vms_restore(GPtrArray *vms)
{
    for (guint i = 0; i < vms->len; i++) {
        MbVm *vm = vms->pdata[i];
        GError *e = NULL;
        if (mb_vm_set_target(vm, vm->b.max, &e))
            continue;
        if (!vm->dropped)   /* a dropped VM's failure was reported already */
            fprintf(stderr, "mem-balancer: cannot give back memory: %s\n", e->message);
        g_error_free(e);
    }
}
