/* sk_cacheconfig.c - reader and writer of HyperSIO 1.0 cache configuration files. */
#include "sk_cacheconfig.h"

#include <string.h>

#include "sk_error.h"
#include "sk_file.h"

const char *const sk_latency_keys[SK_N_LAT_KEYS] = {
    "pcie", "memory", "cc_hit", "iotlb_hit", "prefetch_hit", "walk_cache",
};

const uint32_t sk_latency_defaults[SK_N_LAT_KEYS] = {450, 50, 1, 2, 2, 5};

void sk_cache_config_default(SkCacheConfig *c)
{
    memset(c, 0, sizeof(*c));
    c->cc = (SkCacheGeometry){1536, 1536, 1};
    c->iotlb = (SkCacheGeometry){64, 8, 1};
    c->l1page = (SkCacheGeometry){0, 0, 0};   /* read, never used */
    c->l2page = (SkCacheGeometry){512, 16, 1};
    c->l3page = (SkCacheGeometry){1024, 16, 1};
    c->prefetch_size = 0;
    c->prefetch_distance = 32;
    c->prefetch_histlen = 2;
    memcpy(c->latency, sk_latency_defaults, sizeof(c->latency));
}

/* HyperSIO's blocks, then siokit's extension (from BLOCK_LATENCY on). */
typedef enum { BLOCK_NONE, BLOCK_CC, BLOCK_IOTLB, BLOCK_L1PAGE, BLOCK_L2PAGE,
               BLOCK_L3PAGE, BLOCK_PREFETCH, BLOCK_LATENCY, BLOCK_TQUEUE,
               BLOCK_WALKTABLE, N_BLOCKS } Block;

static const char *const block_names[N_BLOCKS] = {
    "", "CC", "IOTLB", "L1PAGE", "L2PAGE", "L3PAGE", "PREFETCH", "LATENCY",
    "TQUEUE", "WALKTABLE",
};

static gboolean is_extension(Block b)
{
    return b >= BLOCK_LATENCY;
}

static SkCacheGeometry *block_geometry(SkCacheConfig *c, Block b)
{
    switch (b) {
    case BLOCK_CC: return &c->cc;
    case BLOCK_IOTLB: return &c->iotlb;
    case BLOCK_L1PAGE: return &c->l1page;
    case BLOCK_L2PAGE: return &c->l2page;
    case BLOCK_L3PAGE: return &c->l3page;
    default: return NULL;
    }
}

static gboolean is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

/* Parses a whole decimal number that fits 32 bits. */
static gboolean parse_value(const char *s, uint32_t *out)
{
    uint64_t v = 0;

    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return FALSE;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return FALSE;
    }
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s != '\0')
        return FALSE;
    *out = (uint32_t)v;
    return TRUE;
}

/* A key of an extension block, its value text still unparsed: the same
 * strict rules in both dialects. */
static gboolean extension_key(const char *name, unsigned lineno, Block block,
                              const char *key, const char *text, SkCacheConfig *c,
                              SkCacheConfigLines *lines, GError **error)
{
    uint32_t *field = NULL, *at = NULL, value;
    uint32_t min = 0, max = 0;

    if (block == BLOCK_LATENCY) {
        for (int k = 0; k < SK_N_LAT_KEYS; k++)
            if (strcmp(key, sk_latency_keys[k]) == 0)
                field = &c->latency[k], at = &lines->latency[k];
        min = 1, max = SK_LATENCY_MAX;
    } else if (strcmp(key, "size") == 0 && block == BLOCK_TQUEUE) {
        field = &c->tqueue, at = &lines->tqueue, min = 1, max = SK_TQUEUE_MAX;
    } else if (strcmp(key, "size") == 0) {
        field = &c->walk_table, at = &lines->walk_table, max = SK_WALK_TABLE_MAX;
    }
    if (field == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config '%s': line %u: %s: unknown key '%s'", name, lineno,
                    block_names[block], key);
        return FALSE;
    }
    if (!parse_value(text, &value) || value < min || value > max) {
        char *v = g_strstrip(g_strdup(text));
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config '%s': line %u: %s %s: value '%s' is not a whole number "
                    "in %u..%u", name, lineno, block_names[block], key, v, min, max);
        g_free(v);
        return FALSE;
    }
    *field = value;
    *at = lineno;
    return TRUE;
}

