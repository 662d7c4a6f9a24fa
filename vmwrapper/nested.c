/* nested.c - L2 guests inside L1 through VFIO (see nested.h). */
#include "nested.h"

#include <string.h>
#include <unistd.h>

#include "argv.h"
#include "sk_error.h"
#include "sk_ssh.h"

static SkSsh *connect_l1(const Vm *l1, GError **error)
{
    SkSshTarget t = {.host = "127.0.0.1", .port = l1->ssh_port, .user = "root",
                     .identity = l1->identity, .known_hosts = l1->known_hosts,
                     .timeout_ms = 10000};
    return sk_ssh_connect(&t, error);
}

/* Runs argv in L1; its exit status, or -1 (error set, stderr in it). */
static int in_l1(const Vm *l1, const char *const *argv, GError **error)
{
    SkSsh *s = connect_l1(l1, error);
    GByteArray *err = g_byte_array_new();
    int status = -1;

    if (s) {
        status = sk_ssh_exec(s, argv, NULL, 0, NULL, err, 120000, error);
        if (status > 0) {
            g_byte_array_append(err, (const guint8 *)"", 1);
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s", l1->name,
                        g_strstrip((char *)err->data));
        } else if (status < 0) {
            g_prefix_error(error, "%s: ", l1->name);    /* e.g. a timeout */
        }
    } else {
        g_prefix_error(error, "%s: ", l1->name);
    }
    sk_ssh_free(s);
    g_byte_array_free(err, TRUE);
    return status;
}

gboolean vm_l2_alive(const Vm *l1, unsigned id)
{
    char *pidfile = g_strdup_printf("/run/l2-%u.pid", id);
    const char *argv[] = {"sh", "-c",
        "p=$(cat \"$1\" 2>/dev/null) && [ -n \"$p\" ] && kill -0 \"$p\"",
        "alive", pidfile, NULL};
    GError *error = NULL;
    int status = in_l1(l1, argv, &error);
    g_clear_error(&error);
    g_free(pidfile);
    return status == 0;
}

static void kill_l2(const Vm *l1, unsigned id, int timeout_ms)
{
    char *pidfile = g_strdup_printf("/run/l2-%u.pid", id);
    char *secs = g_strdup_printf("%d", (timeout_ms + 999) / 1000);
    const char *argv[] = {"sh", "-c",
        "p=$(cat \"$1\" 2>/dev/null) || exit 0; kill \"$p\" 2>/dev/null; i=0;"
        " while kill -0 \"$p\" 2>/dev/null && [ $i -lt $(($2 * 10)) ]; do"
        " sleep 0.1; i=$((i + 1)); done; kill -9 \"$p\" 2>/dev/null; rm -f \"$1\"; true",
        "stop", pidfile, secs, NULL};
    GError *error = NULL;
    in_l1(l1, argv, &error);
    g_clear_error(&error);
    g_free(pidfile);
    g_free(secs);
}

Vm *vm_launch_l2(const char *state_root, const Vm *l1, unsigned id,
                 const char *l2_image, unsigned memory_mb,
                 int ready_timeout_ms, GError **error)
{
    Vm *vm = g_new0(Vm, 1);
    char *hostkey_path = g_build_filename(l2_image, "host_key.pub", NULL);
    char *hostkey = NULL;
    gboolean started = FALSE;

    vm->name = vm_name(VM_TYPE_L2, id);
    vm->dir = g_build_filename(state_root, vm->name, NULL);
    vm->nic_ports = g_array_new(FALSE, FALSE, sizeof(int));
    vm->inside = g_strdup(l1->name);
    vm->pid = l1->pid;
    vm->qmp = g_strdup(l1->qmp);
    vm->console = g_strdup_printf("%s:/run/l2-%u.console", l1->name, id);
    vm->known_hosts = g_build_filename(vm->dir, "known_hosts", NULL);
    vm->identity = g_strdup(l1->identity);

    if (l1->l2_ports == NULL || id >= l1->l2_ports->len) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s has %u test NICs, so L2s 0..%d; not %u (launch it with more --nics)",
                    l1->name, l1->l2_ports ? l1->l2_ports->len : 0,
                    l1->l2_ports ? (int)l1->l2_ports->len - 1 : -1, id);
        goto err;
    }
    if (vm_l2_alive(l1, id)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s is already running in %s",
                    vm->name, l1->name);
        goto err;
    }
    if (!g_file_get_contents(hostkey_path, &hostkey, NULL, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "L2 image '%s' has no host_key.pub",
                    l2_image);
        goto err;
    }
    g_strstrip(hostkey);
    vm->ssh_port = g_array_index(l1->l2_ports, int, id);
    if (g_mkdir_with_parents(vm->dir, 0700) != 0 ||
        !sk_known_hosts_pin(vm->known_hosts, "127.0.0.1", vm->ssh_port, hostkey, error))
        goto err;

    {
        /* The L2's data disk, when prepare-vm made one for this L1. */
        char *disk = vm_l2_disk(state_root, l1->name, id);
        unsigned l1_id = (unsigned)g_ascii_strtoull(strrchr(l1->name, '-') + 1, NULL, 10);
        GPtrArray *argv = vm_l2_argv(l1_id, id, memory_mb, disk != NULL);
        int status = in_l1(l1, (const char *const *)argv->pdata, error);
        g_ptr_array_free(argv, TRUE);
        g_free(disk);
        if (status != 0)
            goto err;
    }
    started = TRUE;
    if (!vm_save(vm, error))
        goto err;
    {
        SkSshTarget t = {.host = "127.0.0.1", .port = vm->ssh_port, .user = "root",
                         .identity = vm->identity, .known_hosts = vm->known_hosts,
                         .timeout_ms = 5000};
        if (!sk_ssh_wait_ready(&t, ready_timeout_ms, sk_ssh_alive_pid,
                               GINT_TO_POINTER(l1->pid), error)) {
            g_prefix_error(error, "%s in %s: ", vm->name, l1->name);
            goto err;
        }
    }
    g_free(hostkey_path); g_free(hostkey);
    return vm;
err:
    if (started)
        kill_l2(l1, id, 2000);
    {
        char *state = g_build_filename(vm->dir, "vm.json", NULL);
        unlink(state);
        g_free(state);
    }
    g_free(hostkey_path); g_free(hostkey);
    vm_free(vm);
    return NULL;
}

gboolean vm_stop_l2(Vm *l2, const Vm *l1, unsigned id, int timeout_ms, GError **error)
{
    char *state = g_build_filename(l2->dir, "vm.json", NULL);
    (void)error;
    if (l1)
        kill_l2(l1, id, timeout_ms);
    unlink(state);
    g_free(state);
    return TRUE;
}
