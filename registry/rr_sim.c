/* rr_sim.c - finds simulations by name (built-ins, or shared objects with GModule). */
#include "rr_sim.h"

#include <math.h>
#include <string.h>

#include <gmodule.h>

#include "sk_error.h"

static const RrSimPlugin *const builtins[] = {
    &rr_sim_cache_py, &rr_sim_prefetch_py, &rr_sim_lru2, &rr_sim_prefetch,
};

const RrSimPlugin *rr_sim_find(const char *name, GError **error)
{
    GModule *m;
    gpointer sym = NULL;
    const RrSimPlugin *p;

    for (gsize i = 0; i < G_N_ELEMENTS(builtins); i++)
        if (strcmp(builtins[i]->name, name) == 0)
            return builtins[i];
    if (!g_str_has_suffix(name, ".so")) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.name: unknown simulation "
                    "'%s' (cache.py, prefetch.py, lru2, prefetch, or a plugin FILE.so)", name);
        return NULL;
    }
    /* A name without '/' is a file in the current folder, not a library search. */
    {
        char *path = strchr(name, '/') ? g_strdup(name) : g_strconcat("./", name, NULL);

        m = g_module_open(path, G_MODULE_BIND_LOCAL);
        g_free(path);
    }
    if (m == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.name: cannot load plugin "
                    "'%s': %s", name, g_module_error());
        return NULL;
    }
    if (!g_module_symbol(m, "rr_sim_plugin", &sym) || sym == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.name: plugin '%s' exports "
                    "no rr_sim_plugin", name);
        g_module_close(m);
        return NULL;
    }
    p = sym;
    if (p->abi != RR_SIM_ABI || p->init == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.name: plugin '%s' has "
                    "interface version %u, not %u", name, p->abi, RR_SIM_ABI);
        g_module_close(m);
        return NULL;
    }
    g_module_make_resident(m);
    return p;
}

char *rr_py_float(double v)
{
    char buf[64];

    if (isnan(v))
        return g_strdup("nan");
    if (isinf(v))
        return g_strdup(v > 0 ? "inf" : "-inf");
    g_ascii_formatd(buf, sizeof(buf), "%.12g", v);
    if (strpbrk(buf, ".e") == NULL)
        g_strlcat(buf, ".0", sizeof(buf));
    return g_strdup(buf);
}

const char *rr_sim_arg_required(const RrSimRun *run, const char *key, GError **error)
{
    const char *v = rr_sim_args_get(run->args, key);

    if (v == NULL)
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.args.%s: required", key);
    return v;
}

gboolean rr_sim_arg_number(const RrSimRun *run, const char *key, double *out,
                           GError **error)
{
    const char *v = rr_sim_arg_required(run, key, error);
    char *end;
    double d;

    if (v == NULL)
        return FALSE;
    d = g_ascii_strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !isfinite(d) || d < 0 ||
        strpbrk(v, "xXnNiI") != NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "simulate.args.%s: expected a number "
                    ">= 0, not '%s'", key, v);
        return FALSE;
    }
    *out = d;
    return TRUE;
}

void rr_sim_progress_init(RrSimProgress *p, const RrSimRun *run, gsize n, int first)
{
    p->i = 0;
    p->n = n;
    p->count = first;
    p->on = run->progress && n > 0;
}

guint32 *rr_sim_layer_ids(const RrTrace *t, guint32 *n)
{
    guint32 *ids = g_new(guint32, t->n_uris ? t->n_uris : 1);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint32 u = 0; u < t->n_uris; u++) {
        const char *slash = strrchr(t->uris[u], '/');
        const char *layer = slash ? slash + 1 : t->uris[u];
        gpointer v;

        if (!g_hash_table_lookup_extended(seen, layer, NULL, &v)) {
            v = GUINT_TO_POINTER(g_hash_table_size(seen));
            g_hash_table_insert(seen, (gpointer)layer, v);
        }
        ids[u] = GPOINTER_TO_UINT(v);
    }
    *n = g_hash_table_size(seen);
    g_hash_table_destroy(seen);
    return ids;
}

RrLayerRequest *rr_sim_layer_requests(const RrTrace *t, gsize *n, guint32 *n_layers)
{
    guint32 *layer_of = rr_sim_layer_ids(t, n_layers);
    guint8 *manifest = g_new(guint8, t->n_uris ? t->n_uris : 1);
    RrLayerRequest *v = g_new(RrLayerRequest, t->n ? t->n : 1);
    gsize k = 0;

    for (guint32 u = 0; u < t->n_uris; u++)
        manifest[u] = strstr(t->uris[u], "manifest") != NULL;
    for (gsize i = 0; i < t->n; i++)
        if (!manifest[t->requests[i].uri_id]) {
            v[k].layer = layer_of[t->requests[i].uri_id];
            v[k++].size = t->requests[i].size;
        }
    g_free(manifest);
    g_free(layer_of);
    *n = k;
    return v;
}

guint32 *rr_sim_repo_ids(const RrTrace *t, char **types, guint32 *n, GError **error)
{
    guint32 *ids = g_new0(guint32, t->n_uris + 1);
    char *type = g_new0(char, t->n_uris + 1);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint32 u = 0; u < t->n_uris; u++) {
        char **parts;
        char *name;
        gpointer v;

        if (strstr(t->uris[u], "blobs"))
            type[u] = 'l';
        else if (strstr(t->uris[u], "manifests"))
            type[u] = 'm';
        else
            continue;
        parts = g_strsplit(t->uris[u], "/", 4);
        if (g_strv_length(parts) < 3) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "uri '%s' has no repository "
                        "(fewer than three parts)", t->uris[u]);
            g_strfreev(parts);
            g_hash_table_destroy(seen);
            g_free(ids);
            g_free(type);
            return NULL;
        }
        name = g_strconcat(parts[1], "/", parts[2], NULL);
        g_strfreev(parts);
        if (!g_hash_table_lookup_extended(seen, name, NULL, &v)) {
            v = GUINT_TO_POINTER(g_hash_table_size(seen));
            g_hash_table_insert(seen, name, v);
        } else {
            g_free(name);
        }
        ids[u] = GPOINTER_TO_UINT(v);
    }
    *n = g_hash_table_size(seen);
    *types = type;
    g_hash_table_destroy(seen);
    return ids;
}
