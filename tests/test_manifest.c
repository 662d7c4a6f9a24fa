/* test_manifest.c - the run manifest: a full manifest written and read back
 * equal, the first manifests (no format member) read and normalised, and
 * every kind of bad member refused with the member named. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "sk_error.h"
#include "sk_manifest.h"
#include "sk_test.h"

static char *fixture(const char *run)
{
    return g_build_filename(g_getenv("SIOKIT_SRC"), "tests", "fixtures", "manifests", run,
                            "manifest.json", NULL);
}

/* Makes (contents "x") or removes the files of a run folder. */
static void run_files(const char *dir, const char *const *files, gboolean make)
{
    for (guint i = 0; files[i]; i++) {
        char *f = g_build_filename(dir, files[i], NULL);
        if (make)
            g_assert_true(g_file_set_contents(f, "x", 1, NULL));
        else
            g_unlink(f);
        g_free(f);
    }
}

/* A manifest with every member set. */
static SkManifest *full_manifest(void)
{
    SkManifest *m = sk_manifest_new();
    SkManifestTenant *t = sk_manifest_tenant_new();
    SkManifestStep *s = sk_manifest_step_new();
    const char *cmd[] = {"log-collector", "--test", "iperf3", NULL};

    m->status = SK_MANIFEST_COMPLETE;
    m->reason = g_strdup("none");
    m->tool = g_strdup("log-collector");
    m->command = g_strdupv((char **)cmd);
    m->test = g_strdup("iperf3");
    m->tenants = 3;
    m->run = 7;
    m->topology = g_strdup("nested");
    m->duration = 12;
    m->direction = g_strdup("both");
    m->qemu = g_new0(SkManifestQemu, 1);
    m->qemu->kind = g_strdup("patched");
    m->qemu->binary = g_strdup("/q/qemu");
    m->qemu->version = g_strdup("QEMU 7.2");
    m->qemu->build_info = json_object_new();
    json_object_set_string_member(m->qemu->build_info, "series_sha256", "abc");
    m->qemu->trace_events = g_strdup("trace-events-all");
    g_strfreev(m->logs);
    m->logs = g_strsplit("vtd_0.bin", ",", -1);
    m->record = g_strdup("binary");
    m->started = g_strdup("2026-12-02T18:00:00Z");
    m->finished = g_strdup("2026-12-02T18:01:00.5Z");
    m->seconds = 60.5;
    m->l1 = g_new0(SkManifestL1, 1);
    m->l1->name = g_strdup("l1-0");
    m->l1->pid = 4242;
    m->tenant_list = g_ptr_array_new_with_free_func((GDestroyNotify)sk_manifest_tenant_free);
    t->index = 2;
    t->name = g_strdup("l2-2");
    t->vm = g_strdup("l2-2");
    t->device = g_strdup("nic");
    t->bdf = g_strdup("0000:00:05.0");
    t->sid = 0x28;
    t->has_domain = TRUE;
    t->domain = 0x6;
    t->has_events = TRUE;
    t->events = (SkManifestEvents){1000, 900, 100, 300, 2, 5, 1};
    t->nic = g_new0(SkManifestNic, 1);
    t->nic->interface = g_strdup("eth1");
    t->nic->address = g_strdup("10.0.12.15");
    t->nic->host_port = 40000;
    t->nic->bdf = g_strdup("0000:00:05.0");
    t->nic->sid = 0x28;
    t->disk = g_new0(SkManifestDisk, 1);
    t->disk->device = g_strdup("/dev/nvme0n1");
    t->disk->bdf = g_strdup("0000:00:06.0");
    t->disk->sid = 0x30;
    t->result = sk_manifest_result_new();
    t->result->tenant = g_strdup("l2-2");
    t->result->file = g_strdup("iperf3-l2-2.json");
    t->result->mbytes_per_s = 21.25;
    t->result->requests = 120;
    t->result->failed = 0;
    t->result->p99_ms = 48.5;
    g_ptr_array_add(m->tenant_list, t);
    m->events = g_new0(SkManifestLogCounts, 1);
    *m->events = (SkManifestLogCounts){10, 9, 1, 3, g_strdup("siokit")};
    m->steps = g_ptr_array_new_with_free_func((GDestroyNotify)sk_manifest_step_free);
    s->vm = g_strdup("l1-0");
    s->step = g_strdup("boot");
    s->seconds = 9.25;
    s->ok = FALSE;
    s->error = g_strdup("no ssh");
    g_ptr_array_add(m->steps, s);
    m->tenant_logs = g_strsplit("tenant_0.bin", ",", -1);
    m->has_fuse = TRUE;
    m->fuse = sk_manifest_fuse_new();
    *m->fuse = (SkManifestFuse){8, 1, 0, 4096, 8192, 1234.5, m->fuse->by_opcode};
    json_object_set_int_member(m->fuse->by_opcode, "WRITE", 8);
    m->fuse_note = g_strdup("note");
    return m;
}

