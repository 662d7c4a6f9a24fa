/* table.c - a sweep's summary table (see table.h). */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "series.h"

static void print_one(FILE *out, GPtrArray *series, GArray *tenants, int col,
                      const char *title, int width)
{
    fprintf(out, "%s, %% (columns: tenants)\n%-*s", title, width, "");
    for (guint t = 0; t < tenants->len; t++)
        fprintf(out, " %7u", g_array_index(tenants, guint32, t));
    fputc('\n', out);
    for (guint i = 0; i < series->len; i++) {
        SkSeries *s = series->pdata[i];
        fprintf(out, "%-*s", width, s->label);
        for (guint t = 0; t < tenants->len; t++) {
            guint32 want = g_array_index(tenants, guint32, t);
            const char *cell = "-";
            char buf[32];
            for (guint r = 0; r < s->rows->len; r++) {
                char **row = s->rows->pdata[r];
                if ((guint32)strtoul(row[SK_COL_TENANTS], NULL, 10) != want)
                    continue;
                if (strcmp(row[SK_COL_STATUS], "ok") != 0 || row[col][0] == '\0') {
                    cell = "fail";
                } else {
                    g_snprintf(buf, sizeof(buf), "%.1f", 100.0 * g_ascii_strtod(row[col], NULL));
                    cell = buf;
                }
            }
            fprintf(out, " %7s", cell);
        }
        fputc('\n', out);
    }
}

void sk_table_print(FILE *out, GPtrArray *rows)
{
    GPtrArray *series = sk_series_group(rows);
    GArray *tenants = sk_series_tenants(rows);
    int width = 10;

    for (guint i = 0; i < series->len; i++)
        width = MAX(width, (int)strlen(((SkSeries *)series->pdata[i])->label));
    print_one(out, series, tenants, SK_COL_UTILIZATION, "link utilisation", width);
    fputc('\n', out);
    print_one(out, series, tenants, SK_COL_IOTLB_HIT_RATE, "IOTLB hit rate", width);
    g_array_free(tenants, TRUE);
    g_ptr_array_free(series, TRUE);
}
