/* models.c - the table of models: each model's name, aliases, summary,
 * configuration dialect, option checks and run function.  Parsing a model
 * name, the dispatch of sk_model_run() and every --help that lists models
 * read this one table. */
#include "models.h"

#include <string.h>

static const char *const hypersio_aliases[] = {"hypersio", NULL};
static const char *const no_aliases[] = {NULL};

static const SkModelInfo models[] = {
    {
        .kind = SK_MODEL_SIOKIT,
        .name = "siokit",
        .aliases = no_aliases,
        .summary = "default, corrected",
        .dialect = SK_CONFIG_SIOKIT,
        .always_prefetches = FALSE,
        .check = NULL,
        .run = siokit_run,
    },
    {
        .kind = SK_MODEL_HYPERSIO,
        .name = "hypersio-1.0",
        .aliases = hypersio_aliases,
        .summary = "exact HyperSIO 1.0",
        .dialect = SK_CONFIG_HYPERSIO,
        .always_prefetches = TRUE,
        .check = hypersio_check,
        .run = hypersio_run,
    },
};

G_STATIC_ASSERT(G_N_ELEMENTS(models) == SK_N_MODELS);

const SkModelInfo *sk_model_info(SkModelKind kind)
{
    for (guint i = 0; i < G_N_ELEMENTS(models); i++)
        if (models[i].kind == kind)
            return &models[i];
    return &models[0];
}

const SkModelInfo *sk_model_find(const char *name)
{
    for (guint i = 0; i < G_N_ELEMENTS(models); i++) {
        if (strcmp(name, models[i].name) == 0)
            return &models[i];
        for (const char *const *a = models[i].aliases; *a; a++)
            if (strcmp(name, *a) == 0)
                return &models[i];
    }
    return NULL;
}

char *sk_model_names(void)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(models); i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", models[i].name);
    return g_string_free(s, FALSE);
}

char *sk_model_help(void)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(models); i++)
        g_string_append_printf(s, "%s%s (%s)",
                               i == 0 ? "" : i + 1 == G_N_ELEMENTS(models) ? " or " : ", ",
                               models[i].name, models[i].summary);
    return g_string_free(s, FALSE);
}
