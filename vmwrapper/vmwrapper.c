/* vmwrapper.c - guest images and the L1 / L2 / client VM lifecycle.
 *
 *   vmwrapper --vmtype l1|l2|client --action ACTION [options] [-- COMMAND...]
 *
 * The actions (build-image, prepare-vm, launch, exec, login, copy, status,
 * poweroff) are the rows of one table, actions[] below: each row names its
 * handler, the options that apply to it and its usage line, and dispatch,
 * validation (an option that does not apply is refused, exit 2) and --help
 * all read that table.  VMs a command starts never outlive it.
 * See docs/vmwrapper.md. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sk_cli.h"
#include "sk_error.h"
#include "sk_free.h"
#include "sk_ssh.h"
#include "accel.h"
#include "libvirt.h"
#include "nested.h"
#include "vm.h"

static char *opt_type, *opt_action, *opt_vmid, *opt_nics, *opt_nic_model;
static char *opt_backend, *opt_qemu, *opt_memory, *opt_cpus, *opt_accel;
static char *opt_timeout, *opt_l1, *opt_disk_size, *opt_share, *opt_virtiofsd;
static char **opt_qemu_args, **opt_virtiofsd_args;
static gboolean opt_all, opt_json, opt_balloon;

static GOptionEntry entries[] = {
    {"vmtype", 't', 0, G_OPTION_ARG_STRING, &opt_type, "l1, l2 or client", "TYPE"},
    {"action", 'a', 0, G_OPTION_ARG_STRING, &opt_action,
     "the action (see Actions below)", "ACTION"},
    {"vmid", 'i', 0, G_OPTION_ARG_STRING, &opt_vmid, "VM id (default 0)", "N"},
    {"nics", 'n', 0, G_OPTION_ARG_STRING, &opt_nics,
     "test NICs behind the vIOMMU (default 1)", "N"},
    {"nic-model", 0, 0, G_OPTION_ARG_STRING, &opt_nic_model,
     "virtio (default) or e1000e", "MODEL"},
    {"backend", 'b', 0, G_OPTION_ARG_STRING, &opt_backend, "qemu (default) or libvirt (l1, client)", "BACKEND"},
    {"qemu", 0, 0, G_OPTION_ARG_FILENAME, &opt_qemu,
     "QEMU binary (default: qemu-system-x86_64 on PATH)", "PATH"},
    {"qemu-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_qemu_args,
     "launch (l1, client): one more QEMU argument, e.g. -trace (repeatable)", "ARG"},
    {"memory", 'm', 0, G_OPTION_ARG_STRING, &opt_memory,
     "MiB of memory (default: l1 4096, others 512)", "MB"},
    {"cpus", 0, 0, G_OPTION_ARG_STRING, &opt_cpus, "vCPUs (default: l1 2, others 1)", "N"},
    {"accel", 0, 0, G_OPTION_ARG_STRING, &opt_accel,
     "auto (default: KVM if a probe boot proves it, else TCG), tcg or kvm", "ACCEL"},
    {"timeout", 0, 0, G_OPTION_ARG_STRING, &opt_timeout,
     "seconds to wait for SSH (launch) or power-off (default 180 / 60)", "S"},
    {"l1", 0, 0, G_OPTION_ARG_STRING, &opt_l1,
     "l2 (launch, prepare-vm): the id of the L1 it runs in (default 0)", "N"},
    {"disk-size", 0, 0, G_OPTION_ARG_STRING, &opt_disk_size,
     "prepare-vm: MiB of the data disk (default 1024)", "MB"},
    {"share", 0, 0, G_OPTION_ARG_FILENAME, &opt_share,
     "launch (l1, client): share DIR with the guest by virtio-fs, at /mnt/share", "DIR"},
    {"virtiofsd", 0, 0, G_OPTION_ARG_FILENAME, &opt_virtiofsd,
     "--share: the virtiofsd to run (default " VM_VIRTIOFSD ")", "PATH"},
    {"virtiofsd-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_virtiofsd_args,
     "--share: one more virtiofsd argument (repeatable)", "ARG"},
    {"balloon", 0, 0, G_OPTION_ARG_NONE, &opt_balloon,
     "launch: a virtio-balloon (statistics, deflate-on-oom, free page reporting) for mem-balancer",
     NULL},
    {"all", 0, 0, G_OPTION_ARG_NONE, &opt_all, "poweroff: every running VM", NULL},
    {"json", 'j', 0, G_OPTION_ARG_NONE, &opt_json, "launch, status: JSON on stdout", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

typedef struct Paths {
    char *root;          /* the checkout */
    char *state;         /* build/vms */
    char *identity;      /* build/keys/id_ed25519 */
} Paths;

