/* test_collector_argv.c - the QEMU command lines log-collector builds: the
 * recording arguments for each QEMU and way of recording (collector/qemu.c)
 * and the L1 guest of a run (collector/l1spec.c) as vmwrapper renders it. */
#include <glib.h>
#include <string.h>

#include "argv.h"
#include "qemu.h"
#include "sk_error.h"
#include "topology.h"
#include "sk_test.h"

static unsigned count(GPtrArray *a, const char *word)
{
    unsigned n = 0;
    for (guint i = 0; i < a->len && a->pdata[i]; i++)
        n += strcmp(a->pdata[i], word) == 0;
    return n;
}

static gboolean has_pair(GPtrArray *a, const char *key, const char *value)
{
    for (guint i = 0; i + 1 < a->len; i++)
        if (strcmp(a->pdata[i], key) == 0 && g_strcmp0(a->pdata[i + 1], value) == 0)
            return TRUE;
    return FALSE;
}

SK_TEST(test_stock_text, "/collector-argv/stock-text")
{
    CollectorQemu q = {.kind = "stock", .binary = "/usr/bin/qemu-system-x86_64"};
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    char *log = collector_qemu_recording(&q, RECORD_TEXT, "/runs/r", a);

    g_assert_cmpstr(log, ==, "vtd_0.txt");
    g_assert_cmpuint(count(a, "-L"), ==, 0);            /* Debian's has firmware */
    g_assert_cmpuint(count(a, "-trace"), ==, 6);
    g_assert_true(has_pair(a, "-trace", "vtd_iotlb_page_hit"));
    g_assert_true(has_pair(a, "-trace", "vtd_inv_desc*"));
    g_assert_false(has_pair(a, "-trace", "vtd_slpte_fetch"));   /* not in stock */
    g_assert_false(has_pair(a, "-trace", "file=/dev/null"));
    g_assert_cmpstr(a->pdata[a->len - 2], ==, "-D");
    g_assert_cmpstr(a->pdata[a->len - 1], ==, "/runs/r/vtd_0.txt");
    g_free(log);
    g_ptr_array_free(a, TRUE);
}

SK_TEST(test_patched, "/collector-argv/patched")
{
    CollectorQemu q = {.kind = "patched", .binary = "/b/qemu", .hypersio_events = TRUE,
                       .siokit_log = TRUE, .trace_events = "/b/trace-events-all"};
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    char *log = collector_qemu_recording(&q, RECORD_TEXT, "/r", a);

    /* a build tree: firmware folders first */
    g_assert_cmpstr(a->pdata[0], ==, "-L");
    g_assert_cmpstr(a->pdata[1], ==, "/usr/share/seabios");
    g_assert_cmpuint(count(a, "-L"), ==, 3);
    g_assert_cmpuint(count(a, "-trace"), ==, 8);        /* 7 events + file=/dev/null */
    g_assert_true(has_pair(a, "-trace", "vtd_slpte_fetch"));
    g_assert_true(has_pair(a, "-trace", "file=/dev/null"));
    g_assert_true(has_pair(a, "-D", "/r/vtd_0.txt"));
    g_free(log);
    g_ptr_array_free(a, TRUE);

    a = g_ptr_array_new_with_free_func(g_free);
    log = collector_qemu_recording(&q, RECORD_BINARY, "/r", a);
    g_assert_cmpstr(log, ==, "vtd_0.bin");
    g_assert_cmpuint(a->len, ==, 8);                    /* 3 x -L DIR, -global X */
    g_assert_true(has_pair(a, "-global", "intel-iommu.x-siokit-log=/r/vtd_0.bin"));
    g_assert_cmpuint(count(a, "-trace"), ==, 0);
    g_assert_cmpuint(count(a, "-D"), ==, 0);
    g_free(log);
    g_ptr_array_free(a, TRUE);
}

