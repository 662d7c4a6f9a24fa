/* sk_trace.c - siokit's trace format and the public trace reader/writer.
 *
 * The byte layout is documented in docs/trace-format.md; the constants below
 * are that document's.  In short: a 128-byte header, blocks of up to 1638
 * 40-byte records (16-byte block header, payload raw or one zstd frame,
 * CRC-32C), then a tenant table of 16-byte rows that the header points to.
 * HyperSIO's format lives in sk_hstrace.c; this file dispatches to it.
 *
 * Reader invariants (checked, each failure an SK_ERROR_INPUT naming the file):
 *   1. The header's magic, version, size, layout, flags, reserved bytes and
 *      checksum are exactly as written by this version.
 *   2. The file ends exactly at the end of the tenant table; the table's
 *      checksum matches, tenants are strictly ascending, each has at least
 *      one translation and their sum is the header's record count.
 *   3. Blocks follow the header back to back and end exactly at the tenant
 *      table; each block's sizes agree with its record count and its
 *      checksum matches; at most one block is held in memory.
 *   4. Every record has level 1..3, a known kind and zero padding; the
 *      records of all blocks add up to the header's record count.
 *   5. Every record's tenant is in the tenant table, and its next-access
 *      time, unless SK_NAT_NONE, lies ahead of its own index. */
#include "sk_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "sk_bytes.h"
#include "sk_cli.h"
#include "sk_crc32c.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_hstrace.h"

#define SK_TRACE_MAGIC "SIOKTRC"      /* 8 bytes with its NUL */
#define SK_TRACE_VERSION 1
#define SK_TRACE_HEADER_SIZE 128
#define SK_TRACE_RECORD_SIZE 40
#define SK_TRACE_LAYOUT_ID 1
#define SK_TRACE_BLOCK_RECORDS 1638   /* 65520 bytes: 64 KiB of records */
#define SK_TRACE_MAX_BLOCK_RECORDS 65536
#define SK_TRACE_BLOCK_HEADER_SIZE 16
#define SK_TRACE_TENANT_SIZE 16
#define SK_TRACE_FLAG_ZSTD 0x1u

/* Header field offsets. */
enum {
    HDR_MAGIC = 0, HDR_VERSION = 8, HDR_HEADER_SIZE = 10, HDR_FLAGS = 12,
    HDR_RECORD_SIZE = 16, HDR_LAYOUT_ID = 18, HDR_BLOCK_RECORDS = 20,
    HDR_RECORD_COUNT = 24, HDR_BLOCK_COUNT = 32, HDR_TABLE_OFFSET = 40,
    HDR_TENANT_COUNT = 48, HDR_TABLE_CRC = 52, HDR_SOURCE_HASH = 56,
    HDR_LAYOUT = 64, HDR_RESERVED = 80, HDR_CRC = 124,
};

/* Record layout descriptor: (offset, size) of iova, mask, slpte, nat, tenant,
 * sid, level, kind; size 0 = not stored (the mask follows from the level). */
static const uint8_t sk_trace_layout[16] = {
    0, 8,   0, 0,   8, 8,   16, 8,   24, 4,   28, 4,   32, 1,   33, 1,
};

/* ---- formats ----------------------------------------------------------- */

static const char *const format_names[] = {
    [SK_FORMAT_AUTO] = "auto", [SK_FORMAT_SIOKIT] = "siokit",
    [SK_FORMAT_HYPERSIO] = "hypersio",
};

gboolean sk_trace_format_parse(const char *name, SkTraceFormat *format)
{
    int i = sk_name_index(format_names, G_N_ELEMENTS(format_names), name);

    if (i >= 0)
        *format = (SkTraceFormat)i;
    return i >= 0;
}

SkTraceFormat sk_trace_format_detect(const char *path)
{
    if (path != NULL && g_str_has_suffix(path, "_iotlb_trace.bin"))
        return SK_FORMAT_HYPERSIO;
    return SK_FORMAT_SIOKIT;
}

/* ---- reader ------------------------------------------------------------ */

struct SkTraceReader {
    SkTraceFormat format;
    char *path;
    SkHsReader *hs;             /* HyperSIO traces only */

    int fd;
    uint64_t file_size;
    uint32_t flags;
    uint32_t block_records;
    uint64_t n_records;
    uint64_t n_blocks;
    uint64_t table_offset;
    uint64_t source_hash;
    SkTenantInfo *tenants;
    guint n_tenants;
    guint last_tenant;          /* index of the last tenant a record named */

