/* sk_trace.h - streaming reader and writer of translation traces.
 *
 * Two formats are read and written through one interface:
 *   SK_FORMAT_SIOKIT    siokit's own format (docs/trace-format.md): a header
 *                       with magic, version and record layout, fixed-size
 *                       little-endian records in checksummed blocks that may
 *                       be zstd-compressed, and a tenant table.
 *   SK_FORMAT_HYPERSIO  HyperSIO 1.0's headerless `*_iotlb_trace.bin`, 48 bytes
 *                       a record (spec section 2).
 * SK_FORMAT_AUTO picks HyperSIO for names ending in `_iotlb_trace.bin` and
 * siokit otherwise.
 *
 * Readers stream: memory does not grow with the trace.  Writers write to a
 * temporary name beside the target and rename it when sk_trace_writer_close()
 * succeeds, so an interrupted run never leaves a file that looks whole.
 * Every error names the file and the record or field at fault and is
 * SK_ERROR_INPUT for bad data, SK_ERROR_IO for system failures. */
#ifndef SK_TRACE_H
#define SK_TRACE_H

#include <glib.h>
#include <stdint.h>

#include "sk_record.h"

typedef enum {
    SK_FORMAT_AUTO = 0,
    SK_FORMAT_SIOKIT,
    SK_FORMAT_HYPERSIO,
} SkTraceFormat;

/* One row of the tenant table. */
typedef struct SkTenantInfo {
    uint32_t tenant;        /* domain id as used in the records */
    uint32_t sid;           /* its (first) source id */
    uint64_t translations;  /* records of this tenant */
} SkTenantInfo;

typedef struct SkTraceReader SkTraceReader;
typedef struct SkTraceWriter SkTraceWriter;

/* Parses "siokit" / "hypersio" / "auto"; FALSE if unknown. */
gboolean sk_trace_format_parse(const char *name, SkTraceFormat *format);
/* The format AUTO resolves to for this path. */
SkTraceFormat sk_trace_format_detect(const char *path);

/* Opens a trace.  On error returns NULL and sets error. */
SkTraceReader *sk_trace_reader_open(const char *path, SkTraceFormat format,
                                    GError **error);
/* Reads up to max records into out.  Returns the number read, 0 at the end of
 * the trace, or -1 with error set (bad checksum, truncated record, level
 * outside 1..3, ...).  An empty trace is an error at open or first read. */
gssize sk_trace_reader_read(SkTraceReader *reader, SkRecord *out, gsize max,
                            GError **error);
SkTraceFormat sk_trace_reader_format(const SkTraceReader *reader);
const char *sk_trace_reader_path(const SkTraceReader *reader);
/* Tenant table: known from the header for siokit traces (NULL, 0 for
 * HyperSIO traces, which have none). */
const SkTenantInfo *sk_trace_reader_tenants(const SkTraceReader *reader,
                                            guint *n_tenants);
/* Total records if the format records it (siokit), else 0. */
uint64_t sk_trace_reader_n_records(const SkTraceReader *reader);
/* The writer's options.source_hash for siokit traces, else 0. */
uint64_t sk_trace_reader_source_hash(const SkTraceReader *reader);
void sk_trace_reader_free(SkTraceReader *reader);

typedef struct SkTraceWriterOptions {
    gboolean compress;      /* zstd-compress blocks (siokit only) */
    int zstd_level;         /* 0 = default */
    uint64_t source_hash;   /* hash of the logs/manifest the trace came from */
} SkTraceWriterOptions;

/* Creates a writer; options may be NULL for defaults. */
SkTraceWriter *sk_trace_writer_new(const char *path, SkTraceFormat format,
                                   const SkTraceWriterOptions *options,
                                   GError **error);
gboolean sk_trace_writer_write(SkTraceWriter *writer, const SkRecord *records,
                               gsize n, GError **error);
/* Flushes, writes the tenant table (built from the records written), syncs
 * and renames into place.  Frees the writer whatever the outcome. */
gboolean sk_trace_writer_close(SkTraceWriter *writer, GError **error);
/* Removes the temporary file and frees the writer. */
void sk_trace_writer_abort(SkTraceWriter *writer);

#endif
