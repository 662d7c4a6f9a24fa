/* fuzz_rows.h - what every row perf-explore accepts (from points.csv or a
 * point's JSON) must hold, checked by the fuzz targets of both readers:
 * every column, numbers plain, finite and >= 0 (tenants at least 1), no
 * control character outside the error message (no line injected into plot
 * data). */
#ifndef FUZZ_ROWS_H
#define FUZZ_ROWS_H

#include <math.h>
#include <stdlib.h>

#include <glib.h>

#include "results.h"

static inline void fuzz_check_row(char **row)
{
    if (g_strv_length(row) != SK_N_COLS)
        abort();
    for (int c = 0; c < SK_N_COLS; c++) {
        for (const char *t = row[c]; c != SK_COL_ERROR && *t; t++)
            if ((unsigned char)*t < 0x20)
                abort();
        if (sk_result_column_is_number(c) && *row[c]) {
            char *end;
            double v = g_ascii_strtod(row[c], &end);
            if (*end || !isfinite(v) || v < 0)
                abort();
        }
    }
    if (!*row[SK_COL_TENANTS] || g_ascii_strtod(row[SK_COL_TENANTS], NULL) < 1)
        abort();
}

#endif
