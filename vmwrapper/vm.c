/* vm.c - direct-QEMU VM lifecycle (see vm.h). */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "qmp.h"
#include "share.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_json.h"
#include "sk_ssh.h"


static const char *const type_names[] = {"l1", "l2", "client"};

SK_ENUM_NAMES(vm_type, VmType, type_names)

gboolean vm_nic_model_parse(const char *name, VmNicModel *model)
{
    if (strcmp(name, "virtio") == 0)
        *model = VM_NIC_VIRTIO;
    else if (strcmp(name, "e1000e") == 0)
        *model = VM_NIC_E1000E;
    else
        return FALSE;
    return TRUE;
}

char *vm_name(VmType type, unsigned id)
{
    return g_strdup_printf("%s-%u", vm_type_name(type), id);
}

/* A TCP port free on 127.0.0.1 now (the kernel's choice). */
static int free_port(GError **error)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    else
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "no free port on 127.0.0.1: %s", g_strerror(errno));
    if (fd >= 0)
        close(fd);
    return port;
}

void vm_die_with_parent(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setsid();   /* our terminal's Ctrl-C goes to the launcher, not to QEMU */
}

/* The last lines of a file, for error messages. */
char *vm_tail_of(const char *path, int lines)
{
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL) || len == 0) {
        g_free(text);
        return g_strdup("(nothing)");
    }
    const char *p = text + len;
    for (int n = 0; p > text && n <= lines; p--)
        if (p[-1] == '\n' && p != text + len)
            n++;
    char *tail = g_strdup(p);
    g_free(text);
    g_strdelimit(tail, "\r", ' ');
    return tail;
}

gboolean vm_save(const Vm *vm, GError **error)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    sk_json_member_string(b, "name", vm->name);
    sk_json_member_int(b, "pid", vm->pid);
    sk_json_member_int(b, "launcher_pid", getpid());
    sk_json_member_int(b, "ssh_port", vm->ssh_port);
    json_builder_set_member_name(b, "nic_ports");
    json_builder_begin_array(b);
    for (guint i = 0; i < vm->nic_ports->len; i++)
        json_builder_add_int_value(b, g_array_index(vm->nic_ports, int, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "l2_ports");
    json_builder_begin_array(b);
    for (guint i = 0; vm->l2_ports && i < vm->l2_ports->len; i++)
        json_builder_add_int_value(b, g_array_index(vm->l2_ports, int, i));
    json_builder_end_array(b);
    if (vm->inside) {
        sk_json_member_string(b, "inside", vm->inside);
    }
    if (vm->fs_pid > 0) {
        sk_json_member_int(b, "virtiofsd_pid", vm->fs_pid);
    }
    if (vm->backend) {
        sk_json_member_string(b, "backend", vm->backend);
        sk_json_member_string(b, "backend_uri", vm->backend_uri);
    }
    sk_json_member_string(b, "qmp", vm->qmp);
    sk_json_member_string(b, "console", vm->console);
    sk_json_member_string(b, "known_hosts", vm->known_hosts);
    sk_json_member_string(b, "identity", vm->identity);
    json_builder_end_object(b);

    char *path = g_build_filename(vm->dir, "vm.json", NULL);
    char *text = sk_json_builder_finish(b, TRUE);
    gboolean ok = sk_output_write_file("VM state", path, text, -1, error);
    g_free(text);
    g_free(path);
    return ok;
}

void vm_free(Vm *vm)
{
    if (vm == NULL)
        return;
    SK_FREE_ALL(vm->name, vm->dir);
    if (vm->nic_ports)
        g_array_free(vm->nic_ports, TRUE);
    if (vm->l2_ports)
        g_array_free(vm->l2_ports, TRUE);
    SK_FREE_ALL(vm->inside, vm->backend, vm->backend_uri, vm->qmp, vm->console,
                vm->known_hosts, vm->identity, vm);
}