static void find_paths(Paths *p)
{
    p->root = sk_cli_checkout();
    p->state = g_build_filename(p->root, "build", "vms", NULL);
    p->identity = g_build_filename(p->root, "build", "keys", "id_ed25519", NULL);
}

/* What an action is asked to do: the VM named by --vmtype and --vmid, and
 * the words after "--" (NULL when there are none). */
typedef struct Request {
    const Paths *paths;
    VmType type;
    unsigned id;
    const char *name;    /* vm_name(type, id) */
    char **rest;
} Request;

/* Runs the image builder (instant when cached); returns the image folder. */
static char *build_image(const Paths *p, VmType type, GError **error)
{
    return vm_image_build(p->root, type, opt_qemu, error);
}

static void print_vm(const Vm *vm, gboolean json)
{
    GString *ports = g_string_new(NULL);
    for (guint i = 0; i < vm->nic_ports->len; i++)
        g_string_append_printf(ports, "%s%d", i ? (json ? ", " : ",") : "",
                               g_array_index(vm->nic_ports, int, i));
    if (json)
        printf("{\"name\": \"%s\", \"pid\": %d, \"ssh_port\": %d, \"nic_ports\": [%s], "
               "\"console\": \"%s\"}\n", vm->name, vm->pid, vm->ssh_port, ports->str,
               vm->console);
    else if (vm->inside)
        printf("%-10s in %-9s ssh 127.0.0.1:%-6d (through %s)\n", vm->name, vm->inside,
               vm->ssh_port, vm->inside);
    else
        printf("%-10s pid %-8d ssh 127.0.0.1:%-6d nic ports %s\n", vm->name, vm->pid,
               vm->ssh_port, ports->len ? ports->str : "-");
    fflush(stdout);
    g_string_free(ports, TRUE);
}

static SkSsh *connect_vm(const Vm *vm, GError **error)
{
    SkSshTarget t = {.host = "127.0.0.1", .port = vm->ssh_port, .user = "root",
                     .identity = vm->identity, .known_hosts = vm->known_hosts,
                     .timeout_ms = 10000};
    return sk_ssh_connect(&t, error);
}

/* An L2 inside the running L1 --l1: launched, then watched until it stops
 * or this command is told to stop. */
static int launch_l2(const Paths *p, unsigned id, GError **error)
{
    unsigned l1_id = 0, memory = 512, timeout = 180;
    char *l1_name, *image = NULL;
    Vm *l1 = NULL, *vm = NULL;
    int status = 1;

    if (!sk_cli_parse_uint("--l1", opt_l1, 0, 255, &l1_id, error) ||
        !sk_cli_parse_uint("--memory", opt_memory, 128, 65536, &memory, error) ||
        !sk_cli_parse_uint("--timeout", opt_timeout, 1, 3600, &timeout, error))
        return 2;
    l1_name = vm_name(VM_TYPE_L1, l1_id);
    l1 = vm_find(p->state, l1_name, error);
    g_free(l1_name);
    if (l1 == NULL)
        return 2;
    if (!(image = build_image(p, VM_TYPE_L2, error)))
        goto out;
    if (!(vm = vm_launch_l2(p->state, l1, id, image, memory, (int)timeout * 1000, error))) {
        status = sk_exit_status(*error);
        goto out;
    }
    print_vm(vm, opt_json);
    for (;;) {
        for (int i = 0; i < 20 && !sk_signal_stop(); i++)
            g_usleep(100000);
        if (sk_signal_stop()) {
            vm_stop_l2(vm, l1, id, 10000, error);
            status = 128 + sk_signal_stop();
            goto out;
        }
        if (!vm_alive(l1) || !vm_l2_alive(l1, id))
            break;
    }
    vm_stop_l2(vm, vm_alive(l1) ? l1 : NULL, id, 0, NULL);
    status = 0;
out:
    vm_free(vm);
    vm_free(l1);
    g_free(image);
    return status;
}

