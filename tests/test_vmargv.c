/* test_vmargv.c - the QEMU command lines vmwrapper builds (vmwrapper/argv.c):
 * l1, l2 and client; with and without a share, data disks, more QEMU
 * arguments, NICs of either model, either accelerator. */
#include <glib.h>
#include <string.h>

#include "argv.h"
#include "share.h"
#include "sk_test.h"

/* A VM as vm_prepare() makes it, with fixed ports. */
static Vm *fake_vm(const char *name, int ssh, unsigned nics, gboolean l1)
{
    Vm *vm = g_new0(Vm, 1);
    vm->name = g_strdup(name);
    vm->dir = g_strdup_printf("/s/%s", name);
    vm->qmp = g_strdup_printf("/s/%s/qmp.sock", name);
    vm->console = g_strdup_printf("/s/%s/console.log", name);
    vm->ssh_port = ssh;
    vm->nic_ports = g_array_new(FALSE, FALSE, sizeof(int));
    for (unsigned k = 0; k < nics; k++) {
        int port = 6000 + (int)k;
        g_array_append_val(vm->nic_ports, port);
    }
    if (l1) {
        vm->l2_ports = g_array_new(FALSE, FALSE, sizeof(int));
        for (unsigned k = 0; k < nics; k++) {
            int port = 7000 + (int)k;
            g_array_append_val(vm->l2_ports, port);
        }
    }
    return vm;
}

static void fake_free(Vm *vm)
{
    g_array_free(vm->nic_ports, TRUE);
    if (vm->l2_ports)
        g_array_free(vm->l2_ports, TRUE);
    g_free(vm->name);
    g_free(vm->dir);
    g_free(vm->qmp);
    g_free(vm->console);
    g_free(vm);
}

static VmSpec spec_of(VmType type, unsigned id, unsigned nics)
{
    VmSpec s = {.type = type, .id = id, .nics = nics, .nic_model = VM_NIC_VIRTIO,
                .qemu = "qemu-system-x86_64", .accel = "tcg",
                .memory_mb = type == VM_TYPE_L1 ? 4096 : 512,
                .cpus = type == VM_TYPE_L1 ? 2 : 1, .state_root = "/s"};
    return s;
}

static GPtrArray *argv_of(const VmSpec *s, const Vm *vm, const VmDisks *d)
{
    VmDisks none = {0};
    return vm_qemu_argv(s, vm, d ? d : &none, "/img/vmlinuz", "/img/initrd.img");
}

/* The argument right after the first `key`, or NULL. */
static const char *after(GPtrArray *a, const char *key)
{
    for (guint i = 0; i + 1 < a->len && a->pdata[i]; i++)
        if (strcmp(a->pdata[i], key) == 0)
            return a->pdata[i + 1];
    return NULL;
}

/* How many arguments equal `word`, or contain it with contains. */
static unsigned count(GPtrArray *a, const char *word, gboolean contains)
{
    unsigned n = 0;
    for (guint i = 0; i < a->len && a->pdata[i]; i++)
        n += contains ? strstr(a->pdata[i], word) != NULL : strcmp(a->pdata[i], word) == 0;
    return n;
}

SK_TEST(test_l1_whole, "/vmargv/l1-whole")
{
    static const char *const want[] = {
        "qemu-system-x86_64", "-name", "l1-0",
        "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2", "-m", "4096",
        "-machine", "q35,kernel-irqchip=split",
        "-device", "intel-iommu,intremap=on,caching-mode=on",
        "-nodefaults", "-nographic", "-no-reboot",
        "-serial", "file:/s/l1-0/console.log",
        "-qmp", "unix:/s/l1-0/qmp.sock,server=on,wait=off",
        "-kernel", "/img/vmlinuz", "-initrd", "/img/initrd.img",
        "-append", "console=ttyS0 intel_iommu=on iommu.strict=1 panic=-1 "
                   "siokit.hostname=l1-0 siokit.mgmt_mac=52:54:00:5a:00:00",
        "-netdev", "user,id=mgmt,hostfwd=tcp:127.0.0.1:5000-:22,"
                   "hostfwd=tcp:127.0.0.1:7000-:2200,hostfwd=tcp:127.0.0.1:7001-:2201",
        "-device", "virtio-net-pci,netdev=mgmt,mac=52:54:00:5a:00:00",
        "-netdev", "user,id=nic0,net=10.0.10.0/24,hostfwd=tcp:127.0.0.1:6000-:5201",
        "-device", "virtio-net-pci,netdev=nic0,mac=52:54:00:60:00:00,"
                   "disable-legacy=on,iommu_platform=on",
        "-netdev", "user,id=nic1,net=10.0.11.0/24,hostfwd=tcp:127.0.0.1:6001-:5201",
        "-device", "virtio-net-pci,netdev=nic1,mac=52:54:00:60:00:01,"
                   "disable-legacy=on,iommu_platform=on",
        NULL};
    VmSpec s = spec_of(VM_TYPE_L1, 0, 2);
    Vm *vm = fake_vm("l1-0", 5000, 2, TRUE);
    GPtrArray *a = argv_of(&s, vm, NULL);

    g_assert_cmpuint(a->len, ==, g_strv_length((char **)want) + 1);
    for (guint i = 0; want[i]; i++)
        g_assert_cmpstr(a->pdata[i], ==, want[i]);
    g_assert_null(a->pdata[a->len - 1]);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);
}

