/* plot.c - utilisation and IOTLB hit rate versus tenants, with gnuplot
 * (see plot.h). */
#include "plot.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "results.h"
#include "series.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_gnuplot.h"
#include "sk_signal.h"

/* The images: file name (without .svg/.png) and the gnuplot variable
 * prefix that names where each is drawn. */
static const struct {
    const char *file, *var;
} images[] = {
    {"utilisation", "utilisation"},
    {"iotlb-hit-rate", "iotlb_hit_rate"},
};
static const char *const formats[] = {"svg", "png"};

static gboolean write_data(const char *dir, GPtrArray *series, GError **error)
{
    for (guint i = 0; i < series->len; i++) {
        SkSeries *s = series->pdata[i];
        GString *d = g_string_new("# tenants utilisation_percent iotlb_hit_rate_percent\n");
        char *name = g_strdup_printf("s%u.dat", i);
        char *path = g_build_filename(dir, "plot", name, NULL);
        gboolean ok;

        g_string_append(d, "# ");
        for (const char *c = s->label; *c; c++)  /* one comment line */
            g_string_append_c(d, *c == '\n' || *c == '\r' ? ' ' : *c);
        g_string_append_c(d, '\n');
        for (guint r = 0; r < s->rows->len; r++) {
            char **row = s->rows->pdata[r];
            if (strcmp(row[SK_COL_STATUS], "ok") != 0)
                continue;
            g_string_append_printf(d, "%s %.4f %.4f\n", row[SK_COL_TENANTS],
                                   100.0 * g_ascii_strtod(row[SK_COL_UTILIZATION], NULL),
                                   100.0 * g_ascii_strtod(row[SK_COL_IOTLB_HIT_RATE], NULL));
        }
        ok = sk_output_write_file("plot data", path, d->str, (gssize)d->len, error);
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
        sk_gnuplot_quote(gp, s->label);
    }
    g_string_append_c(gp, '\n');
}

/* The script.  Each image is drawn to the file a variable names (e.g.
 * utilisation_svg), which defaults to the image's own name, so that
 * `gnuplot plot/plot.gp` draws the images in place and perf-explore can
 * have them drawn to its temporary files (gnuplot -e). */
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

    for (guint i = 0; i < G_N_ELEMENTS(images); i++)
        for (guint f = 0; f < G_N_ELEMENTS(formats); f++)
            g_string_append_printf(gp, "if (!exists(\"%s_%s\")) %s_%s = '%s.%s'\n",
                                   images[i].var, formats[f], images[i].var, formats[f],
                                   images[i].file, formats[f]);
    g_string_append(gp, "set xlabel 'tenants'\nset grid\nset key outside right top\n"
                        "set yrange [0:*]\nset datafile commentschars '#'\n");
    if (logx)
        g_string_append(gp, "set logscale x 2\n");
    for (guint i = 0; i < G_N_ELEMENTS(images); i++) {
        g_string_append_printf(gp, "\nset title '%s'\nset ylabel '%s'\n", titles[i],
                               ylabels[i]);
        g_string_append_printf(gp, "set terminal svg size 900,520 dynamic noenhanced "
                               "font 'sans,12'\nset output %s_svg\n", images[i].var);
        plot_commands(gp, series, 2 + (int)i);
        g_string_append_printf(gp, "set terminal pngcairo size 900,520 noenhanced "
                               "font 'sans,10'\nset output %s_png\nreplot\n"
                               "unset output\n", images[i].var);
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
    char *gp = NULL;
    SkOutput out[G_N_ELEMENTS(images) * G_N_ELEMENTS(formats)] = {{0}};
    char *vars[G_N_ELEMENTS(out)] = {0};
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
    if (!sk_output_write_file("plot script", gp_path, gp, -1, error))
        goto out;
    for (guint i = 0; i < G_N_ELEMENTS(out); i++) {
        char *name = g_strdup_printf("%s.%s", images[i / G_N_ELEMENTS(formats)].file, formats[i % G_N_ELEMENTS(formats)]);
        char *path = g_build_filename(dir, name, NULL);
        gboolean opened = sk_output_open(&out[i], "plot", path, error);
        g_free(path);
        g_free(name);
        if (!opened)
            goto out;
    }
    for (guint i = 0; i < G_N_ELEMENTS(out); i++)
        vars[i] = g_strdup_printf("%s_%s", images[i / G_N_ELEMENTS(formats)].var,
                                  formats[i % G_N_ELEMENTS(formats)]);
    if (!sk_gnuplot_draw(dir, "plot/plot.gp", (const char *const *)vars, out,
                         G_N_ELEMENTS(out), error))
        goto out;
    ok = TRUE;
    for (guint i = 0; i < G_N_ELEMENTS(out) && ok; i++)
        ok = sk_output_commit(&out[i], error);
out:
    for (guint i = 0; i < G_N_ELEMENTS(out); i++) {
        sk_output_discard(&out[i]);
        g_free(vars[i]);
    }
    g_free(gp);
    g_free(gp_path);
    g_free(plotdir);
    g_array_free(tenants, TRUE);
    g_ptr_array_free(series, TRUE);
    return ok;
}
