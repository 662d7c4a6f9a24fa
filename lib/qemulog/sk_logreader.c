/* sk_logreader.c - streams SkLogEvents out of a QEMU IOMMU event log.
 *
 * Three layers:
 *   1. a byte source: the file itself, or zlib / zstd streaming
 *      decompression of it, chosen from the first bytes' magic;
 *   2. a line splitter over one 1 MiB buffer: memchr() for '\n', lines
 *      handed out in place (no copy, no allocation);
 *   3. sk_qemulog_parse() on each line.
 * Binary "simple"-backend logs skip all three and go to sk_simpletrace;
 * siokit's binary VT-d logs (x-siokit-log) go to sk_vtdlog.
 *
 * Invariants of the text path:
 *   1. buf[pos..end) holds bytes not yet split into lines, 0 <= pos <= end
 *      <= BUF_SIZE; in[in_pos..in_end) compressed bytes not yet inflated.
 *   2. eof: the source has no more bytes (only buf[pos..end) is left).
 *   3. skip_rest: buf[pos..end) continues a line longer than the buffer,
 *      already counted; bytes up to its '\n' are dropped.
 *   4. state != 0 is final: 1 at the end, -1 after an error (kept in
 *      failure and handed out again). */
#include "sk_logreader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_qemulog.h"
#include "sk_vtdlog.h"

#if defined(__has_include)
#if __has_include("sk_simpletrace.h")
#include "sk_simpletrace.h"
#define SK_HAVE_SIMPLETRACE 1
#endif
#endif

#define BUF_SIZE (1u << 20)   /* longest line read whole */
#define IN_SIZE (256u << 10)  /* compressed input per read */
#define SNIFF_SIZE 64         /* bytes wanted before the magic is judged */
#define TEXT_CHECK 4096       /* head bytes that must hold no NUL */

typedef enum {
    SRC_PLAIN,
    SRC_GZIP,
    SRC_ZSTD,
    SRC_SIMPLE,
    SRC_VTD,
} SkLogSource;

struct SkLogReader {
    char *path;
    int fd;
    SkLogSource src;
    SkLogDialect dialect;
    gboolean strict;
    guint max_examples;
    SkLogStats stats;
    GPtrArray *examples;     /* NULL-terminated */
    int state;               /* 0 reading, 1 ended, -1 failed */
    GError *failure;

    char *buf;
    size_t pos, end;
    gboolean eof;
    gboolean skip_rest;

    uint8_t *in;
    size_t in_pos, in_end;
    gboolean in_eof;
    z_stream z;
    gboolean z_ready;        /* inflateInit2() done */
    gboolean z_member;       /* inside a gzip member */
    guint z_members;         /* members finished */
    ZSTD_DStream *zs;
    size_t zret;             /* last ZSTD_decompressStream() hint; 0 = frame done */
#ifdef SK_HAVE_SIMPLETRACE
    SkSimpleTrace *simple;
#endif
    SkVtdLog *vtd;
    uint64_t vtd_malformed;  /* malformed records already reported */
};

static const char *const source_names[] = { "text", "gzip", "zstd", "simple",
                                            "siokit" };

/* ---- byte sources -------------------------------------------------------- */

static void set_read_error(SkLogReader *r, GError **error, int errnum)
{
    g_set_error(error, SK_ERROR, SK_ERROR_IO, "log '%s': cannot read: %s",
                r->path, g_strerror(errnum));
}

/* read() that retries on EINTR; -1 with errno set on failure. */
static gssize read_some(int fd, void *dst, size_t n)
{
    gssize k;

    do
        k = read(fd, dst, n);
    while (k < 0 && errno == EINTR);
    return k;
}

/* Refills in[] when it is used up.  FALSE on a read error. */
static gboolean refill_in(SkLogReader *r, GError **error)
{
    gssize k = read_some(r->fd, r->in, IN_SIZE);

    if (k < 0) {
        set_read_error(r, error, errno);
        return FALSE;
    }
    r->in_pos = 0;
    r->in_end = (size_t)k;
    r->in_eof = k == 0;
    return TRUE;
}