/* Written, then read: every member the same. */
SK_TEST(test_round_trip, "/manifest/round-trip")
{
    char *dir = g_dir_make_tmp("sk-manifest-XXXXXX", NULL);
    char *path = g_build_filename(dir, "manifest.json", NULL);
    const char *const files[] = {"vtd_0.bin", "trace-events-all", "iperf3-l2-2.json",
                                 "tenant_0.bin", NULL};
    SkManifest *m = full_manifest(), *r;
    GError *error = NULL;

    run_files(dir, files, TRUE);
    g_assert_true(sk_manifest_write(m, path, &error));
    g_assert_no_error(error);
    r = sk_manifest_read(path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(r);
    g_assert_cmpint(r->format, ==, 1);
    g_assert_cmpint(r->status, ==, SK_MANIFEST_COMPLETE);
    g_assert_cmpstr(r->reason, ==, "none");
    g_assert_cmpstr(r->command[2], ==, "iperf3");
    g_assert_null(r->command[3]);
    g_assert_cmpint(r->tenants, ==, 3);
    g_assert_cmpint(r->run, ==, 7);
    g_assert_cmpint(r->duration, ==, 12);
    g_assert_cmpstr(r->direction, ==, "both");
    g_assert_cmpstr(r->qemu->kind, ==, "patched");
    g_assert_cmpstr(json_object_get_string_member(r->qemu->build_info, "series_sha256"), ==,
                    "abc");
    g_assert_cmpstr(r->qemu->trace_events, ==, "trace-events-all");
    g_assert_cmpstr(r->logs[0], ==, "vtd_0.bin");
    g_assert_cmpfloat(r->seconds, ==, 60.5);
    g_assert_cmpint(r->l1->pid, ==, 4242);
    g_assert_cmpuint(r->tenant_list->len, ==, 1);
    const SkManifestTenant *t = r->tenant_list->pdata[0];
    g_assert_cmpint(t->index, ==, 2);
    g_assert_cmpint(t->sid, ==, 0x28);
    g_assert_true(t->has_domain);
    g_assert_cmpint(t->domain, ==, 6);
    g_assert_cmpint(t->events.walks, ==, 100);
    g_assert_cmpint(t->events.faults, ==, 1);
    g_assert_cmpstr(t->nic->address, ==, "10.0.12.15");
    g_assert_cmpint(t->nic->host_port, ==, 40000);
    g_assert_cmpint(t->disk->sid, ==, 0x30);
    g_assert_cmpstr(t->result->file, ==, "iperf3-l2-2.json");
    g_assert_cmpfloat(t->result->mbytes_per_s, ==, 21.25);
    g_assert_true(isnan(t->result->read_iops));
    g_assert_cmpint(t->result->requests, ==, 120);
    g_assert_cmpint(t->result->failed, ==, 0);     /* 0 is written, -1 is not */
    g_assert_cmpint(t->result->bytes, ==, -1);
    g_assert_cmpfloat(t->result->p99_ms, ==, 48.5);
    g_assert_true(isnan(t->result->p50_ms));
    g_assert_cmpint(r->events->unattributed, ==, 3);
    const SkManifestStep *s = r->steps->pdata[0];
    g_assert_cmpfloat(s->seconds, ==, 9.25);
    g_assert_false(s->ok);
    g_assert_cmpstr(s->error, ==, "no ssh");
    g_assert_cmpstr(r->tenant_logs[0], ==, "tenant_0.bin");
    g_assert_cmpint(r->fuse->write_bytes, ==, 8192);
    g_assert_cmpfloat(r->fuse->mean_latency_ns, ==, 1234.5);
    g_assert_cmpint(json_object_get_int_member(r->fuse->by_opcode, "WRITE"), ==, 8);
    /* Nothing lost: the texts are the same. */
    char *a = sk_manifest_to_data(m), *b = sk_manifest_to_data(r);
    g_assert_cmpstr(a, ==, b);
    g_free(a);
    g_free(b);
    /* A complete run whose log is missing is refused, the member named. */
    char *log = g_build_filename(dir, "vtd_0.bin", NULL);
    g_unlink(log);
    sk_manifest_free(r);
    r = sk_manifest_read(path, &error);
    g_assert_null(r);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "member 'logs[0]'"));
    g_clear_error(&error);
    run_files(dir, files, FALSE);
    g_unlink(path);
    g_rmdir(dir);
    g_free(log);
    sk_manifest_free(m);
    g_free(path);
    g_free(dir);
}

