/* topology.c - booting the nested or flat guests of a run (see topology.h). */
#include "topology.h"

#include <stdio.h>
#include <string.h>

#include "nested.h"
#include "remote.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_ssh.h"

/* Run in the VM that owns tenant k's NIC: `sh -c SCRIPT x MAC ADDR`.
 * Gives the NIC with MAC the address ADDR/24 and prints "IFNAME BDF". */
static const char nic_setup_script[] =
    "mac=$1 addr=$2\n"
    "for n in /sys/class/net/*; do\n"
    "  [ \"$(cat \"$n/address\" 2>/dev/null)\" = \"$mac\" ] || continue\n"
    "  dev=${n##*/} d=$(readlink -f \"$n/device\")\n"
    "  case ${d##*/} in virtio*) d=${d%/*} ;; esac\n"
    "  ip addr flush dev \"$dev\" && ip addr add \"$addr/24\" dev \"$dev\" &&\n"
    "    ip link set \"$dev\" up || exit 1\n"
    "  echo \"$dev ${d##*/}\"\n"
    "  exit 0\n"
    "done\n"
    "echo \"no NIC has MAC $mac\" >&2\n"
    "exit 3\n";

/* Run in the VM that owns tenant k's disk: `sh -c SCRIPT x SERIAL`: the
 * NVMe with that serial (any NVMe when SERIAL is empty: an L2 has one),
 * printed as "DEVICE BDF" once its namespace's device exists. */
static const char disk_find_script[] =
    "serial=$1 i=0\n"
    "while [ $i -lt 100 ]; do\n"
    "  for c in /sys/class/nvme/*; do\n"
    "    [ -e \"$c/serial\" ] || continue\n"
    "    read -r s < \"$c/serial\" || true\n"
    "    [ -z \"$serial\" ] || [ \"$s\" = \"$serial\" ] || continue\n"
    "    n=${c##*/}\n"
    "    [ -b \"/dev/${n}n1\" ] || continue\n"
    "    echo \"/dev/${n}n1 $(basename \"$(readlink -f \"$c/device\")\")\"\n"
    "    exit 0\n"
    "  done\n"
    "  usleep 100000; i=$((i + 1))\n"
    "done\n"
    "echo \"no NVMe disk${serial:+ with serial $serial}\" >&2\n"
    "exit 3\n";

/* bus << 8 | dev << 3 | fn of "dddd:bb:dd.f"; FALSE if it is not one. */
static gboolean sid_of_bdf(const char *bdf, unsigned *sid)
{
    unsigned dom, bus, dev, fn;
    char end;
    if (sscanf(bdf, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &end) != 4 || bus > 255 ||
        dev > 31 || fn > 7)
        return FALSE;
    *sid = bus << 8 | dev << 3 | fn;
    return TRUE;
}

static void tenant_free(gpointer p)
{
    Tenant *t = p;
    SK_FREE_ALL(t->name, t->ifname, t->addr, t->bdf, t->disk, t->disk_bdf, t);
}

/* Brings tenant k's NIC up in t->vm and learns its interface. */
static gboolean nic_setup(Tenant *t, const Vm *l1, unsigned l1_id, GError **error)
{
    char *mac = vm_test_mac(VM_TYPE_L1, l1_id, t->index);
    const char *args[] = {mac, t->addr, NULL};
    char *out = remote_script(t->vm, nic_setup_script, args, 30000, error);
    gboolean ok = FALSE;

    g_free(mac);
    if (out == NULL) {
        g_prefix_error(error, "%s: setting up its NIC: ", t->name);
        return FALSE;
    }
    char **w = g_strsplit(g_strstrip(out), " ", 2);
    if (g_strv_length(w) == 2) {
        t->ifname = g_strdup(w[0]);
        if (t->bdf == NULL)          /* flat: the NIC is in L1 itself */
            t->bdf = g_strdup(w[1]);
        ok = TRUE;
    } else {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: unexpected answer '%s'",
                    t->name, out);
    }
    g_strfreev(w);
    g_free(out);
    if (ok && !sid_of_bdf(t->bdf, &t->sid)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: '%s' is not a PCI address",
                    l1->name, t->bdf);
        ok = FALSE;
    }
    return ok;
}

/* Finds tenant t's data disk in t->vm. */
static gboolean disk_setup(Tenant *t, gboolean nested, GError **error)
{
    char *serial = nested ? g_strdup("") : vm_l2_disk_serial(t->index);
    const char *args[] = {serial, NULL};
    char *out = remote_script(t->vm, disk_find_script, args, 30000, error);
    gboolean ok = FALSE;

    g_free(serial);
    if (out == NULL) {
        g_prefix_error(error, "%s: finding its disk: ", t->name);
        return FALSE;
    }
    char **w = g_strsplit(g_strstrip(out), " ", 2);
    if (g_strv_length(w) == 2) {
        t->disk = g_strdup(w[0]);
        if (t->disk_bdf == NULL)     /* flat: the disk is in L1 itself */
            t->disk_bdf = g_strdup(w[1]);
        ok = sid_of_bdf(t->disk_bdf, &t->disk_sid);
    }
    if (!ok)
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: unexpected disk '%s'", t->name,
                    out);
    g_strfreev(w);
    g_free(out);
    return ok;
}

/* The PCI address in L1 of a device L2 k was given: its NIC (suffix
 * "bdf") or its NVMe ("nvme"). */
