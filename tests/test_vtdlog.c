/* test_vtdlog.c - the reader of siokit's binary VT-d log (x-siokit-log):
 * every record kind and field, malformed records (counted, kept as
 * examples, fatal when strict), truncated and foreign files, many records
 * across buffer refills, and sk_log_reader's detection of the format.
 *
 * Logs are written here byte by byte from the layout in
 * docs/qemu-patches.md, independently of the reader. */
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_vtdlog.h"
#include "sk_test.h"

static GByteArray *log_new(uint32_t version, uint32_t recsize, uint32_t hsize)
{
    GByteArray *b = g_byte_array_new();
    uint8_t name[24] = "client-7";

    g_byte_array_append(b, (const uint8_t *)"SIOKVTD", 8);
    sk_test_put_le(b, version, 4);
    sk_test_put_le(b, recsize, 4);
    sk_test_put_le(b, hsize, 4);
    sk_test_put_le(b, 4242, 4);
    sk_test_put_le(b, UINT64_C(1795328125084117000), 8);
    sk_test_put_le(b, UINT64_C(11456617498021), 8);
    g_byte_array_append(b, name, 24);
    while (b->len < hsize)
        sk_test_put_le(b, 0xee, 1);     /* a longer header: bytes the reader skips */
    return b;
}

static void rec(GByteArray *b, uint64_t t, uint64_t a, uint64_t bb,
                uint16_t sid, uint16_t did, uint32_t info)
{
    sk_test_put_le(b, t, 8);
    sk_test_put_le(b, a, 8);
    sk_test_put_le(b, bb, 8);
    sk_test_put_le(b, sid, 2);
    sk_test_put_le(b, did, 2);
    sk_test_put_le(b, info, 4);
}

static uint32_t info(unsigned kind, unsigned sub, unsigned perm, unsigned via,
                     int64_t pasid)
{
    uint32_t i = kind | sub << 4 | perm << 8 | via << 10;
    if (pasid >= 0)
        i |= 1u << 7 | (uint32_t)pasid << 12;
    return i;
}

static char *write_log(const char *name, GByteArray *b)
{
    char *path = sk_test_write_tmp(name, b->data, b->len);
    g_byte_array_free(b, TRUE);
    return path;
}

SK_TEST(test_sniff, "/vtdlog/sniff")
{
    g_assert_true(sk_vtd_log_sniff((const uint8_t *)"SIOKVTD\0xyz", 11));
    g_assert_false(sk_vtd_log_sniff((const uint8_t *)"SIOKVTD", 7));
    g_assert_false(sk_vtd_log_sniff((const uint8_t *)"SIOKVTX\0", 8));
}