/* The first collector's manifest: format 0, its QEMU trace-events file
 * outside the run dropped, everything else kept. */
SK_TEST(test_format0_collector, "/manifest/format0-collector")
{
    char *path = fixture("format0-iperf3");
    GError *error = NULL;
    SkManifest *m = sk_manifest_read(path, &error);

    g_assert_no_error(error);
    g_assert_cmpint(m->format, ==, 0);
    g_assert_cmpstr(m->test, ==, "iperf3");
    g_assert_null(m->qemu->trace_events);
    g_assert_cmpstr(m->qemu->kind, ==, "patched");
    g_assert_cmpuint(m->tenant_list->len, ==, 2);
    const SkManifestTenant *t1 = m->tenant_list->pdata[1];
    g_assert_true(t1->has_domain);
    g_assert_cmpint(t1->domain, ==, -1);
    g_assert_cmpint(t1->nic->sid, ==, 0x20);
    g_assert_cmpfloat(t1->result->mbytes_per_s, ==, 20.875);
    g_assert_cmpstr(m->tenant_logs[1], ==, "tenant_1.bin");
    sk_manifest_free(m);
    g_free(path);
}

/* An absolute qemu.trace_events inside the run becomes relative; fuse null
 * is kept. */
SK_TEST(test_format0_absolute_inside, "/manifest/format0-absolute-inside")
{
    char *src = fixture("format0-virtiofs"), *text = NULL;
    char *dir = g_dir_make_tmp("sk-manifest-XXXXXX", NULL);
    const char *const files[] = {"vtd_0.txt", "fio-l1-0.t0.json", "trace-events-all", NULL};
    char *path = g_build_filename(dir, "manifest.json", NULL);
    GError *error = NULL;

    g_assert_true(g_file_get_contents(src, &text, NULL, NULL));
    char **parts = g_strsplit(text, "RUNDIR", -1);
    char *fixed = g_strjoinv(dir, parts);
    g_assert_true(g_file_set_contents(path, fixed, -1, NULL));
    run_files(dir, files, TRUE);
    SkManifest *m = sk_manifest_read(path, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(m->qemu->trace_events, ==, "trace-events-all");
    g_assert_true(m->has_fuse);
    g_assert_null(m->fuse);
    const SkManifestTenant *t = m->tenant_list->pdata[0];
    g_assert_cmpint(t->sid, ==, -1);
    g_assert_cmpfloat(t->result->write_iops, ==, 812.4);
    sk_manifest_free(m);
    run_files(dir, files, FALSE);
    g_unlink(path);
    g_rmdir(dir);
    g_strfreev(parts);
    g_free(fixed);
    g_free(text);
    g_free(path);
    g_free(dir);
    g_free(src);
}

/* perf-explore's old shape: a top-level, run-relative trace_events. */
SK_TEST(test_format0_perf_explore, "/manifest/format0-perf-explore")
{
    const char *text = "{\"status\": \"incomplete\", \"test\": \"iperf3\", \"tenants\": 1,"
                       " \"logs\": [\"a/vtd.log\"], \"trace_events\": \"te\","
                       " \"qemu\": {\"version\": \"7.2\"}}";
    GError *error = NULL;
    SkManifest *m = sk_manifest_parse(text, strlen(text), "r/manifest.json", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(m->qemu->trace_events, ==, "te");
    g_assert_cmpstr(m->qemu->version, ==, "7.2");
    g_assert_cmpstr(m->logs[0], ==, "a/vtd.log");
    sk_manifest_free(m);
}

SK_TEST(test_format1_fixture, "/manifest/format1-fixture")
{
    char *path = fixture("format1-storage");
    GError *error = NULL;
    SkManifest *m = sk_manifest_read(path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(m->format, ==, 1);
    const SkManifestTenant *t = m->tenant_list->pdata[0];
    g_assert_cmpint(t->sid, ==, t->disk->sid);
    g_assert_cmpfloat(t->result->read_iops, ==, 310.5);
    sk_manifest_free(m);
    g_free(path);
}

/* What log-collector wrote (a real flat iperf3 run, patched QEMU): hits and
 * walks add up, its trace-events file is one of the run's. */
SK_TEST(test_format1_collector, "/manifest/format1-collector")
{
    char *path = fixture("format1-iperf3");
    GError *error = NULL;
    SkManifest *m = sk_manifest_read(path, &error);
    g_assert_no_error(error);
    g_assert_cmpint(m->format, ==, 1);
    g_assert_cmpstr(m->qemu->trace_events, ==, "trace-events-all");
    g_assert_cmpuint(m->tenant_list->len, ==, (guint)m->tenants);
    const SkManifestTenant *t = m->tenant_list->pdata[0];
    g_assert_cmpint(t->events.iotlb_hits + t->events.walks, ==, t->events.translations);
    g_assert_cmpint(t->sid, ==, t->nic->sid);
    g_assert_cmpuint(m->steps->len, >, 0);
    sk_manifest_free(m);
    g_free(path);
}

/* One bad member each: refused as bad input, naming the member. */
SK_TEST(test_bad_members, "/manifest/bad-members")
{
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{\"format\":1,\"status\":3,\"test\":\"x\",\"tenants\":1,\"logs\":[]}",
         "member 'status': not a string"},
        {"{\"format\":1,\"status\":\"done\",\"test\":\"x\",\"tenants\":1,\"logs\":[]}",
         "member 'status': 'done' is not one of"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":0,\"logs\":[]}",
         "member 'tenants': not an integer in 1..1000000"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1.5,\"logs\":[]}",
         "member 'tenants': not an integer"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[\"/etc/passwd\"]}",
         "member 'logs[0]': '/etc/passwd' is not a relative path inside the run folder"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[\"a/../../b\"]}",
         "member 'logs[0]': 'a/../../b' is not a relative path"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1}",
         "member 'logs': missing (required)"},
        {"{\"format\":1,\"status\":\"incomplete\",\"tenants\":1,\"logs\":[]}",
         "member 'test': missing (required)"},
        {"{\"format\":2,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[]}",
         "member 'format': unknown format 2"},
        {"{\"format\":1,\"status\":\"complete\",\"test\":\"x\",\"tenants\":1,\"logs\":[]}",
         "member 'logs': empty, and the run is complete"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],\"trace_events\":\"t\"}",
         "member 'trace_events': unknown member of format 1"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"qemu\":{\"trace_events\":\"/abs/te\"}}",
         "member 'qemu.trace_events': '/abs/te' is not a relative path"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":3,\"logs\":[],"
         "\"tenant_list\":[{\"index\":0,\"name\":\"a\",\"vm\":\"a\",\"device\":\"nic\"},"
         "{\"index\":1,\"name\":\"b\",\"vm\":\"b\",\"device\":\"nic\"},"
         "{\"index\":2,\"name\":\"c\",\"vm\":\"c\",\"device\":\"nic\",\"sid\":\"0x10000\"}]}",
         "member 'tenant_list[2].sid': not a number in 0..65535"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"tenant_list\":[{\"index\":0,\"name\":\"a\",\"vm\":\"a\",\"device\":\"nic\","
         "\"nic\":{\"interface\":\"e\",\"address\":\"10.0.0.300\",\"host_port\":1,"
         "\"bdf\":\"0000:00:03.0\",\"sid\":\"0x18\"}}]}",
         "member 'tenant_list[0].nic.address': '10.0.0.300' is not an IPv4 address"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"tenant_list\":[{\"index\":0,\"name\":\"a\",\"vm\":\"a\",\"device\":\"nic\","
         "\"x\":{\"tenant\":\"a\",\"file\":\"../r.json\"}}]}",
         "member 'tenant_list[0].x.file': '../r.json' is not a relative path"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"steps\":[{\"vm\":\"a\",\"step\":\"boot\",\"seconds\":-1,\"ok\":true}]}",
         "member 'steps[0].seconds': not a number >= 0"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"started\":\"yesterday\"}",
         "member 'started': 'yesterday' is not an ISO 8601 time"},
        {"{\"format\":1,\"status\":\"incomplete\",\"test\":\"x\",\"tenants\":1,\"logs\":[],"
         "\"fuse\":{\"requests\":1,\"errors\":0,\"malformed\":0,\"read_bytes\":0,"
         "\"write_bytes\":0,\"mean_latency_ns\":1,\"by_opcode\":{\"READ\":\"1\"}}}",
         "member 'fuse.by_opcode.READ': not an integer"},
        {"[1]", "not a JSON object"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *error = NULL;
        SkManifest *m = sk_manifest_parse(cases[i].json, strlen(cases[i].json),
                                          "run/manifest.json", &error);
        g_assert_null(m);
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        if (!strstr(error->message, cases[i].want))
            g_error("case %u: '%s' does not say '%s'", i, error->message, cases[i].want);
        g_assert_true(g_str_has_prefix(error->message, "manifest 'run/manifest.json': "));
        g_error_free(error);
    }
}

SK_TEST_MAIN()
