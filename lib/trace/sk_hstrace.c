/* sk_hstrace.c - HyperSIO 1.0's headerless `*_iotlb_trace.bin` trace format.
 *
 * 48 bytes a record, packed little-endian, no header, no checksum:
 *   0 u32 type (1 = translation)  4 u16 sid  6 u16 did  8 u64 iova
 *   16 u64 mask  24 u64 level  32 u64 slpte  40 u64 nat
 * The mask is kept as stored, even when it disagrees with the level: HyperSIO's
 * model uses both independently.  The reader streams the file in 1 MiB
 * chunks; the writer goes through a temporary file like siokit's writer.
 * Reached through sk_trace.h; see docs/trace-format.md. */
#include "sk_hstrace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_bytes.h"
#include "sk_crc32c.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

#define SK_HS_CHUNK (1u << 20)   /* bytes read from the file at a time */

struct SkHsReader {
    char *path;
    int fd;
    uint8_t *buf;       /* SK_HS_CHUNK bytes */
    size_t len;         /* bytes in buf */
    size_t off;         /* next unread byte in buf */
    gboolean eof;
    uint64_t index;     /* records returned so far */
};

SkHsReader *sk_hs_reader_open(const char *path, GError **error)
{
    SkHsReader *r = g_new0(SkHsReader, 1);
    struct stat st;

    r->path = g_strdup(path);
    r->fd = sk_input_open("trace", path, error);
    if (r->fd < 0)
        goto err;
    if (fstat(r->fd, &st) != 0) {
        sk_file_set_io_error(error, "trace", path, "cannot stat", errno);
        goto err;
    }
    /* The size tells at once whether it is empty or cut inside a record. */
    {
        uint64_t size = (uint64_t)st.st_size;
        if (size == 0) {
            sk_error_in_file(error, "trace", path, "empty trace");
            goto err;
        }
        if (size % SK_HS_RECORD_SIZE != 0) {
            sk_error_in_file(error, "trace", path, "truncated record %" PRIu64,
                    size / SK_HS_RECORD_SIZE);
            goto err;
        }
    }
    r->buf = g_malloc(SK_HS_CHUNK);
    return r;
err:
    sk_hs_reader_free(r);
    return NULL;
}

/* Moves the unread tail to the front and reads until the buffer is full or
 * the file ends.  FALSE with an SK_ERROR_IO error on a read error. */
static gboolean hs_refill(SkHsReader *r, GError **error)
{
    memmove(r->buf, r->buf + r->off, r->len - r->off);
    r->len -= r->off;
    r->off = 0;
    while (!r->eof && r->len < SK_HS_CHUNK) {
        ssize_t k = read(r->fd, r->buf + r->len, SK_HS_CHUNK - r->len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            sk_file_set_io_error(error, "trace", r->path, "cannot read", errno);
            return FALSE;
        }
        if (k == 0)
            r->eof = TRUE;
        r->len += (size_t)k;
    }
    return TRUE;
}

gssize sk_hs_reader_read(SkHsReader *r, SkRecord *out, gsize max,
                         GError **error)
{
    gsize n = 0;

    while (n < max) {
        if (r->len - r->off < SK_HS_RECORD_SIZE) {
            if (!r->eof && !hs_refill(r, error))
                return -1;
            size_t left = r->len - r->off;
            if (left == 0 && r->eof) {
                if (r->index == 0) {
                    sk_error_in_file(error, "trace", r->path, "empty trace");
                    return -1;
                }
                break;
            }
            if (left < SK_HS_RECORD_SIZE && r->eof) {
                sk_error_in_file(error, "trace", r->path, "truncated record %" PRIu64, r->index);
                return -1;
            }
        }
        const uint8_t *p = r->buf + r->off;
        uint32_t type = sk_get_le32(p);
        uint64_t level = sk_get_le64(p + 24);
        if (type != SK_HS_TYPE_TRANSLATION) {
            sk_error_in_file(error, "trace", r->path, "record %" PRIu64 ": type %" PRIu32
                    " is not a translation", r->index, type);
            return -1;
        }
        if (level < SK_LEVEL_MIN || level > SK_LEVEL_MAX) {
            sk_error_in_file(error, "trace", r->path, "record %" PRIu64 ": level %" PRIu64
                    " outside 1..3", r->index, level);
            return -1;
        }
        SkRecord *rec = &out[n++];
        rec->sid = sk_get_le16(p + 4);
        rec->tenant = sk_get_le16(p + 6);
        rec->iova = sk_get_le64(p + 8);
        rec->mask = sk_get_le64(p + 16);
        rec->level = (uint8_t)level;
        rec->slpte = sk_get_le64(p + 32);
        rec->nat = sk_get_le64(p + 40);
        rec->kind = SK_KIND_UNKNOWN;
        r->off += SK_HS_RECORD_SIZE;
        r->index++;
    }
    return (gssize)n;
}

void sk_hs_reader_free(SkHsReader *r)
{
    if (r == NULL)
        return;
    if (r->fd >= 0)
        close(r->fd);
    SK_FREE_ALL(r->buf, r->path, r);
}

struct SkHsWriter {
    SkOutput out;
    uint64_t n_records;
    gboolean failed;    /* an I/O error happened: close fails */
};

SkHsWriter *sk_hs_writer_new(const char *path, GError **error)
{
    SkHsWriter *w = g_new0(SkHsWriter, 1);

    if (!sk_output_open(&w->out, "trace", path, error)) {
        g_free(w);
        return NULL;
    }
    return w;
}

gboolean sk_hs_writer_write(SkHsWriter *w, const SkRecord *records, gsize n,
                            GError **error)
{
    /* Check the whole batch first: a refused batch writes nothing. */
    if (!sk_records_check(w->out.path, w->failed, records, n, w->n_records, TRUE, error))
        return FALSE;
    for (gsize i = 0; i < n; i++) {
        const SkRecord *rec = &records[i];
        uint8_t p[SK_HS_RECORD_SIZE];
        sk_put_le32(p, SK_HS_TYPE_TRANSLATION);
        sk_put_le16(p + 4, (uint16_t)rec->sid);
        sk_put_le16(p + 6, (uint16_t)rec->tenant);
        sk_put_le64(p + 8, rec->iova);
        sk_put_le64(p + 16, rec->mask);
        sk_put_le64(p + 24, rec->level);
        sk_put_le64(p + 32, rec->slpte);
        sk_put_le64(p + 40, rec->nat);
        if (fwrite(p, sizeof p, 1, w->out.f) != 1) {
            sk_file_set_io_error(error, "trace", w->out.path, "cannot write", errno);
            w->failed = TRUE;
            return FALSE;
        }
        w->n_records++;
    }
    return TRUE;
}

gboolean sk_hs_writer_close(SkHsWriter *w, GError **error)
{
    gboolean ok = FALSE;

    if (sk_records_check_whole(w->out.path, w->failed, w->n_records, error))
        ok = sk_output_commit(&w->out, error);
    sk_hs_writer_abort(w);   /* removes the temporary file if still there */
    return ok;
}

void sk_hs_writer_abort(SkHsWriter *w)
{
    if (w == NULL)
        return;
    sk_output_discard(&w->out);
    g_free(w);
}
