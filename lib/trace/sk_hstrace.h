/* sk_hstrace.h - HyperSIO 1.0's 48-byte trace records, read and written.
 *
 * sk_trace.c implements the public interface of sk_trace.h and siokit's own
 * format and dispatches to the reader and writer below, which sk_hstrace.c
 * implements.  Tests and fuzz targets include this header for the record
 * layout when they craft HyperSIO files. */
#ifndef SK_HSTRACE_H
#define SK_HSTRACE_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "sk_record.h"

/* HyperSIO 1.0 record: u32 type, u16 sid, u16 did, u64 iova, u64 mask,
 * u64 level, u64 slpte, u64 nat; packed little-endian. */
#define SK_HS_RECORD_SIZE 48
#define SK_HS_TYPE_TRANSLATION 1

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
