/* fuzz_pointjson.c - fuzz target: any bytes as a perf-explore point's JSON
 * record (points/ID.json, read back on resume and for the CSV).  A record
 * is refused as bad input, or every field it yields is what the CSV may
 * hold: numbers plain, finite and in range, no control characters but in
 * the error message. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_files.h"
#include "results.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *path;
    GError *error = NULL;
    char **row;

    if (path == NULL)
        path = fuzz_file_new("pointjson");
    fuzz_file_write(path, data, size);
    row = sk_results_read_point(path, &error);
    if (row == NULL) {
        if (error == NULL || error->domain != SK_ERROR || error->code != SK_ERROR_INPUT)
            abort();
        g_error_free(error);
        return 0;
    }
    if (g_strv_length(row) != SK_N_COLS)
        abort();
    if (strcmp(row[SK_COL_STATUS], "ok") != 0 && strcmp(row[SK_COL_STATUS], "failed") != 0)
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
    g_strfreev(row);
    return 0;
}
