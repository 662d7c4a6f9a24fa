/* plot.h - a sweep's plots with gnuplot, made from its rows (so from the
 * CSV alone): link utilisation versus tenants and IOTLB hit rate versus
 * tenants, one line per series, each as SVG and PNG:
 *
 *     DIR/utilisation.svg  DIR/utilisation.png
 *     DIR/iotlb-hit-rate.svg  DIR/iotlb-hit-rate.png
 *
 * The data of each series goes to DIR/plot/sN.dat and the script to
 * DIR/plot/plot.gp, so `cd DIR && gnuplot plot/plot.gp` draws them again.
 * Every file is written through sk_output (sk_file.h): gnuplot draws each
 * image into a temporary file perf-explore created, renamed into place
 * only when gnuplot has succeeded; a signal removes them all. */
#ifndef PLOT_H
#define PLOT_H

#include <glib.h>

/* Whether any row has a result to plot. */
gboolean sk_plot_has_points(GPtrArray *rows);

/* Does nothing when no row has a result (every point failed).  gnuplot is
 * run from PATH; FALSE with SK_ERROR_FAILED when it cannot be run or fails
 * (its message, or how it ended, included), SK_ERROR_STOPPED when a signal
 * (sk_signal_catch) arrived while it ran. */
gboolean sk_plot_write(const char *dir, GPtrArray *rows, GError **error);

#endif
