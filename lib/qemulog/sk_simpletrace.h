/* sk_simpletrace.h - reader of QEMU's binary "simple" trace backend logs.
 *
 * A QEMU built with `--enable-trace-backends=...,simple` and run with
 * `-trace events=FILE,file=OUT` writes OUT in the layout of QEMU 7.2's
 * trace/simple.c (docs/simpletrace.md gives it byte by byte).  Records carry
 * numeric event ids and raw 64-bit arguments only: the names come from the
 * id-to-name mapping records at the start of the log, and the argument
 * lists from the trace-events-all file of the QEMU build that wrote it.
 *
 * The reader turns the vtd_* events of QEMU 7.2's hw/i386/trace-events into
 * SkLogEvents, finding each field by its argument NAME (so a patched build
 * that adds, reorders or drops optional arguments still reads right); every
 * other event is skipped.  Files are read in large buffered chunks and
 * decoded in place: no allocation per record.
 *
 * Counting (SkLogStats): every event or dropped-events record is one line,
 * and exactly one of events, skipped, malformed.  Mapping records and the
 * header are file metadata, not lines.  Malformed records (an id with no
 * mapping, a length that disagrees with the declared arguments) are counted
 * and reading goes on; a record that cannot be stepped over (unknown record
 * type, impossible length, truncated) ends the read with an error. */
#ifndef SK_SIMPLETRACE_H
#define SK_SIMPLETRACE_H

#include <glib.h>
#include <stdint.h>

#include "sk_logevent.h"
#include "sk_logstats.h"

typedef struct SkSimpleTrace SkSimpleTrace;

/* Bytes sk_simple_trace_sniff() needs to decide. */
#define SK_SIMPLE_TRACE_SNIFF_BYTES 16

/* TRUE if head (the first n bytes of a file) starts with the header of a
 * simple-backend log: the header event id and magic.  FALSE when n < 16. */
gboolean sk_simple_trace_sniff(const uint8_t *head, gsize n);

/* Opens the log at path, with trace_events the trace-events-all file of the
 * QEMU build that wrote it.  Parses trace_events (an error names its file
 * and line) and checks the log's header (magic, version 4).  On error
 * returns NULL with error set (SK_ERROR_INPUT for bad input, including a
 * NULL trace_events; SK_ERROR_IO when a file cannot be read). */
SkSimpleTrace *sk_simple_trace_open(const char *path, const char *trace_events,
                                    GError **error);

/* Reads up to the next mapped event and fills *ev (zeroed first).  Returns
 * 1 with an event, 0 at the end of the log, -1 on error (error set; a
 * truncated last record is "simple trace 'PATH': truncated record at byte
 * N" and is counted as malformed).  stats may be NULL; when given, it is
 * added to, never reset.  After -1 every call returns -1 again. */
int sk_simple_trace_next(SkSimpleTrace *t, SkLogEvent *ev, SkLogStats *stats,
                         GError **error);

/* Events QEMU reported as dropped (its trace buffer was full), summed over
 * the dropped-events records read so far. */
uint64_t sk_simple_trace_dropped(const SkSimpleTrace *t);

/* Closes the log and frees t.  NULL is allowed. */
void sk_simple_trace_free(SkSimpleTrace *t);

#endif
