/* sk_hstrace.h - internals shared by the trace formats (not a public API).
 *
 * sk_trace.c implements the public interface of sk_trace.h and siokit's own
 * format; sk_hstrace.c implements HyperSIO 1.0's 48-byte `*_iotlb_trace.bin`.
 * Both use the temporary-file helpers and the CRC-32C below.  Tests and fuzz
 * targets may include this header to craft or repair trace files. */
#ifndef SK_HSTRACE_H
#define SK_HSTRACE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sk_record.h"

/* HyperSIO 1.0 record: u32 type, u16 sid, u16 did, u64 iova, u64 mask,
 * u64 level, u64 slpte, u64 nat; packed little-endian. */
#define SK_HS_RECORD_SIZE 48
#define SK_HS_TYPE_TRANSLATION 1

/* CRC-32C (Castagnoli, reflected, polynomial 0x82f63b78): start with crc = 0,
 * feed data in any number of pieces, the result of the last call is the
 * checksum.  sk_crc32c("123456789") == 0xe3069283.  Uses SSE4.2 when the CPU
 * has it; sk_crc32c_sw is the portable path (same results). */
uint32_t sk_crc32c(uint32_t crc, const void *data, size_t n);
uint32_t sk_crc32c_sw(uint32_t crc, const void *data, size_t n);

/* Little-endian loads and stores of unaligned fields. */
static inline uint16_t sk_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t sk_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t sk_get_le64(const uint8_t *p)
{
    return (uint64_t)sk_get_le32(p) | ((uint64_t)sk_get_le32(p + 4) << 32);
}

static inline void sk_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void sk_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void sk_put_le64(uint8_t *p, uint64_t v)
{
    sk_put_le32(p, (uint32_t)v);
    sk_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* A file being written under a temporary name beside its target. */
typedef struct SkTmpFile {
    char *path;     /* the target */
    char *tmp;      /* "<path>.tmp.<pid>" */
    FILE *f;
} SkTmpFile;

/* Creates "<path>.tmp.<pid>" exclusively.  FALSE with an SK_ERROR_IO error
 * naming the trace if it cannot (missing directory, permissions...). */
gboolean sk_tmp_open(SkTmpFile *t, const char *path, GError **error);
/* Flushes, fsyncs, closes and renames into place, then syncs the directory.
 * On failure the temporary file is removed and FALSE returned with an
 * SK_ERROR_IO error.  Frees the names in both cases. */
gboolean sk_tmp_commit(SkTmpFile *t, GError **error);
/* Closes and removes the temporary file; frees the names. */
void sk_tmp_discard(SkTmpFile *t);
/* Sets an SK_ERROR_IO error "trace 'path': <what>: <strerror(errno)>". */
void sk_tmp_set_io_error(GError **error, const char *path, const char *what,
                         int errnum);
/* The error of a trace that cannot be opened for reading: SK_ERROR_INPUT
 * when it is missing or unreadable, SK_ERROR_IO otherwise. */
void sk_tmp_set_open_error(GError **error, const char *path, int errnum);

/* HyperSIO reader and writer, driven by sk_trace.c. */
typedef struct SkHsReader SkHsReader;
typedef struct SkHsWriter SkHsWriter;

SkHsReader *sk_hs_reader_open(const char *path, GError **error);
gssize sk_hs_reader_read(SkHsReader *r, SkRecord *out, gsize max,
                         GError **error);
void sk_hs_reader_free(SkHsReader *r);

SkHsWriter *sk_hs_writer_new(const char *path, GError **error);
gboolean sk_hs_writer_write(SkHsWriter *w, const SkRecord *records, gsize n,
                            GError **error);
gboolean sk_hs_writer_close(SkHsWriter *w, GError **error);
void sk_hs_writer_abort(SkHsWriter *w);

#endif
