/* test_trace.c - the trace reader and writer: round trips of both formats,
 * the tenant table, and every kind of bad input the readers must refuse
 * with an SK_ERROR naming the file and the field at fault.
 *
 * Bad siokit files are made by patching good ones; where a checksum must
 * still match, it is recomputed with this file's own bit-by-bit CRC-32C, so
 * the test also checks the writer against docs/trace-format.md. */
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include "sk_error.h"
#include "sk_bytes.h"
#include "sk_crc32c.h"
#include "sk_hstrace.h"
#include "sk_trace.h"
#include "sk_test.h"

/* Offsets from docs/trace-format.md. */
#define HEADER_SIZE 128
#define RECORD_SIZE 40
#define BLOCK_RECORDS 1638
#define BLOCK_HEADER_SIZE 16
#define HDR_VERSION 8
#define HDR_RECORD_COUNT 24
#define HDR_TABLE_OFFSET 40
#define HDR_TENANT_COUNT 48
#define HDR_TABLE_CRC 52
#define HDR_SOURCE_HASH 56
#define HDR_CRC 124

static const char *tmp_dir;

/* ---- helpers ----------------------------------------------------------- */

static uint32_t ref_crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return ~crc;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static const uint64_t extremes[] = { 0, 1, UINT64_MAX, UINT64_MAX - 1,
                                     INT64_MAX, (uint64_t)INT64_MAX + 1 };

static uint64_t rnd64(void)
{
    return rng() % 8 == 0 ? extremes[rng() % G_N_ELEMENTS(extremes)] : rng();
}

/* n random records; HyperSIO ones keep sid and tenant in 16 bits and may
 * carry any mask, siokit ones have the mask of their level. */
static SkRecord *make_records(gsize n, gboolean hypersio)
{
    SkRecord *r = g_new0(SkRecord, n);

    for (gsize i = 0; i < n; i++) {
        r[i].iova = rnd64();
        r[i].slpte = rnd64();
        /* siokit traces hold only next-access times of later records */
        r[i].nat = rng() % 4 == 0 ? SK_NAT_NONE : rnd64();
        if (!hypersio && r[i].nat != SK_NAT_NONE)
            r[i].nat = i + 1 < n ? i + 1 + r[i].nat % (n - i - 1) : SK_NAT_NONE;
        r[i].level = (uint8_t)(1 + rng() % 3);
        if (hypersio) {
            r[i].tenant = (uint32_t)(rng() % 4 == 0 ? 0xffff : rng() % 64);
            r[i].sid = (uint32_t)(rng() % 4 == 0 ? 0xffff : rng() & 0xffff);
            r[i].mask = rng() % 2 ? sk_level_mask(r[i].level) : rnd64();
            r[i].kind = SK_KIND_UNKNOWN;
        } else {
            r[i].tenant = (uint32_t)(rng() % 8 == 0 ? UINT32_MAX : rng() % 500);
            r[i].sid = (uint32_t)(rng() % 8 == 0 ? UINT32_MAX : rng());
            r[i].mask = sk_level_mask(r[i].level);
            r[i].kind = (uint8_t)(rng() % 3);
        }
    }
    return r;
}

static char *tmp_path(const char *name)
{
    return sk_test_path(name);
}

/* Writes records in batches of varying size; asserts success. */
static void write_trace(const char *path, SkTraceFormat format,
                        const SkTraceWriterOptions *opts, const SkRecord *r,
                        gsize n)
{
    GError *error = NULL;
    SkTraceWriter *w = sk_trace_writer_new(path, format, opts, &error);

    g_assert_no_error(error);
    g_assert_nonnull(w);
    for (gsize done = 0; done < n;) {
        gsize want = 1 + rng() % 3000;
        gsize k = MIN(n - done, want);
        gboolean ok = sk_trace_writer_write(w, r + done, k, &error);
        g_assert_no_error(error);
        g_assert_true(ok);
        done += k;
    }
    gboolean closed = sk_trace_writer_close(w, &error);
    g_assert_no_error(error);
    g_assert_true(closed);
}

/* Reads a whole trace in chunks of varying size.  Returns the records (and
 * their count in *n) or NULL with error set. */
