/* libvirt.c - the libvirt backend of vmwrapper (see libvirt.h). */
#include "libvirt.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "reaper.h"
#include "sk_free.h"

#define SYSTEM_SOCK "/run/libvirt/libvirt-sock"

static virConnectPtr conn;          /* the launcher's: its domain dies with it */
static char *owned_domain;          /* started by this process */
static GPid daemons[2];             /* libvirtd, virtlogd: started by this process */
static char *private_dir;           /* build/libvirt, when its daemons are used */

static void quiet(void *data, virErrorPtr err)
{
    (void)data;
    (void)err;
}

static void lv_error(GError **error, const char *what, const char *name)
{
    const char *msg = virGetLastErrorMessage();
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s%s%s: %s", name ? name : "",
                name ? ": " : "", what, msg ? msg : "unknown libvirt error");
}

static void daemon_setup(gpointer data)
{
    (void)data;
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    setsid();   /* Ctrl-C goes to the launcher, which stops them in order */
}

/* Waits up to ms for pid (our child) to exit. */
static gboolean reap(GPid pid, int ms)
{
    for (int i = 0; i < ms / 50; i++) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD))
            return TRUE;
        g_usleep(50000);
    }
    return FALSE;
}

static void stop_daemons(void)
{
    for (int i = 0; i < 2; i++)
        if (daemons[i] > 0) {
            kill(daemons[i], SIGTERM);
            if (!reap(daemons[i], 10000)) {
                kill(daemons[i], SIGKILL);
                reap(daemons[i], 3000);
            }
            daemons[i] = 0;
        }
}

void vm_libvirt_cleanup(void)
{
    if (conn && owned_domain) {
        virDomainPtr d = virDomainLookupByName(conn, owned_domain);
        if (d) {
            virDomainDestroy(d);
            virDomainFree(d);
        }
    }
    g_clear_pointer(&owned_domain, g_free);
    if (conn) {
        virConnectClose(conn);
        conn = NULL;
    }
    stop_daemons();
    vm_reaper_stand_down();     /* all stopped: nothing left for it */
}

static gboolean write_file(const char *dir, const char *name, const char *text,
                           GError **error)
{
    char *path = g_build_filename(dir, name, NULL);
    gboolean ok = sk_output_write_file("libvirt file", path, text, -1, error);
    g_free(path);
    return ok;
}

/* /etc/passwd (or group) plus the libvirt-qemu entry that libvirtd looks
 * up before it reads qemu.conf (the package that adds it is not needed). */
static char *with_entry(const char *path, const char *entry)
{
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        text = g_strdup("root:x:0:0:root:/root:/bin/sh\n");
    char *out = g_strstr_len(text, -1, "\nlibvirt-qemu:") ? g_strdup(text)
                                                           : g_strconcat(text, entry, NULL);
    g_free(text);
    return out;
}

static virConnectPtr open_until(const char *uri, GPid watch, int ms)
{
    for (int i = 0; i < ms / 200; i++) {
        virConnectPtr c = virConnectOpen(uri);
        if (c)
            return c;
        if (watch > 0 && waitpid(watch, NULL, WNOHANG) == watch)
            return NULL;
        g_usleep(200000);
    }
    return NULL;
}