static gssize fill_plain(SkLogReader *r, char *dst, size_t cap, GError **error)
{
    gssize k;

    if (r->in_pos < r->in_end) {   /* the head read at open */
        size_t n = MIN(cap, r->in_end - r->in_pos);
        memcpy(dst, r->in + r->in_pos, n);
        r->in_pos += n;
        return (gssize)n;
    }
    k = read_some(r->fd, dst, cap);
    if (k < 0) {
        set_read_error(r, error, errno);
        return -1;
    }
    return k;
}

static gssize fill_gzip(SkLogReader *r, char *dst, size_t cap, GError **error)
{
    r->z.next_out = (Bytef *)dst;
    r->z.avail_out = (uInt)cap;
    while (r->z.avail_out > 0) {
        int ret;

        if (r->in_pos == r->in_end) {
            if (!r->in_eof) {
                if (!refill_in(r, error))
                    return -1;
                continue;
            }
            if (r->z_member) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "log '%s': truncated gzip stream", r->path);
                return -1;
            }
            break;
        }
        if (!r->z_member && r->z_members > 0 &&
            (r->in[r->in_pos] != 0x1f ||
             (r->in_pos + 1 < r->in_end && r->in[r->in_pos + 1] != 0x8b))) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "log '%s': data after the gzip stream", r->path);
            return -1;
        }
        r->z_member = TRUE;
        r->z.next_in = r->in + r->in_pos;
        r->z.avail_in = (uInt)(r->in_end - r->in_pos);
        ret = inflate(&r->z, Z_NO_FLUSH);
        r->in_pos = r->in_end - r->z.avail_in;
        if (ret == Z_STREAM_END) {
            /* Another member may follow (concatenated gzip files). */
            inflateReset(&r->z);
            r->z_member = FALSE;
            r->z_members++;
            continue;
        }
        if (ret == Z_OK || (ret == Z_BUF_ERROR && r->z.avail_in == 0))
            continue;
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "log '%s': corrupt gzip stream: %s", r->path,
                    r->z.msg != NULL ? r->z.msg : zError(ret));
        return -1;
    }
    return (gssize)(cap - r->z.avail_out);
}

static gssize fill_zstd(SkLogReader *r, char *dst, size_t cap, GError **error)
{
    ZSTD_outBuffer out = { dst, cap, 0 };

    while (out.pos < out.size) {
        ZSTD_inBuffer in;
        size_t before = out.pos, ret;

        if (r->in_pos == r->in_end && !r->in_eof) {
            if (!refill_in(r, error))
                return -1;
            continue;
        }
        if (r->in_pos == r->in_end && r->zret == 0)
            break;   /* every frame complete */
        in.src = r->in + r->in_pos;
        in.size = r->in_end - r->in_pos;
        in.pos = 0;
        ret = ZSTD_decompressStream(r->zs, &out, &in);
        if (ZSTD_isError(ret)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "log '%s': corrupt zstd stream: %s", r->path,
                        ZSTD_getErrorName(ret));
            return -1;
        }
        r->in_pos += in.pos;
        r->zret = ret;
        if (r->in_eof && r->in_pos == r->in_end && out.pos == before &&
            ret != 0) {
            /* No input left, nothing more comes out, frame unfinished. */
            if (out.pos > 0)
                break;   /* hand out what we have; the next call fails */
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "log '%s': truncated zstd stream", r->path);
            return -1;
        }
    }
    return (gssize)out.pos;
}

/* Up to cap decompressed bytes into dst: the count, 0 at the end, -1 on
 * error. */
static gssize fill(SkLogReader *r, char *dst, size_t cap, GError **error)
{
    switch (r->src) {
    case SRC_GZIP:
        return fill_gzip(r, dst, cap, error);
    case SRC_ZSTD:
        return fill_zstd(r, dst, cap, error);
    default:
        return fill_plain(r, dst, cap, error);
    }
}