static SkRecord *read_trace(const char *path, SkTraceFormat format, gsize *n,
                            GError **error)
{
    SkTraceReader *rd = sk_trace_reader_open(path, format, error);
    GArray *out;
    SkRecord buf[700];

    if (rd == NULL)
        return NULL;
    out = g_array_new(FALSE, FALSE, sizeof(SkRecord));
    for (;;) {
        gssize k = sk_trace_reader_read(rd, buf, 1 + rng() % 700, error);
        if (k < 0) {
            g_assert_cmpint(sk_trace_reader_read(rd, buf, 1, NULL), ==, -1);
            g_array_free(out, TRUE);
            sk_trace_reader_free(rd);
            return NULL;
        }
        if (k == 0)
            break;
        g_array_append_vals(out, buf, (guint)k);
    }
    g_assert_cmpint(sk_trace_reader_read(rd, buf, 10, NULL), ==, 0);
    sk_trace_reader_free(rd);
    *n = out->len;
    return (SkRecord *)g_array_free(out, FALSE);
}

static void assert_same(const SkRecord *a, const SkRecord *b, gsize n,
                        gboolean hypersio)
{
    for (gsize i = 0; i < n; i++) {
        g_assert_cmphex(a[i].iova, ==, b[i].iova);
        g_assert_cmphex(a[i].mask, ==, b[i].mask);
        g_assert_cmphex(a[i].slpte, ==, b[i].slpte);
        g_assert_cmphex(a[i].nat, ==, b[i].nat);
        g_assert_cmpuint(a[i].tenant, ==, b[i].tenant);
        g_assert_cmpuint(a[i].sid, ==, b[i].sid);
        g_assert_cmpuint(a[i].level, ==, b[i].level);
        g_assert_cmpuint(b[i].kind, ==, hypersio ? SK_KIND_UNKNOWN : a[i].kind);
    }
}

/* Opening and reading path must fail with code and a message naming the
 * file and containing field. */
static void expect_read_error(const char *path, SkTraceFormat format,
                              int code, const char *field)
{
    GError *error = NULL;
    gsize n = 0;
    SkRecord *r = read_trace(path, format, &n, &error);

    g_assert_null(r);
    g_assert_error(error, SK_ERROR, code);
    if (g_test_verbose())
        g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, path));
    if (strstr(error->message, field) == NULL)
        g_error("message '%s' lacks '%s'", error->message, field);
    g_assert_null(strchr(error->message, '\n'));
    g_error_free(error);
}

static GBytes *load(const char *path)
{
    gsize len;
    char *data = sk_test_read(path, &len);

    return g_bytes_new_take(data, len);
}

static void store(const char *path, const void *data, gsize len)
{
    sk_test_write(path, data, (gssize)len);
}

/* Writes a good siokit trace of n records to name; returns its bytes (and
 * the records when recs is not NULL). */
static uint8_t *good_siokit(const char *path, gsize n, gboolean compress,
                            gsize *len, SkRecord **recs)
{
    SkTraceWriterOptions opts = { .compress = compress };
    SkRecord *r = make_records(n, FALSE);
    char *data;

    write_trace(path, SK_FORMAT_SIOKIT, &opts, r, n);
    data = sk_test_read(path, len);
    if (recs != NULL)
        *recs = r;
    else
        g_free(r);
    return (uint8_t *)data;
}

static void fix_header_crc(uint8_t *d)
{
    sk_put_le32(d + HDR_CRC, ref_crc32c(0, d, HDR_CRC));
}

/* Offset of block b of an uncompressed trace. */
static size_t plain_block(gsize b)
{
    return HEADER_SIZE + b * (BLOCK_HEADER_SIZE + BLOCK_RECORDS * RECORD_SIZE);
}

static void fix_block_crc(uint8_t *d, size_t at)
{
    uint32_t stored = sk_get_le32(d + at + 8);
    uint32_t c = ref_crc32c(ref_crc32c(0, d + at, 12),
                            d + at + BLOCK_HEADER_SIZE, stored);
    sk_put_le32(d + at + 12, c);
}

static void remove_tmp_files(void)
{
    sk_test_empty_dir(tmp_dir);
}

static guint count_tmp_files(void)
{
    return sk_test_entries(tmp_dir);
}

/* ---- cases ------------------------------------------------------------- */