/* Our own virtlogd and libvirtd in a private mount namespace. */
static gboolean start_daemons(const char *dir, const char *uri, GError **error)
{
    static const char *const subdirs[] = {"etc", "run", "lib", "log", "cache"};
    const char *script =
        "set -e; d=$1; mount --make-rprivate /;"
        " mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt;"
        " mount --bind $d/passwd /etc/passwd; mount --bind $d/group /etc/group;"
        " mount --bind $d/etc /etc/libvirt; mount --bind $d/run /run/libvirt;"
        " mount --bind $d/lib /var/lib/libvirt; mount --bind $d/log /var/log/libvirt;"
        " mount --bind $d/cache /var/cache/libvirt;"
        " exec virtlogd -p /run/libvirt/virtlogd.pid";
    char *passwd = with_entry("/etc/passwd",
                              "libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin\n");
    char *group = with_entry("/etc/group", "libvirt-qemu:x:64055:\n");
    char *out_path = g_build_filename(dir, "daemons.log", NULL);
    char *ns = NULL, *sock = NULL;
    gboolean ok = FALSE;
    GError *local = NULL;
    int out_fd = -1;

    for (guint i = 0; i < G_N_ELEMENTS(subdirs); i++) {
        char *p = g_build_filename(dir, subdirs[i], NULL);
        g_mkdir_with_parents(p, 0700);
        g_free(p);
    }
    if (!write_file(dir, "passwd", passwd, error) || !write_file(dir, "group", group, error) ||
        !write_file(dir, "etc/qemu.conf",
                    "# written by vmwrapper: QEMU as root, files left as they are\n"
                    "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
                    "remember_owner = 0\nsecurity_driver = \"none\"\n", error) ||
        !write_file(dir, "etc/libvirtd.conf",
                    "# written by vmwrapper: a private daemon for root only\n"
                    "unix_sock_rw_perms = \"0700\"\nauth_unix_rw = \"none\"\n"
                    "auth_unix_ro = \"none\"\n"
                    "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n", error))
        goto out;
    for (const char *const *n = (const char *const[]){"run/libvirt-sock", "run/libvirt-sock-ro",
             "run/libvirt-admin-sock", "run/virtlogd-sock", "run/virtlogd-admin-sock", NULL};
         *n; n++) {
        char *p = g_build_filename(dir, *n, NULL);
        unlink(p);
        g_free(p);
    }
    out_fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    {
        const char *argv[] = {"unshare", "-m", "sh", "-c", script, "sh", dir, NULL};
        if (!g_spawn_async_with_pipes_and_fds(dir, argv, NULL,
                                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                              daemon_setup, NULL, -1, out_fd, out_fd, NULL,
                                              NULL, 0, &daemons[1], NULL, NULL, NULL, &local))
            goto spawn_failed;
        vm_reaper_watch(daemons[1], FALSE);
    }
    sock = g_build_filename(dir, "run", "virtlogd-sock", NULL);
    for (int i = 0; i < 100 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++) {
        if (waitpid(daemons[1], NULL, WNOHANG) == daemons[1]) {
            daemons[1] = 0;
            break;
        }
        g_usleep(100000);
    }
    if (!g_file_test(sock, G_FILE_TEST_EXISTS)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "virtlogd did not start (see %s)", out_path);
        goto out;
    }
    ns = g_strdup_printf("--mount=/proc/%d/ns/mnt", daemons[1]);
    {
        const char *argv[] = {"nsenter", ns, "libvirtd", "--timeout", "0", "-f",
                              "/etc/libvirt/libvirtd.conf", "-p",
                              "/run/libvirt/libvirtd.pid", NULL};
        if (!g_spawn_async_with_pipes_and_fds(dir, argv, NULL,
                                              G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                              daemon_setup, NULL, -1, out_fd, out_fd, NULL,
                                              NULL, 0, &daemons[0], NULL, NULL, NULL, &local))
            goto spawn_failed;
        vm_reaper_watch(daemons[0], FALSE);
    }
    if (!(conn = open_until(uri, daemons[0], 60000))) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "libvirtd did not start (see %s/log/libvirtd.log)", dir);
        goto out;
    }
    ok = TRUE;
    goto out;
spawn_failed:
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start the libvirt daemons: %s",
                local->message);
    g_error_free(local);
out:
    if (!ok)
        stop_daemons();
    if (out_fd >= 0)
        close(out_fd);
    SK_FREE_ALL(passwd, group, out_path, ns, sock);
    return ok;
}

/* Connects to a running libvirtd (the system's, else ours under dir), or
 * starts ours; returns its URI. */
static char *connect_daemon(const char *dir, GError **error)
{
    char *sock = g_build_filename(dir, "run", "libvirt-sock", NULL);
    char *uri = g_strdup_printf("qemu:///system?socket=%s", sock);

    g_free(sock);
    if (g_file_test(SYSTEM_SOCK, G_FILE_TEST_EXISTS) &&
        (conn = virConnectOpen("qemu:///system"))) {
        g_free(uri);
        return g_strdup("qemu:///system");
    }
    g_free(private_dir);
    private_dir = g_strdup(dir);
    if ((conn = virConnectOpen(uri)))
        return uri;
    if (!start_daemons(dir, uri, error)) {
        g_free(uri);
        return NULL;
    }
    return uri;
}

static void add_arg(GString *x, const char *arg)
{
    char *e = g_markup_escape_text(arg, -1);
    g_string_append_printf(x, "    <qemu:arg value='%s'/>\n", e);
    g_free(e);
}