SK_TEST(test_client_models, "/vmargv/client-models")
{
    VmSpec s = spec_of(VM_TYPE_CLIENT, 3, 1);
    Vm *vm = fake_vm("client-3", 5003, 1, FALSE);
    GPtrArray *a;

    s.nic_model = VM_NIC_E1000E;
    s.accel = "kvm";
    s.firmware = "/fw";
    a = argv_of(&s, vm, NULL);
    g_assert_cmpstr(after(a, "-accel"), ==, "kvm");
    g_assert_cmpstr(after(a, "-cpu"), ==, "host");
    g_assert_cmpstr(after(a, "-L"), ==, "/fw");
    g_assert_cmpstr(after(a, "-m"), ==, "512");
    /* no caching-mode outside L1 (no VFIO in a client) */
    g_assert_cmpuint(count(a, "intel-iommu,intremap=on", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "e1000e,netdev=nic0,mac=52:54:00:62:03:00", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "iommu_platform", TRUE), ==, 0);
    /* no L2 ports forwarded for a client */
    g_assert_cmpuint(count(a, "user,id=mgmt,hostfwd=tcp:127.0.0.1:5003-:22", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "siokit.mgmt_mac=52:54:00:5a:02:03", TRUE), ==, 1);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);

    /* no test NICs: the management NIC alone */
    s = spec_of(VM_TYPE_CLIENT, 0, 0);
    vm = fake_vm("client-0", 5000, 0, FALSE);
    a = argv_of(&s, vm, NULL);
    g_assert_cmpuint(count(a, "-netdev", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "id=nic", TRUE), ==, 0);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);
}

/* --balloon: one virtio-balloon with id balloon0, deflate-on-oom and free
 * page reporting, none without it; a client and an L1 alike. */
SK_TEST(test_balloon, "/vmargv/balloon")
{
    VmSpec s = spec_of(VM_TYPE_CLIENT, 2, 1);
    Vm *vm = fake_vm("client-2", 5002, 1, FALSE);
    GPtrArray *a = argv_of(&s, vm, NULL);

    g_assert_cmpuint(count(a, "virtio-balloon", TRUE), ==, 0);
    g_ptr_array_free(a, TRUE);
    s.balloon = TRUE;
    a = argv_of(&s, vm, NULL);
    g_assert_cmpuint(count(a, "virtio-balloon-pci,id=balloon0,deflate-on-oom=on,"
                              "free-page-reporting=on", FALSE), ==, 1);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);

    /* an L1 gets the same device */
    s = spec_of(VM_TYPE_L1, 0, 2);
    vm = fake_vm("l1-0", 5000, 2, TRUE);
    s.balloon = TRUE;
    a = argv_of(&s, vm, NULL);
    g_assert_cmpuint(count(a, "virtio-balloon-pci,id=balloon0,deflate-on-oom=on,"
                              "free-page-reporting=on", FALSE), ==, 1);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);
}