    ZSTD_DCtx *dctx;
    uint8_t *raw;               /* the current block's records */
    size_t raw_cap;
    uint8_t *stored;            /* its compressed payload */
    size_t stored_cap;
    uint64_t pos;               /* file offset of the next block */
    uint64_t blocks_read;
    uint64_t records_loaded;    /* records in the blocks loaded so far */
    uint64_t records_read;      /* records returned so far */
    uint32_t block_n;           /* records in the current block */
    uint32_t block_i;           /* next record of the current block */
    gboolean done;
    gboolean failed;
};

G_GNUC_PRINTF(3, 4)
static void reader_fail(SkTraceReader *r, GError **error, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "trace '%s': %s", r->path, msg);
    g_free(msg);
    r->failed = TRUE;
}

/* Reads exactly n bytes at off: FALSE with SK_ERROR_IO on a system error,
 * FALSE with SK_ERROR_INPUT "<what>" on a short read. */
static gboolean reader_pread(SkTraceReader *r, void *buf, size_t n,
                             uint64_t off, const char *what, GError **error)
{
    ssize_t k = sk_pread_full(r->fd, buf, n, off);

    if (k < 0) {
        sk_file_set_io_error(error, "trace", r->path, "cannot read", errno);
        r->failed = TRUE;
        return FALSE;
    }
    if ((size_t)k != n) {
        reader_fail(r, error, "%s", what);
        return FALSE;
    }
    return TRUE;
}

/* The file is not as long as the header says: walk the block headers to
 * name the part that is cut (only on this error path). */
static void reader_explain_truncation(SkTraceReader *r, GError **error)
{
    uint64_t pos = SK_TRACE_HEADER_SIZE;
    uint8_t bh[SK_TRACE_BLOCK_HEADER_SIZE];

    for (uint64_t b = 0; b < r->n_blocks; b++) {
        if (r->file_size - pos < SK_TRACE_BLOCK_HEADER_SIZE ||
            sk_pread_full(r->fd, bh, sizeof bh, pos) != (gssize)sizeof bh) {
            reader_fail(r, error, "truncated block %" PRIu64, b);
            return;
        }
        uint64_t stored = sk_get_le32(bh + 8);
        pos += SK_TRACE_BLOCK_HEADER_SIZE;
        if (r->file_size - pos < stored) {
            reader_fail(r, error, "truncated block %" PRIu64, b);
            return;
        }
        pos += stored;
    }
    reader_fail(r, error, "truncated tenant table");
}