/* The domain: what qemu_argv() gives the direct-QEMU backend. */
static char *domain_xml(const VmSpec *s, const Vm *vm, const char *emulator)
{
    gboolean kvm = strcmp(s->accel, "kvm") == 0;
    char *kernel = g_build_filename(s->image, "vmlinuz", NULL);
    char *initrd = g_build_filename(s->image, "initrd.img", NULL);
    char *cmdline = vm_kernel_cmdline(s, vm);
    GString *x = g_string_new(NULL);
    char *part = g_markup_printf_escaped(
        "<domain type='%s' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
        "  <name>" VM_LIBVIRT_PREFIX "%s</name>\n"
        "  <memory unit='MiB'>%u</memory>\n"
        "  <vcpu>%u</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='q35'>hvm</type>\n"
        "    <kernel>%s</kernel>\n    <initrd>%s</initrd>\n    <cmdline>%s</cmdline>\n"
        "  </os>\n"
        "  <features><acpi/><apic/><ioapic driver='qemu'/></features>\n"
        "  <cpu mode='%s' migratable='off'/>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>destroy</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <emulator>%s</emulator>\n"
        "    <controller type='usb' model='none'/>\n"
        "    <serial type='file'><source path='%s'/><target port='0'/></serial>\n"
        "    @MEMBALLOON@\n"
        "    <iommu model='intel'><driver intremap='on' caching_mode='%s'/></iommu>\n"
        "  </devices>\n",
        kvm ? "kvm" : "qemu", vm->name, s->memory_mb, s->cpus, kernel, initrd, cmdline,
        kvm ? "host-passthrough" : "maximum",
        emulator, vm->console,
        s->type == VM_TYPE_L1 ? "on" : "off");
    g_string_append(x, part);
    g_free(part);
    /* Raw XML, so not through g_markup_printf_escaped().  Addresses of its
     * own (a root port at slot 0x1c): the NICs given as qemu:arg devices
     * take the first free slots of pcie.0, which libvirt does not know of. */
    g_string_replace(x, "@MEMBALLOON@", s->balloon
        ? "<controller type='pci' index='1' model='pcie-root-port'>"
          "<address type='pci' domain='0x0000' bus='0x00' slot='0x1c' function='0x0'/>"
          "</controller>\n"
          "    <memballoon model='virtio' autodeflate='on' freePageReporting='on'>"
          "<stats period='2'/><address type='pci' domain='0x0000' bus='0x01' slot='0x00' "
          "function='0x0'/></memballoon>"
        : "<memballoon model='none'/>", 1);
    /* The NICs as the direct backend has them: user-mode networking with
     * host forwards on 127.0.0.1, which libvirt 9.0's own <interface
     * type='user'> cannot express without passt. */
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    if (s->firmware) {
        g_ptr_array_add(a, g_strdup("-L"));
        g_ptr_array_add(a, g_strdup(s->firmware));
    }
    vm_net_args(s, vm, a);
    /* The data disks as NVMe behind the vIOMMU: libvirt 9.0's <disk> has
     * no nvme bus (its <source type='nvme'> is a host NVMe). */
    vm_disk_args(s, vm, a);
    for (const char *const *e = s->extra; e && *e; e++)
        g_ptr_array_add(a, g_strdup(*e));
    g_string_append(x, "  <qemu:commandline>\n");
    for (guint i = 0; i < a->len; i++)
        add_arg(x, a->pdata[i]);
    g_string_append(x, "  </qemu:commandline>\n</domain>\n");
    g_ptr_array_free(a, TRUE);
    g_free(kernel);
    g_free(initrd);
    g_free(cmdline);
    return g_string_free(x, FALSE);
}

static char *domain_name(const Vm *vm)
{
    return g_strconcat(VM_LIBVIRT_PREFIX, vm->name, NULL);
}

/* libvirtd's run folder for uri: its pid files and QEMU logs. */
static char *libvirt_path(const char *uri, const char *sub, const char *file)
{
    if (g_str_has_prefix(uri, "qemu:///system?socket=") && private_dir)
        return g_build_filename(private_dir, sub, "qemu", file, NULL);
    return g_build_filename(strcmp(sub, "run") == 0 ? "/run/libvirt" : "/var/log/libvirt",
                            "qemu", file, NULL);
}

