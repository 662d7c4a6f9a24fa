/* fuzz_vtdlog.c - fuzz target for the reader of siokit's binary VT-d log:
 * any bytes, read to the end as a log (through sk_log_reader, as trace-gen
 * opens it), then again behind a valid 64-byte header so that random bytes
 * reach the record decoder.  Errors are expected; crashes, leaks, a -1
 * without an SK_ERROR, events out of range, and counters that do not add
 * up are not. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_files.h"
#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_vtdlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_log_path;

static void fuzz_read_direct(const char *path)
{
    GError *e = NULL;
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkVtdLogExtra x;
    SkVtdLog *t = sk_vtd_log_open(path, &e);
    int ret;

    if (t == NULL) {
        fuzz_refused(e, FALSE);
        return;
    }
    while ((ret = sk_vtd_log_next(t, &ev, &x, &st, &e)) > 0) {
        if (ev.type == SK_LOG_TRANSLATE && (ev.level < 1 || ev.level > 3))
            abort();
        if (ev.type == SK_LOG_INVALIDATE && ev.inv_type > SK_LOG_INV_WAIT)
            abort();
        if (x.pasid > 0xfffff)
            abort();
    }
    if (ret < 0 && (e == NULL || e->domain != SK_ERROR))
        abort();
    g_clear_error(&e);
    if (st.lines != st.events + st.malformed + st.skipped)
        abort();
    if (sk_vtd_log_malformed(t, NULL) > st.malformed)
        abort();
    sk_vtd_log_free(t);
}

static void fuzz_read_reader(const char *path, gboolean strict)
{
    SkLogReaderOptions opt = { .strict = strict, .max_examples = 2 };
    GError *e = NULL;
    SkLogEvent ev;
    SkLogReader *r = sk_log_reader_open(path, &opt, &e);
    int ret;

    if (r == NULL) {
        fuzz_refused(e, FALSE);
        return;
    }
    while ((ret = sk_log_reader_next(r, &ev, &e)) > 0)
        ;
    if (ret < 0 && (e == NULL || e->domain != SK_ERROR))
        abort();
    g_clear_error(&e);
    const SkLogStats *st = sk_log_reader_stats(r);
    if (st->lines != st->events + st->malformed + st->skipped)
        abort();
    sk_log_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t hdr[64] = "SIOKVTD";
    GByteArray *b;

    if (fuzz_log_path == NULL)
        fuzz_log_path = fuzz_file_new("vtdlog");
    (void)sk_vtd_log_sniff(data, size);

    fuzz_file_write(fuzz_log_path, data, size);
    fuzz_read_direct(fuzz_log_path);
    fuzz_read_reader(fuzz_log_path, FALSE);

    hdr[8] = 1;      /* version */
    hdr[12] = 32;    /* record size */
    hdr[16] = 64;    /* header size */
    b = g_byte_array_new();
    g_byte_array_append(b, hdr, sizeof(hdr));
    g_byte_array_append(b, data, (guint)size);
    fuzz_file_write(fuzz_log_path, b->data, b->len);
    fuzz_read_direct(fuzz_log_path);
    fuzz_read_reader(fuzz_log_path, size % 2 == 0);
    g_byte_array_free(b, TRUE);
    return 0;
}
