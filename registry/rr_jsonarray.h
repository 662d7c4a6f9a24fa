/* rr_jsonarray.h - streams the elements of one top-level JSON array.
 *
 * A trace file of the IBM registry is one JSON array of objects, gigabytes
 * long.  The scanner reads it through stdio and hands out one element at a
 * time as its own JSON text, so memory holds one element, never the file.
 * It checks only the array's structure (brackets, strings, commas); each
 * element is then parsed on its own (json-glib), so that a bad element is
 * one malformed record, while a broken array (a missing bracket, a file cut
 * short, text after the end) is an error for the whole file. */
#ifndef RR_JSONARRAY_H
#define RR_JSONARRAY_H

#include <glib.h>
#include <stdio.h>

#define RR_JSON_ELEMENT_MAX (1u << 20)   /* a longer element is malformed */

typedef struct RrJsonArray RrJsonArray;

/* Reads from f (not closed).  name is used in errors. */
RrJsonArray *rr_json_array_new(FILE *f, const char *name);

typedef enum {
    RR_JSON_ELEMENT,    /* *text holds the element (valid until the next call) */
    RR_JSON_TOO_LONG,   /* an element longer than RR_JSON_ELEMENT_MAX, skipped */
    RR_JSON_END,        /* the closing ']' and only white space after it */
    RR_JSON_ERROR,      /* the array is broken: SK_ERROR_INPUT, or SK_ERROR_IO */
} RrJsonStep;

/* The next element; *len its length.  Elements are counted from 1. */
RrJsonStep rr_json_array_next(RrJsonArray *a, const char **text, gsize *len,
                              GError **error);

/* The number of the element last returned (1-based). */
guint64 rr_json_array_index(const RrJsonArray *a);

void rr_json_array_free(RrJsonArray *a);

#endif
