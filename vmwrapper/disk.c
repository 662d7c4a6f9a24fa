/* disk.c - data disks: per-VM qcow2 overlays over a shared empty base,
 * and the QEMU arguments that attach them as NVMe behind the vIOMMU (see
 * vm.h, prepare-vm). */
#include "vm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

void vm_disks_find(const VmSpec *s, const Vm *vm, VmDisks *d)
{
    char *disk = g_build_filename(vm->dir, "data.qcow2", NULL);

    d->data = NULL;
    d->l2 = g_ptr_array_new_with_free_func(g_free);
    if (s->type != VM_TYPE_L2 && g_file_test(disk, G_FILE_TEST_IS_REGULAR))
        d->data = g_steal_pointer(&disk);
    for (unsigned k = 0; s->type == VM_TYPE_L1 && k < s->nics; k++)
        g_ptr_array_add(d->l2, vm_l2_disk(s->state_root, vm->name, k));
    g_free(disk);
}

void vm_disks_clear(VmDisks *d)
{
    g_clear_pointer(&d->data, g_free);
    if (d->l2)
        g_ptr_array_free(d->l2, TRUE);
    d->l2 = NULL;
}

void vm_disk_args(const VmSpec *s, const Vm *vm, GPtrArray *a)
{
    VmDisks d;

    vm_disks_find(s, vm, &d);
    vm_disk_args_of(&d, a);
    vm_disks_clear(&d);
}

/* Runs qemu-img with argv; FALSE with its message. */
static gboolean qemu_img(const char *const *argv, GError **error)
{
    char *err = NULL;
    int status = 0;
    GError *local = NULL;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                      &status, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot run qemu-img: %s",
                    local->message);
        g_error_free(local);
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "qemu-img: %s",
                    err ? g_strstrip(err) : "failed");
        g_free(err);
        return FALSE;
    }
    g_free(err);
    return TRUE;
}

char *vm_prepare_disk(const char *state_root, const char *images, VmType type,
                      unsigned id, unsigned size_mb, GError **error)
{
    char *name = vm_name(type, id);
    char *dir = g_build_filename(state_root, name, NULL);
    char *base_name = g_strdup_printf("data-%uM.qcow2", size_mb);
    char *base = g_build_filename(images, base_name, NULL);
    char *disk = g_build_filename(dir, "data.qcow2", NULL);
    char *tmp = NULL, *size = g_strdup_printf("%uM", size_mb);
    gboolean ok = FALSE;

    if (g_file_test(disk, G_FILE_TEST_IS_REGULAR)) {
        ok = TRUE;                       /* prepared before */
        goto out;
    }
    if (g_mkdir_with_parents(dir, 0700) != 0 || g_mkdir_with_parents(images, 0755) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s': %s", dir,
                    g_strerror(errno));
        goto out;
    }
    /* The empty base, once for all VMs; written under a temporary name. */
    if (!g_file_test(base, G_FILE_TEST_IS_REGULAR)) {
        tmp = g_strdup_printf("%s.tmp.%d", base, (int)getpid());
        const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", tmp, size, NULL};
        if (!qemu_img(argv, error) || rename(tmp, base) != 0)
            goto out;
        g_free(tmp);
        tmp = NULL;
    }
    /* This VM's overlay: its writes only, never a copy of the base. */
    tmp = g_strdup_printf("%s.tmp.%d", disk, (int)getpid());
    {
        const char *argv[] = {"qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                              "-b", base, tmp, NULL};
        if (!qemu_img(argv, error))
            goto out;
    }
    if (rename(tmp, disk) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s': %s", disk,
                    g_strerror(errno));
        goto out;
    }
    ok = TRUE;
out:
    if (tmp)
        unlink(tmp);
    SK_FREE_ALL(tmp, size, name, dir, base_name, base);
    if (!ok) {
        g_free(disk);
        return NULL;
    }
    return disk;
}

char *vm_l2_disk(const char *state_root, const char *l1_name, unsigned k)
{
    char *name = vm_name(VM_TYPE_L2, k);
    char *disk = g_build_filename(state_root, name, "data.qcow2", NULL);
    char *note = g_build_filename(state_root, name, "l1", NULL);
    char *owner = NULL;

    if (!g_file_get_contents(note, &owner, NULL, NULL))
        owner = g_strdup("l1-0");
    if (!g_file_test(disk, G_FILE_TEST_IS_REGULAR) ||
        strcmp(g_strstrip(owner), l1_name) != 0)
        g_clear_pointer(&disk, g_free);
    g_free(name);
    g_free(note);
    g_free(owner);
    return disk;
}

char *vm_prepare_l2_disk(const char *state_root, const char *images, unsigned l1_id,
                         unsigned id, unsigned size_mb, GError **error)
{
    char *disk = vm_prepare_disk(state_root, images, VM_TYPE_L2, id, size_mb, error);
    char *name = vm_name(VM_TYPE_L2, id);
    char *note = g_build_filename(state_root, name, "l1", NULL);
    char *l1 = vm_name(VM_TYPE_L1, l1_id);
    char *text = g_strconcat(l1, "\n", NULL);

    if (disk && !sk_output_write_file("L1 note", note, text, -1, error))
        g_clear_pointer(&disk, g_free);
    SK_FREE_ALL(name, note, l1, text);
    return disk;
}