/* Tops buf up after moving its unsplit tail to the front.  FALSE on error. */
static gboolean refill_buf(SkLogReader *r, GError **error)
{
    gssize k;

    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->end - r->pos);
        r->end -= r->pos;
        r->pos = 0;
    }
    k = fill(r, r->buf + r->end, BUF_SIZE - r->end, error);
    if (k < 0)
        return FALSE;
    if (k == 0)
        r->eof = TRUE;
    r->end += (size_t)k;
    return TRUE;
}

/* ---- lines ----------------------------------------------------------------- */

/* The next line (without '\n') in *line, *len: 1, 0 at the end, -1 on
 * error.  *overlong is set for a line longer than the buffer, of which
 * *line holds the first BUF_SIZE bytes. */
static inline int next_line(SkLogReader *r, const char **line, size_t *len,
                            gboolean *overlong, GError **error)
{
    *overlong = FALSE;
    while (r->skip_rest) {
        char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
        if (nl != NULL) {
            r->pos = (size_t)(nl + 1 - r->buf);
            r->skip_rest = FALSE;
            break;
        }
        r->pos = r->end = 0;
        if (r->eof) {
            r->skip_rest = FALSE;
            break;
        }
        if (!refill_buf(r, error))
            return -1;
    }
    for (;;) {
        char *s = r->buf + r->pos;
        char *nl = memchr(s, '\n', r->end - r->pos);

        if (G_LIKELY(nl != NULL)) {
            *line = s;
            *len = (size_t)(nl - s);
            r->pos += *len + 1;
            return 1;
        }
        if (r->eof) {
            if (r->pos == r->end)
                return 0;
            *line = s;    /* a last line without '\n' */
            *len = r->end - r->pos;
            r->pos = r->end;
            return 1;
        }
        if (r->pos == 0 && r->end == BUF_SIZE) {
            *line = r->buf;
            *len = BUF_SIZE;
            *overlong = TRUE;
            r->pos = r->end;
            r->skip_rest = TRUE;
            return 1;
        }
        if (!refill_buf(r, error))
            return -1;
    }
}

/* ---- the reader ------------------------------------------------------------ */

static void add_example(SkLogReader *r, const char *reason)
{
    if (r->examples->len - 1 >= r->max_examples)
        return;
    g_ptr_array_index(r->examples, r->examples->len - 1) =
        g_strdup_printf("%s:%" PRIu64 ": %s", r->path, r->stats.lines, reason);
    g_ptr_array_add(r->examples, NULL);
}

/* Sets the dialect from the first complete lines of buf that tell it. */
static void guess_dialect(SkLogReader *r)
{
    const char *s = r->buf + r->pos, *end = r->buf + r->end;
    char reason[SK_QEMULOG_REASON_MAX];
    SkLogEvent ev;

    while (s < end && r->dialect == SK_LOG_DIALECT_UNKNOWN) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        SkLogDialect seen;
        if (nl == NULL)
            nl = r->eof ? end : NULL;
        if (nl == NULL)
            break;
        sk_qemulog_parse(s, (size_t)(nl - s), SK_LOG_DIALECT_UNKNOWN, &seen,
                         &ev, reason);
        r->dialect = seen;
        s = nl + 1;
    }
}

static gboolean open_text(SkLogReader *r, GError **error)
{
    if (r->src == SRC_GZIP) {
        if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "log '%s': cannot start gzip decompression", r->path);
            return FALSE;
        }
        r->z_ready = TRUE;
    } else if (r->src == SRC_ZSTD) {
        r->zs = ZSTD_createDStream();
        if (r->zs == NULL || ZSTD_isError(ZSTD_initDStream(r->zs))) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "log '%s': cannot start zstd decompression", r->path);
            return FALSE;
        }
        r->zret = 1;
    }
    r->buf = g_malloc(BUF_SIZE);
    if (!refill_buf(r, error))
        return FALSE;
    if (r->src != SRC_PLAIN && sk_vtd_log_sniff((const uint8_t *)r->buf,
                                                r->end)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "log '%s': a %s-compressed siokit binary log: "
                    "decompress it first", r->path, source_names[r->src]);
        return FALSE;
    }
