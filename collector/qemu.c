/* qemu.c - choosing the L1's QEMU and its recording arguments (see qemu.h). */
#include "qemu.h"

#include <string.h>

#include "sk_error.h"

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
                        "qemu-patches/build-qemu, or use --qemu stock)", dir);
            goto fail;
        }
        q->kind = g_strdup("patched");
        q->binary = g_strdup(patched);
        q->hypersio_events = TRUE;
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
    if (strcmp(q->kind, "path") == 0)
        q->hypersio_events = strstr(q->version, "siokit") != NULL;
    g_free(dir);
    g_free(patched);
    return TRUE;
fail:
    g_free(dir);
    g_free(patched);
    collector_qemu_clear(q);
    return FALSE;
}

void collector_qemu_recording(const CollectorQemu *q, const char *dir, GPtrArray *args,
                              GPtrArray *logs)
{
    const char *const *events = q->hypersio_events ? hypersio_events : stock_events;

    if (strcmp(q->kind, "stock") != 0) {
        /* A build tree has no firmware of its own. */
        static const char *const fw[] = {"/usr/share/seabios", "/usr/share/qemu",
                                         "/usr/lib/ipxe/qemu", NULL};
        for (const char *const *f = fw; *f; f++) {
            g_ptr_array_add(args, g_strdup("-L"));
            g_ptr_array_add(args, g_strdup(*f));
        }
    }
    for (const char *const *e = events; *e; e++) {
        g_ptr_array_add(args, g_strdup("-trace"));
        g_ptr_array_add(args, g_strdup(*e));
    }
    if (q->trace_events) {
        /* A log,simple build sends enabled events to both backends: keep
         * the simple one's file in the run too. */
        g_ptr_array_add(args, g_strdup("-trace"));
        g_ptr_array_add(args, g_strdup_printf("file=%s/vtd_0.simple", dir));
        g_ptr_array_add(logs, g_strdup("vtd_0.simple"));
    }
    g_ptr_array_add(args, g_strdup("-D"));
    g_ptr_array_add(args, g_strdup_printf("%s/vtd_0.txt", dir));
    g_ptr_array_add(logs, g_strdup("vtd_0.txt"));
}

void collector_qemu_clear(CollectorQemu *q)
{
    g_free(q->kind);
    g_free(q->binary);
    g_free(q->version);
    g_free(q->build_info);
    g_free(q->trace_events);
    memset(q, 0, sizeof *q);
}
