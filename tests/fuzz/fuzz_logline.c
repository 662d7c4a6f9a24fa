/* fuzz_logline.c - fuzz target for the QEMU log reader: any bytes, as one
 * line and line by line to sk_qemulog_parse() under every dialect, and as a
 * whole log file through sk_log_reader (plain, strict, and re-compressed
 * with zstd).  Errors are expected; crashes, leaks and these broken
 * properties are not:
 *   - a line's verdict is one of the three, and an event's fields are in
 *     range (level <= 5, has holds only known flags);
 *   - the stats add up: lines = events + skipped + malformed;
 *   - a zstd copy of a text log reads into the same events and stats. */
#include <fcntl.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "fuzz_files.h"
#include "sk_logreader.h"
#include "sk_qemulog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_path;   /* the input, as a file */

static void fuzz_store(const void *data, size_t size)
{
    fuzz_file_store(&fuzz_path, "logline", data, size);
}
static void check_event(const SkLogEvent *ev)
{
    const uint32_t known = SK_LOG_HAS_DID | SK_LOG_HAS_MASK | SK_LOG_HAS_LEVEL |
                           SK_LOG_HAS_SLPTE | SK_LOG_HAS_TIME;

    if (ev->type < SK_LOG_TRANSLATE || ev->type > SK_LOG_FAULT)
        abort();
    if (ev->level > 5 || (ev->has & ~known) != 0)
        abort();
}

static void parse_line(const char *s, size_t n)
{
    static const SkLogDialect wants[] = { SK_LOG_DIALECT_UNKNOWN,
                                          SK_LOG_DIALECT_HYPERSIO10,
                                          SK_LOG_DIALECT_QEMU72 };
    char reason[SK_QEMULOG_REASON_MAX];

    for (size_t i = 0; i < G_N_ELEMENTS(wants); i++) {
        SkLogEvent ev;
        SkLogDialect seen;
        SkQemuLogResult res = sk_qemulog_parse(s, n, wants[i], &seen, &ev,
                                               reason);
        if (res == SK_QEMULOG_EVENT)
            check_event(&ev);
        else if (res == SK_QEMULOG_MALFORMED)
            (void)strlen(reason);
        else if (res != SK_QEMULOG_SKIP)
            abort();
    }
}

/* Reads the stored file; its events (if it opened) in *evs. */
static gboolean fuzz_read(gboolean strict, GArray *evs, SkLogStats *stats)
{
    SkLogReaderOptions opt = { .strict = strict, .max_examples = 3 };
    GError *error = NULL;
    SkLogReader *r = sk_log_reader_open(fuzz_path, &opt, &error);
    SkLogEvent ev;
    const SkLogStats *s;
    guint n;
    int ret;

    if (r == NULL) {
        g_clear_error(&error);
        return FALSE;
    }
    while ((ret = sk_log_reader_next(r, &ev, &error)) == 1) {
        check_event(&ev);
        if (evs != NULL)
            g_array_append_val(evs, ev);
    }
    g_clear_error(&error);
    s = sk_log_reader_stats(r);
    if (s->lines != s->events + s->skipped + s->malformed)
        abort();
    if (sk_log_reader_examples(r, &n)[n] != NULL || n > 3)
        abort();
    (void)sk_log_dialect_name(sk_log_reader_dialect(r));
    *stats = *s;
    sk_log_reader_free(r);
    return ret == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    GArray *plain = g_array_new(FALSE, FALSE, sizeof(SkLogEvent));
    GArray *packed = g_array_new(FALSE, FALSE, sizeof(SkLogEvent));
    SkLogStats st_plain, st_packed;
    gboolean text;

    /* The parser alone: the whole input, then each line. */
    parse_line(s, size);
    for (size_t i = 0; i < size;) {
        const char *nl = memchr(s + i, '\n', size - i);
        size_t n = nl != NULL ? (size_t)(nl - (s + i)) : size - i;
        parse_line(s + i, n);
        i += n + 1;
    }

    /* The reader, plain and strict. */
    fuzz_store(data, size);
    text = fuzz_read(FALSE, plain, &st_plain);
    (void)fuzz_read(TRUE, NULL, &st_packed);

    /* A zstd copy of a text log reads the same. */
    if (text && !(size >= 2 && data[0] == 0x1f && data[1] == 0x8b) &&
        !(size >= 4 && memcmp(data, "\x28\xb5\x2f\xfd", 4) == 0)) {
        size_t bound = ZSTD_compressBound(size);
        void *z = g_malloc(bound);
        size_t zn = ZSTD_compress(z, bound, data, size, 1);
        if (ZSTD_isError(zn))
            abort();
        fuzz_store(z, zn);
        g_free(z);
        if (!fuzz_read(FALSE, packed, &st_packed))
            abort();
        if (memcmp(&st_plain, &st_packed, sizeof(st_plain)) != 0 ||
            plain->len != packed->len ||
            (plain->len > 0 &&
             memcmp(plain->data, packed->data,
                    plain->len * sizeof(SkLogEvent)) != 0))
            abort();
    }
    g_array_free(plain, TRUE);
    g_array_free(packed, TRUE);
    return 0;
}