/* Checks the header; FALSE with error set. */
static gboolean reader_parse_header(SkTraceReader *r, const uint8_t *h,
                                    GError **error)
{
    uint32_t n_tenants;
    uint64_t min_blocks, table_end;

    if (sk_get_le16(h + HDR_VERSION) != SK_TRACE_VERSION) {
        reader_fail(r, error, "unsupported version %u (this reader knows %u)",
                    sk_get_le16(h + HDR_VERSION), SK_TRACE_VERSION);
        return FALSE;
    }
    if (sk_get_le16(h + HDR_HEADER_SIZE) != SK_TRACE_HEADER_SIZE) {
        reader_fail(r, error, "header size %u, expected %u",
                    sk_get_le16(h + HDR_HEADER_SIZE), SK_TRACE_HEADER_SIZE);
        return FALSE;
    }
    if (sk_crc32c(0, h, HDR_CRC) != sk_get_le32(h + HDR_CRC)) {
        reader_fail(r, error, "header checksum mismatch");
        return FALSE;
    }
    r->flags = sk_get_le32(h + HDR_FLAGS);
    if (r->flags & ~SK_TRACE_FLAG_ZSTD) {
        reader_fail(r, error, "unknown flags 0x%" PRIx32, r->flags);
        return FALSE;
    }
    if (sk_get_le16(h + HDR_RECORD_SIZE) != SK_TRACE_RECORD_SIZE ||
        sk_get_le16(h + HDR_LAYOUT_ID) != SK_TRACE_LAYOUT_ID ||
        memcmp(h + HDR_LAYOUT, sk_trace_layout, sizeof sk_trace_layout) != 0) {
        reader_fail(r, error, "unknown record layout (id %u, record size %u)",
                    sk_get_le16(h + HDR_LAYOUT_ID),
                    sk_get_le16(h + HDR_RECORD_SIZE));
        return FALSE;
    }
    for (unsigned i = HDR_RESERVED; i < HDR_CRC; i++) {
        if (h[i] != 0) {
            reader_fail(r, error, "reserved header byte %u not zero", i);
            return FALSE;
        }
    }
    r->block_records = sk_get_le32(h + HDR_BLOCK_RECORDS);
    if (r->block_records < 1 || r->block_records > SK_TRACE_MAX_BLOCK_RECORDS) {
        reader_fail(r, error, "block size %" PRIu32 " records outside 1..%u",
                    r->block_records, SK_TRACE_MAX_BLOCK_RECORDS);
        return FALSE;
    }
    r->n_records = sk_get_le64(h + HDR_RECORD_COUNT);
    if (r->n_records == 0) {
        reader_fail(r, error, "empty trace");
        return FALSE;
    }
    n_tenants = sk_get_le32(h + HDR_TENANT_COUNT);
    if (n_tenants == 0 || n_tenants > r->n_records) {
        reader_fail(r, error, "tenant count %" PRIu32 " for %" PRIu64 " records",
                    n_tenants, r->n_records);
        return FALSE;
    }
    r->n_blocks = sk_get_le64(h + HDR_BLOCK_COUNT);
    min_blocks = r->n_records / r->block_records +
                 (r->n_records % r->block_records != 0);
    if (r->n_blocks < min_blocks || r->n_blocks > r->n_records) {
        reader_fail(r, error, "block count %" PRIu64 " for %" PRIu64
                    " records of at most %" PRIu32 " a block",
                    r->n_blocks, r->n_records, r->block_records);
        return FALSE;
    }
    r->table_offset = sk_get_le64(h + HDR_TABLE_OFFSET);
    if (r->table_offset < SK_TRACE_HEADER_SIZE ||
        r->table_offset > UINT64_MAX - (uint64_t)n_tenants * SK_TRACE_TENANT_SIZE) {
        reader_fail(r, error, "tenant table offset %" PRIu64 " out of range",
                    r->table_offset);
        return FALSE;
    }
    table_end = r->table_offset + (uint64_t)n_tenants * SK_TRACE_TENANT_SIZE;
    if (r->file_size > table_end) {
        reader_fail(r, error, "%" PRIu64 " bytes of trailing data after the "
                    "tenant table", r->file_size - table_end);
        return FALSE;
    }
    if (r->file_size < table_end) {
        reader_explain_truncation(r, error);
        return FALSE;
    }
    /* Each block takes at least its header and one payload byte; without
     * compression the block area's size is exact. */
    uint64_t area = r->table_offset - SK_TRACE_HEADER_SIZE;
    if (r->n_blocks > area / (SK_TRACE_BLOCK_HEADER_SIZE + 1) ||
        (!(r->flags & SK_TRACE_FLAG_ZSTD) &&
         (r->n_records > area / SK_TRACE_RECORD_SIZE ||
          area != r->n_blocks * SK_TRACE_BLOCK_HEADER_SIZE +
                  r->n_records * SK_TRACE_RECORD_SIZE))) {
        reader_fail(r, error, "record count %" PRIu64 " in %" PRIu64
                    " blocks does not fit a block area of %" PRIu64 " bytes",
                    r->n_records, r->n_blocks, area);
        return FALSE;
    }
    r->n_tenants = n_tenants;
    r->source_hash = sk_get_le64(h + HDR_SOURCE_HASH);
    return TRUE;
}

/* Loads and checks the tenant table; FALSE with error set. */
static gboolean reader_load_tenants(SkTraceReader *r, uint32_t table_crc,
                                    GError **error)
{
    size_t size = (size_t)r->n_tenants * SK_TRACE_TENANT_SIZE;
    uint8_t *buf = g_malloc(size);   /* at most the file's size */
    uint64_t total = 0;
    gboolean ok = FALSE;

    if (!reader_pread(r, buf, size, r->table_offset, "truncated tenant table",
                      error))
        goto out;
    if (sk_crc32c(0, buf, size) != table_crc) {
        reader_fail(r, error, "tenant table checksum mismatch");
        goto out;
    }
    r->tenants = g_new(SkTenantInfo, r->n_tenants);
    for (guint i = 0; i < r->n_tenants; i++) {
        const uint8_t *p = buf + (size_t)i * SK_TRACE_TENANT_SIZE;
        SkTenantInfo *t = &r->tenants[i];
        t->tenant = sk_get_le32(p);
        t->sid = sk_get_le32(p + 4);
        t->translations = sk_get_le64(p + 8);
        if (i > 0 && t->tenant <= r->tenants[i - 1].tenant) {
            reader_fail(r, error, "tenant table: entry %u: tenant %" PRIu32
                        " out of order", i, t->tenant);
            goto out;
        }
        if (t->translations == 0) {
            reader_fail(r, error, "tenant table: entry %u: no translations", i);
            goto out;
        }
        if (t->translations > r->n_records - total) {
            reader_fail(r, error, "tenant table: entry %u: translations add up "
                        "to more than the record count %" PRIu64, i,
                        r->n_records);
            goto out;
        }
        total += t->translations;
    }
    if (total != r->n_records) {
        reader_fail(r, error, "record count %" PRIu64 " disagrees with the "
                    "tenant table's %" PRIu64, r->n_records, total);
        goto out;
    }
    ok = TRUE;
out:
    g_free(buf);
    return ok;
}