SK_TEST(test_every_kind, "/vtdlog/every-kind")
{
    GByteArray *b = log_new(1, 32, 64);
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkVtdLogExtra x;
    GError *e = NULL;

    rec(b, 100, 0xfffff040, 0x16781040, 0x10, 4, info(1, 1, 3, 1, -1));
    rec(b, 101, 0xffe01000, 0x40201000, 0x18, 5, info(1, 2, 1, 2, 0x1234));
    rec(b, 102, 0x40000000, 0x80000000, 0x20, 6, info(1, 3, 2, 3, 0xfffff));
    rec(b, 103, 0xffe00000, ~UINT64_C(0x1fffff), 0, 4, info(2, 6, 0, 0, -1));
    rec(b, 104, 0x11ba804, 0, 0, 0, info(2, 7, 0, 0, -1));
    rec(b, 105, 0xdead000, 6, 0x18, 0, info(3, 0, 2, 1, -1));
    char *path = write_log("every.bin", b);
    SkVtdLog *t = sk_vtd_log_open(path, &e);
    g_assert_no_error(e);
    const SkVtdLogHeader *h = sk_vtd_log_header(t);
    g_assert_cmpuint(h->pid, ==, 4242);
    g_assert_cmpuint(h->start_clock_ns, ==, UINT64_C(11456617498021));
    g_assert_cmpstr(h->name, ==, "client-7");

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpint(ev.type, ==, SK_LOG_TRANSLATE);
    g_assert_cmpint(ev.via, ==, SK_LOG_VIA_IOTLB);
    g_assert_cmpuint(ev.time_ns, ==, 100);
    g_assert_cmphex(ev.iova, ==, 0xfffff040);
    g_assert_cmphex(ev.result, ==, 0x16781040);
    g_assert_cmphex(ev.sid, ==, 0x10);
    g_assert_cmphex(ev.did, ==, 4);
    g_assert_cmpuint(ev.level, ==, 1);
    g_assert_cmphex(ev.mask, ==, ~UINT64_C(0xfff));
    g_assert_cmphex(ev.has, ==, SK_LOG_HAS_TIME | SK_LOG_HAS_DID |
                    SK_LOG_HAS_LEVEL | SK_LOG_HAS_MASK);
    g_assert_cmpuint(x.perm, ==, 3);
    g_assert_cmpuint(x.via, ==, SK_VTDLOG_VIA_IOTLB);
    g_assert_false(x.has_pasid);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpint(ev.via, ==, SK_LOG_VIA_WALK);
    g_assert_cmpuint(ev.level, ==, 2);
    g_assert_cmphex(ev.mask, ==, ~UINT64_C(0x1fffff));
    g_assert_cmpuint(x.via, ==, SK_VTDLOG_VIA_CC_WALK);
    g_assert_true(x.has_pasid);
    g_assert_cmphex(x.pasid, ==, 0x1234);
    g_assert_cmpuint(x.perm, ==, 1);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpuint(ev.level, ==, 3);
    g_assert_cmphex(ev.mask, ==, ~UINT64_C(0x3fffffff));
    g_assert_cmpuint(x.via, ==, SK_VTDLOG_VIA_WALK);
    g_assert_cmphex(x.pasid, ==, 0xfffff);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpint(ev.type, ==, SK_LOG_INVALIDATE);
    g_assert_cmpuint(ev.inv_type, ==, SK_LOG_INV_IOTLB_PAGES);
    g_assert_cmphex(ev.iova, ==, 0xffe00000);
    g_assert_cmphex(ev.mask, ==, ~UINT64_C(0x1fffff));
    g_assert_cmphex(ev.did, ==, 4);
    g_assert_true(ev.has & SK_LOG_HAS_DID);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpuint(ev.inv_type, ==, SK_LOG_INV_WAIT);
    g_assert_false(ev.has & SK_LOG_HAS_DID);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 1);
    g_assert_cmpint(ev.type, ==, SK_LOG_FAULT);
    g_assert_cmphex(ev.iova, ==, 0xdead000);
    g_assert_cmpuint(x.reason, ==, 6);
    g_assert_cmpuint(x.perm, ==, 2);
    g_assert_true(x.reported);

    g_assert_cmpint(sk_vtd_log_next(t, &ev, &x, &st, &e), ==, 0);
    g_assert_no_error(e);
    g_assert_cmpuint(st.lines, ==, 6);
    g_assert_cmpuint(st.events, ==, 6);
    g_assert_cmpuint(st.malformed, ==, 0);
    sk_vtd_log_free(t);
    g_free(path);
}

/* Malformed records are counted and skipped; the reader says why. */
SK_TEST(test_malformed, "/vtdlog/malformed")
{
    GByteArray *b = log_new(1, 32, 128);
    SkLogStats st = { 0 };
    SkLogEvent ev;
    GError *e = NULL;
    const char *why;

    rec(b, 1, 0x1000, 0x2000, 0x10, 4, info(1, 4, 3, 1, -1));   /* level 4 */
    rec(b, 2, 0x1000, 0x2000, 0x10, 4, 9);                      /* kind 9 */
    rec(b, 3, 0x1000, 0x2000, 0x10, 4, info(1, 1, 3, 1, -1) | 5u << 12);
    rec(b, 4, 0x1000, 0x2000, 0x10, 4, info(1, 1, 0, 1, -1));   /* no perm */
    rec(b, 5, 0x1000, 0x2000, 0x10, 4, info(1, 1, 3, 1, -1));   /* fine */
    char *path = write_log("bad.bin", b);
    SkVtdLog *t = sk_vtd_log_open(path, &e);
    g_assert_no_error(e);
    g_assert_cmpint(sk_vtd_log_next(t, &ev, NULL, &st, &e), ==, 1);
    g_assert_cmpuint(ev.time_ns, ==, 5);
    g_assert_cmpuint(st.malformed, ==, 4);
    g_assert_cmpuint(sk_vtd_log_malformed(t, &why), ==, 4);
    g_assert_cmpstr(why, ==, "record at byte 224: translate: permission or "
                    "via is 0 (info 0x00000411)");
    g_assert_cmpint(sk_vtd_log_next(t, &ev, NULL, &st, &e), ==, 0);
    g_assert_cmpuint(st.lines, ==, 5);
    sk_vtd_log_free(t);

    /* Through sk_log_reader: examples, then strict. */
    SkLogReaderOptions opt = { .max_examples = 8 };
    SkLogReader *r = sk_log_reader_open(path, &opt, &e);
    g_assert_no_error(e);
    g_assert_cmpstr(sk_log_dialect_name(sk_log_reader_dialect(r)), ==, "siokit");
    g_assert_cmpint(sk_log_reader_next(r, &ev, &e), ==, 1);
    guint n;
    const char *const *ex = sk_log_reader_examples(r, &n);
    g_assert_cmpuint(n, ==, 1);   /* one call skipped four: the last kept */
    g_assert_nonnull(strstr(ex[0], "record at byte 224"));
    sk_log_reader_free(r);

    opt.strict = TRUE;
    r = sk_log_reader_open(path, &opt, &e);
    g_assert_no_error(e);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &e), ==, -1);
    sk_assert_error(&e, SK_ERROR, SK_ERROR_INPUT, "bad.bin: record at byte ");
    sk_log_reader_free(r);
    g_free(path);
}

