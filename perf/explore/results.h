/* results.h - a sweep's results as rows: gathered from the points' JSON
 * files, written as CSV, read back from CSV (so tables and plots can be
 * made again from the CSV alone).
 *
 * A row is a NULL-terminated array of strings, one per column of
 * sk_result_columns (the CSV's header, in that order); numbers are printed
 * as in the JSON.  A failed point has status "failed", its error, and
 * empty result columns.
 *
 * CSV: RFC 4180, comma-separated, a field quoted with '"' when it holds a
 * comma, a quote or a line break (quotes doubled inside), lines end with
 * "\n" (a "\r\n" is read too); a quoted field holding a line break is one
 * field, never a new row.  Reading checks the header names every column,
 * each row has as many fields, its status is ok or failed and every
 * numeric field passes sk_result_field_check(), with errors naming the
 * file, line and column. */
#ifndef RESULTS_H
#define RESULTS_H

#include <glib.h>

typedef enum {
    SK_COL_ID, SK_COL_STATUS, SK_COL_DESIGN, SK_COL_MODEL, SK_COL_BENCHMARK,
    SK_COL_SOURCE, SK_COL_ORDER, SK_COL_BURST, SK_COL_TRANSLATIONS_ASKED,
    SK_COL_IOTLB_SIZE, SK_COL_TQUEUE, SK_COL_LINK_GBPS, SK_COL_TENANTS,
    SK_COL_UTILIZATION, SK_COL_MBPS, SK_COL_IOTLB_HIT_RATE, SK_COL_CC_HIT_RATE,
    SK_COL_L2PAGE_HIT_RATE, SK_COL_L3PAGE_HIT_RATE, SK_COL_PREFETCH_HIT_RATE,
    SK_COL_TRANSLATIONS, SK_COL_DROPPED_SLOTS, SK_COL_ELAPSED_NS, SK_COL_ERROR,
    /* Added later, after error, so that the columns above keep their
     * places: three axes, then two results. */
    SK_COL_PACKET_BYTES, SK_COL_TRANSLATIONS_PER_PACKET, SK_COL_WALK_TABLE,
    SK_COL_IOTLB_COALESCED, SK_COL_WALK_STALLS,
    SK_N_COLS,
} SkResultColumn;

extern const char *const sk_result_columns[SK_N_COLS];

/* Columns that describe a point (all but id, status, results, error). */
gboolean sk_result_column_is_axis(SkResultColumn c);

/* Numeric columns: whether col holds a number; and whether text is a good
 * value of col in a row of that status: empty (except tenants, and
 * utilization when ok), or plain decimal (digits, fraction, exponent; no
 * sign, hex, inf or nan), finite, whole where it must be, within the
 * column's range (hit rates 0..1, utilization 0..2, tenants 1..1000000,
 * ...); and a text column but the error holds no control character (a
 * line break in a name would inject lines into the plot data).  FALSE with an
 * SK_ERROR_INPUT error saying why. */
gboolean sk_result_column_is_number(SkResultColumn col);
gboolean sk_result_field_check(SkResultColumn col, const char *status,
                               const char *text, GError **error);

/* One point's JSON as a row, every value checked as above; an error names
 * the file and the member ("result.utilization"). */
char **sk_results_read_point(const char *path, GError **error);

/* Reads every DIR/points/ *.json into rows (GStrv), sorted by design (in
 * preset order), then the other axes, then tenants.  A JSON file that is
 * not a point record is an SK_ERROR_INPUT error naming it. */
GPtrArray *sk_results_gather(const char *dir, GError **error);

/* Rows as CSV text; g_free() it. */
char *sk_results_csv_text(GPtrArray *rows);
/* Writes rows as CSV to path (temporary name, then renamed). */
gboolean sk_results_write_csv(const char *path, GPtrArray *rows, GError **error);
/* Reads a CSV written by sk_results_write_csv; name is used in messages. */
GPtrArray *sk_results_parse_csv(const char *name, const char *text, gsize len,
                                GError **error);
GPtrArray *sk_results_load_csv(const char *path, GError **error);

/* The rows sorted as sk_results_gather sorts them. */
void sk_results_sort(GPtrArray *rows);

#endif