static char *l2_bdf(const Vm *l1, unsigned k, const char *what, GError **error)
{
    char *file = g_strdup_printf("/run/l2-%u.%s", k, what);
    const char *argv[] = {"cat", file, NULL};
    char *out = remote_run(l1, argv, 10000, error);
    g_free(file);
    return out ? g_strstrip(out) : NULL;
}

Topology *topology_up(const TopologyOptions *o, Board *board, GError **error)
{
    Topology *t = g_new0(Topology, 1);
    VmSpec s;
    char *l1_name = vm_name(VM_TYPE_L1, o->l1_id);

    topology_l1_spec(o, &s);
    t->tenants = g_ptr_array_new_with_free_func(tenant_free);
    t->l2s = g_ptr_array_new();
    board_step(board, l1_name, "boot");
    t->l1 = vm_launch(&s, error);
    if (t->l1 == NULL) {
        board_done(board, l1_name, FALSE, (*error)->message);
        g_free(l1_name);
        topology_down(t, o, board);
        return NULL;
    }
    board_done(board, l1_name, TRUE, NULL);

    for (unsigned k = 0; k < o->tenants; k++) {
        Tenant *tn = g_new0(Tenant, 1);
        tn->index = k;
        tn->addr = g_strdup_printf("10.0.%u.15", VM_TEST_NET_BASE + k);
        tn->host_port = g_array_index(t->l1->nic_ports, int, k);
        g_ptr_array_add(t->tenants, tn);
        if (o->nested) {
            tn->name = vm_name(VM_TYPE_L2, k);
            board_step(board, tn->name, "boot");
            Vm *l2 = vm_launch_l2(o->state_root, t->l1, k, o->l2_image, 512,
                                  o->boot_timeout_ms, error);
            if (l2 == NULL)
                goto fail;
            g_ptr_array_add(t->l2s, l2);
            tn->vm = l2;
            if (!(tn->bdf = l2_bdf(t->l1, k, "bdf", error)) ||
                (o->disks && !(tn->disk_bdf = l2_bdf(t->l1, k, "nvme", error))))
                goto fail;
        } else {
            tn->name = g_strdup_printf("%s.t%u", l1_name, k);
            tn->vm = t->l1;
        }
        board_step(board, tn->name, "nic");
        if (!nic_setup(tn, t->l1, o->l1_id, error))
            goto fail;
        if (o->disks) {
            board_step(board, tn->name, "disk");
            if (!disk_setup(tn, o->nested, error))
                goto fail;
        }
        board_done(board, tn->name, TRUE, NULL);
        if (sk_signal_stop()) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "interrupted");
            goto fail;
        }
    }
    g_free(l1_name);
    return t;
fail:
    if (t->tenants->len)
        board_done(board, ((Tenant *)t->tenants->pdata[t->tenants->len - 1])->name, FALSE,
                   (*error)->message);
    g_free(l1_name);
    topology_down(t, o, board);
    return NULL;
}

/* Copies a host file into the run, best effort (through sk_output). */
static void keep_copy(const char *what, const char *from, const char *to)
{
    char *text = NULL;
    gsize len = 0;

    if (g_file_get_contents(from, &text, &len, NULL))
        sk_output_write_file(what, to, text, (gssize)len, NULL);
    g_free(text);
}

/* Keeps a copy of a console: a host file, or an L2's in its L1. */
static void save_console(const Topology *t, const Vm *vm, unsigned k, const char *dir)
{
    char *dest = g_strdup_printf("%s/console-%s.log", dir, vm->name);
    if (vm->inside == NULL) {
        keep_copy("console", vm->console, dest);
    } else if (t->l1 && vm_alive(t->l1)) {
        char *remote = g_strdup_printf("/run/l2-%u.console", k);
        SkSsh *s = remote_connect(t->l1, NULL);
        if (s)
            sk_ssh_download(s, remote, dest, NULL);
        sk_ssh_free(s);
        g_free(remote);
    }
    g_free(dest);
}

void topology_down(Topology *t, const TopologyOptions *o, Board *board)
{
    if (t == NULL)
        return;
    for (guint k = t->l2s->len; k-- > 0;) {
        Vm *l2 = t->l2s->pdata[k];
        board_step(board, l2->name, "stop");
        if (o->console_dir)
            save_console(t, l2, k, o->console_dir);
        vm_stop_l2(l2, t->l1 && vm_alive(t->l1) ? t->l1 : NULL, k, 5000, NULL);
        board_done(board, l2->name, TRUE, NULL);
        vm_free(l2);
    }
    if (t->l1) {
        board_step(board, t->l1->name, "stop");
        GError *error = NULL;
        gboolean ok = vm_stop(t->l1, 20000, &error);
        if (o->console_dir) {
            save_console(t, t->l1, 0, o->console_dir);
            if (o->share) {
                char *from = g_build_filename(t->l1->dir, "virtiofsd.log", NULL);
                char *to = g_build_filename(o->console_dir, "virtiofsd.log", NULL);
                keep_copy("virtiofsd log", from, to);
                g_free(from);
                g_free(to);
            }
        }
        board_done(board, t->l1->name, ok, error ? error->message : NULL);
        g_clear_error(&error);
        vm_free(t->l1);
    }
    g_ptr_array_free(t->l2s, TRUE);
    g_ptr_array_free(t->tenants, TRUE);
    g_free(t);
}
