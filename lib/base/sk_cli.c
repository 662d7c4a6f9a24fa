/* sk_cli.c - option parsing, number parsing and the stderr progress line. */
#include "sk_cli.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_free.h"

gboolean sk_cli_parse(GOptionContext *ctx, int *argc, char ***argv,
                      GError **error)
{
    GError *local = NULL;
    if (g_option_context_parse(ctx, argc, argv, &local))
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s (see --help)",
                local->message);
    g_error_free(local);
    return FALSE;
}

gboolean sk_cli_parse_u64(const char *name, const char *text, uint64_t min,
                          uint64_t max, uint64_t *out, GError **error)
{
    char *end = NULL;
    unsigned long long v;

    if (text == NULL || *text < '0' || *text > '9')
        goto bad;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        goto bad;
    if (v < min || v > max) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option %s: %llu outside %llu..%llu", name, v,
                    (unsigned long long)min, (unsigned long long)max);
        return FALSE;
    }
    *out = v;
    return TRUE;
bad:
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                "option %s: '%s' is not a whole number", name,
                text ? text : "");
    return FALSE;
}

gboolean sk_cli_parse_uint(const char *name, const char *text, unsigned min,
                           unsigned max, unsigned *out, GError **error)
{
    uint64_t v;
    if (text == NULL)
        return TRUE;
    if (!sk_cli_parse_u64(name, text, min, max, &v, error))
        return FALSE;
    *out = (unsigned)v;
    return TRUE;
}

/* The nearest folder above this program for which holds(dir) is TRUE, or
 * NULL. */
static char *folder_above_program(gboolean (*holds)(const char *dir))
{
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    char *dir = exe ? g_path_get_dirname(exe) : NULL;

    g_free(exe);
    while (dir && strcmp(dir, "/") != 0 && strcmp(dir, ".") != 0) {
        if (holds(dir))
            return dir;
        char *up = g_path_get_dirname(dir);
        g_free(dir);
        dir = up;
    }
    g_free(dir);
    return NULL;
}

static gboolean holds_file(const char *dir, const char *a, const char *b,
                           GFileTest test)
{
    char *path = g_build_filename(dir, a, b, NULL);
    gboolean found = g_file_test(path, test);
    g_free(path);
    return found;
}

static gboolean is_checkout(const char *dir)
{
    return holds_file(dir, "meson.build", NULL, G_FILE_TEST_IS_REGULAR) &&
           holds_file(dir, "scripts", "main-job", G_FILE_TEST_IS_REGULAR);
}

static gboolean is_build_dir(const char *dir)
{
    return holds_file(dir, "meson-info", NULL, G_FILE_TEST_IS_DIR);
}

char *sk_cli_checkout(void)
{
    const char *home = g_getenv("SIOKIT_HOME");
    char *dir;

    if (home && *home)
        return g_strdup(home);
    dir = folder_above_program(is_checkout);
    return dir ? dir : g_get_current_dir();
}

char *sk_cli_build_dir(void)
{
    char *dir = folder_above_program(is_build_dir);
    return dir ? dir : g_strdup("build");
}

struct SkProgress {
    char *what;
    uint64_t total;
    gboolean active;
    gint64 last_us;
};

SkProgress *sk_progress_new(const char *what, uint64_t total, gboolean quiet)
{
    SkProgress *p = g_new0(SkProgress, 1);
    p->what = g_strdup(what);
    p->total = total;
    p->active = !quiet && isatty(STDERR_FILENO) &&
                getpgrp() == tcgetpgrp(STDERR_FILENO);
    return p;
}

void sk_progress_update(SkProgress *p, uint64_t done)
{
    gint64 now;

    if (!p->active)
        return;
    now = g_get_monotonic_time();
    if (now - p->last_us < 200000)
        return;
    p->last_us = now;
    if (p->total)
        fprintf(stderr, "\r%s: %llu/%llu (%.0f%%)", p->what,
                (unsigned long long)done, (unsigned long long)p->total,
                100.0 * (double)done / (double)p->total);
    else
        fprintf(stderr, "\r%s: %llu", p->what, (unsigned long long)done);
    fflush(stderr);
}

void sk_progress_free(SkProgress *p)
{
    if (p == NULL)
        return;
    if (p->active && p->last_us)
        fprintf(stderr, "\r\033[K");
    SK_FREE_ALL(p->what, p);
}

gboolean sk_phase_progress_update(const char *phase, uint64_t done,
                                  uint64_t total, gpointer data)
{
    SkPhaseProgress *p = data;

    if (sk_signal_stop())
        return FALSE;
    if (p->phase == NULL || strcmp(p->phase, phase) != 0) {
        sk_progress_free(p->line);
        p->line = sk_progress_new(phase, total, p->quiet);
        p->phase = phase;
    }
    sk_progress_update(p->line, done);
    return TRUE;
}

void sk_phase_progress_clear(SkPhaseProgress *p)
{
    sk_progress_free(p->line);
    p->line = NULL;
    p->phase = NULL;
}

/* sk_cli_parse_link_speed: a link speed in Gb/s, plain decimal only. */
gboolean sk_cli_parse_link_speed(const char *name, const char *text,
                                 double *gbps, GError **error)
{
    const char *s = text;
    size_t digits = 0, point = 0;
    double g;

    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.' && point == 0)
            point++;
        else
            break;
    }
    g = digits ? g_ascii_strtod(text, NULL) : 0;
    if (*s != '\0' || digits == 0 || text[0] == '.' || !(g >= 0.001 && g <= 1e6)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option %s: '%s' is not a speed between 0.001 and 1000000 Gb/s "
                    "(plain decimal, e.g. 200 or 12.5)", name, text);
        return FALSE;
    }
    *gbps = g;
    return TRUE;
}

/* A decimal number, strictly: optional sign, digits with at most one point,
 * an optional decimal exponent; no hex, inf, nan, spaces or locale. */
static gboolean decimal_syntax(const char *s, gboolean *nonzero)
{
    gboolean digits = FALSE;

    *nonzero = FALSE;
    if (*s == '+' || *s == '-')
        s++;
    for (; g_ascii_isdigit(*s); s++) {
        digits = TRUE;
        *nonzero |= *s != '0';
    }
    if (*s == '.')
        for (s++; g_ascii_isdigit(*s); s++) {
            digits = TRUE;
            *nonzero |= *s != '0';
        }
    if (!digits)
        return FALSE;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!g_ascii_isdigit(*s))
            return FALSE;
        while (g_ascii_isdigit(*s))
            s++;
    }
    return *s == '\0';
}

gboolean sk_parse_decimal(const char *text, double *out)
{
    gboolean nonzero;
    char *end = NULL;
    double v;

    if (text == NULL || !decimal_syntax(text, &nonzero))
        return FALSE;
    errno = 0;
    v = g_ascii_strtod(text, &end);
    if (*end != '\0' || !isfinite(v) || (nonzero && v == 0.0) ||
        (errno == ERANGE && (nonzero && (v < 0 ? -v : v) < DBL_MIN)))
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean sk_cli_parse_double(const char *name, const char *text, double min,
                             double max, double *out, GError **error)
{
    double v;

    if (!sk_parse_decimal(text, &v)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option %s: '%s' is not a decimal number (or is out of the range "
                    "of a double)", name, text ? text : "");
        return FALSE;
    }
    if (!(v >= min && v <= max)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option %s: %s outside %g..%g", name, text, min, max);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

int sk_name_index(const char *const *names, guint n, const char *name)
{
    for (guint i = 0; name != NULL && i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}
