/* perf_input.c - a whole small input file through sk_input_fopen (see
 * perf_input.h). */
#include "perf_input.h"

#include <errno.h>
#include <stdio.h>

#include "sk_file.h"

char *perf_input_read(const char *what, const char *path, gsize *len,
                      GError **error)
{
    FILE *f = sk_input_fopen(what, path, error);
    GString *s;
    char buf[8192];
    size_t n;

    if (f == NULL)
        return NULL;
    s = g_string_new(NULL);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        g_string_append_len(s, buf, (gssize)n);
    if (ferror(f)) {
        sk_file_set_io_error(error, what, path, "cannot read", errno);
        fclose(f);
        g_string_free(s, TRUE);
        return NULL;
    }
    fclose(f);
    *len = s->len;
    return g_string_free(s, FALSE);
}
