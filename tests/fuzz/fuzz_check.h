/* fuzz_check.h - what a fuzz target asserts of an input a reader refused:
 * an error was set, in siokit's domain (and, where the reader promises it,
 * SK_ERROR_INPUT: bad input, exit status 2), never a crash or a silent
 * failure. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdlib.h>

#include <glib.h>

#include "sk_error.h"

/* Aborts unless error is an SK_ERROR (SK_ERROR_INPUT when input_only);
 * frees it. */
static inline void fuzz_refused(GError *error, gboolean input_only)
{
    if (error == NULL || error->domain != SK_ERROR ||
        (input_only && error->code != SK_ERROR_INPUT))
        abort();
    g_error_free(error);
}

#endif