static gboolean check_geometry(const char *name, const char *block,
                               const SkCacheGeometry *g, GError **error)
{
    const char *why = NULL, *key = NULL;

    if (g->size > SK_CACHE_MAX_ENTRIES) {
        key = "size";
        why = "is above the limit of " G_STRINGIFY(SK_CACHE_MAX_ENTRIES) " entries";
    } else if (!is_pow2(g->groups)) {
        key = "groups";
        why = g->groups ? "is not a power of two" : "is 0";
    } else if (g->size != 0) {
        if (g->assoc == 0) {
            key = "assoc";
            why = "is 0 for a cache of non-zero size";
        } else if (g->size % g->assoc) {
            key = "size";
            why = "is not a multiple of assoc";
        } else if (!is_pow2(g->size / g->assoc)) {
            key = "size";
            why = "gives a number of sets (size/assoc) that is not a power of two";
        } else if (g->groups > g->size / g->assoc) {
            key = "groups";
            why = "is more than the number of sets";
        }
    }
    if (why == NULL)
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "config '%s': %s: %s %s", name,
                block, key, why);
    return FALSE;
}

/* The siokit dialect: tolerant of spacing, strict about content. */
static gboolean parse_siokit(const char *name, const char *text, gsize len,
                             SkCacheConfig *parsed, SkCacheConfigLines *lines,
                             GError **error)
{
    unsigned block_line[N_BLOCKS] = {0};
    Block block = BLOCK_NONE;
    const char *p = text, *end = text + len;
    unsigned lineno = 0;
    gboolean any_block = FALSE;

    /* What the file does not set keeps HyperSIO's default design. */
    sk_cache_config_default(parsed);

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[256];
        char *s, *colon;

        lineno++;
        if (memchr(p, '\0', n)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "config '%s': line %u: contains a NUL byte", name, lineno);
            return FALSE;
        }
        if (n >= sizeof(line)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "config '%s': line %u: longer than %zu characters", name,
                        lineno, sizeof(line) - 1);
            return FALSE;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : end;

        s = g_strstrip(line);
        if (*s == '\0' || g_str_has_prefix(s, "//"))
            continue;

        colon = strchr(s, ':');
        if (colon == NULL) {
            Block b;
            for (b = BLOCK_CC; b < N_BLOCKS; b++)
                if (strcmp(s, block_names[b]) == 0)
                    break;
            if (b == N_BLOCKS) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "config '%s': line %u: unknown block '%s'", name,
                            lineno, s);
                return FALSE;
            }
            if (block_line[b]) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "config '%s': line %u: block %s given twice (first at "
                            "line %u)", name, lineno, s, block_line[b]);
                return FALSE;
            }
            block_line[b] = lineno;
            block = b;
            any_block = TRUE;
            continue;
        }

        *colon = '\0';
        char *key = g_strstrip(s);
        uint32_t value;
        if (block == BLOCK_NONE) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "config '%s': line %u: key '%s' before any block", name,
                        lineno, key);
            return FALSE;
        }
        if (is_extension(block)) {
            if (!extension_key(name, lineno, block, key, colon + 1, parsed, lines, error))
                return FALSE;
            continue;
        }
        if (!parse_value(colon + 1, &value)) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "config '%s': line %u: %s %s: value '%s' is not a whole "
                        "number below 2^32", name, lineno, block_names[block],
                        key, g_strstrip(colon + 1));
            return FALSE;
        }
        if (block == BLOCK_PREFETCH) {
            if (strcmp(key, "size") == 0)
                parsed->prefetch_size = value, lines->prefetch_size = lineno;
            else if (strcmp(key, "assoc") == 0)
                parsed->prefetch_distance = value, lines->prefetch_distance = lineno;
            else if (strcmp(key, "histlen") == 0)
                parsed->prefetch_histlen = value, lines->prefetch_histlen = lineno;
            else if (strcmp(key, "groups") != 0)  /* accepted, unused */
                goto unknown_key;
        } else {
            SkCacheGeometry *g = block_geometry(parsed, block);
            if (strcmp(key, "size") == 0)
                g->size = value;
            else if (strcmp(key, "assoc") == 0)
                g->assoc = value;
            else if (strcmp(key, "groups") == 0)
                g->groups = value;
            else if (strcmp(key, "histlen") != 0)  /* accepted, unused */
                goto unknown_key;
        }
        continue;
unknown_key:
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config '%s': line %u: %s: unknown key '%s'", name, lineno,
                    block_names[block], key);
        return FALSE;
    }

    if (!any_block) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config '%s': no cache block (expected CC, IOTLB, L2PAGE, "
                    "L3PAGE, PREFETCH, LATENCY, TQUEUE, WALKTABLE)", name);
        return FALSE;
    }
    return TRUE;
}

