/* log-collector.c - real per-tenant IOMMU logs from guests, unattended.
 *
 *   log-collector --test iperf3|storage|virtiofs --l2vm N [--runs R] [--duration S]
 *                 [--topology nested|flat] [--qemu auto|patched|stock|PATH]
 *                 [--record auto|text|binary] [--direction rx|tx|both]
 *                 [--split] [-o DIR]
 *
 * For each run: boots the topology with vmwrapper's library (L1 under TCG
 * recording its virtual IOMMU's events; nested: one L2 per tenant through
 * VFIO), runs the test on every tenant at once over libssh, stops every
 * guest, counts each tenant's events and writes OUT/<test>_<N>_<run>/:
 * the event log, consoles, each tenant's test report and manifest.json.
 * A run that did not finish every step, or was interrupted, stays marked
 * "incomplete".  See docs/log-collector.md. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "board.h"
#include "events.h"
#include "fio.h"
#include "fuse.h"
#include "iperf3.h"
#include "manifest.h"
#include "outdir.h"
#include "qemu.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "topology.h"

static char *opt_test, *opt_l2vm, *opt_runs, *opt_duration, *opt_topology;
static char *opt_qemu, *opt_direction, *opt_out, *opt_timeout, *opt_vmid, *opt_disk_size;
static char *opt_record;
static gboolean opt_split, opt_quiet;

static GOptionEntry entries[] = {
    {"test", 0, 0, G_OPTION_ARG_STRING, &opt_test,
     "the test: iperf3 (network), storage (fio on NVMe) or virtiofs (fio on a share)",
     "TEST"},
    {"l2vm", 'n', 0, G_OPTION_ARG_STRING, &opt_l2vm, "tenants (L2 guests or NICs), 1-16", "N"},
    {"runs", 'r', 0, G_OPTION_ARG_STRING, &opt_runs, "runs, each on fresh guests (default 1)",
     "R"},
    {"duration", 'd', 0, G_OPTION_ARG_STRING, &opt_duration,
     "seconds of traffic (default 10)", "S"},
    {"topology", 't', 0, G_OPTION_ARG_STRING, &opt_topology,
     "nested (an L2 per tenant, default) or flat (the L1's own NICs)", "TOPOLOGY"},
    {"qemu", 0, 0, G_OPTION_ARG_STRING, &opt_qemu,
     "auto (default: patched if built), patched, stock or a binary", "QEMU"},
    {"record", 0, 0, G_OPTION_ARG_STRING, &opt_record,
     "the event log: auto (default), text (vtd_* events) or binary (patched QEMU)", "HOW"},
    {"direction", 0, 0, G_OPTION_ARG_STRING, &opt_direction,
     "iperf3: rx (host sends, default), tx or both", "DIR"},
    {"disk-size", 0, 0, G_OPTION_ARG_STRING, &opt_disk_size,
     "storage: MiB of each tenant's disk (default 1024)", "MB"},
    {"split", 0, 0, G_OPTION_ARG_NONE, &opt_split,
     "also write each tenant's part of the log as tenant_<k>.txt (.bin)", NULL},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out, "runs go here (default build/logs)",
     "DIR"},
    {"boot-timeout", 0, 0, G_OPTION_ARG_STRING, &opt_timeout,
     "seconds each guest may take to answer SSH (default 300)", "S"},
    {"vmid", 0, 0, G_OPTION_ARG_STRING, &opt_vmid, "the L1's vmwrapper id (default 0)", "N"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "no progress on the terminal", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

/* The tests, and the device of each tenant they drive. */
typedef enum {
    TEST_IPERF3,      /* the tenant's NIC */
    TEST_STORAGE,     /* the tenant's NVMe disk */
    TEST_VIRTIOFS,    /* the tenant's folder of the L1's virtio-fs share */
} TestKind;

