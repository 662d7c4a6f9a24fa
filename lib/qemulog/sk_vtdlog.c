/* sk_vtdlog.c - siokit's binary VT-d log read into SkLogEvents.
 *
 * Layout (docs/qemu-patches.md, written by qemu-patches/0003):
 *   header  64 bytes: "SIOKVTD\0", u32 version 1, u32 record size 32,
 *           u32 header size, u32 pid, u64 realtime ns, u64 clock ns,
 *           char name[24]
 *   record  u64 time ns, u64 a, u64 b, u16 sid, u16 domain, u32 info
 *           info: bits 0..3 kind, 4..6 level or invalidation type, 7 PASID
 *           valid, 8..9 permission, 10..11 via (fault: reported), 12..31
 *           PASID
 *
 * Invariants of SkVtdLog:
 *   1. pos <= end <= VL_BUF_SIZE; buf[pos..end) are the file bytes at
 *      offset base + pos onward not yet consumed.
 *   2. end - pos < SK_VTDLOG_RECORD only when the file has no more bytes
 *      (eof) or before the next refill. */
#include "sk_vtdlog.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_bytes.h"
#include "sk_free.h"
#include "sk_record.h"

#define VL_BUF_SIZE (4u << 20)

struct SkVtdLog {
    char *path;
    int fd;
    SkVtdLogHeader hdr;
    uint8_t *buf;
    size_t pos, end;
    uint64_t base;       /* file offset of buf[0] */
    gboolean eof;
    gboolean failed;
    uint64_t malformed;  /* malformed records so far */
    char reason[128];    /* why the last one was */
};

gboolean sk_vtd_log_sniff(const uint8_t *head, gsize n)
{
    return n >= SK_VTDLOG_SNIFF_BYTES &&
           memcmp(head, SK_VTDLOG_MAGIC, SK_VTDLOG_SNIFF_BYTES) == 0;
}

SkVtdLog *sk_vtd_log_open(const char *path, GError **error)
{
    SkVtdLog *t = g_new0(SkVtdLog, 1);
    uint8_t h[SK_VTDLOG_HEADER_MIN];
    gssize k;

    t->path = g_strdup(path);
    t->fd = sk_input_open("siokit log", path, error);
    if (t->fd < 0)
        goto err;
    k = sk_read_full(t->fd, h, sizeof(h));
    if (k < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "siokit log '%s': cannot read: %s", path,
                    g_strerror(errno));
        goto err;
    }
    if (!sk_vtd_log_sniff(h, (gsize)k)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': no SIOKVTD magic", path);
        goto err;
    }
    if (k < (gssize)sizeof(h)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': truncated header (%zd of %d bytes)",
                    path, k, SK_VTDLOG_HEADER_MIN);
        goto err;
    }
    t->hdr.version = sk_get_le32(h + 8);
    t->hdr.record_size = sk_get_le32(h + 12);
    t->hdr.header_size = sk_get_le32(h + 16);
    t->hdr.pid = sk_get_le32(h + 20);
    t->hdr.start_realtime_ns = sk_get_le64(h + 24);
    t->hdr.start_clock_ns = sk_get_le64(h + 32);
    memcpy(t->hdr.name, h + 40, 24);
    t->hdr.name[24] = '\0';
    if (t->hdr.version != SK_VTDLOG_VERSION) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': version %" PRIu32 ", not %d", path,
                    t->hdr.version, SK_VTDLOG_VERSION);
        goto err;
    }
    if (t->hdr.record_size != SK_VTDLOG_RECORD) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': record size %" PRIu32 ", not %d", path,
                    t->hdr.record_size, SK_VTDLOG_RECORD);
        goto err;
    }
    if (t->hdr.header_size < SK_VTDLOG_HEADER_MIN ||
        t->hdr.header_size > SK_VTDLOG_HEADER_MAX) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': header size %" PRIu32 " outside %d..%d",
                    path, t->hdr.header_size, SK_VTDLOG_HEADER_MIN,
                    SK_VTDLOG_HEADER_MAX);
        goto err;
    }
    if (lseek(t->fd, t->hdr.header_size, SEEK_SET) < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "siokit log '%s': cannot seek: %s", path,
                    g_strerror(errno));
        goto err;
    }
    (void)posix_fadvise(t->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    t->buf = g_malloc(VL_BUF_SIZE);
    t->base = t->hdr.header_size;
    return t;

err:
    sk_vtd_log_free(t);
    return NULL;
}

uint64_t sk_vtd_log_malformed(const SkVtdLog *t, const char **reason)
{
    if (reason != NULL)
        *reason = t->reason;
    return t->malformed;
}

const SkVtdLogHeader *sk_vtd_log_header(const SkVtdLog *t)
{
    return &t->hdr;
}