Vm *vm_libvirt_launch(const VmSpec *s, const char *libvirt_dir, GError **error)
{
    Vm *vm = NULL;
    char *uri = NULL, *xml = NULL, *emulator = NULL, *name = NULL, *pidfile = NULL;
    char *log_path = NULL, *pidtext = NULL;
    virDomainPtr dom = NULL;

    virSetErrorFunc(NULL, quiet);
    atexit(vm_libvirt_cleanup);
    /* A launcher killed by SIGKILL cannot clean up: its reaper does. */
    if (!vm_reaper_start(error))
        goto err;
    if (!(vm = vm_prepare(s, error)))
        goto err;
    emulator = g_path_is_absolute(s->qemu) ? g_strdup(s->qemu)
                                           : g_find_program_in_path(s->qemu);
    if (emulator == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no QEMU binary '%s'", s->qemu);
        goto err;
    }
    if (!(uri = connect_daemon(libvirt_dir, error)))
        goto err;
    xml = domain_xml(s, vm, emulator);
    write_file(vm->dir, "domain.xml", xml, NULL);
    name = domain_name(vm);
    if (!(dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_AUTODESTROY))) {
        lv_error(error, "libvirt cannot start the domain", vm->name);
        goto err;
    }
    owned_domain = g_strdup(name);
    {
        char *file = g_strconcat(name, ".pid", NULL);
        pidfile = libvirt_path(uri, "run", file);
        g_free(file);
    }
    if (g_file_get_contents(pidfile, &pidtext, NULL, NULL))
        vm->pid = (GPid)g_ascii_strtoll(pidtext, NULL, 10);
    if (vm->pid <= 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: no QEMU pid in %s", vm->name,
                    pidfile);
        goto err;
    }
    vm_reaper_watch(vm->pid, TRUE);
    vm->backend = g_strdup("libvirt");
    vm->backend_uri = g_strdup(uri);
    if (!vm_save(vm, error))
        goto err;
    {
        char *file = g_strconcat(name, ".log", NULL);
        log_path = libvirt_path(uri, "log", file);
        g_free(file);
    }
    if (!vm_wait_ready(vm, s, log_path, error))
        goto err;
    goto out;
err:
    if (dom)
        virDomainDestroy(dom);
    g_clear_pointer(&owned_domain, g_free);
    if (vm) {
        char *state = g_build_filename(vm->dir, "vm.json", NULL);
        unlink(state);
        g_free(state);
    }
    vm_free(vm);
    vm = NULL;
out:
    if (dom)
        virDomainFree(dom);
    SK_FREE_ALL(uri, xml, emulator, name, pidfile, log_path, pidtext);
    return vm;
}

/* Is the domain gone (or its daemon, and with it our view of it)? */
static gboolean domain_gone(virConnectPtr c, const char *name)
{
    virDomainPtr d = virDomainLookupByName(c, name);
    int state = 0, reason = 0;
    gboolean gone = d == NULL;
    if (d) {
        gone = virDomainGetState(d, &state, &reason, 0) < 0 || state == VIR_DOMAIN_SHUTOFF;
        virDomainFree(d);
    }
    return gone;
}

gboolean vm_libvirt_wait(Vm *vm)
{
    char *name = domain_name(vm);
    gboolean gone = FALSE;
    while (!sk_signal_stop()) {
        if ((gone = domain_gone(conn, name)))
            break;
        g_usleep(200000);
    }
    g_free(name);
    return gone;
}

static gboolean qemu_pid_alive(const Vm *vm)
{
    char *path = g_strdup_printf("/proc/%d/cmdline", vm->pid);
    char *cmd = NULL, *needle = g_strdup_printf("guest=" VM_LIBVIRT_PREFIX "%s,", vm->name);
    gsize len = 0;
    gboolean alive = FALSE;
    if (vm->pid > 0 && g_file_get_contents(path, &cmd, &len, NULL))
        for (gsize i = 0; i < len; i += strlen(cmd + i) + 1)
            if (strcmp(cmd + i, needle) == 0 || g_str_has_prefix(cmd + i, needle))
                alive = TRUE;
    g_free(cmd);
    g_free(needle);
    g_free(path);
    return alive;
}

gboolean vm_libvirt_stop(Vm *vm, int timeout_ms, GError **error)
{
    char *name = domain_name(vm);
    virConnectPtr c = conn;
    gboolean ok = TRUE;

    virSetErrorFunc(NULL, quiet);
    if (c == NULL && !(c = virConnectOpen(vm->backend_uri))) {
        if (qemu_pid_alive(vm)) {
            lv_error(error, "cannot reach libvirtd", vm->name);
            g_free(name);
            return FALSE;
        }
    }
    if (c) {
        virDomainPtr d = virDomainLookupByName(c, name);
        if (d) {
            virDomainShutdown(d);
            gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
            while (!domain_gone(c, name) && g_get_monotonic_time() < deadline)
                g_usleep(100000);
            if (!domain_gone(c, name))
                virDomainDestroy(d);
            virDomainFree(d);
        }
        if (c != conn)
            virConnectClose(c);
    }
    for (int i = 0; i < 100 && qemu_pid_alive(vm); i++)
        g_usleep(100000);
    if (qemu_pid_alive(vm)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: QEMU pid %d does not exit",
                    vm->name, vm->pid);
        ok = FALSE;
    } else {
        char *state = g_build_filename(vm->dir, "vm.json", NULL);
        unlink(state);
        g_free(state);
        if (owned_domain && strcmp(owned_domain, name) == 0)
            g_clear_pointer(&owned_domain, g_free);
        vm->pid = -1;
    }
    g_free(name);
    return ok;
}