static SkTraceReader *reader_open_siokit(SkTraceReader *r, GError **error)
{
    uint8_t h[SK_TRACE_HEADER_SIZE];
    struct stat st;
    ssize_t n;

    r->fd = sk_input_open("trace", r->path, error);
    if (r->fd < 0)
        goto err;
    if (fstat(r->fd, &st) != 0) {
        sk_file_set_io_error(error, "trace", r->path, "cannot stat", errno);
        goto err;
    }
    r->file_size = (uint64_t)st.st_size;
    n = sk_pread_full(r->fd, h, sizeof h, 0);
    if (n < 0) {
        sk_file_set_io_error(error, "trace", r->path, "cannot read", errno);
        goto err;
    }
    if (n == 0) {
        reader_fail(r, error, "empty trace");
        goto err;
    }
    if (memcmp(h, SK_TRACE_MAGIC, MIN((size_t)n, sizeof SK_TRACE_MAGIC)) != 0) {
        reader_fail(r, error, "bad magic");
        goto err;
    }
    if ((size_t)n < sizeof h) {
        reader_fail(r, error, "truncated header (%zd of %u bytes)", n,
                    SK_TRACE_HEADER_SIZE);
        goto err;
    }
    if (!reader_parse_header(r, h, error) ||
        !reader_load_tenants(r, sk_get_le32(h + HDR_TABLE_CRC), error))
        goto err;
    r->dctx = ZSTD_createDCtx();
    if (r->dctx == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "trace '%s': cannot create a zstd context", r->path);
        goto err;
    }
    r->pos = SK_TRACE_HEADER_SIZE;
    return r;
err:
    sk_trace_reader_free(r);
    return NULL;
}

SkTraceReader *sk_trace_reader_open(const char *path, SkTraceFormat format,
                                    GError **error)
{
    SkTraceReader *r = g_new0(SkTraceReader, 1);

    r->fd = -1;
    r->path = g_strdup(path);
    r->format = format == SK_FORMAT_AUTO ? sk_trace_format_detect(path) : format;
    if (r->format == SK_FORMAT_HYPERSIO) {
        r->hs = sk_hs_reader_open(path, error);
        if (r->hs == NULL) {
            sk_trace_reader_free(r);
            return NULL;
        }
        return r;
    }
    return reader_open_siokit(r, error);
}

/* Grows *buf to at least n bytes. */
static void grow(uint8_t **buf, size_t *cap, size_t n)
{
    if (*cap < n) {
        g_free(*buf);
        *buf = g_malloc(n);
        *cap = n;
    }
}

/* Loads the next block, or notices the end of the trace (r->done).  FALSE
 * with error set if the block or the trace's end is inconsistent. */