typedef struct Settings {
    char *root, *out, *state, *identity, *images, *l1_image, *l2_image;
    TestKind test;
    RecordMode record;
    gboolean nested;
    unsigned tenants, runs, duration, boot_timeout, l1_id, disk_size;
    Iperf3Direction direction;
    CollectorQemu qemu;
    JsonArray *command;
} Settings;

static gboolean parse_settings(Settings *s, GError **error)
{
    s->runs = 1;
    s->duration = 10;
    s->boot_timeout = 300;
    s->nested = TRUE;
    s->disk_size = 1024;
    if (opt_test && strcmp(opt_test, "iperf3") == 0) {
        s->test = TEST_IPERF3;
    } else if (opt_test && strcmp(opt_test, "storage") == 0) {
        s->test = TEST_STORAGE;
    } else if (opt_test && strcmp(opt_test, "virtiofs") == 0) {
        s->test = TEST_VIRTIOFS;
        s->nested = FALSE;
    } else {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    opt_test ? "option --test: unknown test '%s' (iperf3, storage, virtiofs)"
                             : "option --test is required (iperf3, storage, virtiofs)", opt_test);
        return FALSE;
    }
    if (opt_l2vm == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --l2vm is required");
        return FALSE;
    }
    if (!sk_cli_parse_uint("--l2vm", opt_l2vm, 1, 16, &s->tenants, error) ||
        !sk_cli_parse_uint("--runs", opt_runs, 1, 1000, &s->runs, error) ||
        !sk_cli_parse_uint("--duration", opt_duration, 1, 86400, &s->duration, error) ||
        !sk_cli_parse_uint("--boot-timeout", opt_timeout, 10, 3600, &s->boot_timeout, error) ||
        !sk_cli_parse_uint("--vmid", opt_vmid, 0, 255, &s->l1_id, error) ||
        !sk_cli_parse_uint("--disk-size", opt_disk_size, 16, 1048576, &s->disk_size, error))
        return FALSE;
    if (opt_topology && strcmp(opt_topology, "flat") == 0) {
        s->nested = FALSE;
    } else if (opt_topology && strcmp(opt_topology, "nested") == 0 && s->test == TEST_VIRTIOFS) {
        /* A nested share would need virtiofsd inside L1, and the device
         * cannot sit behind the vIOMMU anyway. */
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --topology: the virtiofs test runs in the flat topology only "
                    "(virtiofsd serves the L1; vhost-user-fs cannot sit behind the vIOMMU)");
        return FALSE;
    } else if (opt_topology && strcmp(opt_topology, "nested") != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --topology: unknown topology '%s' (nested, flat)", opt_topology);
        return FALSE;
    }
    if (opt_direction && !iperf3_direction_parse(opt_direction, &s->direction)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --direction: unknown direction '%s' (rx, tx, both)", opt_direction);
        return FALSE;
    }
    s->root = sk_cli_checkout();
    s->out = opt_out ? g_canonicalize_filename(opt_out, NULL)
                     : g_build_filename(s->root, "build", "logs", NULL);
    s->state = g_build_filename(s->root, "build", "vms", NULL);
    s->images = g_build_filename(s->root, "build", "images", NULL);
    s->identity = g_build_filename(s->root, "build", "keys", "id_ed25519", NULL);
    if (opt_record == NULL || strcmp(opt_record, "auto") == 0) {
        s->record = RECORD_AUTO;
    } else if (strcmp(opt_record, "text") == 0) {
        s->record = RECORD_TEXT;
    } else if (strcmp(opt_record, "binary") == 0) {
        s->record = RECORD_BINARY;
    } else {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --record: unknown way '%s' (auto, text, binary)", opt_record);
        return FALSE;
    }
    if (!collector_qemu_resolve(s->root, opt_qemu, &s->qemu, error) ||
        !collector_qemu_record_mode(&s->qemu, &s->record, error))
        return FALSE;
    return TRUE;
}