/* QEMU exited (reaped, when it is our child)? */
static gboolean qemu_gone(Vm *vm)
{
    if (vm->ours) {
        int status;
        pid_t r = waitpid(vm->pid, &status, WNOHANG);
        return r == vm->pid || (r < 0 && errno == ECHILD);
    }
    return kill(vm->pid, 0) != 0 && errno == ESRCH;
}

gboolean vm_alive(const Vm *vm)
{
    return !qemu_gone((Vm *)vm);
}

Vm *vm_prepare(const VmSpec *s, GError **error)
{
    Vm *vm = g_new0(Vm, 1);
    char *hostkey_path = g_build_filename(s->image, "host_key.pub", NULL);
    char *hostkey = NULL;

    vm->name = vm_name(s->type, s->id);
    vm->dir = g_build_filename(s->state_root, vm->name, NULL);
    vm->nic_ports = g_array_new(FALSE, FALSE, sizeof(int));
    vm->qmp = g_build_filename(vm->dir, "qmp.sock", NULL);
    vm->console = g_build_filename(vm->dir, "console.log", NULL);
    vm->known_hosts = g_build_filename(vm->dir, "known_hosts", NULL);
    vm->identity = g_strdup(s->identity);
    vm->pid = -1;

    if (!g_file_get_contents(hostkey_path, &hostkey, NULL, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "image '%s' has no host_key.pub (build it: --action build-image)",
                    s->image);
        goto err;
    }
    g_strstrip(hostkey);
    {
        Vm *running = vm_find(s->state_root, vm->name, NULL);
        if (running) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%s is already running (pid %d); power it off first",
                        vm->name, running->pid);
            vm_free(running);
            goto err;
        }
    }
    if (g_mkdir_with_parents(vm->dir, 0700) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s': %s",
                    vm->dir, g_strerror(errno));
        goto err;
    }
    unlink(vm->qmp);
    unlink(vm->console);
    if ((vm->ssh_port = free_port(error)) < 0)
        goto err;
    for (unsigned i = 0; i < s->nics; i++) {
        int port = free_port(error);
        if (port < 0)
            goto err;
        g_array_append_val(vm->nic_ports, port);
    }
    if (s->type == VM_TYPE_L1) {     /* one L2 for each test NIC */
        vm->l2_ports = g_array_new(FALSE, FALSE, sizeof(int));
        for (unsigned i = 0; i < s->nics; i++) {
            int port = free_port(error);
            if (port < 0)
                goto err;
            g_array_append_val(vm->l2_ports, port);
        }
    }
    if (!sk_known_hosts_pin(vm->known_hosts, "127.0.0.1", vm->ssh_port, hostkey, error))
        goto err;
    g_free(hostkey_path);
    g_free(hostkey);
    return vm;
err:
    g_free(hostkey_path);
    g_free(hostkey);
    vm_free(vm);
    return NULL;
}

gboolean vm_wait_ready(Vm *vm, const VmSpec *s, const char *log_path, GError **error)
{
    /* Ready when SSH answers; give up as soon as QEMU dies. */
    SkSshTarget t = {.host = "127.0.0.1", .port = vm->ssh_port, .user = "root",
                     .identity = s->identity, .known_hosts = vm->known_hosts,
                     .timeout_ms = 5000};
    gint64 deadline = g_get_monotonic_time() + (gint64)s->ready_timeout_ms * 1000;
    GError *last = NULL;
    for (;;) {
        if (qemu_gone(vm)) {
            char *tail = vm_tail_of(log_path, 3), *con = vm_tail_of(vm->console, 3);
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: QEMU exited while booting: %s%s", vm->name,
                        g_strstrip(tail), g_strstrip(con));
            g_free(tail);
            g_free(con);
            vm->pid = -1;
            return FALSE;
        }
        if (sk_signal_stop()) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: interrupted while booting", vm->name);
            return FALSE;
        }
        g_clear_error(&last);
        if (sk_ssh_wait_ready(&t, 2000, sk_ssh_alive_pid,
                              GINT_TO_POINTER(vm->pid), &last))
            break;
        if (g_get_monotonic_time() > deadline) {
            char *con = vm_tail_of(vm->console, 3);
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: SSH not ready after %d s (%s); console: %s", vm->name,
                        s->ready_timeout_ms / 1000, last ? last->message : "?",
                        g_strstrip(con));
            g_free(con);
            g_clear_error(&last);
            return FALSE;
        }
    }
    g_clear_error(&last);
    return TRUE;
}

