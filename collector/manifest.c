/* manifest.c - writing a run's manifest.json (see manifest.h). */
#include "manifest.h"

#include <unistd.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

Manifest *manifest_new(const char *dir)
{
    Manifest *m = g_new0(Manifest, 1);
    m->dir = g_strdup(dir);
    m->path = g_build_filename(dir, "manifest.json", NULL);
    m->m = sk_manifest_new();
    return m;
}

gboolean manifest_write(const Manifest *m, GError **error)
{
    return sk_manifest_write(m->m, m->path, error);
}

char *manifest_copy_in(const Manifest *m, const char *src, const char *name, GError **error)
{
    char *dst = g_build_filename(m->dir, name, NULL);
    int fd = sk_input_open("file", src, error);
    GMappedFile *mf = NULL;
    GError *local = NULL;
    gboolean ok = fd >= 0 && (mf = g_mapped_file_new_from_fd(fd, FALSE, &local)) != NULL;

    if (fd >= 0 && !ok) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot copy '%s' into the run: %s", src,
                    local->message);
        g_error_free(local);
    } else if (ok) {
        ok = sk_output_write_file("file", dst, g_mapped_file_get_contents(mf),
                                  (gssize)g_mapped_file_get_length(mf), error);
    }
    if (mf)
        g_mapped_file_unref(mf);
    if (fd >= 0)
        close(fd);
    g_free(dst);
    return ok ? g_strdup(name) : NULL;
}

void manifest_free(Manifest *m)
{
    if (m == NULL)
        return;
    sk_manifest_free(m->m);
    SK_FREE_ALL(m->path, m->dir, m);
}