SK_TEST(test_share, "/vmargv/share")
{
    VmSpec s = spec_of(VM_TYPE_CLIENT, 1, 1);
    Vm *vm = fake_vm("client-1", 5001, 1, FALSE);
    GPtrArray *a = argv_of(&s, vm, NULL);

    /* without a share: none of virtio-fs */
    g_assert_null(after(a, "-numa"));
    g_assert_cmpuint(count(a, "vhost-user-fs", TRUE), ==, 0);
    g_assert_cmpuint(count(a, "siokit.virtiofs", TRUE), ==, 0);
    g_ptr_array_free(a, TRUE);

    s.share = "/data";
    s.memory_mb = 1024;
    a = argv_of(&s, vm, NULL);
    g_assert_cmpstr(after(a, "-object"), ==, "memory-backend-memfd,id=mem,size=1024M,share=on");
    g_assert_cmpstr(after(a, "-numa"), ==, "node,memdev=mem");
    g_assert_cmpstr(after(a, "-chardev"), ==, "socket,id=fs0,path=/s/client-1/virtiofs.sock");
    g_assert_cmpuint(count(a, "vhost-user-fs-pci,chardev=fs0,tag=share", FALSE), ==, 1);
    g_assert_cmpuint(count(a, " siokit.virtiofs=share", TRUE), ==, 1);
    g_ptr_array_free(a, TRUE);
    fake_free(vm);
}

SK_TEST(test_disks_and_extra, "/vmargv/disks-and-extra")
{
    static const char *const extra[] = {"-trace", "vtd_*", "-S", NULL};
    VmSpec s = spec_of(VM_TYPE_L1, 2, 2);
    Vm *vm = fake_vm("l1-2", 5002, 2, TRUE);
    VmDisks d = {.data = "/s/l1-2/data.qcow2", .l2 = g_ptr_array_new()};
    GPtrArray *a;

    g_ptr_array_add(d.l2, NULL);                       /* L2 0: no disk */
    g_ptr_array_add(d.l2, "/s/l2-1/data.qcow2");       /* L2 1: its disk */
    s.extra = extra;
    a = argv_of(&s, vm, &d);
    g_assert_cmpuint(count(a, "file=/s/l1-2/data.qcow2,if=none,id=data,format=qcow2", FALSE),
                     ==, 1);
    g_assert_cmpuint(count(a, "nvme,drive=data,serial=siokit-data", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "file=/s/l2-1/data.qcow2,if=none,id=l2disk1,format=qcow2",
                           FALSE), ==, 1);
    g_assert_cmpuint(count(a, "nvme,drive=l2disk1,serial=siokit-l2-1", FALSE), ==, 1);
    g_assert_cmpuint(count(a, "l2disk0", TRUE), ==, 0);
    g_assert_cmpuint(count(a, "-drive", FALSE), ==, 2);
    /* the extra arguments last, in order */
    g_assert_cmpstr(a->pdata[a->len - 4], ==, "-trace");
    g_assert_cmpstr(a->pdata[a->len - 3], ==, "vtd_*");
    g_assert_cmpstr(a->pdata[a->len - 2], ==, "-S");
    g_ptr_array_free(a, TRUE);
    g_ptr_array_free(d.l2, TRUE);
    fake_free(vm);
}

SK_TEST(test_l2, "/vmargv/l2")
{
    GPtrArray *a = vm_l2_argv(1, 3, 768, FALSE);
    const char *script;

    g_assert_cmpuint(a->len, ==, 10);
    g_assert_cmpstr(a->pdata[0], ==, "sh");
    g_assert_cmpstr(a->pdata[1], ==, "-c");
    script = a->pdata[2];
    g_assert_cmpstr(a->pdata[3], ==, "l2");
    g_assert_cmpstr(a->pdata[4], ==, "52:54:00:60:01:03");   /* L1 1's test NIC 3 */
    g_assert_cmpstr(a->pdata[5], ==, "3");
    g_assert_cmpstr(a->pdata[6], ==, "2203");                /* VM_L2_SSH_BASE + 3 */
    g_assert_cmpstr(a->pdata[7], ==, "768");
    g_assert_cmpstr(a->pdata[8], ==, "52:54:00:5a:01:03");   /* its management MAC */
    g_assert_null(a->pdata[9]);
    g_assert_nonnull(strstr(script, "-accel kvm -cpu host"));
    g_assert_nonnull(strstr(script, "-device vfio-pci,host=$bdf,rombar=0"));
    g_assert_nonnull(strstr(script, "driver_override"));
    g_assert_nonnull(strstr(script, "-pidfile /run/l2-$id.pid"));
    g_ptr_array_free(a, TRUE);

    /* with its data disk: the NVMe's serial last */
    a = vm_l2_argv(0, 0, 512, TRUE);
    g_assert_cmpuint(a->len, ==, 11);
    g_assert_cmpstr(a->pdata[4], ==, "52:54:00:60:00:00");
    g_assert_cmpstr(a->pdata[9], ==, "siokit-l2-0");
    g_assert_null(a->pdata[10]);
    g_ptr_array_free(a, TRUE);
}

SK_TEST_MAIN()
