/* series.c - rows grouped into named series (see series.h). */
#include "series.h"

#include <stdlib.h>
#include <string.h>

#include "results.h"

void sk_series_free(SkSeries *s)
{
    if (s) {
        g_free(s->label);
        g_ptr_array_free(s->rows, TRUE);
        g_free(s);
    }
}

/* The key of a row: its axes but tenants. */
static char *row_key(char **row)
{
    GString *k = g_string_new(NULL);

    for (int c = 0; c < SK_N_COLS; c++)
        if (sk_result_column_is_axis(c) && c != SK_COL_TENANTS)
            g_string_append_printf(k, "%s\x1f", row[c]);
    return g_string_free(k, FALSE);
}

GPtrArray *sk_series_group(GPtrArray *rows)
{
    GPtrArray *series = g_ptr_array_new_with_free_func((GDestroyNotify)sk_series_free);
    GHashTable *by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GHashTable *first = g_hash_table_new(g_str_hash, g_str_equal);
    gboolean varies[SK_N_COLS] = {FALSE};

    /* An axis varies when two rows of one design differ in it (a value the
     * design sets, such as its walk table, names no series). */
    for (guint i = 0; i < rows->len; i++) {
        char **b = rows->pdata[i], **a = g_hash_table_lookup(first, b[SK_COL_DESIGN]);
        if (a == NULL) {
            g_hash_table_insert(first, b[SK_COL_DESIGN], b);
            continue;
        }
        for (int c = 0; c < SK_N_COLS; c++)
            if (strcmp(a[c], b[c]) != 0)
                varies[c] = TRUE;
    }
    g_hash_table_destroy(first);
    for (guint i = 0; i < rows->len; i++) {
        char **row = rows->pdata[i];
        char *key = row_key(row);
        SkSeries *s = g_hash_table_lookup(by_key, key);
        if (s == NULL) {
            GString *label = g_string_new(row[SK_COL_DESIGN]);
            for (int c = 0; c < SK_N_COLS; c++)
                if (sk_result_column_is_axis(c) && c != SK_COL_TENANTS &&
                    c != SK_COL_DESIGN && varies[c])
                    g_string_append_printf(label, " %s=%s", sk_result_columns[c],
                                           row[c]);
            s = g_new0(SkSeries, 1);
            s->label = g_string_free(label, FALSE);
            s->rows = g_ptr_array_new();
            g_ptr_array_add(series, s);
            g_hash_table_insert(by_key, key, s);
        } else {
            g_free(key);
        }
        g_ptr_array_add(s->rows, row);
    }
    g_hash_table_destroy(by_key);
    return series;
}

static int compare_u32(gconstpointer a, gconstpointer b)
{
    guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
    return x < y ? -1 : x > y;
}

GArray *sk_series_tenants(GPtrArray *rows)
{
    GArray *t = g_array_new(FALSE, FALSE, sizeof(guint32));
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (guint i = 0; i < rows->len; i++) {
        char **row = rows->pdata[i];
        guint32 n = (guint32)strtoul(row[SK_COL_TENANTS], NULL, 10);
        if (!g_hash_table_contains(seen, GUINT_TO_POINTER(n))) {
            g_hash_table_add(seen, GUINT_TO_POINTER(n));
            g_array_append_val(t, n);
        }
    }
    g_hash_table_destroy(seen);
    g_array_sort(t, compare_u32);
    return t;
}
