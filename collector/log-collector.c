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
#include "sk_free.h"

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
    char **command;     /* argv, for the manifest */
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

/* The QEMU that ran: its trace-events file is copied into the run, so that
 * the manifest names files of the run only. */
static SkManifestQemu *qemu_manifest(const CollectorQemu *q, const Manifest *m,
                                     GError **error)
{
    SkManifestQemu *o = g_new0(SkManifestQemu, 1);
    o->kind = g_strdup(q->kind);
    o->binary = g_strdup(q->binary);
    o->version = g_strdup(q->version);
    if (q->build_info) {
        JsonNode *info = json_from_string(q->build_info, NULL);
        if (info && JSON_NODE_HOLDS_OBJECT(info))
            o->build_info = json_object_ref(json_node_get_object(info));
        if (info)
            json_node_unref(info);
    }
    if (q->trace_events &&
        !(o->trace_events = manifest_copy_in(m, q->trace_events, "trace-events-all", error))) {
        g_free(o->kind);
        g_free(o->binary);
        g_free(o->version);
        if (o->build_info)
            json_object_unref(o->build_info);
        g_free(o);
        return NULL;
    }
    return o;
}

/* The source id of the device the test drives in tenant t. */
static unsigned tested_sid(const Settings *s, const Tenant *t)
{
    return s->test == TEST_STORAGE ? t->disk_sid : t->sid;
}

/* Each tenant: who, where, its devices and ids, and its test's result. */
static GPtrArray *tenants_manifest(const Settings *s, const Topology *topo, JsonArray *results,
                                   GError **error)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)sk_manifest_tenant_free);
    for (guint k = 0; k < topo->tenants->len; k++) {
        const Tenant *t = topo->tenants->pdata[k];
        SkManifestTenant *o = sk_manifest_tenant_new();
        SkManifestNic *nic = o->nic = g_new0(SkManifestNic, 1);
        g_ptr_array_add(a, o);
        o->index = t->index;
        o->name = g_strdup(t->name);
        o->vm = g_strdup(t->vm->name);
        o->device = g_strdup(s->test == TEST_STORAGE    ? "disk"
                             : s->test == TEST_VIRTIOFS ? "share"
                                                        : "nic");
        if (s->test != TEST_VIRTIOFS) {   /* virtio-fs is not behind the vIOMMU */
            o->bdf = g_strdup(s->test == TEST_STORAGE ? t->disk_bdf : t->bdf);
            o->sid = tested_sid(s, t);
        }
        nic->interface = g_strdup(t->ifname);
        nic->address = g_strdup(t->addr);
        nic->host_port = t->host_port;
        nic->bdf = g_strdup(t->bdf);
        nic->sid = t->sid;
        if (t->disk) {
            o->disk = g_new0(SkManifestDisk, 1);
            o->disk->device = g_strdup(t->disk);
            o->disk->bdf = g_strdup(t->disk_bdf);
            o->disk->sid = t->disk_sid;
        }
        if (k < json_array_get_length(results)) {
            char *member = g_strdup_printf("tenant_list[%u].%s", k, opt_test);
            o->result = sk_manifest_result_from_json(json_array_get_element(results, k),
                                                     member, error);
            g_free(member);
            if (o->result == NULL) {
                g_ptr_array_free(a, TRUE);
                return NULL;
            }
        }
    }
    return a;
}

