/* sk_gnuplot.c - one gnuplot run drawing into temporary outputs. */
#include "sk_gnuplot.h"

#include <glib/gstdio.h>

#include "sk_error.h"
#include "sk_signal.h"

void sk_gnuplot_quote(GString *s, const char *text)
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

gboolean sk_gnuplot_draw(const char *dir, const char *script, const char *const *vars,
                         SkOutput *out, guint n, GError **error)
{
    GString *assign = g_string_new(NULL);
    char *argv[] = {"gnuplot", "-e", NULL, (char *)script, NULL};
    char *err = NULL;
    int status;
    GError *why = NULL;
    gboolean ok = FALSE;

    for (guint i = 0; i < n; i++) {
        char *base = g_path_get_basename(out[i].tmp);

        g_string_append_printf(assign, "%s=", vars[i]);
        sk_gnuplot_quote(assign, base);
        g_string_append_c(assign, ';');
        g_free(base);
    }
    argv[2] = assign->str;
    if (!g_spawn_sync(dir, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &err, &status, error)) {
        g_prefix_error(error, "cannot run gnuplot: ");
        goto out;
    }
    if (sk_signal_stop()) {
        sk_signal_stopped(error, "plots");
        goto out;
    }
    if (!g_spawn_check_wait_status(status, &why)) {
        g_strstrip(g_strdelimit(err, "\r\n", ' '));
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "gnuplot failed on '%s': %s",
                    script, *err ? err : why->message);
        g_error_free(why);
        goto out;
    }
    for (guint i = 0; i < n; i++) {
        GStatBuf st;

        if (g_stat(out[i].tmp, &st) != 0 || st.st_size == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "gnuplot drew nothing in '%s'",
                        out[i].path);
            goto out;
        }
    }
    ok = TRUE;
out:
    g_free(err);
    g_string_free(assign, TRUE);
    return ok;
}