static int launch_vm(const Paths *p, VmType type, unsigned id, GError **error)
{
    VmSpec s = {.type = type, .id = id, .nics = 1, .nic_model = VM_NIC_VIRTIO,
                .qemu = opt_qemu ? opt_qemu : "qemu-system-x86_64",
                .identity = p->identity, .state_root = p->state,
                .accel = opt_accel ? opt_accel : "auto",
                .memory_mb = type == VM_TYPE_L1 ? 4096 : 512,
                .cpus = type == VM_TYPE_L1 ? 2 : 1, .ready_timeout_ms = 180000,
                .extra = (const char *const *)opt_qemu_args,
                .share = opt_share, .virtiofsd = opt_virtiofsd,
                .virtiofsd_args = (const char *const *)opt_virtiofsd_args,
                .balloon = opt_balloon};
    unsigned timeout = 180;
    char *image = NULL;
    Vm *vm = NULL;
    int status = 1;

    if (!sk_cli_parse_uint("--nics", opt_nics, 0, 16, &s.nics, error) ||
        !sk_cli_parse_uint("--memory", opt_memory, 128, 65536, &s.memory_mb, error) ||
        !sk_cli_parse_uint("--cpus", opt_cpus, 1, 64, &s.cpus, error) ||
        !sk_cli_parse_uint("--timeout", opt_timeout, 1, 3600, &timeout, error))
        return 2;
    s.ready_timeout_ms = (int)timeout * 1000;
    if (opt_nic_model && !vm_nic_model_parse(opt_nic_model, &s.nic_model)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --nic-model: unknown model '%s' (virtio, e1000e)", opt_nic_model);
        return 2;
    }
    if (strcmp(s.accel, "tcg") != 0 && strcmp(s.accel, "kvm") != 0 &&
        strcmp(s.accel, "auto") != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --accel: unknown accelerator '%s' (auto, tcg, kvm)", s.accel);
        return 2;
    }
    if (!(image = build_image(p, type, error)))
        return 1;
    s.image = image;
    if (strcmp(s.accel, "auto") == 0) {
        /* KVM only where it is proven to boot this image's kernel. */
        char *kernel = g_build_filename(image, "vmlinuz", NULL);
        char *verdict = g_build_filename(p->root, "build", "kvm-probe", NULL);
        s.accel = vm_accel_auto(s.qemu, kernel, verdict);
        g_free(kernel);
        g_free(verdict);
    }
    if (opt_backend && strcmp(opt_backend, "libvirt") == 0) {
        char *dir;
        if (opt_share) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "option --share: with the qemu backend only (not libvirt)");
            status = 2;
            goto out;
        }
        dir = g_build_filename(p->root, "build", "libvirt", NULL);
        vm = vm_libvirt_launch(&s, dir, error);
        g_free(dir);
        if (vm == NULL) {
            status = sk_exit_status(*error);
        } else {
            print_vm(vm, opt_json);
            if (!vm_libvirt_wait(vm))
                status = vm_libvirt_stop(vm, 30000, error) ? 128 + sk_signal_stop() : 1;
            else
                status = vm_libvirt_stop(vm, 0, NULL) ? 0 : 1;   /* clears the state */
        }
        vm_libvirt_cleanup();   /* the daemons this command started */
        goto out;
    }
    vm = vm_launch(&s, error);
    if (vm == NULL) {
        status = sk_exit_status(*error);
        goto out;
    }
    print_vm(vm, opt_json);
    /* Stay until the VM powers off, or until we are told to stop. */
    if (!vm_wait(vm)) {
        if (!vm_stop(vm, 30000, error))
            goto out;
        status = 128 + sk_signal_stop();
        goto out;
    }
    vm_stop(vm, 0, NULL);   /* clears the state */
    status = 0;
out:
    vm_free(vm);
    g_free(image);
    return status;
}

static int action_launch(const Request *r, GError **error)
{
    return r->type == VM_TYPE_L2 ? launch_l2(r->paths, r->id, error)
                                 : launch_vm(r->paths, r->type, r->id, error);
}

static int action_build_image(const Request *r, GError **error)
{
    char *image = build_image(r->paths, r->type, error);

    if (image == NULL)
        return 1;
    printf("%s\n", image);
    g_free(image);
    return 0;
}

