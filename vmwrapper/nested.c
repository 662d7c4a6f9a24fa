/* nested.c - L2 guests inside L1 through VFIO (see nested.h). */
#include "nested.h"

#include <string.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_ssh.h"

/* Run in L1 by `sh -c SCRIPT l2 MAC ID PORT MEM MGMT_MAC [SERIAL]`: assigns
 * the test NIC with MAC (and, with SERIAL, the NVMe with that serial: the
 * L2's data disk) to vfio-pci and starts L2 under KVM, daemonized.  What
 * was assigned is remembered in /run/l2-ID.bdf and .nvme, for a relaunch
 * (an assigned device has left its driver's class folder). */
static const char l2_start_script[] =
    "set -e\n"
    "mac=$1 id=$2 port=$3 mem=$4 mgmt=$5 serial=${6:-} bdf= nbdf=\n"
    "for n in /sys/class/net/*; do\n"
    "  [ \"$(cat \"$n/address\" 2>/dev/null)\" = \"$mac\" ] || continue\n"
    "  d=$(readlink -f \"$n/device\")\n"
    "  case ${d##*/} in virtio*) d=${d%/*} ;; esac\n"
    "  bdf=${d##*/}\n"
    "done\n"
    "if [ -z \"$bdf\" ] && [ -e /run/l2-$id.bdf ]; then bdf=$(cat /run/l2-$id.bdf); fi\n"
    "[ -n \"$bdf\" ] || { echo \"L1 has no test NIC with MAC $mac\" >&2; exit 3; }\n"
    "echo \"$bdf\" > /run/l2-$id.bdf\n"
    "if [ -n \"$serial\" ]; then\n"
    "  for c in /sys/class/nvme/*; do\n"
    "    [ -e \"$c/serial\" ] || continue\n"
    "    read -r s < \"$c/serial\" || true\n"
    "    if [ \"$s\" = \"$serial\" ]; then nbdf=$(basename \"$(readlink -f \"$c/device\")\"); fi\n"
    "  done\n"
    "  if [ -z \"$nbdf\" ] && [ -e /run/l2-$id.nvme ]; then nbdf=$(cat /run/l2-$id.nvme); fi\n"
    "  [ -n \"$nbdf\" ] || { echo \"L1 has no NVMe with serial $serial\" \\\n"
    "    \"(prepare-vm the L2 before launching its L1)\" >&2; exit 5; }\n"
    "  echo \"$nbdf\" > /run/l2-$id.nvme\n"
    "fi\n"
    "modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null || true\n"
    "[ -c /dev/kvm ] || { echo 'L1 has no /dev/kvm (no SVM or VMX in its CPU)' >&2; exit 4; }\n"
    "modprobe vfio-pci\n"
    "to_vfio() {\n"
    "  dev=/sys/bus/pci/devices/$1\n"
    "  [ \"$(basename \"$(readlink \"$dev/driver\" 2>/dev/null)\")\" != vfio-pci ] || return 0\n"
    "  [ -e \"$dev/driver\" ] && echo \"$1\" > \"$dev/driver/unbind\"\n"
    "  echo vfio-pci > \"$dev/driver_override\"\n"
    "  echo \"$1\" > /sys/bus/pci/drivers/vfio-pci/bind\n"
    "}\n"
    "to_vfio \"$bdf\"\n"
    "[ -z \"$nbdf\" ] || to_vfio \"$nbdf\"\n"
    "exec qemu-system-x86_64 -name l2-$id -accel kvm -cpu host -m \"$mem\" -nodefaults \\\n"
    "  -display none -no-reboot -serial file:/run/l2-$id.console \\\n"
    "  -netdev user,id=m,hostfwd=tcp::$port-:22 \\\n"
    "  -device virtio-net-pci,netdev=m,mac=$mgmt \\\n"
    "  -device vfio-pci,host=$bdf,rombar=0 \\\n"
    "  ${nbdf:+-device vfio-pci,host=$nbdf,rombar=0} \\\n"
    "  -kernel /images/l2/vmlinuz -initrd /images/l2/initrd.img \\\n"
    "  -append \"console=ttyS0 panic=-1 siokit.hostname=l2-$id siokit.mgmt_mac=$mgmt\" \\\n"
    "  -daemonize -pidfile /run/l2-$id.pid\n";

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
    char *mac = NULL, *mgmt = NULL, *port = NULL, *mem = NULL, *sid = NULL, *serial = NULL;
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

    mac = vm_test_mac(VM_TYPE_L1, (unsigned)g_ascii_strtoull(strrchr(l1->name, '-') + 1,
                                                              NULL, 10), id);
    mgmt = g_strdup_printf("52:54:00:5a:%02x:%02x", VM_TYPE_L2, id & 0xff);
    port = g_strdup_printf("%u", VM_L2_SSH_BASE + id);
    mem = g_strdup_printf("%u", memory_mb);
    sid = g_strdup_printf("%u", id);
    {
        /* The L2's data disk, when prepare-vm made one for this L1. */
        char *disk = vm_l2_disk(state_root, l1->name, id);
        if (disk)
            serial = vm_l2_disk_serial(id);
        g_free(disk);
    }
    {
        const char *argv[] = {"sh", "-c", l2_start_script, "l2", mac, sid, port, mem,
                              mgmt, serial, NULL};
        if (in_l1(l1, argv, error) != 0)
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
    g_free(mac); g_free(mgmt); g_free(port); g_free(mem); g_free(sid); g_free(serial);
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
    g_free(mac); g_free(mgmt); g_free(port); g_free(mem); g_free(sid); g_free(serial);
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