/* Moves the unread tail to the front and reads more; FALSE on error. */
static gboolean refill(SkVtdLog *t, GError **error)
{
    size_t left = t->end - t->pos;
    gssize k;

    memmove(t->buf, t->buf + t->pos, left);
    t->base += t->pos;
    t->pos = 0;
    t->end = left;
    k = sk_read_full(t->fd, t->buf + left, VL_BUF_SIZE - left);
    if (k < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "siokit log '%s': cannot read: %s", t->path,
                    g_strerror(errno));
        t->failed = TRUE;
        return FALSE;
    }
    t->end += (size_t)k;
    t->eof = (size_t)k < VL_BUF_SIZE - left;
    return TRUE;
}

/* Fills ev from one record; NULL, or why it is malformed. */
static const char *decode(const uint8_t *p, SkLogEvent *ev, SkVtdLogExtra *x)
{
    uint32_t info = sk_get_le32(p + 28);
    unsigned kind = info & 15, sub = (info >> 4) & 7;
    unsigned perm = (info >> 8) & 3, via = (info >> 10) & 3;

    memset(ev, 0, sizeof(*ev));
    memset(x, 0, sizeof(*x));
    ev->time_ns = sk_get_le64(p);
    ev->sid = sk_get_le16(p + 24);
    ev->did = sk_get_le16(p + 26);
    ev->has = SK_LOG_HAS_TIME;
    x->has_pasid = (info >> 7) & 1;
    x->pasid = x->has_pasid ? info >> 12 : 0;
    if (!x->has_pasid && (info >> 12) != 0)
        return "PASID bits set without the PASID flag";
    x->perm = (uint8_t)perm;
    switch (kind) {
    case SK_VTDLOG_TRANSLATE:
        if (sub < 1 || sub > 3)
            return "translate: level outside 1..3";
        if (perm == 0 || via == 0)
            return "translate: permission or via is 0";
        ev->type = SK_LOG_TRANSLATE;
        ev->via = via == SK_VTDLOG_VIA_IOTLB ? SK_LOG_VIA_IOTLB
                                             : SK_LOG_VIA_WALK;
        ev->level = (uint8_t)sub;
        ev->mask = sk_level_mask(sub);
        ev->iova = sk_get_le64(p + 8);
        ev->result = sk_get_le64(p + 16);
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_MASK;
        x->via = (uint8_t)via;
        return NULL;
    case SK_VTDLOG_INVALIDATE:
        if (perm != 0 || via != 0)
            return "invalidate: permission or via bits set";
        ev->type = SK_LOG_INVALIDATE;
        ev->inv_type = sub;
        ev->iova = sk_get_le64(p + 8);
        ev->mask = sk_get_le64(p + 16);
        if (sub == SK_LOG_INV_CONTEXT_DOMAIN || sub == SK_LOG_INV_IOTLB_DOMAIN ||
            sub == SK_LOG_INV_IOTLB_PAGES)
            ev->has |= SK_LOG_HAS_DID;
        if (sub == SK_LOG_INV_IOTLB_PAGES)
            ev->has |= SK_LOG_HAS_MASK;
        return NULL;
    case SK_VTDLOG_FAULT:
        if (sub != 0 || perm == 0 || perm == 3 || via > 1)
            return "fault: level, direction or reported bits out of range";
        ev->type = SK_LOG_FAULT;
        ev->iova = sk_get_le64(p + 8);
        x->reason = sk_get_le64(p + 16);
        x->reported = (uint8_t)via;
        return NULL;
    default:
        return "unknown record kind";
    }
}

int sk_vtd_log_next(SkVtdLog *t, SkLogEvent *ev, SkVtdLogExtra *extra,
                    SkLogStats *stats, GError **error)
{
    SkLogStats dummy = { 0 };
    SkVtdLogExtra xdummy;

    if (stats == NULL)
        stats = &dummy;
    if (extra == NULL)
        extra = &xdummy;
    if (t->failed) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "siokit log '%s': read after an error", t->path);
        return -1;
    }
    for (;;) {
        const uint8_t *p;
        const char *why;

        if (t->end - t->pos < SK_VTDLOG_RECORD) {
            if (!t->eof && !refill(t, error))
                return -1;
            if (t->end - t->pos < SK_VTDLOG_RECORD) {
                if (t->end == t->pos)
                    return 0;
                stats->lines++;
                stats->malformed++;
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "siokit log '%s': truncated record at byte %"
                            PRIu64, t->path, t->base + t->pos);
                t->failed = TRUE;
                return -1;
            }
        }
        p = t->buf + t->pos;
        t->pos += SK_VTDLOG_RECORD;
        stats->lines++;
        why = decode(p, ev, extra);
        if (G_LIKELY(why == NULL)) {
            stats->events++;
            return 1;
        }
        stats->malformed++;
        t->malformed++;
        g_snprintf(t->reason, sizeof(t->reason), "record at byte %" PRIu64
                   ": %s (info 0x%08" PRIx32 ")",
                   t->base + t->pos - SK_VTDLOG_RECORD, why,
                   sk_get_le32(p + 28));
    }
}

void sk_vtd_log_free(SkVtdLog *t)
{
    if (t == NULL)
        return;
    if (t->fd >= 0)
        close(t->fd);
    SK_FREE_ALL(t->buf, t->path, t);
}