static int action_exec(const Request *r, GError **error)
{
    Vm *vm = vm_find(r->paths->state, r->name, error);
    char **cmd = r->rest;
    SkSsh *ssh = NULL;
    int status = 2;

    if (vm == NULL)
        return 2;
    if (cmd == NULL || cmd[0] == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "exec needs a command after --");
        goto out;
    }
    if (!(ssh = connect_vm(vm, error))) {
        status = 1;
        goto out;
    }
    status = sk_ssh_exec_fd(ssh, (const char *const *)cmd, STDIN_FILENO,
                            STDOUT_FILENO, STDERR_FILENO, 0, error);
    if (status < 0)
        status = 1;
out:
    sk_ssh_free(ssh);
    vm_free(vm);
    return status;
}

static int action_login(const Request *r, GError **error)
{
    Vm *vm = vm_find(r->paths->state, r->name, error);
    SkSsh *ssh;
    int status;

    if (vm == NULL)
        return 2;
    if (!(ssh = connect_vm(vm, error))) {
        vm_free(vm);
        return 1;
    }
    status = sk_ssh_interactive(ssh, error);
    sk_ssh_free(ssh);
    vm_free(vm);
    return status < 0 ? 1 : status;
}

static int action_copy(const Request *r, GError **error)
{
    char **args = r->rest;
    Vm *vm;
    SkSsh *ssh;
    gboolean ok;

    if (args == NULL || g_strv_length(args) != 2 ||
        (args[0][0] == ':') == (args[1][0] == ':')) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "copy needs SRC DST after --, one of them a guest path :PATH");
        return 2;
    }
    if (!(vm = vm_find(r->paths->state, r->name, error)))
        return 2;
    if (!(ssh = connect_vm(vm, error))) {
        vm_free(vm);
        return 1;
    }
    if (args[1][0] == ':')
        ok = sk_ssh_upload(ssh, args[0], args[1] + 1, 0644, error);
    else
        ok = sk_ssh_download(ssh, args[0] + 1, args[1], error);
    sk_ssh_free(ssh);
    vm_free(vm);
    return ok ? 0 : 1;
}

/* prepare-vm: the VM's own data disk, an overlay over a shared base. */
static int action_prepare(const Request *r, GError **error)
{
    const Paths *p = r->paths;
    VmType type = r->type;
    unsigned id = r->id;
    unsigned size = 1024, l1_id = 0;
    char *images, *disk;

    if (!sk_cli_parse_uint("--disk-size", opt_disk_size, 16, 1048576, &size, error))
        return 2;
    if (!sk_cli_parse_uint("--l1", opt_l1, 0, 255, &l1_id, error))
        return 2;
    images = g_build_filename(p->root, "build", "images", NULL);
    if (type == VM_TYPE_L2)        /* L1 --l1 carries it for the L2 */
        disk = vm_prepare_l2_disk(p->state, images, l1_id, id, size, error);
    else
        disk = vm_prepare_disk(p->state, images, type, id, size, error);
    g_free(images);
    if (disk == NULL)
        return 1;
    printf("%s\n", disk);
    g_free(disk);
    return 0;
}

static int action_status(const Request *r, GError **error)
{
    const Paths *p = r->paths;
    GPtrArray *names = vm_list(p->state);
    guint running = 0;

    (void)error;
    for (guint i = 0; i < names->len; i++) {
        Vm *vm = vm_find(p->state, names->pdata[i], NULL);
        if (vm) {
            print_vm(vm, opt_json);
            running++;
            vm_free(vm);
        }
    }
    if (running == 0 && !opt_json)
        printf("no VM is running\n");
    g_ptr_array_free(names, TRUE);
    return 0;
}

/* Stops a VM found by vm_find(): an L2 through its L1, others by QMP. */
static gboolean stop_any(const Paths *p, Vm *vm, int timeout_ms, GError **error)
{
    if (vm->inside) {
        Vm *l1 = vm_find(p->state, vm->inside, NULL);
        unsigned id = (unsigned)g_ascii_strtoull(strrchr(vm->name, '-') + 1, NULL, 10);
        gboolean ok = vm_stop_l2(vm, l1, id, timeout_ms, error);
        vm_free(l1);
        return ok;
    }
    if (vm->backend)
        return vm_libvirt_stop(vm, timeout_ms, error);
    return vm_stop(vm, timeout_ms, error);
}