static char *now_iso(void)
{
    GDateTime *t = g_date_time_new_now_utc();
    char *s = g_date_time_format_iso8601(t);
    g_date_time_unref(t);
    return s;
}

static JsonObject *qemu_json(const CollectorQemu *q)
{
    JsonObject *o = json_object_new();
    json_object_set_string_member(o, "kind", q->kind);
    json_object_set_string_member(o, "binary", q->binary);
    json_object_set_string_member(o, "version", q->version);
    if (q->build_info) {
        JsonNode *info = json_from_string(q->build_info, NULL);
        if (info)
            json_object_set_member(o, "build_info", info);
    }
    if (q->trace_events)
        json_object_set_string_member(o, "trace_events", q->trace_events);
    return o;
}

/* The source id of the device the test drives in tenant t. */
static unsigned tested_sid(const Settings *s, const Tenant *t)
{
    return s->test == TEST_STORAGE ? t->disk_sid : t->sid;
}

/* Each tenant: who, where, its devices and ids, and its test's result. */
static JsonArray *tenants_json(const Settings *s, const Topology *topo, JsonArray *results)
{
    JsonArray *a = json_array_new();
    for (guint k = 0; k < topo->tenants->len; k++) {
        const Tenant *t = topo->tenants->pdata[k];
        JsonObject *o = json_object_new(), *nic = json_object_new();
        char *sid = g_strdup_printf("0x%x", tested_sid(s, t));
        char *nic_sid = g_strdup_printf("0x%x", t->sid);
        json_object_set_int_member(o, "index", t->index);
        json_object_set_string_member(o, "name", t->name);
        json_object_set_string_member(o, "vm", t->vm->name);
        json_object_set_string_member(o, "device", s->test == TEST_STORAGE    ? "disk"
                                                   : s->test == TEST_VIRTIOFS ? "share"
                                                                              : "nic");
        if (s->test != TEST_VIRTIOFS) {   /* virtio-fs is not behind the vIOMMU */
            json_object_set_string_member(o, "bdf", s->test == TEST_STORAGE ? t->disk_bdf
                                                                            : t->bdf);
            json_object_set_string_member(o, "sid", sid);
        }
        json_object_set_string_member(nic, "interface", t->ifname);
        json_object_set_string_member(nic, "address", t->addr);
        json_object_set_int_member(nic, "host_port", t->host_port);
        json_object_set_string_member(nic, "bdf", t->bdf);
        json_object_set_string_member(nic, "sid", nic_sid);
        json_object_set_object_member(o, "nic", nic);
        if (t->disk) {
            JsonObject *disk = json_object_new();
            char *disk_sid = g_strdup_printf("0x%x", t->disk_sid);
            json_object_set_string_member(disk, "device", t->disk);
            json_object_set_string_member(disk, "bdf", t->disk_bdf);
            json_object_set_string_member(disk, "sid", disk_sid);
            json_object_set_object_member(o, "disk", disk);
            g_free(disk_sid);
        }
        g_free(sid);
        g_free(nic_sid);
        if (k < json_array_get_length(results)) {
            JsonObject *r = json_array_get_object_element(results, k);
            json_object_set_object_member(o, opt_test, json_object_ref(r));
        }
        json_array_add_object_element(a, o);
    }
    return a;
}

/* Adds each tenant's domain and event counts to its object in a. */
static void add_events_json(JsonArray *a, const TenantEvents *ev)
{
    for (guint k = 0; k < json_array_get_length(a); k++) {
        JsonObject *o = json_array_get_object_element(a, k);
        if (ev[k].did >= 0) {
            char *did = g_strdup_printf("0x%" G_GINT64_MODIFIER "x", ev[k].did);
            json_object_set_string_member(o, "domain", did);
            g_free(did);
        } else {
            json_object_set_null_member(o, "domain");
        }
        JsonObject *c = json_object_new();
        json_object_set_int_member(c, "translations", (gint64)ev[k].translations);
        json_object_set_int_member(c, "iotlb_hits", (gint64)ev[k].iotlb_hits);
        json_object_set_int_member(c, "walks", (gint64)ev[k].walks);
        json_object_set_int_member(c, "slpte_fetches", (gint64)ev[k].slpte_fetches);
        json_object_set_int_member(c, "context", (gint64)ev[k].context);
        json_object_set_int_member(c, "invalidations", (gint64)ev[k].invalidations);
        json_object_set_int_member(c, "faults", (gint64)ev[k].faults);
        json_object_set_object_member(o, "events", c);
    }
}