#ifdef SK_HAVE_SIMPLETRACE
    if (r->src != SRC_PLAIN && sk_simple_trace_sniff((const uint8_t *)r->buf,
                                                     r->end)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "log '%s': a %s-compressed simple-backend log: "
                    "decompress it first", r->path, source_names[r->src]);
        return FALSE;
    }
#endif
    if (memchr(r->buf, '\0', MIN(r->end, TEXT_CHECK)) != NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "log '%s': binary data, not a QEMU log%s", r->path,
                    r->src == SRC_PLAIN ? "" : " once decompressed");
        return FALSE;
    }
    guess_dialect(r);
    return TRUE;
}

SkLogReader *sk_log_reader_open(const char *path, const SkLogReaderOptions *opt,
                                GError **error)
{
    static const uint8_t gzip_magic[] = { 0x1f, 0x8b };
    static const uint8_t zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };
    SkLogReader *r = g_new0(SkLogReader, 1);

    r->path = g_strdup(path);
    r->strict = opt != NULL && opt->strict;
    r->max_examples = opt != NULL ? opt->max_examples : SK_LOG_READER_EXAMPLES;
    r->examples = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(r->examples, NULL);

    /* A regular file only: a FIFO or a device is refused, never waited on. */
    r->fd = sk_input_open("log", path, error);
    if (r->fd < 0)
        goto err;
    (void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    /* The head, to tell the kind of file. */
    r->in = g_malloc(IN_SIZE);
    while (r->in_end < SNIFF_SIZE && !r->in_eof) {
        gssize k = read_some(r->fd, r->in + r->in_end, IN_SIZE - r->in_end);
        if (k < 0) {
            set_read_error(r, error, errno);
            goto err;
        }
        r->in_end += (size_t)k;
        r->in_eof = k == 0;
    }
    if (r->in_end >= sizeof(gzip_magic) &&
        memcmp(r->in, gzip_magic, sizeof(gzip_magic)) == 0)
        r->src = SRC_GZIP;
    else if (r->in_end >= sizeof(zstd_magic) &&
             memcmp(r->in, zstd_magic, sizeof(zstd_magic)) == 0)
        r->src = SRC_ZSTD;
    else if (sk_vtd_log_sniff(r->in, r->in_end))
        r->src = SRC_VTD;
#ifdef SK_HAVE_SIMPLETRACE
    else if (sk_simple_trace_sniff(r->in, r->in_end))
        r->src = SRC_SIMPLE;
#endif
    else
        r->src = SRC_PLAIN;

    if (r->src == SRC_VTD) {
        close(r->fd);
        r->fd = -1;
        r->vtd = sk_vtd_log_open(path, error);
        if (r->vtd == NULL)
            goto err;
        r->dialect = SK_LOG_DIALECT_SIOKIT;
        return r;
    }

#ifdef SK_HAVE_SIMPLETRACE
    if (r->src == SRC_SIMPLE) {
        close(r->fd);
        r->fd = -1;
        r->simple = sk_simple_trace_open(path,
                                         opt != NULL ? opt->trace_events : NULL,
                                         error);
        if (r->simple == NULL)
            goto err;
        r->dialect = SK_LOG_DIALECT_SIMPLE;
        return r;
    }
#endif
    if (!open_text(r, error))
        goto err;
    return r;

err:
    sk_log_reader_free(r);
    return NULL;
}

static int fail(SkLogReader *r, GError *e, GError **error)
{
    r->state = -1;
    r->failure = g_error_copy(e);
    g_propagate_error(error, e);
    return -1;
}

/* The next event of a siokit binary log; malformed records become
 * examples (and, when strict, the error) as text lines do. */
static int next_vtd(SkLogReader *r, SkLogEvent *ev, GError **error)
{
    GError *e = NULL;
    int ret = sk_vtd_log_next(r->vtd, ev, NULL, &r->stats, &e);
    const char *reason;
    uint64_t bad = sk_vtd_log_malformed(r->vtd, &reason);

    if (bad != r->vtd_malformed) {
        r->vtd_malformed = bad;
        add_example(r, reason);
        if (r->strict) {
            g_clear_error(&e);
            g_set_error(&e, SK_ERROR, SK_ERROR_INPUT, "%s: %s", r->path,
                        reason);
            return fail(r, e, error);
        }
    }
    if (ret < 0)
        return fail(r, e, error);
    if (ret == 0)
        r->state = 1;
    return ret;
}

