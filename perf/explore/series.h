/* series.h - a sweep's rows grouped into series: the rows that differ only
 * in their tenant count, in the order of the (sorted) rows.  A series is
 * named by its design and by every other axis that varies in the sweep
 * ("base", or "base model=hypersio-1.0 tqueue=64" when models and queues
 * vary).  Tables and plots are drawn per series. */
#ifndef SERIES_H
#define SERIES_H

#include <glib.h>

typedef struct SkSeries {
    char *label;
    GPtrArray *rows;    /* borrowed rows (GStrv), by tenants */
} SkSeries;

/* Groups rows (sorted by sk_results_sort); free with sk_series_free. */
GPtrArray *sk_series_group(GPtrArray *rows);
void sk_series_free(SkSeries *s);

/* The distinct tenant counts of rows, ascending (guint32 GArray). */
GArray *sk_series_tenants(GPtrArray *rows);

#endif