/* Fresh data disks for the storage test: vmwrapper's prepare-vm of L2 k of
 * our L1 for every tenant k, a new overlay each run. */
static gboolean prepare_disks(const Settings *s, GError **error)
{
    char *l1 = vm_name(VM_TYPE_L1, s->l1_id);
    gboolean ok = TRUE;
    for (unsigned k = 0; k < s->tenants && ok; k++) {
        char *old = vm_l2_disk(s->state, l1, k);
        if (old)
            g_unlink(old);
        char *disk = vm_prepare_l2_disk(s->state, s->images, s->l1_id, k, s->disk_size, error);
        ok = disk != NULL;
        g_free(old);
        g_free(disk);
    }
    g_free(l1);
    return ok;
}

/* One run: returns 0, 1 (failed; manifest says incomplete) or 128+signal. */
static int collect_run(const Settings *s, unsigned run, GError **error)
{
    char *name = outdir_run_name(opt_test, s->tenants, run);
    char *dir = g_build_filename(s->out, name, NULL);
    char *started = now_iso();
    Manifest *m = NULL;
    Board *board = NULL;
    Topology *topo = NULL;
    GPtrArray *qemu_args = g_ptr_array_new_with_free_func(g_free);
    char *log_name = NULL, *share = NULL;
    JsonArray *results = json_array_new();
    TenantEvents *ev = NULL;
    LogSummary summary = {0};
    gint64 t0 = g_get_monotonic_time();
    int status = 1;
    gboolean tested = FALSE;

    if (!outdir_clear_run(dir, error) || g_mkdir_with_parents(dir, 0755) != 0) {
        if (error && *error == NULL)
            g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create %s: %s", dir,
                        g_strerror(errno));
        goto out;
    }
    log_name = collector_qemu_recording(&s->qemu, s->record, dir, qemu_args);
    g_ptr_array_add(qemu_args, NULL);

    m = manifest_new(dir);
    json_object_set_string_member(m->root, "status", "incomplete");
    json_object_set_string_member(m->root, "tool", "log-collector");
    json_object_set_array_member(m->root, "command", json_array_ref(s->command));
    json_object_set_string_member(m->root, "test", opt_test);
    json_object_set_int_member(m->root, "tenants", s->tenants);
    json_object_set_int_member(m->root, "run", run);
    json_object_set_string_member(m->root, "topology", s->nested ? "nested" : "flat");
    json_object_set_int_member(m->root, "duration", s->duration);
    if (s->test == TEST_IPERF3)
        json_object_set_string_member(m->root, "direction", iperf3_direction_name(s->direction));
    json_object_set_object_member(m->root, "qemu", qemu_json(&s->qemu));
    {
        JsonArray *logs = json_array_new();
        json_array_add_string_element(logs, log_name);
        json_object_set_array_member(m->root, "logs", logs);
        json_object_set_string_member(m->root, "record",
                                      s->record == RECORD_BINARY ? "binary" : "text");
    }
    json_object_set_string_member(m->root, "started", started);
    if (!manifest_write(m, error))
        goto out;

    board = board_new(opt_quiet);
    if (s->test == TEST_STORAGE && !prepare_disks(s, error))
        goto out;
    /* virtio-fs: a scratch folder shared with the L1, removed after. */
    const char *fs_args[] = {"--trace=enable=virtiofsd_fuse_request,file=/dev/null", NULL};
    if (s->test == TEST_VIRTIOFS) {
        share = g_build_filename(dir, "share", NULL);
        g_mkdir_with_parents(share, 0755);
    }
    TopologyOptions to = {.nested = s->nested, .disks = s->test == TEST_STORAGE,
                          .share = share, .virtiofsd = s->qemu.virtiofsd,
                          .virtiofsd_args = s->qemu.siokit_log ? fs_args : NULL,
                          .tenants = s->tenants, .l1_id = s->l1_id,
                          .state_root = s->state, .identity = s->identity,
                          .l1_image = s->l1_image, .l2_image = s->l2_image,
                          .qemu = s->qemu.binary,
                          .qemu_args = (const char *const *)qemu_args->pdata,
                          .console_dir = dir, .boot_timeout_ms = (int)s->boot_timeout * 1000};
    topo = topology_up(&to, board, error);
    if (topo) {
        guint n = topo->tenants->len;
        char *log = g_build_filename(dir, log_name, NULL);
        GError *local = NULL;

        JsonObject *l1 = json_object_new();
        json_object_set_string_member(l1, "name", topo->l1->name);
        json_object_set_int_member(l1, "pid", topo->l1->pid);
        json_object_set_object_member(m->root, "l1", l1);
        manifest_write(m, NULL);
        if (s->test == TEST_STORAGE || s->test == TEST_VIRTIOFS)
            tested = fio_run(topo, s->test == TEST_STORAGE ? FIO_DISK : FIO_SHARE, s->duration,
                             dir, board, results, error);
        else
            tested = iperf3_run(topo, s->duration, s->direction, dir, board, results, error);
        JsonArray *tenants = tenants_json(s, topo, results);
        ev = g_new0(TenantEvents, n);
        for (guint k = 0; k < n; k++)
            ev[k].sid = tested_sid(s, topo->tenants->pdata[k]);
        /* The guests stop before the log is read: QEMU flushes it as it exits. */
        topology_down(topo, &to, board);
        topo = NULL;
        if (tested && !events_count(log, NULL, ev, n, &summary, &local)) {
            g_propagate_prefixed_error(error, local, "reading the event log: ");
            tested = FALSE;
        }
        if (tested && opt_split && !events_split(log, ev, n, dir, error))
            tested = FALSE;
        if (tested && s->test == TEST_VIRTIOFS && !s->qemu.siokit_log) {
            json_object_set_null_member(m->root, "fuse");
            json_object_set_string_member(m->root, "fuse_note",
                                          "Debian's virtiofsd has no request events: use "
                                          "siokit's patched build (--qemu patched)");
        } else if (tested && s->test == TEST_VIRTIOFS) {
            char *fslog = g_build_filename(dir, "virtiofsd.log", NULL);
            JsonObject *fuse = fuse_count(fslog, error);
            if (fuse)
                json_object_set_object_member(m->root, "fuse", fuse);
            else
                tested = FALSE;
            g_free(fslog);
        }
        if (tested && s->test != TEST_VIRTIOFS)
            add_events_json(tenants, ev);
        json_object_set_array_member(m->root, "tenant_list", tenants);
        g_free(log);
    }
    JsonObject *events = json_object_new();
    json_object_set_int_member(events, "lines", (gint64)summary.stats.lines);
    json_object_set_int_member(events, "events", (gint64)summary.stats.events);
    json_object_set_int_member(events, "malformed", (gint64)summary.stats.malformed);
    json_object_set_int_member(events, "unattributed", (gint64)summary.unattributed);
    if (summary.dialect)
        json_object_set_string_member(events, "dialect", summary.dialect);
    json_object_set_object_member(m->root, "events", events);
    json_object_set_member(m->root, "steps", board_steps_json(board));
    {
        char *finished = now_iso();
        json_object_set_string_member(m->root, "finished", finished);
        json_object_set_double_member(m->root, "seconds",
                                      (g_get_monotonic_time() - t0) / 1e6);
        g_free(finished);
    }
    if (tested && !sk_signal_stop()) {
        if (opt_split) {
            JsonArray *split = json_array_new();
            for (unsigned k = 0; k < s->tenants; k++) {
                char *file = g_strdup_printf("tenant_%u.%s", k,
                                             s->record == RECORD_BINARY ? "bin" : "txt");
                json_array_add_string_element(split, file);
                g_free(file);
            }
            json_object_set_array_member(m->root, "tenant_logs", split);
        }
        json_object_set_string_member(m->root, "status", "complete");
        status = 0;
    } else {
        int sig = sk_signal_stop();
        json_object_set_string_member(m->root, "reason",
                                      sig ? (sig == SIGINT ? "interrupted (SIGINT)"
                                                           : "interrupted (SIGTERM)")
                                          : (error && *error) ? (*error)->message : "failed");
        status = sig ? 128 + sig : 1;
    }
    if (!manifest_write(m, status == 0 ? error : NULL) && status == 0)
        status = 1;
