/* sk_logreader.h - streams SkLogEvents out of a QEMU IOMMU event log.
 *
 * One reader for every kind of log trace-gen takes, recognised from the
 * file's bytes, never from its name:
 *   - text logs of QEMU's "log" trace backend, HyperSIO 1.0's or stock QEMU
 *     7.2's (sk_qemulog.h, docs/log-dialects.md);
 *   - the same compressed with gzip (one or more members) or zstd (one or
 *     more frames);
 *   - binary logs of QEMU's "simple" trace backend (sk_simpletrace.h),
 *     which need the trace-events file of the QEMU that wrote them.
 *
 * Memory is one 1 MiB line buffer (plus 256 KiB of compressed input),
 * whatever the size of the log.  A line longer than the buffer is counted
 * and skipped (malformed if it starts like an event this reader uses).
 *
 * Counting (SkLogStats): every line is counted in lines and in exactly one
 * of events, skipped and malformed.  Lines that are not events trace-gen
 * uses (other QEMU output, other trace events, unused vtd_* events) are
 * skipped; lines of a used event whose fields do not parse are malformed:
 * without strict they are skipped too, with strict the first one fails
 * sk_log_reader_next().  Either way the first max_examples of them are kept
 * as "FILE:LINE: reason". */
#ifndef SK_LOGREADER_H
#define SK_LOGREADER_H

#include <glib.h>

#include "sk_logevent.h"
#include "sk_logstats.h"

typedef struct SkLogReader SkLogReader;

typedef struct SkLogReaderOptions {
    const char *trace_events;  /* trace-events file, for simple-backend logs */
    gboolean strict;           /* a malformed line is an error */
    guint max_examples;        /* malformed lines kept as examples */
} SkLogReaderOptions;

/* Examples kept when no options are given. */
#define SK_LOG_READER_EXAMPLES 10

/* Opens a log (opt may be NULL: not strict, SK_LOG_READER_EXAMPLES
 * examples, no trace-events file).  On error returns NULL with an SK_ERROR
 * naming the file: SK_ERROR_INPUT if it is missing, unreadable or not a
 * log this reader knows, SK_ERROR_IO on a system error. */
SkLogReader *sk_log_reader_open(const char *path, const SkLogReaderOptions *opt,
                                GError **error);

/* Reads the next event into *ev.  Returns 1, 0 at the end of the log, or -1
 * with an error: SK_ERROR_INPUT "FILE:LINE: reason" for a malformed line in
 * strict mode, SK_ERROR_INPUT for a truncated or corrupt compressed stream
 * or binary log, SK_ERROR_IO for a read error.  After 0 or -1 it keeps
 * returning the same (0, or -1 with the same kind of error). */
int sk_log_reader_next(SkLogReader *r, SkLogEvent *ev, GError **error);

/* What the reader has seen so far. */
const SkLogStats *sk_log_reader_stats(const SkLogReader *r);

/* The first max_examples malformed lines, "FILE:LINE: reason"; *n (if not
 * NULL) gets their number.  The array is NULL-terminated and owned by r. */
const char *const *sk_log_reader_examples(const SkLogReader *r, guint *n);

/* The log's dialect: known after open when its first MiB holds a line that
 * tells (a vtd_iotlb_page_hit/_update or vtd_slpte_fetch, or any binary
 * log), else as soon as next() reads one; SK_LOG_DIALECT_UNKNOWN until
 * then.  A text log that holds only events both dialects write alike is
 * QEMU72 once it is read to the end. */
SkLogDialect sk_log_reader_dialect(const SkLogReader *r);

/* "hypersio-1.0", "qemu-7.2", "simple", "siokit" or "unknown". */
const char *sk_log_dialect_name(SkLogDialect dialect);

/* Closes the file and frees r; NULL is allowed. */
void sk_log_reader_free(SkLogReader *r);

#endif