static gboolean reader_next_block(SkTraceReader *r, GError **error)
{
    uint8_t bh[SK_TRACE_BLOCK_HEADER_SIZE];
    uint64_t b = r->blocks_read;
    uint32_t count, raw_size, stored_size;
    uint8_t *payload;

    if (b == r->n_blocks) {
        if (r->pos != r->table_offset) {
            reader_fail(r, error, "%" PRIu64 " bytes between the last block "
                        "and the tenant table", r->table_offset - r->pos);
            return FALSE;
        }
        if (r->records_loaded != r->n_records) {
            reader_fail(r, error, "record count %" PRIu64 " in the header, %"
                        PRIu64 " in the blocks", r->n_records,
                        r->records_loaded);
            return FALSE;
        }
        r->done = TRUE;
        return TRUE;
    }
    if (r->table_offset - r->pos < SK_TRACE_BLOCK_HEADER_SIZE) {
        reader_fail(r, error, "block %" PRIu64 ": runs into the tenant table",
                    b);
        return FALSE;
    }
    char *trunc = g_strdup_printf("truncated block %" PRIu64, b);
    gboolean got = reader_pread(r, bh, sizeof bh, r->pos, trunc, error);
    if (!got) {
        g_free(trunc);
        return FALSE;
    }
    count = sk_get_le32(bh);
    raw_size = sk_get_le32(bh + 4);
    stored_size = sk_get_le32(bh + 8);
    if (count < 1 || count > r->block_records) {
        reader_fail(r, error, "block %" PRIu64 ": record count %" PRIu32
                    " outside 1..%" PRIu32, b, count, r->block_records);
        goto err;
    }
    if (raw_size != count * SK_TRACE_RECORD_SIZE) {
        reader_fail(r, error, "block %" PRIu64 ": raw size %" PRIu32 " for %"
                    PRIu32 " records", b, raw_size, count);
        goto err;
    }
    if ((r->flags & SK_TRACE_FLAG_ZSTD)
            ? stored_size == 0 || stored_size > ZSTD_compressBound(raw_size)
            : stored_size != raw_size) {
        reader_fail(r, error, "block %" PRIu64 ": stored size %" PRIu32
                    " out of range", b, stored_size);
        goto err;
    }
    if (r->table_offset - r->pos - SK_TRACE_BLOCK_HEADER_SIZE < stored_size) {
        reader_fail(r, error, "block %" PRIu64 ": runs into the tenant table",
                    b);
        goto err;
    }
    if (count > r->n_records - r->records_loaded) {
        reader_fail(r, error, "block %" PRIu64 ": more records than the "
                    "header's record count %" PRIu64, b, r->n_records);
        goto err;
    }
    grow(&r->raw, &r->raw_cap, raw_size);
    if (r->flags & SK_TRACE_FLAG_ZSTD) {
        grow(&r->stored, &r->stored_cap, stored_size);
        payload = r->stored;
    } else {
        payload = r->raw;
    }
    if (!reader_pread(r, payload, stored_size,
                      r->pos + SK_TRACE_BLOCK_HEADER_SIZE, trunc, error))
        goto err;
    if (sk_crc32c(sk_crc32c(0, bh, 12), payload, stored_size) !=
        sk_get_le32(bh + 12)) {
        reader_fail(r, error, "block %" PRIu64 ": checksum mismatch", b);
        goto err;
    }
    if (r->flags & SK_TRACE_FLAG_ZSTD) {
        size_t k = ZSTD_decompressDCtx(r->dctx, r->raw, raw_size, payload,
                                       stored_size);
        if (ZSTD_isError(k)) {
            reader_fail(r, error, "block %" PRIu64 ": bad zstd data (%s)", b,
                        ZSTD_getErrorName(k));
            goto err;
        }
        if (k != raw_size) {
            reader_fail(r, error, "block %" PRIu64 ": decompressed to %zu "
                        "bytes, expected %" PRIu32, b, k, raw_size);
            goto err;
        }
    }
    g_free(trunc);
    r->pos += SK_TRACE_BLOCK_HEADER_SIZE + stored_size;
    r->blocks_read++;
    r->records_loaded += count;
    r->block_n = count;
    r->block_i = 0;
    return TRUE;
err:
    g_free(trunc);
    return FALSE;
}

/* Whether tenant is in the (ascending) tenant table; the last hit is
 * remembered, records of one tenant often come in runs. */
static gboolean reader_knows_tenant(SkTraceReader *r, uint32_t tenant)
{
    guint lo = 0, hi = r->n_tenants;

    if (r->last_tenant < r->n_tenants && r->tenants[r->last_tenant].tenant == tenant)
        return TRUE;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (r->tenants[mid].tenant < tenant)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->n_tenants || r->tenants[lo].tenant != tenant)
        return FALSE;
    r->last_tenant = lo;
    return TRUE;
}

static gssize reader_read_siokit(SkTraceReader *r, SkRecord *out, gsize max,
                                 GError **error)
{
    gsize n = 0;

    while (n < max) {
        if (r->block_i == r->block_n) {
            if (r->done)
                break;
            if (!reader_next_block(r, error))
                return -1;
            if (r->done)
                break;
        }
        const uint8_t *p = r->raw + (size_t)r->block_i * SK_TRACE_RECORD_SIZE;
        SkRecord *rec = &out[n];
        uint64_t index = r->records_read;
        rec->iova = sk_get_le64(p);
        rec->slpte = sk_get_le64(p + 8);
        rec->nat = sk_get_le64(p + 16);
        rec->tenant = sk_get_le32(p + 24);
        rec->sid = sk_get_le32(p + 28);
        rec->level = p[32];
        rec->kind = p[33];
        if (rec->level < SK_LEVEL_MIN || rec->level > SK_LEVEL_MAX) {
            reader_fail(r, error, "record %" PRIu64 ": level %u outside 1..3",
                        index, rec->level);
            return -1;
        }
        if (rec->kind > SK_KIND_WALK) {
            reader_fail(r, error, "record %" PRIu64 ": unknown kind %u", index,
                        rec->kind);
            return -1;
        }
        if ((p[34] | p[35] | p[36] | p[37] | p[38] | p[39]) != 0) {
            reader_fail(r, error, "record %" PRIu64 ": padding not zero",
                        index);
            return -1;
        }
        if (rec->nat != SK_NAT_NONE && rec->nat <= index) {
            reader_fail(r, error, "record %" PRIu64 ": next access %" PRIu64
                        " is not a later record", index, rec->nat);
            return -1;
        }
        if (!reader_knows_tenant(r, rec->tenant)) {
            reader_fail(r, error, "record %" PRIu64 ": tenant %" PRIu32
                        " is not in the tenant table", index, rec->tenant);
            return -1;
        }
        rec->mask = sk_level_mask(rec->level);
        r->block_i++;
        r->records_read++;
        n++;
    }
    return (gssize)n;
}