Vm *vm_launch(const VmSpec *s, GError **error)
{
    Vm *vm = vm_prepare(s, error);
    char *kernel = g_build_filename(s->image, "vmlinuz", NULL);
    char *initrd = g_build_filename(s->image, "initrd.img", NULL);
    char *log_path = NULL;
    GPtrArray *argv = NULL;
    VmDisks disks = {0};
    int log_fd = -1;

    if (vm == NULL)
        goto err;
    if (s->share && !vm_share_start(s, vm, error))
        goto err;
    vm_disks_find(s, vm, &disks);
    argv = vm_qemu_argv(s, vm, &disks, kernel, initrd);
    vm_disks_clear(&disks);
    log_path = g_build_filename(vm->dir, "qemu.log", NULL);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s': %s",
                    log_path, g_strerror(errno));
        goto err;
    }
    {
        GError *local = NULL;
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (!g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)argv->pdata,
                                              NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                              vm_die_with_parent, NULL, devnull, log_fd,
                                              log_fd, NULL, NULL, 0, &vm->pid, NULL,
                                              NULL, NULL, &local)) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start %s: %s",
                        s->qemu, local->message);
            g_error_free(local);
            close(devnull);
            goto err;
        }
        close(devnull);
    }
    vm->ours = TRUE;
    if (!vm_save(vm, error))
        goto err;
    if (!vm_wait_ready(vm, s, log_path, error))
        goto err;
    g_ptr_array_free(argv, TRUE);
    close(log_fd);
    g_free(log_path);
    g_free(kernel);
    g_free(initrd);
    return vm;
err:
    if (vm && vm->pid > 0) {
        kill(vm->pid, SIGKILL);
        waitpid(vm->pid, NULL, 0);
    }
    if (vm)
        vm_share_stop(vm);
    if (argv)
        g_ptr_array_free(argv, TRUE);
    if (log_fd >= 0)
        close(log_fd);
    g_free(log_path);
    g_free(kernel);
    g_free(initrd);
    vm_free(vm);
    return NULL;
}

/* Is pid still the QEMU of this VM (not a reused pid)? */
static gboolean is_our_qemu(const Vm *vm)
{
    char *path = g_strdup_printf("/proc/%d/cmdline", vm->pid);
    char *cmd = NULL;
    gsize len = 0;
    gboolean ours = FALSE;
    /* a libvirt domain: "-name guest=siokit-NAME,..." */
    char *needle = g_strdup_printf("guest=" VM_LIBVIRT_PREFIX "%s,", vm->name);

    if (g_file_get_contents(path, &cmd, &len, NULL))
        for (gsize i = 0; i < len; i += strlen(cmd + i) + 1)
            if (vm->backend ? g_str_has_prefix(cmd + i, needle) : strstr(cmd + i, vm->qmp) != NULL) {
                ours = TRUE;
                break;
            }
    g_free(cmd);
    g_free(path);
    g_free(needle);
    return ours;
}