/* Adds each tenant's domain and event counts to its entry in a. */
static void add_events(GPtrArray *a, const TenantEvents *ev)
{
    for (guint k = 0; k < a->len; k++) {
        SkManifestTenant *o = a->pdata[k];
        o->has_domain = TRUE;
        o->domain = ev[k].did >= 0 ? ev[k].did : -1;
        o->has_events = TRUE;
        o->events = (SkManifestEvents){
            .translations = (gint64)ev[k].translations, .iotlb_hits = (gint64)ev[k].iotlb_hits,
            .walks = (gint64)ev[k].walks, .slpte_fetches = (gint64)ev[k].slpte_fetches,
            .context = (gint64)ev[k].context, .invalidations = (gint64)ev[k].invalidations,
            .faults = (gint64)ev[k].faults};
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
    m->m->tool = g_strdup("log-collector");
    m->m->command = g_strdupv(s->command);
    m->m->test = g_strdup(opt_test);
    m->m->tenants = s->tenants;
    m->m->run = run;
    m->m->topology = g_strdup(s->nested ? "nested" : "flat");
    m->m->duration = s->duration;
    if (s->test == TEST_IPERF3)
        m->m->direction = g_strdup(iperf3_direction_name(s->direction));
    g_strfreev(m->m->logs);
    m->m->logs = g_new0(char *, 2);
    m->m->logs[0] = g_strdup(log_name);
    m->m->record = g_strdup(s->record == RECORD_BINARY ? "binary" : "text");
    m->m->started = g_strdup(started);
    if (!(m->m->qemu = qemu_manifest(&s->qemu, m, error)) || !manifest_write(m, error))
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

        m->m->l1 = g_new0(SkManifestL1, 1);
        m->m->l1->name = g_strdup(topo->l1->name);
        m->m->l1->pid = topo->l1->pid;
        manifest_write(m, NULL);
        if (s->test == TEST_STORAGE || s->test == TEST_VIRTIOFS)
            tested = fio_run(topo, s->test == TEST_STORAGE ? FIO_DISK : FIO_SHARE, s->duration,
                             dir, board, results, error);
        else
            tested = iperf3_run(topo, s->duration, s->direction, dir, board, results, error);
        GPtrArray *tenants = tenants_manifest(s, topo, results, tested ? error : NULL);
        tested = tested && tenants != NULL;
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
            m->m->has_fuse = TRUE;
            m->m->fuse_note = g_strdup("Debian's virtiofsd has no request events: use "
                                       "siokit's patched build (--qemu patched)");
        } else if (tested && s->test == TEST_VIRTIOFS) {
            char *fslog = g_build_filename(dir, "virtiofsd.log", NULL);
            JsonObject *fuse = fuse_count(fslog, error);
            if (fuse) {
                JsonNode *node = json_node_init_object(json_node_alloc(), fuse);
                m->m->fuse = sk_manifest_fuse_from_json(node, "fuse", error);
                m->m->has_fuse = m->m->fuse != NULL;
                tested = m->m->has_fuse;
                json_node_unref(node);
                json_object_unref(fuse);
            } else {
                tested = FALSE;
            }
            g_free(fslog);
        }
        if (tested && s->test != TEST_VIRTIOFS)
            add_events(tenants, ev);
        m->m->tenant_list = tenants;
        g_free(log);
    }
    m->m->events = g_new0(SkManifestLogCounts, 1);
    m->m->events->lines = (gint64)summary.stats.lines;
    m->m->events->events = (gint64)summary.stats.events;
    m->m->events->malformed = (gint64)summary.stats.malformed;
    m->m->events->unattributed = (gint64)summary.unattributed;
    m->m->events->dialect = g_strdup(summary.dialect);
    {
        JsonNode *steps = board_steps_json(board);
        m->m->steps = sk_manifest_steps_from_json(steps, "steps", NULL);
        json_node_unref(steps);
    }
    m->m->finished = now_iso();
    m->m->seconds = (g_get_monotonic_time() - t0) / 1e6;
    if (tested && !sk_signal_stop()) {
        if (opt_split) {
            m->m->tenant_logs = g_new0(char *, s->tenants + 1);
            for (unsigned k = 0; k < s->tenants; k++)
                m->m->tenant_logs[k] = g_strdup_printf(
                    "tenant_%u.%s", k, s->record == RECORD_BINARY ? "bin" : "txt");
        }
        m->m->status = SK_MANIFEST_COMPLETE;
        status = 0;
    } else {
        int sig = sk_signal_stop();
        m->m->reason = g_strdup(sig ? (sig == SIGINT ? "interrupted (SIGINT)"
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
    SK_FREE_ALL(log_name, started, dir, name);
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
    s.command = g_strdupv(argv);
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
    g_strfreev(s.command);
    SK_FREE_ALL(s.root, s.out, s.state, s.images, s.identity, s.l1_image, s.l2_image);
    g_option_context_free(ctx);
    return status;
}