static int action_poweroff(const Request *r, GError **error)
{
    const Paths *p = r->paths;
    const char *name = r->name;
    GPtrArray *names;
    unsigned timeout = 60;
    int status = 0;

    if (!sk_cli_parse_uint("--timeout", opt_timeout, 1, 3600, &timeout, error))
        return 2;
    if (!opt_all) {
        Vm *vm = vm_find(p->state, name, error);
        if (vm == NULL)
            return 2;
        if (!stop_any(p, vm, (int)timeout * 1000, error))
            status = 1;
        vm_free(vm);
        return status;
    }
    names = vm_list(p->state);
    /* L2s first, while their L1s still run. */
    for (int pass = 0; pass < 2; pass++)
        for (guint i = 0; i < names->len; i++) {
            Vm *vm = vm_find(p->state, names->pdata[i], NULL);
            GError *local = NULL;
            if (vm && (vm->inside != NULL) == (pass == 0) &&
                !stop_any(p, vm, (int)timeout * 1000, &local)) {
                fprintf(stderr, "vmwrapper: %s\n", local->message);
                g_error_free(local);
                status = 1;
            }
            vm_free(vm);
        }
    g_ptr_array_free(names, TRUE);
    return status;
}

/* ---- the actions ---------------------------------------------------------- */

typedef struct Action {
    const char *name;
    int (*run)(const Request *r, GError **error);
    /* The long names of the options that apply, besides --vmtype, --vmid
     * and --action, separated by spaces; "--" when words after -- do. */
    const char *options;
    const char *usage;
} Action;

static const Action actions[] = {
    {"build-image", action_build_image, "qemu",
     "builds (or finds cached) the type's image; prints its folder"},
    {"prepare-vm", action_prepare, "disk-size l1",
     "gives the VM a data disk (NVMe behind the vIOMMU at launch); prints it"},
    {"launch", action_launch,
     "nics nic-model backend qemu qemu-arg memory cpus accel timeout l1 share balloon "
     "virtiofsd virtiofsd-arg json",
     "boots the VM, waits for SSH, stays until it powers off or Ctrl-C"},
    {"exec", action_exec, "--", "-- COMMAND...: runs COMMAND in the VM over SSH"},
    {"login", action_login, "", "an interactive shell in the VM"},
    {"copy", action_copy, "--", "-- SRC DST: copies a file, one of them a guest :PATH"},
    {"status", action_status, "json", "the VMs running, their ports and PIDs"},
    {"poweroff", action_poweroff, "timeout all",
     "ACPI power-down through QMP, then quit, then kill (--all: every VM)"},
};

static const Action *action_find(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
        if (strcmp(actions[i].name, name) == 0)
            return &actions[i];
    return NULL;
}

static gboolean action_takes(const Action *a, const char *option)
{
    char **words = g_strsplit(a->options, " ", -1);
    gboolean found = g_strv_contains((const char *const *)words, option);
    g_strfreev(words);
    return found;
}

/* Was the option of this entry given on the command line? */
static gboolean entry_given(const GOptionEntry *e)
{
    switch (e->arg) {
    case G_OPTION_ARG_NONE:
        return *(gboolean *)e->arg_data;
    case G_OPTION_ARG_STRING_ARRAY:
        return *(char ***)e->arg_data != NULL;
    default:
        return *(char **)e->arg_data != NULL;
    }
}

/* Refuses, naming both, an option given that does not apply to a (and
 * words after -- for an action that takes none). */
static gboolean action_check(const Action *a, char **rest, GError **error)
{
    for (const GOptionEntry *e = entries; e->long_name; e++) {
        if (strcmp(e->long_name, "vmtype") == 0 || strcmp(e->long_name, "vmid") == 0 ||
            strcmp(e->long_name, "action") == 0 || !entry_given(e) ||
            action_takes(a, e->long_name))
            continue;
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --%s does not apply to --action %s", e->long_name, a->name);
        return FALSE;
    }
    if (rest && rest[0] && !action_takes(a, "--")) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "--action %s takes no arguments after -- ('%s')", a->name, rest[0]);
        return FALSE;
    }
    return TRUE;
}

