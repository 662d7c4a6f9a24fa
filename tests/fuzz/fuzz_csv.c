/* fuzz_csv.c - fuzz target: any bytes as a perf-explore points.csv (what
 * `perf-explore --plot DIR` reads).  A result is either rows that print as
 * a table and write back to CSV text that reads as the same rows, or an
 * SK_ERROR_INPUT error; never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_rows.h"
#include "results.h"
#include "sk_error.h"
#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    GError *error = NULL;
    GPtrArray *rows, *again;
    char *text;

    rows = sk_results_parse_csv("fuzz.csv", (const char *)data, size, &error);
    if (rows == NULL) {
        fuzz_refused(error, TRUE);
        return 0;
    }
    for (guint i = 0; i < rows->len; i++)
        fuzz_check_row(rows->pdata[i]);
    if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
        abort();
    sk_results_sort(rows);
    sk_table_print(null, rows);
    text = sk_results_csv_text(rows);
    again = sk_results_parse_csv("again.csv", text, strlen(text), NULL);
    if (again == NULL || again->len != rows->len)
        abort();
    for (guint i = 0; i < rows->len; i++)
        if (!g_strv_equal(rows->pdata[i], again->pdata[i]))
            abort();
    g_ptr_array_free(again, TRUE);
    g_free(text);
    g_ptr_array_free(rows, TRUE);
    return 0;
}