SK_TEST(test_crc32c, "/trace/crc32c")
{
    uint8_t buf[1000];

    g_assert_cmphex(sk_crc32c(0, "123456789", 9), ==, 0xe3069283);
    g_assert_cmphex(sk_crc32c_sw(0, "123456789", 9), ==, 0xe3069283);
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)rng();
    for (size_t n = 0; n < sizeof buf; n += 1 + n / 7) {
        uint32_t want = ref_crc32c(0, buf, n);
        g_assert_cmphex(sk_crc32c(0, buf, n), ==, want);
        g_assert_cmphex(sk_crc32c_sw(0, buf, n), ==, want);
        g_assert_cmphex(sk_crc32c(sk_crc32c(0, buf, n / 3), buf + n / 3,
                                  n - n / 3), ==, want);
    }
}

SK_TEST(test_format_names, "/trace/format-names")
{
    SkTraceFormat f = SK_FORMAT_SIOKIT;

    g_assert_true(sk_trace_format_parse("hypersio", &f));
    g_assert_cmpint(f, ==, SK_FORMAT_HYPERSIO);
    g_assert_true(sk_trace_format_parse("siokit", &f));
    g_assert_cmpint(f, ==, SK_FORMAT_SIOKIT);
    g_assert_true(sk_trace_format_parse("auto", &f));
    g_assert_cmpint(f, ==, SK_FORMAT_AUTO);
    g_assert_false(sk_trace_format_parse("HyperSIO", &f));
    g_assert_false(sk_trace_format_parse("", &f));
    g_assert_false(sk_trace_format_parse(NULL, &f));
    g_assert_cmpint(sk_trace_format_detect("a/web_tnt_4_RR1_iotlb_trace.bin"),
                    ==, SK_FORMAT_HYPERSIO);
    g_assert_cmpint(sk_trace_format_detect("x.trace"), ==, SK_FORMAT_SIOKIT);
    g_assert_cmpint(sk_trace_format_detect("iotlb_trace.bin.trace"), ==,
                    SK_FORMAT_SIOKIT);
}

static void roundtrip_siokit(gboolean compress, gsize n)
{
    char *path = tmp_path("rt.trace");
    SkTraceWriterOptions opts = { .compress = compress,
                                  .source_hash = 0xfedcba9876543210ull };
    SkRecord *r = make_records(n, FALSE), *back;
    GError *error = NULL;
    gsize got = 0;

    write_trace(path, SK_FORMAT_SIOKIT, &opts, r, n);
    back = read_trace(path, SK_FORMAT_AUTO, &got, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(got, ==, n);
    assert_same(r, back, n, FALSE);

    SkTraceReader *rd = sk_trace_reader_open(path, SK_FORMAT_SIOKIT, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sk_trace_reader_format(rd), ==, SK_FORMAT_SIOKIT);
    g_assert_cmpstr(sk_trace_reader_path(rd), ==, path);
    g_assert_cmpuint(sk_trace_reader_n_records(rd), ==, n);
    g_assert_cmphex(sk_trace_reader_source_hash(rd), ==, opts.source_hash);
    sk_trace_reader_free(rd);

    GBytes *b = load(path);
    gsize len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    g_assert_cmpmem(d, 8, "SIOKTRC", 8);
    g_assert_cmphex(sk_get_le32(d + HDR_CRC), ==, ref_crc32c(0, d, HDR_CRC));
    if (!compress) {
        gsize blocks = (n + BLOCK_RECORDS - 1) / BLOCK_RECORDS;
        g_assert_cmpuint(sk_get_le64(d + HDR_TABLE_OFFSET), ==,
                         HEADER_SIZE + blocks * BLOCK_HEADER_SIZE +
                         n * RECORD_SIZE);
        for (gsize i = 0; i < blocks; i++) {
            size_t at = plain_block(i);
            uint32_t c = sk_get_le32(d + at);
            g_assert_cmpuint(c, ==, MIN(BLOCK_RECORDS, n - i * BLOCK_RECORDS));
            g_assert_cmphex(sk_get_le32(d + at + 12), ==,
                            ref_crc32c(ref_crc32c(0, d + at, 12),
                                       d + at + 16, c * RECORD_SIZE));
        }
    } else if (n >= 1000) {
        g_assert_cmpuint(len, <, n * RECORD_SIZE);
    }
    g_bytes_unref(b);
    g_free(r);
    g_free(back);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_roundtrip_plain, "/trace/siokit/roundtrip-plain")
{
    roundtrip_siokit(FALSE, 100000);
}

SK_TEST(test_siokit_roundtrip_zstd, "/trace/siokit/roundtrip-zstd")
{
    roundtrip_siokit(TRUE, 100000);
}

SK_TEST(test_siokit_block_edges, "/trace/siokit/block-edges")
{
    const gsize sizes[] = { 1, BLOCK_RECORDS - 1, BLOCK_RECORDS,
                            BLOCK_RECORDS + 1, 3 * BLOCK_RECORDS };
    for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
        roundtrip_siokit(FALSE, sizes[i]);
        roundtrip_siokit(TRUE, sizes[i]);
    }
}