Vm *vm_find(const char *state_root, const char *name, GError **error)
{
    char *path = g_build_filename(state_root, name, "vm.json", NULL);
    JsonParser *p = json_parser_new();
    Vm *vm = NULL;

    if (!json_parser_load_from_file(p, path, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s is not running (no %s)",
                    name, path);
        goto out;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    vm = g_new0(Vm, 1);
    vm->name = g_strdup(name);
    vm->dir = g_build_filename(state_root, name, NULL);
    vm->pid = (GPid)json_object_get_int_member_with_default(o, "pid", -1);
    vm->ssh_port = (int)json_object_get_int_member_with_default(o, "ssh_port", -1);
    vm->nic_ports = g_array_new(FALSE, FALSE, sizeof(int));
    JsonArray *ports = json_object_get_array_member(o, "nic_ports");
    for (guint i = 0; ports && i < json_array_get_length(ports); i++) {
        int port = (int)json_array_get_int_element(ports, i);
        g_array_append_val(vm->nic_ports, port);
    }
    vm->l2_ports = g_array_new(FALSE, FALSE, sizeof(int));
    JsonArray *l2 = json_object_has_member(o, "l2_ports")
                        ? json_object_get_array_member(o, "l2_ports") : NULL;
    for (guint i = 0; l2 && i < json_array_get_length(l2); i++) {
        int port = (int)json_array_get_int_element(l2, i);
        g_array_append_val(vm->l2_ports, port);
    }
    if (json_object_has_member(o, "inside"))
        vm->inside = g_strdup(json_object_get_string_member(o, "inside"));
    if (json_object_has_member(o, "backend")) {
        vm->backend = g_strdup(json_object_get_string_member(o, "backend"));
        vm->backend_uri = g_strdup(json_object_get_string_member_with_default(o, "backend_uri", ""));
    }
    vm->qmp = g_strdup(json_object_get_string_member_with_default(o, "qmp", ""));
    vm->console = g_strdup(json_object_get_string_member_with_default(o, "console", ""));
    vm->known_hosts = g_strdup(json_object_get_string_member_with_default(o, "known_hosts", ""));
    vm->identity = g_strdup(json_object_get_string_member_with_default(o, "identity", ""));
    if (vm->inside) {           /* an L2: alive as long as its L1 is */
        Vm *host = vm_find(state_root, vm->inside, NULL);
        vm->pid = host ? host->pid : -1;
        vm_free(host);
    }
    if (vm->pid <= 0 || (!vm->inside && !is_our_qemu(vm))) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s is not running", name);
        vm_free(vm);
        vm = NULL;
    }
out:
    g_object_unref(p);
    g_free(path);
    return vm;
}

gboolean vm_wait(Vm *vm)
{
    while (!qemu_gone(vm)) {
        if (sk_signal_stop())
            return FALSE;
        g_usleep(100000);
    }
    vm->pid = -1;
    return TRUE;
}

/* Waits up to timeout_ms for QEMU to exit. */
static gboolean wait_gone(Vm *vm, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!qemu_gone(vm)) {
        if (g_get_monotonic_time() > deadline)
            return FALSE;
        g_usleep(50000);
    }
    return TRUE;
}

gboolean vm_stop(Vm *vm, int timeout_ms, GError **error)
{
    VmQmp *q;

    if (vm->pid <= 0 || qemu_gone(vm))
        goto gone;
    q = vm_qmp_connect(vm->qmp, 2000, NULL);
    if (q) {
        JsonNode *r = vm_qmp_execute(q, "system_powerdown", NULL, 2000, NULL);
        if (r)
            json_node_unref(r);
        if (!wait_gone(vm, timeout_ms)) {
            r = vm_qmp_execute(q, "quit", NULL, 2000, NULL);
            if (r)
                json_node_unref(r);
        }
        vm_qmp_free(q);
    }
    if (!wait_gone(vm, 3000) && (vm->ours || is_our_qemu(vm))) {
        kill(vm->pid, SIGKILL);
        if (!wait_gone(vm, 3000)) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: QEMU pid %d does not exit", vm->name, vm->pid);
            return FALSE;
        }
    }
gone:
    vm->pid = -1;
    vm_share_stop(vm);
    {
        char *state = g_build_filename(vm->dir, "vm.json", NULL);
        unlink(state);
        unlink(vm->qmp);
        g_free(state);
    }
    return TRUE;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

GPtrArray *vm_list(const char *state_root)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(state_root, 0, NULL);
    const char *e;

    while (d && (e = g_dir_read_name(d))) {
        char *path = g_build_filename(state_root, e, "vm.json", NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS))
            g_ptr_array_add(names, g_strdup(e));
        g_free(path);
    }
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    return names;
}


