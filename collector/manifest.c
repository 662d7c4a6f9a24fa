/* manifest.c - writing a run's manifest.json (see manifest.h). */
#include "manifest.h"

#include "sk_error.h"
#include "sk_file.h"

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
    char *text = NULL, *dst = g_build_filename(m->dir, name, NULL);
    gsize len = 0;
    GError *local = NULL;
    gboolean ok = g_file_get_contents(src, &text, &len, &local);

    if (!ok) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot copy '%s' into the run: %s", src,
                    local->message);
        g_error_free(local);
    } else {
        ok = sk_output_write_file("file", dst, text, (gssize)len, error);
    }
    g_free(text);
    g_free(dst);
    return ok ? g_strdup(name) : NULL;
}

void manifest_free(Manifest *m)
{
    if (m == NULL)
        return;
    sk_manifest_free(m->m);
    g_free(m->path);
    g_free(m->dir);
    g_free(m);
}
