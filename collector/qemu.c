/* qemu.c - choosing the L1's QEMU and its recording arguments (see qemu.h). */
#include "qemu.h"

#include <string.h>

#include "sk_error.h"
#include "sk_free.h"

/* The vtd_* events trace-gen reads from a stock QEMU 7.2 (docs/log-dialects.md):
 * a translation logs a page hit or a page update (vtd_dmar_translate would
 * only repeat it), context-cache events give each device's domain. */
static const char *const stock_events[] = {
    "vtd_iotlb_page_hit", "vtd_iotlb_page_update", "vtd_iotlb_cc_hit",
    "vtd_iotlb_cc_update", "vtd_inv_desc*", "vtd_fault*", NULL,
};

/* The patched build's HyperSIO-compatible events (spec section 1). */
static const char *const hypersio_events[] = {
    "vtd_iotlb_page_hit", "vtd_iotlb_page_update", "vtd_slpte_fetch", "vtd_iotlb_cc_hit",
    "vtd_iotlb_cc_update", "vtd_inv_desc*", "vtd_fault*", NULL,
};

static char *version_line(const char *binary, GError **error)
{
    const char *argv[] = {binary, "--version", NULL};
    char *out = NULL;
    int status = 0;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                      &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "option --qemu: cannot run '%s --version'",
                    binary);
        g_free(out);
        return NULL;
    }
    char *nl = strchr(out, '\n');
    if (nl)
        *nl = '\0';
    return out;
}

gboolean collector_qemu_resolve(const char *root, const char *what, CollectorQemu *q,
                                GError **error)
{
    char *dir = g_build_filename(root, "build", "qemu", NULL);
    char *patched = g_build_filename(dir, "qemu-system-x86_64", NULL);
    gboolean have_patched = g_file_test(patched, G_FILE_TEST_IS_EXECUTABLE);

    memset(q, 0, sizeof *q);
    if (what == NULL || strcmp(what, "auto") == 0)
        what = have_patched ? "patched" : "stock";
    if (strcmp(what, "patched") == 0) {
        if (!have_patched) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "option --qemu: no patched QEMU in %s (build it with "
                        "qemu-patches/build-qemu.sh, or use --qemu stock)", dir);
            goto fail;
        }
        q->kind = g_strdup("patched");
        q->binary = g_strdup(patched);
        q->hypersio_events = TRUE;
        q->siokit_log = TRUE;
        q->virtiofsd = g_build_filename(dir, "virtiofsd", NULL);
        char *info = g_build_filename(dir, "build-info.json", NULL);
        if (!g_file_get_contents(info, &q->build_info, NULL, NULL))
            q->build_info = NULL;
        g_free(info);
        char *events = g_build_filename(dir, "trace-events-all", NULL);
        if (g_file_test(events, G_FILE_TEST_IS_REGULAR))
            q->trace_events = events;
        else
            g_free(events);
    } else if (strcmp(what, "stock") == 0) {
        char *found = g_find_program_in_path("qemu-system-x86_64");
        if (found == NULL) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "option --qemu: stock qemu-system-x86_64 is not installed "
                        "(apt-get install qemu-system-x86)");
            goto fail;
        }
        q->kind = g_strdup("stock");
        q->binary = found;
        q->virtiofsd = g_strdup("/usr/lib/qemu/virtiofsd");
    } else {
        if (!g_file_test(what, G_FILE_TEST_IS_EXECUTABLE) ||
            g_file_test(what, G_FILE_TEST_IS_DIR)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "option --qemu: '%s' is not patched, stock or an executable file", what);
            goto fail;
        }
        q->kind = g_strdup("path");
        q->binary = g_canonicalize_filename(what, NULL);
    }
    if (!(q->version = version_line(q->binary, error)))
        goto fail;
    if (strcmp(q->kind, "path") == 0) {
        /* A siokit build elsewhere: its virtiofsd beside it. */
        char *bindir = g_path_get_dirname(q->binary);
        q->hypersio_events = q->siokit_log = strstr(q->version, "siokit") != NULL;
        q->virtiofsd = g_build_filename(bindir, "virtiofsd", NULL);
        if (!g_file_test(q->virtiofsd, G_FILE_TEST_IS_EXECUTABLE)) {
            g_free(q->virtiofsd);
            q->virtiofsd = g_strdup("/usr/lib/qemu/virtiofsd");
        }
        g_free(bindir);
    }
    g_free(dir);
    g_free(patched);
    return TRUE;
fail:
    g_free(dir);
    g_free(patched);
    collector_qemu_clear(q);
    return FALSE;
}

gboolean collector_qemu_record_mode(const CollectorQemu *q, RecordMode *mode, GError **error)
{
    if (*mode == RECORD_AUTO)
        *mode = q->siokit_log ? RECORD_BINARY : RECORD_TEXT;
    if (*mode == RECORD_BINARY && !q->siokit_log) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --record: binary logs need siokit's patched QEMU (%s is %s)",
                    q->binary, q->kind);
        return FALSE;
    }
    return TRUE;
}

char *collector_qemu_recording(const CollectorQemu *q, RecordMode mode, const char *dir,
                               GPtrArray *args)
{
    const char *const *events = q->hypersio_events ? hypersio_events : stock_events;

#define ARG(...) g_ptr_array_add(args, g_strdup_printf(__VA_ARGS__))
    if (strcmp(q->kind, "stock") != 0) {
        /* A build tree has no firmware of its own. */
        ARG("-L"); ARG("/usr/share/seabios");
        ARG("-L"); ARG("/usr/share/qemu");
        ARG("-L"); ARG("/usr/lib/ipxe/qemu");
    }
    if (mode == RECORD_BINARY) {
        /* The lean path: fixed-size records written off the vCPU threads. */
        ARG("-global"); ARG("intel-iommu.x-siokit-log=%s/vtd_0.bin", dir);
        return g_strdup("vtd_0.bin");
    }
    for (const char *const *e = events; *e; e++) {
        ARG("-trace"); ARG("%s", *e);
    }
    if (q->trace_events) {
        /* A log,simple build: the simple backend would write trace-<pid>
         * in the current folder; the log backend's text is what we keep. */
        ARG("-trace"); ARG("file=/dev/null");
    }
    ARG("-D"); ARG("%s/vtd_0.txt", dir);
#undef ARG
    return g_strdup("vtd_0.txt");
}

void collector_qemu_clear(CollectorQemu *q)
{
    SK_FREE_ALL(q->kind, q->binary, q->version, q->build_info, q->trace_events,
                q->virtiofsd);
    memset(q, 0, sizeof *q);
}
