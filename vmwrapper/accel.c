/* accel.c - proving KVM before using it (see accel.h). */
#include "accel.h"

#include "sk_file.h"
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sk_file.h"
#include "vm.h"

#define PROBE_SECONDS 10   /* a KVM boot to the root-mount panic takes 1-2 s */

/* What the verdict depends on: the host's boot, the QEMU and the kernel. */
static char *probe_key(const char *qemu, const char *kernel)
{
    char *boot = NULL, *q = g_find_program_in_path(qemu);
    GStatBuf st;
    gint64 kernel_mtime = g_stat(kernel, &st) == 0 ? (gint64)st.st_mtime : 0;
    if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
        boot = g_strdup("?");
    char *key = g_strdup_printf("%s %s %s %" G_GINT64_FORMAT, g_strstrip(boot),
                                q ? q : qemu, kernel, kernel_mtime);
    g_free(boot);
    g_free(q);
    return key;
}

/* Boots kernel under KVM with no root: TRUE if it ran until it looked for
 * its root file system. */
static gboolean probe(const char *qemu, const char *kernel)
{
    char *log = g_build_filename(g_get_tmp_dir(), "siokit-kvm-probe-XXXXXX", NULL);
    int fd = g_mkstemp(log);
    gboolean booted = FALSE;
    GPid pid;

    if (fd < 0) {
        g_free(log);
        return FALSE;
    }
    close(fd);
    char *serial = g_strdup_printf("file:%s", log);
    const char *argv[] = {qemu, "-accel", "kvm", "-cpu", "host", "-m", "256",
                          "-nodefaults", "-display", "none", "-no-reboot",
                          "-serial", serial, "-kernel", kernel,
                          "-append", "console=ttyS0 panic=-1 root=/dev/nonexistent",
                          NULL};
    if (g_spawn_async(NULL, (char **)argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                      vm_die_with_parent, NULL, &pid, NULL)) {
        int status;
        gint64 deadline = g_get_monotonic_time() + PROBE_SECONDS * G_USEC_PER_SEC;
        while (waitpid(pid, &status, WNOHANG) == 0) {
            if (g_get_monotonic_time() > deadline) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            g_usleep(100000);
        }
        g_spawn_close_pid(pid);
        char *text = NULL;
        if (g_file_get_contents(log, &text, NULL, NULL))
            booted = strstr(text, "VFS: Unable to mount root") != NULL ||
                     strstr(text, "Kernel panic") != NULL;
        g_free(text);
    }
    g_unlink(log);
    g_free(log);
    g_free(serial);
    return booted;
}

const char *vm_accel_auto(const char *qemu, const char *kernel, const char *cache_file)
{
    if (access("/dev/kvm", R_OK | W_OK) != 0)
        return "tcg";
    char *key = probe_key(qemu, kernel), *cached = NULL;
    const char *verdict = NULL;
    if (g_file_get_contents(cache_file, &cached, NULL, NULL)) {
        char *nl = strchr(cached, '\n');
        if (nl && strncmp(cached, key, (size_t)(nl - cached)) == 0 &&
            strlen(key) == (size_t)(nl - cached))
            verdict = strcmp(g_strstrip(nl + 1), "kvm") == 0 ? "kvm" : "tcg";
    }
    if (verdict == NULL) {
        verdict = probe(qemu, kernel) ? "kvm" : "tcg";
        char *text = g_strdup_printf("%s\n%s\n", key, verdict);
        sk_output_write_file("KVM probe verdict", cache_file, text, -1, NULL);   /* best effort */
        g_free(text);
    }
    g_free(cached);
    g_free(key);
    return verdict;
}
