/* plot.c - utilisation and IOTLB hit rate versus tenants, with gnuplot
 * (see plot.h). */
#include "plot.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "results.h"
#include "series.h"
#include "sk_error.h"

static const char *const images[] = {"utilisation", "iotlb-hit-rate"};

/* A gnuplot single-quoted string: quotes doubled. */
static void quoted(GString *s, const char *text)
{
    g_string_append_c(s, '\'');
    for (const char *c = text; *c; c++) {
        if (*c == '\'')
            g_string_append_c(s, '\'');
        if (*c != '\n' && *c != '\r')
            g_string_append_c(s, *c);
    }
    g_string_append_c(s, '\'');
}

static gboolean write_data(const char *dir, GPtrArray *series, GError **error)
{
    for (guint i = 0; i < series->len; i++) {
        SkSeries *s = series->pdata[i];
        GString *d = g_string_new("# tenants utilisation_percent iotlb_hit_rate_percent\n");
        char *name = g_strdup_printf("s%u.dat", i);
        char *path = g_build_filename(dir, "plot", name, NULL);
        gboolean ok;

        g_string_append_printf(d, "# %s\n", s->label);
        for (guint r = 0; r < s->rows->len; r++) {
            char **row = s->rows->pdata[r];
            if (strcmp(row[SK_COL_STATUS], "ok") != 0)
                continue;
            g_string_append_printf(d, "%s %.4f %.4f\n", row[SK_COL_TENANTS],
                                   100.0 * g_ascii_strtod(row[SK_COL_UTILIZATION], NULL),
                                   100.0 * g_ascii_strtod(row[SK_COL_IOTLB_HIT_RATE], NULL));
        }
        ok = g_file_set_contents(path, d->str, (gssize)d->len, error);
        g_string_free(d, TRUE);
        g_free(name);
        g_free(path);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static void plot_commands(GString *gp, GPtrArray *series, int column)
{
    gboolean first = TRUE;

    g_string_append(gp, "plot ");
    for (guint i = 0; i < series->len; i++) {
        SkSeries *s = series->pdata[i];
        if (!sk_plot_has_points(s->rows))
            continue;           /* every point failed: nothing to draw */
        g_string_append_printf(gp, "%s'plot/s%u.dat' using 1:%d with linespoints "
                               "lw 2 title ", first ? "" : ", \\\n     ", i, column);
        first = FALSE;
        quoted(gp, s->label);
    }
    g_string_append_c(gp, '\n');
}

static char *script(GPtrArray *series, gboolean logx)
{
    GString *gp = g_string_new("# plot.gp - written by perf-explore from points.csv; "
                               "run from the sweep's directory:\n"
                               "#     gnuplot plot/plot.gp\n");
    static const char *const titles[] = {
        "Link utilisation versus tenants", "IOTLB hit rate versus tenants",
    };
    static const char *const ylabels[] = {
        "link utilisation (%)", "IOTLB hit rate (%)",
    };

    g_string_append(gp, "set xlabel 'tenants'\nset grid\nset key outside right top\n"
                        "set yrange [0:*]\nset datafile commentschars '#'\n");
    if (logx)
        g_string_append(gp, "set logscale x 2\n");
    for (int i = 0; i < 2; i++) {
        g_string_append_printf(gp, "\nset title '%s'\nset ylabel '%s'\n", titles[i],
                               ylabels[i]);
        g_string_append_printf(gp, "set terminal svg size 900,520 dynamic noenhanced "
                               "font 'sans,12'\nset output '%s.svg.tmp'\n", images[i]);
        plot_commands(gp, series, 2 + i);
        g_string_append_printf(gp, "set terminal pngcairo size 900,520 noenhanced "
                               "font 'sans,10'\nset output '%s.png.tmp'\nreplot\n"
                               "unset output\n", images[i]);
    }
    return g_string_free(gp, FALSE);
}

gboolean sk_plot_has_points(GPtrArray *rows)
{
    for (guint i = 0; i < rows->len; i++)
        if (strcmp(((char **)rows->pdata[i])[SK_COL_STATUS], "ok") == 0)
            return TRUE;
    return FALSE;
}

gboolean sk_plot_write(const char *dir, GPtrArray *rows, GError **error)
{
    GPtrArray *series = sk_series_group(rows);
    GArray *tenants = sk_series_tenants(rows);
    char *plotdir = g_build_filename(dir, "plot", NULL);
    char *gp_path = g_build_filename(plotdir, "plot.gp", NULL);
    char *gp = NULL, *err = NULL;
    const char *argv[] = {"gnuplot", "plot/plot.gp", NULL};
    int status;
    gboolean ok = FALSE;
    guint32 lo = tenants->len ? g_array_index(tenants, guint32, 0) : 1;
    guint32 hi = tenants->len ? g_array_index(tenants, guint32, tenants->len - 1) : 1;

    if (!sk_plot_has_points(rows)) {
        ok = TRUE;
        goto out;
    }
    if (g_mkdir_with_parents(plotdir, 0755) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot create '%s'", plotdir);
        goto out;
    }
    if (!write_data(dir, series, error))
        goto out;
    gp = script(series, hi >= 4 * lo);
    if (!g_file_set_contents(gp_path, gp, -1, error))
        goto out;
    if (!g_spawn_sync(dir, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                      error)) {
        g_prefix_error(error, "cannot run gnuplot: ");
        goto out;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_strstrip(g_strdelimit(err, "\r\n", ' '));
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "gnuplot failed on '%s': %s",
                    gp_path, err);
        goto out;
    }
    ok = TRUE;
    for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
        for (int png = 0; png < 2; png++) {
            char *name = g_strdup_printf("%s.%s", images[i], png ? "png" : "svg");
            char *final = g_build_filename(dir, name, NULL);
            char *tmp = g_strdup_printf("%s.tmp", final);
            if (ok && g_rename(tmp, final) != 0) {
                g_set_error(error, SK_ERROR, SK_ERROR_IO, "gnuplot wrote no '%s'", tmp);
                ok = FALSE;
            }
            g_free(name);
            g_free(final);
            g_free(tmp);
        }
    }
out:
    g_free(err);
    g_free(gp);
    g_free(gp_path);
    g_free(plotdir);
    g_array_free(tenants, TRUE);
    g_ptr_array_free(series, TRUE);
    return ok;
}