/* Leading number of a HyperSIO value, as std::stoul reads it: spaces, an
 * optional sign, digits; what follows is ignored.  FALSE when there is no
 * number or it does not fit 64 bits (std::stoul throws: HyperSIO aborts). */
static gboolean stoul_like(const char *s, uint64_t *out)
{
    gboolean negative = FALSE;
    uint64_t v = 0;

    while (g_ascii_isspace(*s))
        s++;
    if (*s == '+' || *s == '-')
        negative = *s++ == '-';
    if (!g_ascii_isdigit(*s))
        return FALSE;
    for (; g_ascii_isdigit(*s); s++) {
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return FALSE;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = negative ? (uint64_t)0 - v : v;
    return TRUE;
}

/* The extension block a HyperSIO-dialect line starts, or BLOCK_NONE. */
static Block extension_block(const char *line)
{
    char *s = g_strstrip(g_strdup(line));
    Block b;

    for (b = BLOCK_LATENCY; b < N_BLOCKS && strcmp(s, block_names[b]) != 0; b++)
        ;
    g_free(s);
    return b < N_BLOCKS ? b : BLOCK_NONE;
}

/* The HyperSIO dialect: its ReadCacheConfig, line for line, over the file
 * without siokit's extension blocks, which are read strictly. */
static gboolean parse_hypersio(const char *name, const char *text, gsize len,
                               SkCacheConfig *parsed, SkCacheConfigLines *lines,
                               GError **error)
{
    static const char *const keys[] = {"size", "assoc", "groups", "histlen"};
    const char *p = text, *end = text + len;
    Block block = BLOCK_NONE, extension = BLOCK_NONE;
    unsigned lineno = 0;
    gboolean stopped = FALSE;      /* HyperSIO stopped reading */

    memset(parsed, 0, sizeof(*parsed));
    memcpy(parsed->latency, sk_latency_defaults, sizeof(parsed->latency));
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char *line = g_strndup(p, n);
        const char *colon;
        gboolean stop = FALSE;

        lineno++;
        p = nl ? nl + 1 : end;
        if (strlen(line) != n) {            /* a NUL inside */
            g_free(line);
            break;
        }
        colon = strchr(line, ':');
        if (!g_str_has_prefix(line, "//") && colon == NULL)
            extension = extension_block(line);
        if (g_str_has_prefix(line, "//") || (colon == NULL && extension != BLOCK_NONE)) {
            ;
        } else if (extension != BLOCK_NONE) {
            char *key = g_strstrip(g_strndup(line, (gsize)(colon - line)));
            gboolean ok = extension_key(name, lineno, extension, key, colon + 1,
                                        parsed, lines, error);
            g_free(key);
            if (!ok) {
                g_free(line);
                return FALSE;
            }
        } else if (stopped) {
            ;
        } else if (colon == NULL) {
            Block b;
            for (b = BLOCK_CC; b < BLOCK_LATENCY && strcmp(line, block_names[b]) != 0; b++)
                ;
            if (b < BLOCK_LATENCY)
                block = b;
            else
                stop = TRUE;                /* "Unknown Cache Name" */
        } else {
            guint k;
            uint64_t v;
            for (k = 0; k < G_N_ELEMENTS(keys) && !g_str_has_prefix(line, keys[k]); k++)
                ;
            if (k == G_N_ELEMENTS(keys)) {
                stop = TRUE;                /* "Unknown configuration" */
            } else if (!stoul_like(colon + 1, &v)) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "config '%s': line %u: %s: no number after ':' "
                            "(HyperSIO 1.0 aborts here)", name, lineno, keys[k]);
                g_free(line);
                return FALSE;
            } else if (v > UINT32_MAX) {
                g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                            "config '%s': line %u: %s %" G_GUINT64_FORMAT
                            " is too large", name, lineno, keys[k], v);
                g_free(line);
                return FALSE;
            } else if (block == BLOCK_PREFETCH) {
                uint32_t *f[] = {&parsed->prefetch_size, &parsed->prefetch_distance,
                                 NULL, &parsed->prefetch_histlen};
                uint32_t *at[] = {&lines->prefetch_size, &lines->prefetch_distance,
                                  NULL, &lines->prefetch_histlen};
                if (f[k]) {
                    *f[k] = (uint32_t)v;
                    *at[k] = lineno;
                }
            } else if (block != BLOCK_NONE) {
                SkCacheGeometry *g = block_geometry(parsed, block);
                uint32_t *f[] = {&g->size, &g->assoc, &g->groups, NULL};
                if (f[k])
                    *f[k] = (uint32_t)v;
            }
        }
        g_free(line);
        if (stop)
            stopped = TRUE;   /* HyperSIO stops reading; what it has stays */
    }
    return TRUE;
}

