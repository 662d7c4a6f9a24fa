/* argv.c - the command lines vmwrapper gives QEMU, as pure functions: a
 * spec in, an argument vector out (see argv.h). */
#include "argv.h"

#include <string.h>

#include "share.h"

#define GUEST_IPERF_PORT 5201
#define MGMT_MAC_PREFIX "52:54:00:5a"

char *vm_test_mac(VmType type, unsigned id, unsigned k)
{
    return g_strdup_printf("52:54:00:%02x:%02x:%02x", 0x60 + type, id & 0xff, k & 0xff);
}

char *vm_mgmt_mac(VmType type, unsigned id)
{
    return g_strdup_printf(MGMT_MAC_PREFIX ":%02x:%02x", type, id & 0xff);
}

char *vm_l2_disk_serial(unsigned k)
{
    return g_strdup_printf("siokit-l2-%u", k);
}

char *vm_kernel_cmdline(const VmSpec *s, const Vm *vm)
{
    char *mac = vm_mgmt_mac(s->type, s->id);
    char *line = g_strdup_printf("console=ttyS0 intel_iommu=on iommu.strict=1 panic=-1 "
                                 "siokit.hostname=%s siokit.mgmt_mac=%s%s", vm->name, mac,
                                 s->share ? " siokit.virtiofs=share" : "");
    g_free(mac);
    return line;
}

void vm_net_args(const VmSpec *s, const Vm *vm, GPtrArray *a)
{
    char *mac = vm_mgmt_mac(s->type, s->id);

#define ARG(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
    /* Management NIC: no iommu_platform, so its DMA stays out of IOMMU logs. */
    {
        GString *fwd = g_string_new(NULL);
        g_string_printf(fwd, "user,id=mgmt,hostfwd=tcp:127.0.0.1:%d-:22", vm->ssh_port);
        for (guint k = 0; vm->l2_ports && k < vm->l2_ports->len; k++)
            g_string_append_printf(fwd, ",hostfwd=tcp:127.0.0.1:%d-:%u",
                                   g_array_index(vm->l2_ports, int, k), VM_L2_SSH_BASE + k);
        ARG("-netdev"); ARG("%s", fwd->str);
        g_string_free(fwd, TRUE);
    }
    ARG("-device"); ARG("virtio-net-pci,netdev=mgmt,mac=%s", mac);
    for (guint i = 0; i < vm->nic_ports->len; i++) {
        /* Its own subnet, so a guest with several test NICs (or an L2 with
         * one beside its management NIC) routes each NIC's replies back
         * through it; the forwarded port reaches the subnet's .15. */
        ARG("-netdev"); ARG("user,id=nic%u,net=10.0.%u.0/24,hostfwd=tcp:127.0.0.1:%d-:%d",
                            i, VM_TEST_NET_BASE + i,
                            g_array_index(vm->nic_ports, int, i), GUEST_IPERF_PORT);
        char *tmac = vm_test_mac(s->type, s->id, i);
        if (s->nic_model == VM_NIC_E1000E) {
            ARG("-device"); ARG("e1000e,netdev=nic%u,mac=%s", i, tmac);
        } else {
            ARG("-device");
            ARG("virtio-net-pci,netdev=nic%u,mac=%s,disable-legacy=on,iommu_platform=on",
                i, tmac);
        }
        g_free(tmac);
    }
#undef ARG
    g_free(mac);
}

void vm_disk_args_of(const VmDisks *d, GPtrArray *a)
{
#define ARG(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
    /* The data disk prepare-vm made, on NVMe behind the vIOMMU. */
    if (d->data) {
        ARG("-drive"); ARG("file=%s,if=none,id=data,format=qcow2", d->data);
        ARG("-device"); ARG("nvme,drive=data,serial=siokit-data");
    }
    /* An L1 carries the disks of its L2s, one NVMe each, for VFIO. */
    for (guint k = 0; d->l2 && k < d->l2->len; k++) {
        const char *l2disk = d->l2->pdata[k];
        char *serial = vm_l2_disk_serial(k);
        if (l2disk) {
            ARG("-drive"); ARG("file=%s,if=none,id=l2disk%u,format=qcow2", l2disk, k);
            ARG("-device"); ARG("nvme,drive=l2disk%u,serial=%s", k, serial);
        }
        g_free(serial);
    }
#undef ARG
}