SK_TEST(test_record_mode, "/collector-argv/record-mode")
{
    CollectorQemu stock = {.kind = "stock", .binary = "q"};
    CollectorQemu patched = {.kind = "patched", .binary = "p", .siokit_log = TRUE};
    RecordMode m = RECORD_AUTO;
    GError *error = NULL;

    g_assert_true(collector_qemu_record_mode(&patched, &m, &error));
    g_assert_cmpint(m, ==, RECORD_BINARY);
    m = RECORD_AUTO;
    g_assert_true(collector_qemu_record_mode(&stock, &m, &error));
    g_assert_cmpint(m, ==, RECORD_TEXT);
    m = RECORD_BINARY;
    g_assert_false(collector_qemu_record_mode(&stock, &m, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "--record"));
    g_clear_error(&error);
}

/* The L1 of a run as vmwrapper renders it, with fixed ports. */
static GPtrArray *l1_argv(const TopologyOptions *o, unsigned *memory)
{
    VmSpec s;
    Vm vm = {.name = "l1-0", .dir = "/s/l1-0", .qmp = "/s/l1-0/qmp", .console = "/s/c",
             .ssh_port = 4000};
    VmDisks none = {0};
    GPtrArray *a;

    topology_l1_spec(o, &s);
    *memory = s.memory_mb;
    g_assert_cmpint(s.type, ==, VM_TYPE_L1);
    g_assert_cmpuint(s.nics, ==, o->tenants);
    vm.nic_ports = g_array_new(FALSE, FALSE, sizeof(int));
    vm.l2_ports = g_array_new(FALSE, FALSE, sizeof(int));
    for (unsigned k = 0; k < s.nics; k++) {
        int p = 4100 + (int)k, q = 4200 + (int)k;
        g_array_append_val(vm.nic_ports, p);
        g_array_append_val(vm.l2_ports, q);
    }
    a = vm_qemu_argv(&s, &vm, &none, "k", "i");
    g_array_free(vm.nic_ports, TRUE);
    g_array_free(vm.l2_ports, TRUE);
    return a;
}

SK_TEST(test_l1, "/collector-argv/l1")
{
    const char *rec[] = {"-global", "intel-iommu.x-siokit-log=/r/vtd_0.bin", NULL};
    TopologyOptions o = {.nested = TRUE, .tenants = 3, .qemu = "/b/qemu",
                         .qemu_args = rec, .state_root = "/s"};
    unsigned memory = 0;
    GPtrArray *a = l1_argv(&o, &memory);
    char *m;

    g_assert_cmpuint(memory, ==, 2048 + 3 * 512);       /* room for 3 L2s */
    m = g_strdup_printf("%u", memory);
    g_assert_true(has_pair(a, "-m", m));
    g_free(m);
    g_assert_cmpstr(a->pdata[0], ==, "/b/qemu");
    g_assert_true(has_pair(a, "-accel", "tcg,thread=multi"));
    g_assert_true(has_pair(a, "-device", "intel-iommu,intremap=on,caching-mode=on"));
    g_assert_cmpuint(count(a, "-netdev"), ==, 4);       /* management + 3 tenants */
    g_assert_true(has_pair(a, "-netdev",
                           "user,id=nic2,net=10.0.12.0/24,hostfwd=tcp:127.0.0.1:4102-:5201"));
    /* the recording arguments last */
    g_assert_cmpstr(a->pdata[a->len - 3], ==, "-global");
    g_assert_cmpstr(a->pdata[a->len - 2], ==, "intel-iommu.x-siokit-log=/r/vtd_0.bin");
    g_assert_null(a->pdata[a->len - 1]);
    g_ptr_array_free(a, TRUE);

    /* flat, with a share: the L1's own memory, virtio-fs */
    o.nested = FALSE;
    o.tenants = 2;
    o.share = "/r/share";
    a = l1_argv(&o, &memory);
    g_assert_cmpuint(memory, ==, 2048);
    g_assert_true(has_pair(a, "-object", "memory-backend-memfd,id=mem,size=2048M,share=on"));
    g_assert_true(has_pair(a, "-device", "vhost-user-fs-pci,chardev=fs0,tag=share"));
    g_assert_cmpuint(count(a, "-netdev"), ==, 3);
    g_ptr_array_free(a, TRUE);
}

SK_TEST_MAIN()
