/* sk_gnuplot.h - running gnuplot on a script, its images drawn to temporary outputs.
 *
 * A command writes its data and script (sk_output_write_file), opens one
 * SkOutput per image, and runs gnuplot with each image's temporary file
 * name given as a script variable (`gnuplot -e "name='file.tmp.XXXXXX'"`),
 * so that a script run by hand draws the final names and an interrupted
 * command leaves neither.  The images are committed by the caller. */
#ifndef SK_GNUPLOT_H
#define SK_GNUPLOT_H

#include <glib.h>

#include "sk_file.h"

/* Appends text as a gnuplot single-quoted string: quotes doubled, line
 * ends dropped. */
void sk_gnuplot_quote(GString *s, const char *text);

/* Runs `gnuplot -e VARS SCRIPT` in dir, VARS setting vars[i] to the base
 * name of out[i].tmp, then checks that every image was drawn.  FALSE with
 * gnuplot's own message (or its wait status), SK_ERROR_STOPPED on a signal. */
gboolean sk_gnuplot_draw(const char *dir, const char *script, const char *const *vars,
                         SkOutput *out, guint n, GError **error);

#endif
