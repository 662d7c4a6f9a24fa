/* fuzz_pointjson.c - fuzz target: any bytes as a perf-explore point's JSON
 * record (points/ID.json, read back on resume and for the CSV).  A record
 * is refused as bad input, or the row it yields is one the CSV may hold
 * (fuzz_rows.h). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_files.h"
#include "fuzz_rows.h"
#include "results.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *path;
    GError *error = NULL;
    char **row;

    fuzz_file_store(&path, "pointjson", data, size);
    row = sk_results_read_point(path, &error);
    if (row == NULL) {
        fuzz_refused(error, TRUE);
        return 0;
    }
    if (strcmp(row[SK_COL_STATUS], "ok") != 0 && strcmp(row[SK_COL_STATUS], "failed") != 0)
        abort();
    fuzz_check_row(row);
    g_strfreev(row);
    return 0;
}