/* virtio-fs: the shared memory vhost-user needs and the device (it cannot
 * sit behind the vIOMMU: QEMU refuses iommu_platform for it). */
void vm_share_args(const VmSpec *s, const Vm *vm, GPtrArray *a)
{
    char *sock;

    if (s->share == NULL)
        return;
    sock = g_build_filename(vm->dir, "virtiofs.sock", NULL);
#define ARG(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
    ARG("-object"); ARG("memory-backend-memfd,id=mem,size=%uM,share=on", s->memory_mb);
    ARG("-numa"); ARG("node,memdev=mem");
    ARG("-chardev"); ARG("socket,id=fs0,path=%s", sock);
    ARG("-device"); ARG("vhost-user-fs-pci,chardev=fs0,tag=share");
#undef ARG
    g_free(sock);
}

GPtrArray *vm_qemu_argv(const VmSpec *s, const Vm *vm, const VmDisks *disks,
                        const char *kernel, const char *initrd)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    gboolean l1 = s->type == VM_TYPE_L1;

#define ARG(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
    ARG("%s", s->qemu);
    ARG("-name"); ARG("%s", vm->name);
    if (s->firmware) {
        ARG("-L"); ARG("%s", s->firmware);
    }
    if (strcmp(s->accel, "kvm") == 0) {
        ARG("-accel"); ARG("kvm");
        ARG("-cpu"); ARG("host");
    } else {
        ARG("-accel"); ARG("tcg,thread=multi");
        ARG("-cpu"); ARG("max");         /* exposes SVM: KVM inside L1 */
    }
    ARG("-smp"); ARG("%u", s->cpus);
    ARG("-m"); ARG("%u", s->memory_mb);
    ARG("-machine"); ARG("q35,kernel-irqchip=split");
    ARG("-device"); ARG("intel-iommu,intremap=on%s", l1 ? ",caching-mode=on" : "");
    ARG("-nodefaults"); ARG("-nographic"); ARG("-no-reboot");
    ARG("-serial"); ARG("file:%s", vm->console);
    ARG("-qmp"); ARG("unix:%s,server=on,wait=off", vm->qmp);
    ARG("-kernel"); ARG("%s", kernel);
    ARG("-initrd"); ARG("%s", initrd);
    ARG("-append");
    g_ptr_array_add(a, vm_kernel_cmdline(s, vm));
    vm_net_args(s, vm, a);
    vm_disk_args_of(disks, a);
    vm_share_args(s, vm, a);
    if (s->balloon) {
        ARG("-device"); ARG("%s", VM_BALLOON_DEVICE);
    }
    for (const char *const *e = s->extra; e && *e; e++)
        ARG("%s", *e);
#undef ARG
    g_ptr_array_add(a, NULL);
    return a;
}

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

GPtrArray *vm_l2_argv(unsigned l1_id, unsigned id, unsigned memory_mb, gboolean disk)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

#define ARG(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
    ARG("sh"); ARG("-c"); ARG("%s", l2_start_script); ARG("l2");
    g_ptr_array_add(a, vm_test_mac(VM_TYPE_L1, l1_id, id));
    ARG("%u", id);
    ARG("%u", VM_L2_SSH_BASE + id);
    ARG("%u", memory_mb);
    g_ptr_array_add(a, vm_mgmt_mac(VM_TYPE_L2, id));
    if (disk)
        g_ptr_array_add(a, vm_l2_disk_serial(id));
#undef ARG
    g_ptr_array_add(a, NULL);
    return a;
}