gssize sk_trace_reader_read(SkTraceReader *reader, SkRecord *out, gsize max,
                            GError **error)
{
    if (reader->failed) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "trace '%s': read after an earlier error", reader->path);
        return -1;
    }
    if (max > G_MAXSSIZE)
        max = G_MAXSSIZE;
    if (reader->hs != NULL) {
        gssize n = sk_hs_reader_read(reader->hs, out, max, error);
        if (n < 0)
            reader->failed = TRUE;
        return n;
    }
    return reader_read_siokit(reader, out, max, error);
}

SkTraceFormat sk_trace_reader_format(const SkTraceReader *reader)
{
    return reader->format;
}

const char *sk_trace_reader_path(const SkTraceReader *reader)
{
    return reader->path;
}

const SkTenantInfo *sk_trace_reader_tenants(const SkTraceReader *reader,
                                            guint *n_tenants)
{
    if (n_tenants != NULL)
        *n_tenants = reader->tenants != NULL ? reader->n_tenants : 0;
    return reader->tenants;
}

uint64_t sk_trace_reader_n_records(const SkTraceReader *reader)
{
    return reader->format == SK_FORMAT_SIOKIT ? reader->n_records : 0;
}

uint64_t sk_trace_reader_source_hash(const SkTraceReader *reader)
{
    return reader->source_hash;
}

void sk_trace_reader_free(SkTraceReader *reader)
{
    if (reader == NULL)
        return;
    if (reader->hs != NULL)
        sk_hs_reader_free(reader->hs);
    if (reader->fd >= 0)
        close(reader->fd);
    ZSTD_freeDCtx(reader->dctx);
    SK_FREE_ALL(reader->tenants, reader->raw, reader->stored, reader->path, reader);
}

/* ---- writer ------------------------------------------------------------ */

struct SkTraceWriter {
    SkTraceFormat format;
    SkHsWriter *hs;             /* HyperSIO traces only */

    SkOutput out;
    gboolean compress;
    int zstd_level;
    uint64_t source_hash;
    ZSTD_CCtx *cctx;
    uint8_t *raw;               /* records of the block being filled */
    uint32_t block_n;
    uint8_t *zbuf;
    size_t zbuf_cap;
    uint64_t n_records;
    uint64_t n_blocks;
    uint64_t offset;            /* where the next block goes */
    GArray *tenants;            /* SkTenantInfo, in order of appearance */
    GHashTable *tenant_index;   /* tenant -> index in tenants + 1 */
    guint last;                 /* index of the last tenant seen + 1, or 0 */
    gboolean failed;            /* an I/O error happened: close fails */
};

