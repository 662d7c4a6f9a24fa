/* sk_cli.h - command-line manners shared by every siokit command.
 *
 * Options are parsed with GOptionContext; bad usage is an SK_ERROR_INPUT
 * error (exit 2) naming the option.  Progress goes to stderr only, only when
 * stderr is a terminal and --quiet was not given, at most a few times a
 * second, so piped output stays clean. */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <glib.h>
#include <stdint.h>

#include "sk_signal.h"

/* Parses argv with ctx.  Returns FALSE with an SK_ERROR_INPUT error on bad
 * usage (unknown option, bad value). */
gboolean sk_cli_parse(GOptionContext *ctx, int *argc, char ***argv,
                      GError **error);

/* Parses a whole unsigned decimal number for option `name` into *out, within
 * [min, max].  FALSE with an SK_ERROR_INPUT error naming the option. */
gboolean sk_cli_parse_u64(const char *name, const char *text, uint64_t min,
                          uint64_t max, uint64_t *out, GError **error);

/* sk_cli_parse_u64() for an unsigned option that may be absent: text NULL
 * leaves *out as it is (its default). */
gboolean sk_cli_parse_uint(const char *name, const char *text, unsigned min,
                           unsigned max, unsigned *out, GError **error);

/* The siokit checkout this program belongs to: $SIOKIT_HOME when set, else
 * the nearest folder above the program (build/PART/, build/asan/PART/ ...)
 * that holds meson.build and scripts/main-job, else the current folder. */
char *sk_cli_checkout(void);

/* The meson build folder this program was built in (the nearest folder
 * above it that holds meson-info/: build/, build/asan/ ...), else "build". */
char *sk_cli_build_dir(void);

typedef struct SkProgress SkProgress;

/* A progress line "what: done/total (pct%)" on stderr; total may be 0 when
 * unknown.  Returns a valid object that prints nothing when quiet is TRUE
 * or stderr is not a terminal. */
SkProgress *sk_progress_new(const char *what, uint64_t total, gboolean quiet);
void sk_progress_update(SkProgress *progress, uint64_t done);
/* Clears the line and frees. */
void sk_progress_free(SkProgress *progress);

/* A progress line that follows the named phases of long work, for
 * callbacks of the shape (phase, done, total, data) such as the NAT
 * builder's: a new phase starts a new line.  The callback returns FALSE
 * once a stop signal has arrived (sk_signal_catch), which asks the
 * work to stop. */
typedef struct SkPhaseProgress {
    gboolean quiet;
    const char *phase;
    SkProgress *line;
} SkPhaseProgress;

gboolean sk_phase_progress_update(const char *phase, uint64_t done,
                                  uint64_t total, gpointer phase_progress);
/* Clears the line; the struct can be used again. */
void sk_phase_progress_clear(SkPhaseProgress *p);

/* The index of name in names[0..n), or -1 (name NULL: -1): how every
 * command reads an enumerated option ("rr", "rand", ...). */
int sk_name_index(const char *const *names, guint n, const char *name);

/* Defines PREFIX_parse(const char *name, TYPE *out), TRUE when name is one
 * of the strings of the array NAMES (indexed by the enum TYPE), and
 * PREFIX_name(TYPE), the string of a value ("unknown" outside NAMES): the
 * pair every enumerated option has.  Declare both in the header. */
#define SK_ENUM_NAMES(prefix, type, names)                                   \
    gboolean prefix##_parse(const char *name, type *out)                     \
    {                                                                        \
        int i = sk_name_index(names, G_N_ELEMENTS(names), name);             \
        if (i >= 0)                                                          \
            *out = (type)i;                                                  \
        return i >= 0;                                                       \
    }                                                                        \
    const char *prefix##_name(type value)                                    \
    {                                                                        \
        return (guint)value < G_N_ELEMENTS(names) ? names[value] : "unknown"; \
    }

/* Parses a link speed in Gb/s for option `name` (e.g. "--link-gbps"):
 * plain decimal digits with at most one '.', no sign, exponent, hex, inf or
 * nan, between 0.001 and 1000000.  FALSE with an SK_ERROR_INPUT error
 * naming the option and the text. */
gboolean sk_cli_parse_link_speed(const char *name, const char *text,
                                 double *gbps, GError **error);

/* Parses a decimal number for option `name` into *out, within [min, max]:
 * digits, an optional point and decimal exponent, nothing else (no hex, inf,
 * nan or spaces); finite, and not a non-zero text that underflows to 0 or
 * below the smallest normal double.  FALSE with an SK_ERROR_INPUT error
 * naming the option. */
gboolean sk_cli_parse_double(const char *name, const char *text, double min,
                             double max, double *out, GError **error);

/* The number syntax of sk_cli_parse_double() for any text (a CSV field, a
 * config value): TRUE with *out set when text is a decimal number, strictly
 * as above; FALSE otherwise. */
gboolean sk_parse_decimal(const char *text, double *out);

#endif
