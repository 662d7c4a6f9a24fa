/* perf_input.h - reading a whole small input file (a cache configuration,
 * a point file, points.csv) the siokit way: opened with sk_input_open(),
 * so that a FIFO, device or folder is refused at once instead of blocking. */
#ifndef PERF_INPUT_H
#define PERF_INPUT_H

#include <glib.h>

/* The bytes of path, NUL-terminated, and their number in *len.  NULL with
 * an error naming `what` and the path: SK_ERROR_INPUT when it is missing,
 * unreadable or not a regular file, SK_ERROR_IO when reading fails. */
char *perf_input_read(const char *what, const char *path, gsize *len,
                      GError **error);

#endif