SkTraceWriter *sk_trace_writer_new(const char *path, SkTraceFormat format,
                                   const SkTraceWriterOptions *options,
                                   GError **error)
{
    SkTraceWriter *w = g_new0(SkTraceWriter, 1);
    uint8_t zero[SK_TRACE_HEADER_SIZE] = {0};

    w->format = format == SK_FORMAT_AUTO ? sk_trace_format_detect(path) : format;
    if (w->format == SK_FORMAT_HYPERSIO) {
        w->hs = sk_hs_writer_new(path, error);
        if (w->hs == NULL)
            goto err;
        return w;
    }
    if (options != NULL) {
        w->compress = options->compress;
        w->zstd_level = options->zstd_level;
        w->source_hash = options->source_hash;
    }
    if (w->zstd_level == 0)
        w->zstd_level = ZSTD_CLEVEL_DEFAULT;
    w->zstd_level = CLAMP(w->zstd_level, ZSTD_minCLevel(), ZSTD_maxCLevel());
    if (!sk_output_open(&w->out, "trace", path, error))
        goto err;
    w->raw = g_malloc((size_t)SK_TRACE_BLOCK_RECORDS * SK_TRACE_RECORD_SIZE);
    if (w->compress) {
        w->cctx = ZSTD_createCCtx();
        w->zbuf_cap = ZSTD_compressBound((size_t)SK_TRACE_BLOCK_RECORDS *
                                         SK_TRACE_RECORD_SIZE);
        w->zbuf = g_malloc(w->zbuf_cap);
        if (w->cctx == NULL) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "trace '%s': cannot create a zstd context", path);
            goto err;
        }
    }
    w->tenants = g_array_new(FALSE, FALSE, sizeof(SkTenantInfo));
    w->tenant_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    /* The header is written at close; a placeholder of zeros until then. */
    if (fwrite(zero, sizeof zero, 1, w->out.f) != 1) {
        sk_file_set_io_error(error, "trace", path, "cannot write", errno);
        goto err;
    }
    w->offset = SK_TRACE_HEADER_SIZE;
    return w;
err:
    sk_trace_writer_abort(w);
    return NULL;
}

/* Writes the block being filled, compressed if asked.  FALSE with error set
 * (and the writer marked failed) on an I/O or zstd error. */
static gboolean writer_flush_block(SkTraceWriter *w, GError **error)
{
    uint8_t bh[SK_TRACE_BLOCK_HEADER_SIZE];
    uint32_t raw_size = w->block_n * SK_TRACE_RECORD_SIZE;
    const uint8_t *payload = w->raw;
    size_t stored = raw_size;

    if (w->block_n == 0)
        return TRUE;
    if (w->compress) {
        stored = ZSTD_compressCCtx(w->cctx, w->zbuf, w->zbuf_cap, w->raw,
                                   raw_size, w->zstd_level);
        if (ZSTD_isError(stored)) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "trace '%s': block %" PRIu64 ": zstd: %s", w->out.path,
                        w->n_blocks, ZSTD_getErrorName(stored));
            w->failed = TRUE;
            return FALSE;
        }
        payload = w->zbuf;
    }
    sk_put_le32(bh, w->block_n);
    sk_put_le32(bh + 4, raw_size);
    sk_put_le32(bh + 8, (uint32_t)stored);
    sk_put_le32(bh + 12, sk_crc32c(sk_crc32c(0, bh, 12), payload, stored));
    if (fwrite(bh, sizeof bh, 1, w->out.f) != 1 ||
        fwrite(payload, stored, 1, w->out.f) != 1) {
        sk_file_set_io_error(error, "trace", w->out.path, "cannot write", errno);
        w->failed = TRUE;
        return FALSE;
    }
    w->offset += sizeof bh + stored;
    w->n_blocks++;
    w->block_n = 0;
    return TRUE;
}

/* Counts one record of tenant t (first sid kept). */
static void writer_count_tenant(SkTraceWriter *w, uint32_t t, uint32_t sid)
{
    SkTenantInfo *info;
    guint idx = w->last;

    if (idx == 0 || g_array_index(w->tenants, SkTenantInfo, idx - 1).tenant != t) {
        idx = GPOINTER_TO_UINT(g_hash_table_lookup(w->tenant_index,
                                                   GUINT_TO_POINTER(t)));
        if (idx == 0) {
            SkTenantInfo fresh = { .tenant = t, .sid = sid, .translations = 0 };
            g_array_append_val(w->tenants, fresh);
            idx = w->tenants->len;
            g_hash_table_insert(w->tenant_index, GUINT_TO_POINTER(t),
                                GUINT_TO_POINTER(idx));
        }
        w->last = idx;
    }
    info = &g_array_index(w->tenants, SkTenantInfo, idx - 1);
    info->translations++;
}

gboolean sk_trace_writer_write(SkTraceWriter *writer, const SkRecord *records,
                               gsize n, GError **error)
{
    SkTraceWriter *w = writer;

    if (w->hs != NULL)
        return sk_hs_writer_write(w->hs, records, n, error);
    /* Check the whole batch first: a refused batch writes nothing. */
    if (!sk_records_check(w->out.path, w->failed, records, n, w->n_records, FALSE,
                          error))
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        const SkRecord *rec = &records[i];
        uint8_t *p = w->raw + (size_t)w->block_n * SK_TRACE_RECORD_SIZE;
        sk_put_le64(p, rec->iova);
        sk_put_le64(p + 8, rec->slpte);
        sk_put_le64(p + 16, rec->nat);
        sk_put_le32(p + 24, rec->tenant);
        sk_put_le32(p + 28, rec->sid);
        p[32] = rec->level;
        p[33] = rec->kind;
        memset(p + 34, 0, 6);
        writer_count_tenant(w, rec->tenant, rec->sid);
        w->n_records++;
        if (++w->block_n == SK_TRACE_BLOCK_RECORDS &&
            !writer_flush_block(w, error))
            return FALSE;
    }
    return TRUE;
}

