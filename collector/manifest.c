/* manifest.c - writing a run's manifest.json (see manifest.h). */
#include "manifest.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "sk_error.h"

Manifest *manifest_new(const char *dir)
{
    Manifest *m = g_new0(Manifest, 1);
    m->path = g_build_filename(dir, "manifest.json", NULL);
    m->root = json_object_new();
    return m;
}

gboolean manifest_write(const Manifest *m, GError **error)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);
    JsonGenerator *g = json_generator_new();
    char *tmp = g_strconcat(m->path, ".tmp", NULL);
    gboolean ok;

    json_node_set_object(node, m->root);
    json_generator_set_root(g, node);
    json_generator_set_pretty(g, TRUE);
    ok = json_generator_to_file(g, tmp, error);
    if (ok && g_rename(tmp, m->path) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", m->path, g_strerror(errno));
        ok = FALSE;
    }
    if (!ok)
        g_unlink(tmp);
    g_free(tmp);
    g_object_unref(g);
    json_node_unref(node);
    return ok;
}

void manifest_free(Manifest *m)
{
    if (m == NULL)
        return;
    json_object_unref(m->root);
    g_free(m->path);
    g_free(m);
}