int sk_log_reader_next(SkLogReader *r, SkLogEvent *ev, GError **error)
{
    char reason[SK_QEMULOG_REASON_MAX];
    GError *e = NULL;

    if (r->state != 0) {
        if (r->state < 0)
            g_propagate_error(error, g_error_copy(r->failure));
        return r->state < 0 ? -1 : 0;
    }
    if (r->src == SRC_VTD)
        return next_vtd(r, ev, error);
#ifdef SK_HAVE_SIMPLETRACE
    if (r->src == SRC_SIMPLE) {
        int ret = sk_simple_trace_next(r->simple, ev, &r->stats, &e);
        if (ret < 0)
            return fail(r, e, error);
        if (ret == 0)
            r->state = 1;
        return ret;
    }
#endif
    for (;;) {
        const char *line;
        size_t len;
        gboolean overlong;
        SkLogDialect seen;
        SkQemuLogResult res;
        int got = next_line(r, &line, &len, &overlong, &e);

        if (G_UNLIKELY(got <= 0)) {
            if (got < 0)
                return fail(r, e, error);
            r->state = 1;
            /* Only events both dialects write alike: stock QEMU's. */
            if (r->dialect == SK_LOG_DIALECT_UNKNOWN && r->stats.events > 0)
                r->dialect = SK_LOG_DIALECT_QEMU72;
            return 0;
        }
        r->stats.lines++;
        res = sk_qemulog_parse(line, len, r->dialect, &seen, ev, reason);
        if (G_UNLIKELY(overlong) && res != SK_QEMULOG_SKIP) {
            g_snprintf(reason, sizeof(reason), "line longer than %u bytes",
                       BUF_SIZE);
            res = SK_QEMULOG_MALFORMED;
        }
        if (G_LIKELY(res == SK_QEMULOG_EVENT)) {
            r->stats.events++;
            if (G_UNLIKELY(r->dialect == SK_LOG_DIALECT_UNKNOWN))
                r->dialect = seen;
            return 1;
        }
        if (res == SK_QEMULOG_SKIP) {
            r->stats.skipped++;
            continue;
        }
        r->stats.malformed++;
        add_example(r, reason);
        if (r->strict) {
            g_set_error(&e, SK_ERROR, SK_ERROR_INPUT, "%s:%" PRIu64 ": %s",
                        r->path, r->stats.lines, reason);
            return fail(r, e, error);
        }
    }
}

const SkLogStats *sk_log_reader_stats(const SkLogReader *r)
{
    return &r->stats;
}

const char *const *sk_log_reader_examples(const SkLogReader *r, guint *n)
{
    if (n != NULL)
        *n = r->examples->len - 1;
    return (const char *const *)r->examples->pdata;
}

SkLogDialect sk_log_reader_dialect(const SkLogReader *r)
{
    return r->dialect;
}

const char *sk_log_dialect_name(SkLogDialect dialect)
{
    switch (dialect) {
    case SK_LOG_DIALECT_HYPERSIO10:
        return "hypersio-1.0";
    case SK_LOG_DIALECT_QEMU72:
        return "qemu-7.2";
    case SK_LOG_DIALECT_SIMPLE:
        return "simple";
    case SK_LOG_DIALECT_SIOKIT:
        return "siokit";
    default:
        return "unknown";
    }
}

void sk_log_reader_free(SkLogReader *r)
{
    if (r == NULL)
        return;
#ifdef SK_HAVE_SIMPLETRACE
    sk_simple_trace_free(r->simple);
#endif
    sk_vtd_log_free(r->vtd);
    if (r->z_ready)
        inflateEnd(&r->z);
    ZSTD_freeDStream(r->zs);
    if (r->fd >= 0)
        close(r->fd);
    SK_FREE_ALL(r->buf, r->in);
    g_ptr_array_free(r->examples, TRUE);
    g_clear_error(&r->failure);
    SK_FREE_ALL(r->path, r);
}
