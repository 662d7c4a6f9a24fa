/* image.c - running the guest image builder (vmwrapper/image/build-image.sh)
 * for vmwrapper and log-collector (see vm.h). */
#include "vm.h"

#include "sk_error.h"

char *vm_image_build(const char *root, VmType type, const char *qemu, GError **error)
{
    char *script = g_build_filename(root, "vmwrapper", "image", "build-image.sh", NULL);
    const char *argv[] = {script, "--type", vm_type_name(type), NULL, NULL, NULL};
    char *out = NULL;
    int status = 0;
    GError *local = NULL;

    if (qemu && type == VM_TYPE_L1) {
        argv[3] = "--qemu";
        argv[4] = qemu;
    }
    if (!g_spawn_sync(root, (char **)argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN,
                      NULL, NULL, &out, NULL, &status, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot run %s: %s", script,
                    local->message);
        g_error_free(local);
        g_free(script);
        return NULL;
    }
    g_free(script);
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "building the %s image failed (its error is above)", vm_type_name(type));
        g_free(out);
        return NULL;
    }
    return g_strstrip(out);
}