/* --help's list of actions, from the table. */
static char *actions_help(void)
{
    GString *h = g_string_new("Actions (each takes --vmtype and --vmid):\n");
    for (guint i = 0; i < G_N_ELEMENTS(actions); i++) {
        char **words = g_strsplit(actions[i].options, " ", -1);
        g_string_append_printf(h, "  %-12s %s\n", actions[i].name, actions[i].usage);
        gsize line = 0;
        for (char **w = words; *w; w++) {
            if (**w == '\0' || strcmp(*w, "--") == 0)
                continue;
            if (line == 0 || line + strlen(*w) > 72) {
                g_string_append_printf(h, "%s               ", line ? "\n" : "");
                line = 15;
            }
            g_string_append_printf(h, " --%s", *w);
            line += strlen(*w) + 3;
        }
        if (line)
            g_string_append_c(h, '\n');
        g_strfreev(words);
    }
    return g_string_free(h, FALSE);
}

static char *action_names(void)
{
    GString *n = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
        g_string_append_printf(n, "%s%s", i ? ", " : "", actions[i].name);
    return g_string_free(n, FALSE);
}

static void on_broken_pipe(int sig)
{
    (void)sig;
}

/* A write to a peer that went away (a libvirtd that the domain's launcher
 * stops while poweroff still polls it, an SSH server whose guest powered
 * off) fails with EPIPE, an error the caller reports, instead of killing
 * vmwrapper silently.  A handler, not SIG_IGN, so that the programs
 * vmwrapper starts keep the default. */
static void ignore_broken_pipes(void)
{
    struct sigaction sa = {.sa_handler = on_broken_pipe, .sa_flags = SA_RESTART};

    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new("[-- COMMAND | SRC DST]");
    GError *error = NULL;
    Paths paths;
    Request req = {.paths = &paths, .type = VM_TYPE_L1};
    const Action *action = NULL;
    char *help = actions_help(), *description, *name = NULL;
    int status = 2;

    g_option_context_set_summary(ctx,
        "Builds guest images unattended from Debian packages and runs the L1, L2\n"
        "and client VMs of siokit's topology under direct QEMU.");
    description = g_strconcat(help,
        "\nExit status: 0 success (exec: the command's), 1 the work failed, 2 bad\n"
        "usage or bad input (an option that does not apply to the action, a VM\n"
        "that is not running), 130/143 stopped by SIGINT/SIGTERM.\n"
        "See docs/vmwrapper.md.", NULL);
    g_option_context_set_description(ctx, description);
    g_option_context_add_main_entries(ctx, entries, NULL);
    /* Everything after "--" is the command (exec) or SRC DST (copy). */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            req.rest = &argv[i + 1];
            argv[i] = NULL;
            argc = i;
            break;
        }
    sk_signal_catch();
    ignore_broken_pipes();
    find_paths(&paths);
    if (!sk_cli_parse(ctx, &argc, &argv, &error))
        goto fail;
    if (argc > 1) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "unexpected argument '%s' (a command goes after --)", argv[1]);
        goto fail;
    }
    if (opt_type && !vm_type_parse(opt_type, &req.type)) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "option --vmtype: unknown type '%s' (l1, l2, client)", opt_type);
        goto fail;
    }
    if (!sk_cli_parse_uint("--vmid", opt_vmid, 0, 255, &req.id, &error))
        goto fail;
    if (opt_backend && strcmp(opt_backend, "qemu") != 0 &&
        (strcmp(opt_backend, "libvirt") != 0 || req.type == VM_TYPE_L2)) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "option --backend: 'qemu' or 'libvirt' (libvirt for l1 and client only)");
        goto fail;
    }
    if (opt_action == NULL) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT, "option --action is required");
        goto fail;
    }
    if (!(action = action_find(opt_action))) {
        char *names = action_names();
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "option --action: unknown action '%s' (%s)", opt_action, names);
        g_free(names);
        goto fail;
    }
    if (!action_check(action, req.rest, &error))
        goto fail;
    if (opt_qemu_args && req.type == VM_TYPE_L2) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "option --qemu-arg: only for launching an l1 or client VM");
        goto fail;
    }
    if ((opt_share || opt_virtiofsd || opt_virtiofsd_args) &&
        (req.type == VM_TYPE_L2 || !opt_share)) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT,
                    "option --share (--virtiofsd, --virtiofsd-arg): only for launching "
                    "an l1 or client VM, with --share");
        goto fail;
    }
    req.name = name = vm_name(req.type, req.id);
    status = action->run(&req, &error);
fail:
    if (error) {
        int s = sk_report("vmwrapper", error);
        if (status == 0)
            status = s;
    }
    g_option_context_free(ctx);
    SK_FREE_ALL(name, help, description, paths.root, paths.state, paths.identity);
    return status;
}
