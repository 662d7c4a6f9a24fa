/* share.c - virtio-fs sharing of a host folder with a guest (see share.h). */
#include "share.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk_error.h"

/* Reaps virtiofsd (it exits when QEMU closes its socket), else stops it. */
void vm_share_stop(Vm *vm)
{
    if (vm->fs_pid <= 0)
        return;
    for (int i = 0; i < 3; i++) {
        int sig = i == 0 ? 0 : (i == 1 ? SIGTERM : SIGKILL);
        if (sig)
            kill(vm->fs_pid, sig);
        for (int t = 0; t < 40; t++) {
            pid_t r = waitpid(vm->fs_pid, NULL, WNOHANG);
            if (r == vm->fs_pid || (r < 0 && errno == ECHILD)) {
                vm->fs_pid = 0;
                return;
            }
            g_usleep(50000);
        }
    }
}

/* Starts virtiofsd for s->share with its socket in the VM's folder, dying
 * with this process; returns once the socket is there. */
gboolean vm_share_start(const VmSpec *s, Vm *vm, GError **error)
{
    char *sock = g_build_filename(vm->dir, "virtiofs.sock", NULL);
    char *log_path = g_build_filename(vm->dir, "virtiofsd.log", NULL);
    char *source = NULL;
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    GError *local = NULL;
    gboolean ok = FALSE;
    int log_fd = -1, devnull = -1;

    if (!g_file_test(s->share, G_FILE_TEST_IS_DIR) || strchr(s->share, ',')) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --share: '%s' is not a folder (or has a comma)", s->share);
        goto out;
    }
    source = realpath(s->share, NULL);
    g_ptr_array_add(argv, g_strdup(s->virtiofsd ? s->virtiofsd : VM_VIRTIOFSD));
    g_ptr_array_add(argv, g_strdup_printf("--socket-path=%s", sock));
    g_ptr_array_add(argv, g_strdup("-o"));
    g_ptr_array_add(argv, g_strdup_printf("source=%s", source));
    g_ptr_array_add(argv, g_strdup("-o"));
    g_ptr_array_add(argv, g_strdup("cache=auto"));
    for (const char *const *e = s->virtiofsd_args; e && *e; e++)
        g_ptr_array_add(argv, g_strdup(*e));
    g_ptr_array_add(argv, NULL);
    unlink(sock);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s': %s", log_path,
                    g_strerror(errno));
        goto out;
    }
    if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata, NULL,
                                          G_SPAWN_DO_NOT_REAP_CHILD, vm_die_with_parent, NULL,
                                          devnull, log_fd, log_fd, NULL, NULL, 0,
                                          &vm->fs_pid, NULL, NULL, NULL, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start virtiofsd: %s",
                    local->message);
        g_error_free(local);
        goto out;
    }
    for (int i = 0; i < 200 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++) {
        if (waitpid(vm->fs_pid, NULL, WNOHANG) == vm->fs_pid) {
            char *tail = vm_tail_of(log_path, 2);
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: virtiofsd exited: %s",
                        vm->name, g_strstrip(tail));
            g_free(tail);
            vm->fs_pid = 0;
            goto out;
        }
        g_usleep(50000);
    }
    if (!g_file_test(sock, G_FILE_TEST_EXISTS)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: virtiofsd made no socket in 10 s",
                    vm->name);
        goto out;
    }
    ok = TRUE;
out:
    if (!ok)
        vm_share_stop(vm);
    if (log_fd >= 0)
        close(log_fd);
    if (devnull >= 0)
        close(devnull);
    g_ptr_array_free(argv, TRUE);
    free(source);
    g_free(sock);
    g_free(log_path);
    return ok;
}