/* The invariants of sk_cacheconfig.h. */
static gboolean check_config(const char *name, const SkCacheConfig *c,
                             GError **error)
{
    static const Block checked[] = {BLOCK_CC, BLOCK_IOTLB, BLOCK_L2PAGE, BLOCK_L3PAGE};
    SkCacheConfig copy = *c;

    for (guint i = 0; i < G_N_ELEMENTS(checked); i++)
        if (!check_geometry(name, block_names[checked[i]],
                            block_geometry(&copy, checked[i]), error))
            return FALSE;
    if (c->prefetch_size > SK_PREFETCH_MAX || c->prefetch_distance > SK_PREFETCH_MAX ||
        c->prefetch_histlen > SK_PREFETCH_MAX_HISTLEN) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "config '%s': PREFETCH: %s above the limit of %u", name,
                    c->prefetch_histlen > SK_PREFETCH_MAX_HISTLEN ? "histlen"
                    : c->prefetch_size > SK_PREFETCH_MAX ? "size" : "assoc",
                    c->prefetch_histlen > SK_PREFETCH_MAX_HISTLEN
                    ? SK_PREFETCH_MAX_HISTLEN : SK_PREFETCH_MAX);
        return FALSE;
    }
    return TRUE;
}

gboolean sk_cache_config_parse_lines(const char *name, const char *text, gsize len,
                                     SkConfigDialect dialect, SkCacheConfig *c,
                                     SkCacheConfigLines *lines, GError **error)
{
    SkCacheConfig parsed;
    SkCacheConfigLines at = {0};
    gboolean ok = dialect == SK_CONFIG_HYPERSIO
                      ? parse_hypersio(name, text, len, &parsed, &at, error)
                      : parse_siokit(name, text, len, &parsed, &at, error);
    if (!ok || !check_config(name, &parsed, error))
        return FALSE;
    *c = parsed;
    if (lines)
        *lines = at;
    return TRUE;
}

gboolean sk_cache_config_parse(const char *name, const char *text, gsize len,
                               SkConfigDialect dialect, SkCacheConfig *c,
                               GError **error)
{
    return sk_cache_config_parse_lines(name, text, len, dialect, c, NULL, error);
}

gboolean sk_cache_config_load_lines(const char *path, SkConfigDialect dialect,
                                    SkCacheConfig *c, SkCacheConfigLines *lines,
                                    GError **error)
{
    gsize len = 0;
    char *text = sk_input_read("config", path, &len, error);
    gboolean ok;

    if (text == NULL)
        return FALSE;
    ok = sk_cache_config_parse_lines(path, text, len, dialect, c, lines, error);
    g_free(text);
    return ok;
}

gboolean sk_cache_config_load(const char *path, SkConfigDialect dialect,
                              SkCacheConfig *c, GError **error)
{
    return sk_cache_config_load_lines(path, dialect, c, NULL, error);
}

char *sk_cache_config_to_string(const SkCacheConfig *c)
{
    GString *s = g_string_new(NULL);
    SkCacheConfig copy = *c;

    for (Block b = BLOCK_CC; b < BLOCK_PREFETCH; b++) {
        const SkCacheGeometry *g = block_geometry(&copy, b);
        if (b == BLOCK_L1PAGE && g->size == 0)
            continue;
        g_string_append_printf(s, "%s\nsize:%u\nassoc:%u\ngroups:%u\n//--------------------------------\n",
                               block_names[b], g->size, g->assoc, g->groups);
    }
    g_string_append_printf(s, "PREFETCH\nsize:%u\nassoc:%u\ngroups:0\nhistlen:%u\n//--------------------------------\n",
                           c->prefetch_size, c->prefetch_distance,
                           c->prefetch_histlen);
    if (memcmp(c->latency, sk_latency_defaults, sizeof(c->latency)) != 0) {
        g_string_append(s, "LATENCY\n");
        for (int k = 0; k < SK_N_LAT_KEYS; k++)
            g_string_append_printf(s, "%s:%u\n", sk_latency_keys[k], c->latency[k]);
    }
    if (c->tqueue)
        g_string_append_printf(s, "TQUEUE\nsize:%u\n", c->tqueue);
    if (c->walk_table)
        g_string_append_printf(s, "WALKTABLE\nsize:%u\n", c->walk_table);
    return g_string_free(s, FALSE);
}
