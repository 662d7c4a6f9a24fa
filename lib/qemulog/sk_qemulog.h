/* sk_qemulog.h - one line of a QEMU IOMMU text log into an SkLogEvent.
 *
 * Understands the log ("log" trace backend) of HyperSIO 1.0's patched QEMU
 * and of stock QEMU 7.2; docs/log-dialects.md lists every event, its line
 * and the fields it fills.  A line is
 *
 *     [ISO-8601 time " "] [pid "@" sec "." usec ":"] vtd_NAME " " fields
 *
 * Parsing is by hand (no regex, no sscanf, no allocation): about 100 ns a
 * line.  The line need not be NUL-terminated; trailing blanks and a '\r' are
 * allowed.
 *
 * Rules (each one a "malformed" verdict when broken):
 *   1. A line whose event is one this module reads must match that event's
 *      format exactly, but for runs of blanks where the format has one.
 *   2. Every number fits its field: 64 bits for addresses and entries, 16
 *      for sid and domain, 8 for bus and devfn, 1..3 for a page level, 1..5
 *      for a table level; no digit or letter may follow a number.
 *   3. Any other line, vtd_* events this module does not read included, is
 *      skipped: it is never an error. */
#ifndef SK_QEMULOG_H
#define SK_QEMULOG_H

#include <stddef.h>
#include <stdint.h>

#include "sk_logevent.h"
#include "sk_logstats.h"

/* Room for a malformed line's reason, NUL included. */
#define SK_QEMULOG_REASON_MAX 160

typedef enum {
    SK_QEMULOG_MALFORMED = -1,  /* a known event whose fields do not parse */
    SK_QEMULOG_SKIP = 0,        /* not an event the readers use */
    SK_QEMULOG_EVENT = 1,       /* *ev filled */
} SkQemuLogResult;

/* Parses line[0..len) into *ev (cleared first).
 *
 * want is the dialect of the file so far: SK_LOG_DIALECT_UNKNOWN accepts
 * the lines of both text dialects; HYPERSIO10 or QEMU72 requires that
 * dialect's form of the events whose lines differ (vtd_iotlb_page_hit and
 * vtd_iotlb_page_update; vtd_slpte_fetch exists only in HYPERSIO10).
 * *seen (if not NULL) is set to the dialect the line proves, or to
 * SK_LOG_DIALECT_UNKNOWN for a line both dialects write alike.
 *
 * On SK_QEMULOG_MALFORMED, reason (if not NULL) holds
 * "<event>: <what is wrong>", e.g. "vtd_iotlb_page_hit: 'iova' overflows
 * 64 bits"; it is untouched otherwise. */
SkQemuLogResult sk_qemulog_parse(const char *line, size_t len,
                                 SkLogDialect want, SkLogDialect *seen,
                                 SkLogEvent *ev,
                                 char reason[SK_QEMULOG_REASON_MAX]);

/* HyperSIO 1.0 read the decimal "gen N" of context-cache lines as base 16:
 * the value it used for generation gen, i.e. gen's decimal digits read as
 * hex (10 -> 0x10).  For its cc_data.bin; siokit itself uses gen. */
uint64_t sk_qemulog_hypersio_gen(uint32_t gen);

#endif