SK_TEST(test_truncated, "/vtdlog/truncated")
{
    GByteArray *b = log_new(1, 32, 64);
    SkLogStats st = { 0 };
    SkLogEvent ev;
    GError *e = NULL;

    rec(b, 1, 0x1000, 0x2000, 0x10, 4, info(1, 1, 3, 1, -1));
    rec(b, 2, 0x1000, 0x2000, 0x10, 4, info(1, 1, 3, 1, -1));
    g_byte_array_set_size(b, b->len - 5);
    char *path = write_log("trunc.bin", b);
    SkVtdLog *t = sk_vtd_log_open(path, &e);
    g_assert_no_error(e);
    g_assert_cmpint(sk_vtd_log_next(t, &ev, NULL, &st, &e), ==, 1);
    g_assert_cmpint(sk_vtd_log_next(t, &ev, NULL, &st, &e), ==, -1);
    sk_assert_error(&e, SK_ERROR, SK_ERROR_INPUT, "trunc.bin': truncated record at byte 96");
    g_assert_cmpint(sk_vtd_log_next(t, &ev, NULL, &st, &e), ==, -1);
    g_clear_error(&e);
    g_assert_cmpuint(st.lines, ==, 2);
    g_assert_cmpuint(st.malformed, ==, 1);
    sk_vtd_log_free(t);
    g_free(path);
}

static void expect_open_error(const char *name, GByteArray *b, const char *msg)
{
    GError *e = NULL;
    char *path = write_log(name, b);
    SkVtdLog *t = sk_vtd_log_open(path, &e);
    g_assert_null(t);
    sk_assert_error(&e, SK_ERROR, SK_ERROR_INPUT, msg);
    g_free(path);
}

SK_TEST(test_bad_header, "/vtdlog/bad-header")
{
    GByteArray *b;

    expect_open_error("v2.bin", log_new(2, 32, 64), "version 2, not 1");
    expect_open_error("r48.bin", log_new(1, 48, 64), "record size 48, not 32");
    expect_open_error("h32.bin", log_new(1, 32, 32), "header size 32 outside 64..4096");
    b = log_new(1, 32, 64);
    g_byte_array_set_size(b, 40);
    expect_open_error("short.bin", b, "truncated header (40 of 64 bytes)");
    b = g_byte_array_new();
    g_byte_array_append(b, (const uint8_t *)"hello world, not a log", 22);
    expect_open_error("text.bin", b, "no SIOKVTD magic");
}

/* Far more records than one 4 MiB buffer holds, read in order. */
SK_TEST(test_many, "/vtdlog/many")
{
    GByteArray *b = log_new(1, 32, 64);
    const uint64_t n = 300000;
    SkLogStats st = { 0 };
    SkLogEvent ev;
    GError *e = NULL;
    uint64_t i = 0;
    int ret;

    for (uint64_t k = 0; k < n; k++)
        rec(b, k, k << 12, (k << 12) + 0x100000, 0x10, (uint16_t)(k % 7),
            info(1, 1, 3, 1 + k % 3, -1));
    char *path = write_log("many.bin", b);
    SkLogReader *r = sk_log_reader_open(path, NULL, &e);
    g_assert_no_error(e);
    while ((ret = sk_log_reader_next(r, &ev, &e)) > 0) {
        if (ev.time_ns != i || ev.iova != i << 12 || ev.did != i % 7)
            g_error("record %" PRIu64 " read wrong", i);
        i++;
    }
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpuint(i, ==, n);
    st = *sk_log_reader_stats(r);
    g_assert_cmpuint(st.events, ==, n);
    sk_log_reader_free(r);
    g_free(path);
}

SK_TEST_MAIN()
