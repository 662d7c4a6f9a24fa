/* sk_nat.h - "next access time" annotation of a trace, in memory bounded by
 * the number of distinct pages rather than the number of records.
 *
 * The NAT of record i is the index (0-based, in final trace order) of the
 * next record j > i with the same (iova & mask, tenant), or SK_NAT_NONE.  The
 * oracle (Belady) replacement policy is its only user (spec section 2).
 *
 * A builder takes the records of a trace in order, spills them to an
 * unlinked temporary file, and at the end computes every NAT in one
 * backward pass over the spill, chunk by chunk, with a hash table from
 * (page, tenant) to the last index seen.  The NATs go to a second unlinked
 * file at their records' positions; a forward pass then hands the annotated
 * records, in trace order, to a trace writer or a callback.  Both temporary
 * files are unlinked as soon as they are created, so nothing is ever left
 * behind, whatever happens to the process.
 *
 * Cost: 56 bytes of disk per record (the record + its NAT), 32 to 64 bytes of
 * memory per distinct (page, tenant) (an open-addressing table of 24-byte
 * slots kept at most 3/4 full), plus a few chunk buffers.
 *
 * Builder states (checked on every call):
 *   1. ADDING    after _new: _add appends, _finish moves to FINISHED.
 *   2. FINISHED  _finish ran (well or not); only _free is allowed.
 *   3. FAILED    an _add failed; _add and _finish return an error.
 * _free is allowed in every state and releases the files and memory. */
#ifndef SK_NAT_H
#define SK_NAT_H

#include <glib.h>
#include <stdint.h>

#include "sk_record.h"
#include "sk_trace.h"

typedef struct SkNatBuilder SkNatBuilder;

/* Receives annotated records in trace order.  Returns FALSE with error set to
 * stop the builder. */
typedef gboolean (*SkNatSinkFunc)(const SkRecord *records, gsize n,
                                  gpointer data, GError **error);

/* Called after every chunk of each pass of _finish: phase is "annotating"
 * (backward NAT pass) or "writing" (forward pass), done counts records of
 * that phase out of total.  Return FALSE to cancel: _finish then fails with
 * an SK_ERROR_FAILED "interrupted" error. */
typedef gboolean (*SkNatProgressFunc)(const char *phase, uint64_t done,
                                      uint64_t total, gpointer data);

/* Creates a builder whose spill files live in tmpdir (NULL: g_get_tmp_dir()).
 * On error (cannot create the files) returns NULL with an SK_ERROR_IO error. */
SkNatBuilder *sk_nat_builder_new(const char *tmpdir, GError **error);

/* Records per chunk of the spill passes (default: 1 MiB worth).  For tests,
 * to cross chunk boundaries with few records; call before the first _add. */
void sk_nat_builder_set_chunk(SkNatBuilder *builder, gsize records);

/* Whether _finish sizes its table from the distinct-key estimate (default
 * TRUE).  For tests: FALSE starts from the smallest table, which then has to
 * grow many times. */
void sk_nat_builder_set_presize(SkNatBuilder *builder, gboolean presize);

/* Installs a progress/cancel callback for _finish (NULL to remove). */
void sk_nat_builder_set_progress(SkNatBuilder *builder, SkNatProgressFunc fn,
                                 gpointer data);

/* Appends n records in trace order (their nat fields are ignored).  On error
 * (disk full...) returns FALSE with an SK_ERROR_IO error and the builder is
 * FAILED. */
gboolean sk_nat_builder_add(SkNatBuilder *builder, const SkRecord *records,
                            gsize n, GError **error);

/* Records added so far. */
uint64_t sk_nat_builder_count(const SkNatBuilder *builder);

/* Distinct (page, tenant) keys seen by _finish (0 before it). */
uint64_t sk_nat_builder_distinct(const SkNatBuilder *builder);

/* Computes the NATs and passes every record, annotated and in trace order, to
 * sink in batches of at most one chunk.  Allowed once; the spill files are
 * released whatever the outcome.  FALSE with error set if reading the spill
 * fails, the sink fails, or the progress callback cancels. */
gboolean sk_nat_builder_finish_to(SkNatBuilder *builder, SkNatSinkFunc sink,
                                  gpointer data, GError **error);

/* _finish_to with sk_trace_writer_write(out) as the sink.  The writer is
 * neither closed nor aborted: that stays the caller's choice. */
gboolean sk_nat_builder_finish(SkNatBuilder *builder, SkTraceWriter *out,
                               GError **error);

/* Releases the builder in any state; NULL is ignored. */
void sk_nat_builder_free(SkNatBuilder *builder);

/* Annotates an array already in memory (same rule, same hash table; memory
 * for the table only).  For small traces and tests. */
void sk_nat_annotate(SkRecord *records, gsize n);

#endif