out:
    board_free(board);
    manifest_free(m);
    g_free(ev);
    log_summary_clear(&summary);
    json_array_unref(results);
    g_ptr_array_free(qemu_args, TRUE);
    if (share) {
        outdir_remove_tree(share);
        g_free(share);
    }
    g_free(log_name);
    g_free(started);
    g_free(dir);
    g_free(name);
    return status;
}

int main(int argc, char **argv)
{
    GOptionContext *ctx = g_option_context_new("- collect per-tenant IOMMU logs from guests");
    Settings s = {0};
    GError *error = NULL;
    int status = 2;

    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx,
        "Exit status: 0 every run complete, 1 a run failed (its manifest says\n"
        "incomplete and why), 2 bad usage or bad input (an output folder that is\n"
        "a system folder, or holds things that are not log-collector runs),\n"
        "130/143 stopped by SIGINT/SIGTERM (the run is marked incomplete).\n"
        "See docs/log-collector.md.");
    s.command = json_array_new();
    for (int i = 0; i < argc; i++)
        json_array_add_string_element(s.command, argv[i]);
    if (!sk_cli_parse(ctx, &argc, &argv, &error) || !parse_settings(&s, &error))
        goto fail;
    if (argc > 1) {
        g_set_error(&error, SK_ERROR, SK_ERROR_INPUT, "unexpected argument '%s'", argv[1]);
        goto fail;
    }
    if (!outdir_check(s.out, NULL, opt_test, s.tenants, s.runs, &error))
        goto fail;
    sk_signal_catch();
    status = 1;
    if (!(s.l1_image = vm_image_build(s.root, VM_TYPE_L1, NULL, &error)) ||
        (s.nested && !(s.l2_image = vm_image_build(s.root, VM_TYPE_L2, NULL, &error))))
        goto fail;
    for (unsigned run = 0; run < s.runs; run++) {
        status = collect_run(&s, run, &error);
        if (status != 0)
            goto fail;
        if (!opt_quiet && isatty(STDOUT_FILENO))
            printf("%s/%s_%u_%u: complete\n", s.out, opt_test, s.tenants, run);
        else
            printf("%s/%s_%u_%u\n", s.out, opt_test, s.tenants, run);
    }
    goto done;
fail:
    if (error) {
        /* A run's own status (1, 128 + signal) stands; bad input is 2. */
        int reported = sk_report("log-collector", error);
        error = NULL;
        if (status <= 128 && (status == 2 || reported == 2))
            status = 2;
    }
done:
    g_clear_error(&error);
    collector_qemu_clear(&s.qemu);
    json_array_unref(s.command);
    g_free(s.root);
    g_free(s.out);
    g_free(s.state);
    g_free(s.images);
    g_free(s.identity);
    g_free(s.l1_image);
    g_free(s.l2_image);
    g_option_context_free(ctx);
    return status;
}