static gint tenant_cmp(gconstpointer a, gconstpointer b)
{
    const SkTenantInfo *x = a, *y = b;
    return (x->tenant > y->tenant) - (x->tenant < y->tenant);
}

/* Writes the tenant table and the real header.  FALSE with error set. */
static gboolean writer_finish_siokit(SkTraceWriter *w, GError **error)
{
    uint8_t h[SK_TRACE_HEADER_SIZE] = {0};
    uint32_t table_crc = 0;
    uint64_t table_offset;

    if (!writer_flush_block(w, error))
        return FALSE;
    table_offset = w->offset;
    g_array_sort(w->tenants, tenant_cmp);
    for (guint i = 0; i < w->tenants->len; i++) {
        const SkTenantInfo *t = &g_array_index(w->tenants, SkTenantInfo, i);
        uint8_t row[SK_TRACE_TENANT_SIZE];
        sk_put_le32(row, t->tenant);
        sk_put_le32(row + 4, t->sid);
        sk_put_le64(row + 8, t->translations);
        table_crc = sk_crc32c(table_crc, row, sizeof row);
        if (fwrite(row, sizeof row, 1, w->out.f) != 1)
            goto io_err;
    }
    memcpy(h + HDR_MAGIC, SK_TRACE_MAGIC, sizeof SK_TRACE_MAGIC);
    sk_put_le16(h + HDR_VERSION, SK_TRACE_VERSION);
    sk_put_le16(h + HDR_HEADER_SIZE, SK_TRACE_HEADER_SIZE);
    sk_put_le32(h + HDR_FLAGS, w->compress ? SK_TRACE_FLAG_ZSTD : 0);
    sk_put_le16(h + HDR_RECORD_SIZE, SK_TRACE_RECORD_SIZE);
    sk_put_le16(h + HDR_LAYOUT_ID, SK_TRACE_LAYOUT_ID);
    sk_put_le32(h + HDR_BLOCK_RECORDS, SK_TRACE_BLOCK_RECORDS);
    sk_put_le64(h + HDR_RECORD_COUNT, w->n_records);
    sk_put_le64(h + HDR_BLOCK_COUNT, w->n_blocks);
    sk_put_le64(h + HDR_TABLE_OFFSET, table_offset);
    sk_put_le32(h + HDR_TENANT_COUNT, w->tenants->len);
    sk_put_le32(h + HDR_TABLE_CRC, table_crc);
    sk_put_le64(h + HDR_SOURCE_HASH, w->source_hash);
    memcpy(h + HDR_LAYOUT, sk_trace_layout, sizeof sk_trace_layout);
    sk_put_le32(h + HDR_CRC, sk_crc32c(0, h, HDR_CRC));
    if (fseeko(w->out.f, 0, SEEK_SET) != 0 || fwrite(h, sizeof h, 1, w->out.f) != 1)
        goto io_err;
    return TRUE;
io_err:
    sk_file_set_io_error(error, "trace", w->out.path, "cannot write", errno);
    return FALSE;
}

gboolean sk_trace_writer_close(SkTraceWriter *writer, GError **error)
{
    SkTraceWriter *w = writer;
    gboolean ok = FALSE;

    if (w->hs != NULL) {
        ok = sk_hs_writer_close(w->hs, error);
        w->hs = NULL;
        goto out;
    }
    if (!sk_records_check_whole(w->out.path, w->failed, w->n_records, error) ||
        !writer_finish_siokit(w, error))
        goto out;
    ok = sk_output_commit(&w->out, error);
out:
    sk_trace_writer_abort(w);   /* removes the temporary file if still there */
    return ok;
}

void sk_trace_writer_abort(SkTraceWriter *writer)
{
    SkTraceWriter *w = writer;

    if (w == NULL)
        return;
    if (w->hs != NULL)
        sk_hs_writer_abort(w->hs);
    sk_output_discard(&w->out);
    ZSTD_freeCCtx(w->cctx);
    g_free(w->raw);
    g_free(w->zbuf);
    if (w->tenants != NULL)
        g_array_free(w->tenants, TRUE);
    if (w->tenant_index != NULL)
        g_hash_table_destroy(w->tenant_index);
    g_free(w);
}
