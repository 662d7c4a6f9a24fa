/* fuzz_collector.c - fuzz target for what log-collector reads back from a
 * run: any bytes as a virtiofsd log (fuse_count) and as a QEMU event log,
 * text or binary, counted and split per tenant (events_count,
 * events_split).  Errors are expected; crashes, leaks and these broken
 * properties are not:
 *   - FUSE: errors <= requests, the opcodes' counts add up to requests;
 *   - events: the tenants' events never exceed what the reader returned, and
 *     hits plus walks never exceed translations;
 *   - split: a text log's tenant files have no more lines than the log, and
 *     only lines of the log; a binary log's start with its magic and are no
 *     longer than the log. */
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fuse.h"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_path;
static char *split_dir;

static void remove_split_dir(void)
{
    g_rmdir(split_dir);
    g_free(split_dir);
}

static gsize count_lines(const char *text, gsize len)
{
    gsize n = 0;
    for (gsize i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len > 0 && text[len - 1] != '\n');
}

static void check_fuse(void)
{
    JsonObject *o = fuse_count(fuzz_path, NULL);
    if (o == NULL)
        abort();                    /* the file exists: it must be read */
    gint64 requests = json_object_get_int_member(o, "requests");
    gint64 sum = 0;
    JsonObject *ops = json_object_get_object_member(o, "by_opcode");
    GList *names = json_object_get_members(ops);
    for (GList *l = names; l; l = l->next)
        sum += json_object_get_int_member(ops, l->data);
    g_list_free(names);
    if (json_object_get_int_member(o, "errors") > requests || sum != requests)
        abort();
    json_object_unref(o);
}

/* One tenant's split file against the log. */
static void check_split_file(const char *file, const char *suffix, const uint8_t *data,
                             size_t size)
{
    char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(file, &text, &len, NULL))
        abort();
    if (strcmp(suffix, "bin") == 0) {
        if (len < 64 || len > size || memcmp(text, data, 8) != 0)
            abort();
    } else {
        if (count_lines(text, len) > count_lines((const char *)data, size))
            abort();
        char **lines = g_strsplit(text, "\n", -1);
        for (char **l = lines; *l; l++)
            if (**l && !memmem(data, size, *l, strlen(*l))) {
                fprintf(stderr, "not in the log: [%s]\n", *l);
                abort();
            }
        g_strfreev(lines);
    }
    g_unlink(file);
    g_free(text);
}

static void check_events(const uint8_t *data, size_t size)
{
    TenantEvents t[2] = {{.sid = 0x10}, {.sid = 0x18}};
    LogSummary s;
    if (!events_count(fuzz_path, NULL, t, 2, &s, NULL)) {
        log_summary_clear(&s);
        return;
    }
    uint64_t total = 0;
    for (int k = 0; k < 2; k++) {
        total += t[k].translations + t[k].context + t[k].faults + t[k].slpte_fetches +
                 t[k].invalidations;
        if (t[k].iotlb_hits + t[k].walks > t[k].translations)
            abort();
    }
    if (total > s.stats.events)
        abort();
    log_summary_clear(&s);

    if (split_dir == NULL) {
        split_dir = g_dir_make_tmp("sk-fuzz-split-XXXXXX", NULL);
        if (split_dir == NULL)
            abort();
        atexit(remove_split_dir);
    }
    if (!events_split(fuzz_path, t, 2, split_dir, NULL))
        return;
    const char *suffix = events_split_suffix(fuzz_path);
    for (int k = 0; k < 2; k++) {
        char *f = g_strdup_printf("%s/tenant_%d.%s", split_dir, k, suffix);
        check_split_file(f, suffix, data, size);
        g_free(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_store(&fuzz_path, "collector", data, size);
    check_fuse();
    check_events(data, size);
    return 0;
}