SK_TEST(test_siokit_tenants, "/trace/siokit/tenants")
{
    char *path = tmp_path("tenants.trace");
    const gsize n_tenants = 100000, n = 250000;
    SkRecord *r = g_new0(SkRecord, n);
    uint64_t *count = g_new0(uint64_t, n_tenants);
    uint32_t *first_sid = g_new0(uint32_t, n_tenants);
    GError *error = NULL;

    /* Tenant ids 7 * k + 3 in scrambled order; every tenant appears. */
    for (gsize i = 0; i < n; i++) {
        gsize k = i < n_tenants ? (i * 7919) % n_tenants : rng() % n_tenants;
        r[i].tenant = (uint32_t)(7 * k + 3);
        r[i].sid = (uint32_t)rng();
        r[i].level = 1;
        r[i].mask = sk_level_mask(1);
        if (count[k]++ == 0)
            first_sid[k] = r[i].sid;
    }
    write_trace(path, SK_FORMAT_AUTO, NULL, r, n);

    SkTraceReader *rd = sk_trace_reader_open(path, SK_FORMAT_AUTO, &error);
    g_assert_no_error(error);
    guint nt = 0;
    const SkTenantInfo *t = sk_trace_reader_tenants(rd, &nt);
    g_assert_cmpuint(nt, ==, n_tenants);
    for (guint k = 0; k < nt; k++) {
        g_assert_cmpuint(t[k].tenant, ==, 7 * k + 3);
        g_assert_cmpuint(t[k].sid, ==, first_sid[k]);
        g_assert_cmpuint(t[k].translations, ==, count[k]);
    }
    sk_trace_reader_free(rd);
    g_free(r);
    g_free(count);
    g_free(first_sid);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_hypersio_roundtrip, "/trace/hypersio/roundtrip")
{
    char *path = tmp_path("web_tnt_4_RR1_iotlb_trace.bin");
    const gsize n = 100000;
    SkRecord *r = make_records(n, TRUE), *back;
    GError *error = NULL;
    gsize got = 0;

    write_trace(path, SK_FORMAT_AUTO, NULL, r, n);
    GBytes *b = load(path);
    g_assert_cmpuint(g_bytes_get_size(b), ==, n * SK_HS_RECORD_SIZE);
    const uint8_t *d = g_bytes_get_data(b, NULL);
    g_assert_cmpuint(sk_get_le32(d), ==, 1);
    g_assert_cmpuint(sk_get_le16(d + 4), ==, r[0].sid);
    g_assert_cmpuint(sk_get_le16(d + 6), ==, r[0].tenant);
    g_assert_cmphex(sk_get_le64(d + 8), ==, r[0].iova);
    g_assert_cmphex(sk_get_le64(d + 16), ==, r[0].mask);
    g_assert_cmpuint(sk_get_le64(d + 24), ==, r[0].level);
    g_assert_cmphex(sk_get_le64(d + 32), ==, r[0].slpte);
    g_assert_cmphex(sk_get_le64(d + 40), ==, r[0].nat);
    g_bytes_unref(b);

    back = read_trace(path, SK_FORMAT_AUTO, &got, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(got, ==, n);
    assert_same(r, back, n, TRUE);

    SkTraceReader *rd = sk_trace_reader_open(path, SK_FORMAT_HYPERSIO, &error);
    g_assert_no_error(error);
    guint nt = 99;
    g_assert_null(sk_trace_reader_tenants(rd, &nt));
    g_assert_cmpuint(nt, ==, 0);
    g_assert_cmpuint(sk_trace_reader_n_records(rd), ==, 0);
    g_assert_cmpint(sk_trace_reader_format(rd), ==, SK_FORMAT_HYPERSIO);
    sk_trace_reader_free(rd);
    g_free(r);
    g_free(back);
    g_free(path);
    remove_tmp_files();
}

/* A refused batch names the record and writes nothing; the writer goes on. */
SK_TEST(test_siokit_writer_refuses, "/trace/siokit/writer-refuses")
{
    char *path = tmp_path("refuse.trace");
    SkRecord good = { .level = 2, .mask = sk_level_mask(2), .nat = SK_NAT_NONE };
    SkRecord batch[3] = { good, good, good };
    GError *error = NULL;
    SkTraceWriter *w = sk_trace_writer_new(path, SK_FORMAT_SIOKIT, NULL, &error);

    g_assert_no_error(error);
    g_assert_true(sk_trace_writer_write(w, &good, 1, &error));
    struct { int field; uint64_t value; const char *want; } bad[] = {
        { 0, 0, "record 3: level 0" }, { 0, 4, "record 3: level 4" },
        { 1, sk_level_mask(1), "record 3: mask 0xfffffffffffff000" },
        { 2, 3, "record 3: unknown kind 3" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        batch[2] = good;
        if (bad[i].field == 0) {
            batch[2].level = (uint8_t)bad[i].value;
            batch[2].mask = sk_level_mask(1);
        } else if (bad[i].field == 1) {
            batch[2].mask = bad[i].value;
        } else {
            batch[2].kind = (uint8_t)bad[i].value;
        }
        g_assert_false(sk_trace_writer_write(w, batch, 3, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(error->message, path));
        if (strstr(error->message, bad[i].want) == NULL)
            g_error("message '%s' lacks '%s'", error->message, bad[i].want);
        g_clear_error(&error);
    }
    g_assert_true(sk_trace_writer_write(w, &good, 1, &error));
    g_assert_true(sk_trace_writer_close(w, &error));
    g_assert_no_error(error);

    gsize n = 0;
    SkRecord *back = read_trace(path, SK_FORMAT_SIOKIT, &n, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(n, ==, 2);
    g_free(back);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_bad_magic, "/trace/siokit/bad-magic")
{
    char *path = tmp_path("magic.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 100, FALSE, &len, NULL);

    d[3] ^= 0x20;
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "bad magic");
    store(path, "hello", 5);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "bad magic");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_bad_version, "/trace/siokit/bad-version")
{
    char *path = tmp_path("version.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 100, FALSE, &len, NULL);

    sk_put_le16(d + HDR_VERSION, 2);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "version 2");
    fix_header_crc(d);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "version 2");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_bad_header_checksum, "/trace/siokit/bad-header-checksum")
{
    char *path = tmp_path("hcrc.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 100, TRUE, &len, NULL);

    d[HDR_SOURCE_HASH] ^= 1;
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "header checksum mismatch");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_truncated_header, "/trace/siokit/truncated-header")
{
    char *path = tmp_path("theader.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 100, FALSE, &len, NULL);

    store(path, d, 100);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated header");
    store(path, d, 3);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated header");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_truncated_block, "/trace/siokit/truncated-block")
{
    char *path = tmp_path("tblock.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 10000, FALSE, &len, NULL);

    store(path, d, plain_block(2) + 100);   /* inside block 2's records */
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated block 2");
    store(path, d, plain_block(1) + 5);     /* inside block 1's header */
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated block 1");
    store(path, d, len - 3);                /* inside the tenant table */
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated tenant table");
    g_free(d);
    d = good_siokit(path, 10000, TRUE, &len, NULL);
    store(path, d, HEADER_SIZE + 20);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "truncated block 0");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_trailing_data, "/trace/siokit/trailing-data")
{
    char *path = tmp_path("trailing.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 100, FALSE, &len, NULL);
    uint8_t *more = g_malloc0(len + 7);

    memcpy(more, d, len);
    store(path, more, len + 7);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "7 bytes");
    g_free(more);
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_bad_block_checksum, "/trace/siokit/bad-block-checksum")
{
    char *path = tmp_path("bcrc.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 10000, FALSE, &len, NULL);

    d[plain_block(3) + BLOCK_HEADER_SIZE + 1234] ^= 0x10;
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "block 3: checksum mismatch");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_flipped_compressed_byte, "/trace/siokit/flipped-compressed-byte")
{
    char *path = tmp_path("zflip.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 10000, TRUE, &len, NULL);
    size_t at = HEADER_SIZE;

    /* Flip a byte in the middle of block 2's zstd frame. */
    for (int b = 0; b < 2; b++)
        at += BLOCK_HEADER_SIZE + sk_get_le32(d + at + 8);
    uint32_t stored = sk_get_le32(d + at + 8);
    d[at + BLOCK_HEADER_SIZE + stored / 2] ^= 0x01;
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "block 2: checksum mismatch");
    /* With the checksum repaired, zstd itself must refuse or the size differ. */
    fix_block_crc(d, at);
    d[at + BLOCK_HEADER_SIZE + 4] ^= 0xff;   /* inside the frame header */
    fix_block_crc(d, at);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "block 2: ");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

/* Zeroed next-access times in a trace whose checksums are all good (as a
 * writer that never ran the NAT pass would leave): refused at the first
 * record whose NAT does not lie ahead of it, by index. */
SK_TEST(test_siokit_zeroed_nats, "/trace/siokit/zeroed-nats")
{
    char *path = tmp_path("nat.trace");
    const gsize n = 3000;
    SkRecord *r = make_records(n, FALSE);

    for (gsize i = 0; i < n; i++)
        r[i].nat = i < 1700 ? SK_NAT_NONE : 0;
    write_trace(path, SK_FORMAT_SIOKIT, NULL, r, n);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "record 1700: next access 0 is not a later record");
    /* A NAT equal to the record's own index is no later access either. */
    r[1700].nat = 1700;
    write_trace(path, SK_FORMAT_SIOKIT, NULL, r, n);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "record 1700: next access 1700");
    g_free(r);
    g_free(path);
    remove_tmp_files();
}

/* A record whose tenant is not in the tenant table, checksums repaired. */
SK_TEST(test_siokit_tenant_not_in_table, "/trace/siokit/tenant-not-in-table")
{
    char *path = tmp_path("tenant.trace");
    gsize len;
    SkRecord *r = NULL;
    uint8_t *d = good_siokit(path, 2000, FALSE, &len, &r);
    size_t blk = plain_block(1);
    size_t rec = blk + BLOCK_HEADER_SIZE + 7 * RECORD_SIZE;
    guint nt = 0;
    GError *error = NULL;
    SkTraceReader *rd = sk_trace_reader_open(path, SK_FORMAT_SIOKIT, &error);
    const SkTenantInfo *t = sk_trace_reader_tenants(rd, &nt);
    uint32_t absent = 0;

    g_assert_no_error(error);
    /* the smallest id the table lacks */
    for (guint i = 0; i < nt && t[i].tenant == absent; i++)
        absent++;
    sk_trace_reader_free(rd);
    sk_put_le32(d + rec + 24, absent);
    fix_block_crc(d, blk);
    store(path, d, len);
    char *want = g_strdup_printf("record %u: tenant %u is not in the tenant table",
                                 BLOCK_RECORDS + 7, absent);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, want);
    g_free(want);
    g_free(r);
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_record_count_mismatch, "/trace/siokit/record-count-mismatch")
{
    char *path = tmp_path("count.trace");
    gsize len;
    uint8_t *d = good_siokit(path, 5000, FALSE, &len, NULL);
    uint64_t n = sk_get_le64(d + HDR_RECORD_COUNT);

    /* Uncompressed: the block area's size gives it away. */
    sk_put_le64(d + HDR_RECORD_COUNT, n - 1);
    fix_header_crc(d);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "record count");
    g_free(d);

    /* Compressed, header alone disagrees with the tenant table. */
    d = good_siokit(path, 5000, TRUE, &len, NULL);
    sk_put_le64(d + HDR_RECORD_COUNT, n - 1);
    fix_header_crc(d);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "record count");

    /* Header and table agree, the blocks hold one more. */
    size_t table = sk_get_le64(d + HDR_TABLE_OFFSET);
    uint32_t nt = sk_get_le32(d + HDR_TENANT_COUNT);
    uint64_t c = sk_get_le64(d + table + 8);
    if (c == 1) {
        /* would make a zero count: use the next tenant with more */
        for (uint32_t i = 1; i < nt && c == 1; i++) {
            table += 16;
            c = sk_get_le64(d + table + 8);
        }
    }
    g_assert_cmpuint(c, >, 1);
    sk_put_le64(d + table + 8, c - 1);
    size_t t0 = sk_get_le64(d + HDR_TABLE_OFFSET);
    sk_put_le32(d + HDR_TABLE_CRC, ref_crc32c(0, d + t0, (size_t)nt * 16));
    fix_header_crc(d);
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "record count");

    /* Tenant table checksum. */
    d[t0 + 2] ^= 0x40;
    store(path, d, len);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT,
                      "tenant table checksum");
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_bad_level, "/trace/siokit/bad-level")
{
    char *path = tmp_path("level.trace");
    const unsigned levels[] = { 0, 4, 255 };

    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        gsize len;
        uint8_t *d = good_siokit(path, 2000, FALSE, &len, NULL);
        const gsize rec = i == 0 ? 41 : BLOCK_RECORDS + 41;
        size_t blk = plain_block(rec / BLOCK_RECORDS);
        d[blk + BLOCK_HEADER_SIZE + (rec % BLOCK_RECORDS) * RECORD_SIZE + 32] =
            (uint8_t)levels[i];
        fix_block_crc(d, blk);
        store(path, d, len);
        char *want = g_strdup_printf("record %zu: level %u outside 1..3", rec,
                                     levels[i]);
        expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, want);
        g_free(want);
        g_free(d);
    }
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_siokit_empty, "/trace/siokit/empty")
{
    char *path = tmp_path("empty.trace");
    GError *error = NULL;

    store(path, "", 0);
    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "empty trace");
    g_unlink(path);

    /* A writer given no records refuses to make a trace and leaves nothing. */
    SkTraceWriter *w = sk_trace_writer_new(path, SK_FORMAT_SIOKIT, NULL, &error);
    g_assert_no_error(error);
    g_assert_false(sk_trace_writer_close(w, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_assert_cmpuint(count_tmp_files(), ==, 0);
    g_free(path);
}

/* A missing trace is bad input (exit 2), like a malformed one. */
SK_TEST(test_missing_file, "/trace/missing-file")
{
    char *path = tmp_path("nothing.trace");

    expect_read_error(path, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "cannot open");
    expect_read_error(path, SK_FORMAT_HYPERSIO, SK_ERROR_INPUT, "cannot open");
    expect_read_error(tmp_dir, SK_FORMAT_SIOKIT, SK_ERROR_INPUT, "regular");
    g_free(path);
}

static void write_hs(const char *path, const uint8_t *d, gsize n_bytes)
{
    store(path, d, n_bytes);
}

static uint8_t *good_hs(gsize n)
{
    uint8_t *d = g_malloc0(n * SK_HS_RECORD_SIZE);

    for (gsize i = 0; i < n; i++) {
        uint8_t *p = d + i * SK_HS_RECORD_SIZE;
        sk_put_le32(p, 1);
        sk_put_le16(p + 4, 0x18);
        sk_put_le16(p + 6, 4);
        sk_put_le64(p + 8, 0x1000 * i);
        sk_put_le64(p + 16, sk_level_mask(1));
        sk_put_le64(p + 24, 1);
        sk_put_le64(p + 40, SK_NAT_NONE);
    }
    return d;
}

SK_TEST(test_hypersio_bad_input, "/trace/hypersio/bad-input")
{
    char *path = tmp_path("bad_iotlb_trace.bin");
    uint8_t *d = good_hs(5);

    write_hs(path, d, 0);
    expect_read_error(path, SK_FORMAT_AUTO, SK_ERROR_INPUT, "empty trace");
    write_hs(path, d, 3 * SK_HS_RECORD_SIZE + 20);
    expect_read_error(path, SK_FORMAT_AUTO, SK_ERROR_INPUT,
                      "truncated record 3");
    write_hs(path, d, 30);
    expect_read_error(path, SK_FORMAT_AUTO, SK_ERROR_INPUT,
                      "truncated record 0");

    sk_put_le32(d + 1 * SK_HS_RECORD_SIZE, 2);
    write_hs(path, d, 5 * SK_HS_RECORD_SIZE);
    expect_read_error(path, SK_FORMAT_AUTO, SK_ERROR_INPUT,
                      "record 1: type 2 is not a translation");
    sk_put_le32(d + 1 * SK_HS_RECORD_SIZE, 1);

    const uint64_t levels[] = { 0, 4, UINT64_MAX, 0x100000001ull };
    for (gsize i = 0; i < G_N_ELEMENTS(levels); i++) {
        sk_put_le64(d + 2 * SK_HS_RECORD_SIZE + 24, levels[i]);
        write_hs(path, d, 5 * SK_HS_RECORD_SIZE);
        char *want = g_strdup_printf("record 2: level %" PRIu64 " outside 1..3",
                                     levels[i]);
        expect_read_error(path, SK_FORMAT_HYPERSIO, SK_ERROR_INPUT, want);
        g_free(want);
    }
    g_free(d);
    g_free(path);
    remove_tmp_files();
}

SK_TEST(test_hypersio_writer_refuses, "/trace/hypersio/writer-refuses")
{
    char *path = tmp_path("w_iotlb_trace.bin");
    SkRecord r[2] = {
        { .level = 1, .mask = 0x1234, .sid = 0xffff, .tenant = 0xffff },
        { .level = 1, .mask = 0x1234, .sid = 0x10000, .tenant = 1 },
    };
    GError *error = NULL;
    SkTraceWriter *w = sk_trace_writer_new(path, SK_FORMAT_AUTO, NULL, &error);

    g_assert_no_error(error);
    g_assert_false(sk_trace_writer_write(w, r, 2, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, path));
    g_assert_nonnull(strstr(error->message, "record 1: sid 0x10000"));
    g_clear_error(&error);

    r[1].sid = 1;
    r[1].tenant = 0x10000;
    g_assert_false(sk_trace_writer_write(w, r, 2, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "record 1: tenant (did) 0x10000");

    r[1].tenant = 1;
    r[1].level = 0;
    g_assert_false(sk_trace_writer_write(w, r, 2, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "record 1: level 0");

    /* Nothing was written by the refused batches; zero records: refused. */
    g_assert_false(sk_trace_writer_close(w, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_assert_cmpuint(count_tmp_files(), ==, 0);
    g_free(path);
}

SK_TEST(test_writer_abort, "/trace/writer/abort")
{
    const char *names[] = { "abort.trace", "abort_iotlb_trace.bin" };
    SkTraceWriterOptions opts = { .compress = TRUE };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        char *path = tmp_path(names[i]);
        SkRecord *r = make_records(5000, TRUE);
        GError *error = NULL;
        SkTraceWriter *w = sk_trace_writer_new(path, SK_FORMAT_AUTO, &opts,
                                               &error);
        g_assert_no_error(error);
        for (gsize k = 0; k < 5000; k++)
            r[k].mask = sk_level_mask(r[k].level);
        g_assert_true(sk_trace_writer_write(w, r, 5000, &error));
        g_assert_cmpuint(count_tmp_files(), ==, 1);   /* the temporary file */
        g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
        sk_trace_writer_abort(w);
        g_assert_cmpuint(count_tmp_files(), ==, 0);
        g_free(r);
        g_free(path);
    }
}

SK_TEST(test_writer_missing_dir, "/trace/writer/missing-dir")
{
    const char *names[] = { "no/such/dir/x.trace", "no/such/x_iotlb_trace.bin" };

    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        char *path = tmp_path(names[i]);
        GError *error = NULL;
        SkTraceWriter *w = sk_trace_writer_new(path, SK_FORMAT_AUTO, NULL,
                                               &error);
        g_assert_null(w);
        sk_assert_error(&error, SK_ERROR, SK_ERROR_IO, path);
        g_free(path);
    }
    g_assert_cmpuint(count_tmp_files(), ==, 0);
}

int main(int argc, char **argv)
{
    int status;

    sk_test_init(&argc, &argv);
    tmp_dir = sk_test_dir();

    status = g_test_run();
    return status;
}
