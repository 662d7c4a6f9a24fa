/* sk_vtdlog.h - reader of siokit's binary VT-d log (x-siokit-log).
 *
 * siokit's patched QEMU, run with `-global intel-iommu.x-siokit-log=PATH`,
 * writes every completed DMA translation, invalidation descriptor and fault
 * as one fixed 32-byte little-endian record after a 64-byte header
 * (docs/qemu-patches.md, "Binary log", gives the layout byte by byte).
 * This reader turns the records into SkLogEvents, reading the file in large
 * buffered chunks with no allocation per record.
 *
 * Counting (SkLogStats): every record is one line and exactly one of
 * events or malformed (a kind the format does not define, a level, type
 * or permission out of range); malformed records are counted and reading
 * goes on.  A file whose length leaves a partial last record ends the read
 * with an error after the whole records. */
#ifndef SK_VTDLOG_H
#define SK_VTDLOG_H

#include <glib.h>
#include <stdint.h>

#include "sk_logevent.h"
#include "sk_logstats.h"

#define SK_VTDLOG_MAGIC "SIOKVTD"   /* 8 bytes with the NUL */
#define SK_VTDLOG_VERSION 1
#define SK_VTDLOG_HEADER_MIN 64
#define SK_VTDLOG_HEADER_MAX 4096
#define SK_VTDLOG_RECORD 32

/* Record kinds, bits 0..3 of the info word. */
enum {
    SK_VTDLOG_TRANSLATE = 1,
    SK_VTDLOG_INVALIDATE = 2,
    SK_VTDLOG_FAULT = 3,
};

/* Where a translation was resolved, bits 10..11 of a translate record. */
enum {
    SK_VTDLOG_VIA_IOTLB = 1,     /* IOTLB hit */
    SK_VTDLOG_VIA_CC_WALK = 2,   /* context-cache hit, page walk */
    SK_VTDLOG_VIA_WALK = 3,      /* context entry read, page walk */
};

/* The header, as read. */
typedef struct SkVtdLogHeader {
    uint32_t version, record_size, header_size, pid;
    uint64_t start_realtime_ns;  /* CLOCK_REALTIME when QEMU opened the log */
    uint64_t start_clock_ns;     /* QEMU's clock (record times) then */
    char name[25];               /* QEMU's -name, "" when none */
} SkVtdLogHeader;

/* One record's fields beyond SkLogEvent (permission, PASID, via). */
typedef struct SkVtdLogExtra {
    uint8_t via;        /* SK_VTDLOG_VIA_*, translate only */
    uint8_t perm;       /* 1 read, 2 write, 3 both (fault: 2 write, 1 read) */
    uint8_t reported;   /* fault: reported to the guest */
    uint8_t has_pasid;
    uint32_t pasid;
    uint64_t reason;    /* fault: VT-d fault reason */
} SkVtdLogExtra;

typedef struct SkVtdLog SkVtdLog;

/* Bytes sk_vtd_log_sniff() needs to decide. */
#define SK_VTDLOG_SNIFF_BYTES 8

/* TRUE if head (the first n bytes of a file) starts with the magic. */
gboolean sk_vtd_log_sniff(const uint8_t *head, gsize n);

/* Opens the log at path and checks its header (magic, version 1, record
 * size 32, header size 64..4096).  On error returns NULL with error set
 * (SK_ERROR_INPUT for bad input, SK_ERROR_IO when it cannot be read). */
SkVtdLog *sk_vtd_log_open(const char *path, GError **error);

const SkVtdLogHeader *sk_vtd_log_header(const SkVtdLog *t);

/* Reads the next record into *ev (zeroed first) and, when extra is not
 * NULL, *extra.  Returns 1 with an event, 0 at the end, -1 on error (error
 * set: "siokit log 'PATH': truncated record at byte N").  stats may be
 * NULL; when given it is added to.  After -1 every call returns -1. */
int sk_vtd_log_next(SkVtdLog *t, SkLogEvent *ev, SkVtdLogExtra *extra,
                    SkLogStats *stats, GError **error);

/* Malformed records skipped so far, and in *reason (when not NULL) why the
 * last one was: "record at byte N: what (info 0x...)". */
uint64_t sk_vtd_log_malformed(const SkVtdLog *t, const char **reason);

/* Closes the log and frees t.  NULL is allowed. */
void sk_vtd_log_free(SkVtdLog *t);

#endif
