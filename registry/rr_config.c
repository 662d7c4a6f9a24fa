/* rr_config.c - reads the seed's YAML configuration (libyaml document API). */
#include "rr_config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "sk_error.h"
#include "sk_file.h"

#define RR_CONFIG_MAX (1u << 20)   /* a config is a few hundred bytes */

typedef struct {
    yaml_document_t *doc;
    const char *name;
    GError **error;
    yaml_node_t *amount;    /* trace.limit.amount, checked once the type is known */
} Ctx;

static gboolean bad(Ctx *c, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean bad(Ctx *c, const char *key, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sk_error_in_file(c->error, "config", c->name, "%s: %s", key, msg);
    g_free(msg);
    return FALSE;
}

static const char *scalar(yaml_node_t *n)
{
    return (const char *)n->data.scalar.value;
}

static gboolean is_plain(yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* YAML 1.1 null, as PyYAML reads it: empty, ~, null, Null, NULL. */
static gboolean is_null(yaml_node_t *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

    if (!is_plain(n))
        return FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(nulls); i++)
        if (strcmp(scalar(n), nulls[i]) == 0)
            return TRUE;
    return FALSE;
}

/* YAML 1.1 booleans, as PyYAML reads them. */
static gboolean get_bool(Ctx *c, const char *key, yaml_node_t *n, gboolean *out)
{
    static const char *const yes[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
    static const char *const no[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};

    if (is_plain(n)) {
        for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
            if (strcmp(scalar(n), yes[i]) == 0)
                return *out = TRUE, TRUE;
            if (strcmp(scalar(n), no[i]) == 0)
                return *out = FALSE, TRUE;
        }
    }
    return bad(c, key, "expected true or false, not '%s'",
               n->type == YAML_SCALAR_NODE ? scalar(n) : "a collection");
}

/* A plain decimal integer within [min, max]. */
static gboolean get_uint(Ctx *c, const char *key, yaml_node_t *n, guint64 min,
                         guint64 max, guint64 *out)
{
    const char *s;
    char *end;
    guint64 v;

    if (!is_plain(n))
        return bad(c, key, "expected a whole number");
    s = scalar(n);
    if (*s == '+')
        s++;
    if (!g_ascii_isdigit(*s))
        return bad(c, key, "expected a whole number, not '%s'", scalar(n));
    errno = 0;
    v = g_ascii_strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return bad(c, key, "expected a whole number, not '%s'", scalar(n));
    if (v < min || v > max)
        return bad(c, key, "%s outside %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT,
                   scalar(n), min, max);
    *out = v;
    return TRUE;
}

/* A plain finite decimal number >= 0 (int or float, as PyYAML reads them). */
static gboolean get_number(Ctx *c, const char *key, yaml_node_t *n, double *out)
{
    const char *s;
    char *end;
    double v;

    if (!is_plain(n))
        return bad(c, key, "expected a number");
    s = scalar(n);
    if (*s == '+')
        s++;
    if (!g_ascii_isdigit(*s) && !(*s == '.' && g_ascii_isdigit(s[1])))
        return bad(c, key, "expected a number >= 0, not '%s'", scalar(n));
    for (const char *p = s; *p; p++)
        if (!g_ascii_isdigit(*p) && *p != '.' && *p != 'e' && *p != 'E' &&
            *p != '-' && *p != '+')
            return bad(c, key, "expected a number >= 0, not '%s'", scalar(n));
    errno = 0;
    v = g_ascii_strtod(s, &end);
    if (*end != '\0' || errno != 0 || !isfinite(v) || v < 0)
        return bad(c, key, "expected a number >= 0, not '%s'", scalar(n));
    *out = v;
    return TRUE;
}

static gboolean get_string(Ctx *c, const char *key, yaml_node_t *n, char **out)
{
    if (n->type != YAML_SCALAR_NODE || is_null(n) || n->data.scalar.length == 0)
        return bad(c, key, "expected a non-empty string");
    if (strlen(scalar(n)) != n->data.scalar.length)
        return bad(c, key, "holds a NUL byte");
    g_free(*out);
    *out = g_strdup(scalar(n));
    return TRUE;
}

/* A path the config may name: absolute, or relative without '..'. */
static gboolean path_ok(const char *p, gboolean allow_absolute)
{
    char **parts;
    gboolean ok = TRUE;

    if (p[0] == '/')
        return allow_absolute;
    parts = g_strsplit(p, "/", -1);
    for (char **q = parts; *q; q++)
        if (strcmp(*q, "..") == 0)
            ok = FALSE;
    g_strfreev(parts);
    return ok;
}

static gboolean get_path(Ctx *c, const char *key, yaml_node_t *n, gboolean allow_absolute,
                         char **out)
{
    if (!get_string(c, key, n, out))
        return FALSE;
    if (!path_ok(*out, allow_absolute))
        return bad(c, key, "path '%s' leaves its folder (%s)", *out,
                   allow_absolute ? "no '..'" : "no '..', not absolute");
    return TRUE;
}

/* A sequence of non-empty strings. */
static gboolean get_strings(Ctx *c, const char *key, yaml_node_t *n, char ***out,
                            guint *count)
{
    GPtrArray *v;

    if (n->type != YAML_SEQUENCE_NODE)
        return bad(c, key, "expected a list");
    v = g_ptr_array_new_with_free_func(g_free);
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(c->doc, *it);
        char *s = NULL;
        char *ekey = g_strdup_printf("%s[%u]", key, v->len);
        gboolean ok = get_string(c, ekey, e, &s);

        g_free(ekey);
        if (!ok) {
            g_ptr_array_free(v, TRUE);
            return FALSE;
        }
        g_ptr_array_add(v, s);
    }
    if (v->len == 0) {
        g_ptr_array_free(v, TRUE);
        return bad(c, key, "the list is empty");
    }
    *count = v->len;
    g_ptr_array_add(v, NULL);
    g_strfreev(*out);
    *out = (char **)g_ptr_array_free(v, FALSE);    /* keeps the strings */
    return TRUE;
}

/* Walks a mapping: each key must be one of `keys`; calls fn per pair. */
typedef gboolean (*PairFn)(Ctx *c, RrConfig *cfg, const char *key, const char *full,
                           yaml_node_t *value);

static gboolean each_pair(Ctx *c, RrConfig *cfg, const char *section, yaml_node_t *map,
                          const char *const *keys, PairFn fn)
{
    GHashTable *seen;
    gboolean ok = TRUE;

    if (map->type != YAML_MAPPING_NODE)
        return bad(c, section[0] ? section : "(top)", "expected a mapping");
    seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         ok && p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
        const char *ks;
        char *full;
        gboolean known = FALSE;

        if (k->type != YAML_SCALAR_NODE) {
            ok = bad(c, section[0] ? section : "(top)", "a key is not a string");
            break;
        }
        ks = scalar(k);
        full = section[0] ? g_strdup_printf("%s.%s", section, ks) : g_strdup(ks);
        for (const char *const *q = keys; *q; q++)
            if (strcmp(*q, ks) == 0)
                known = TRUE;
        if (!known)
            ok = bad(c, full, "unknown key");
        else if (g_hash_table_contains(seen, ks))
            ok = bad(c, full, "given twice");
        else {
            g_hash_table_add(seen, (gpointer)ks);
            ok = fn(c, cfg, ks, full, v);
        }
        g_free(full);
    }
    g_hash_table_destroy(seen);
    return ok;
}

static gboolean client_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                            yaml_node_t *v)
{
    guint64 n;

    if (strcmp(k, "client_list") == 0)
        return get_strings(c, full, v, &cfg->client_list, &cfg->n_clients);
    if (strcmp(k, "port") == 0) {
        if (!get_uint(c, full, v, 1, 65535, &n))
            return FALSE;
        cfg->port = (guint)n;
        return TRUE;
    }
    if (strcmp(k, "threads") == 0) {
        if (!get_uint(c, full, v, 1, 100000, &n))
            return FALSE;
        cfg->threads = (guint)n;
        return TRUE;
    }
    if (strcmp(k, "wait") == 0)
        return get_bool(c, full, v, &cfg->wait);
    return get_bool(c, full, v, &cfg->route);
}

static gboolean limit_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                           yaml_node_t *v)
{
    if (strcmp(k, "type") == 0) {
        char *t = NULL;

        if (!get_string(c, full, v, &t))
            return FALSE;
        if (strcmp(t, "seconds") == 0)
            cfg->limit_type = RR_LIMIT_SECONDS;
        else if (strcmp(t, "requests") == 0)
            cfg->limit_type = RR_LIMIT_REQUESTS;
        else {
            bad(c, full, "'%s': limit_type must be either seconds or requests", t);
            g_free(t);
            return FALSE;
        }
        g_free(t);
        return TRUE;
    }
    /* amount: checked once the type is known (either order in the file). */
    c->amount = v;
    return TRUE;
}

static gboolean trace_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                           yaml_node_t *v)
{
    static const char *const limit_keys[] = {"type", "amount", NULL};

    if (strcmp(k, "location") == 0)
        return get_string(c, full, v, &cfg->location);
    if (strcmp(k, "traces") == 0) {
        if (!get_strings(c, full, v, &cfg->traces, &cfg->n_traces))
            return FALSE;
        for (guint i = 0; i < cfg->n_traces; i++)
            if (!path_ok(cfg->traces[i], FALSE))
                return bad(c, full, "trace '%s' leaves its folder (no '..', not absolute)",
                           cfg->traces[i]);
        return TRUE;
    }
    if (strcmp(k, "output") == 0)
        return get_path(c, full, v, TRUE, &cfg->output);
    /* limit */
    {
        yaml_node_t *amount;
        gboolean ok;

        c->amount = NULL;
        cfg->limit_type = RR_LIMIT_NONE;
        if (!each_pair(c, cfg, full, v, limit_keys, limit_pair))
            return FALSE;
        amount = c->amount;
        if (cfg->limit_type == RR_LIMIT_NONE)
            return bad(c, "trace.limit.type", "required with trace.limit "
                       "(limit_type must be either seconds or requests)");
        if (amount == NULL)
            return bad(c, "trace.limit.amount", "required with trace.limit");
        if (cfg->limit_type == RR_LIMIT_SECONDS)
            ok = get_number(c, "trace.limit.amount", amount, &cfg->limit_seconds);
        else
            ok = get_uint(c, "trace.limit.amount", amount, 0, G_MAXUINT64,
                          &cfg->limit_requests);
        return ok;
    }
}

static gboolean warmup_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                            yaml_node_t *v)
{
    guint64 n;

    if (strcmp(k, "output") == 0)
        return get_path(c, full, v, TRUE, &cfg->warmup_output);
    if (strcmp(k, "threads") == 0) {
        if (!get_uint(c, full, v, 1, 100000, &n))
            return FALSE;
        cfg->warmup_threads = (guint)n;
        return TRUE;
    }
    return get_bool(c, full, v, &cfg->random);
}

static gboolean args_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                          yaml_node_t *v)
{
    char *val = NULL;

    if (v->type != YAML_SCALAR_NODE)
        return bad(c, full, "expected a single value");
    if (!get_string(c, full, v, &val))
        return FALSE;
    if (strcmp(k, "outfile") == 0 && !path_ok(val, TRUE)) {
        bad(c, full, "path '%s' leaves its folder (no '..')", val);
        g_free(val);
        return FALSE;
    }
    cfg->args.keys = g_renew(char *, cfg->args.keys, cfg->args.n + 2);
    cfg->args.values = g_renew(char *, cfg->args.values, cfg->args.n + 2);
    cfg->args.keys[cfg->args.n] = g_strdup(k);
    cfg->args.values[cfg->args.n] = val;
    cfg->args.n++;
    cfg->args.keys[cfg->args.n] = NULL;
    cfg->args.values[cfg->args.n] = NULL;
    return TRUE;
}

static gboolean simulate_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                              yaml_node_t *v)
{
    if (strcmp(k, "name") == 0)
        return get_string(c, full, v, &cfg->sim_name);
    if (is_null(v))
        return TRUE;
    cfg->has_args = TRUE;
    if (v->type != YAML_MAPPING_NODE)
        return bad(c, full, "expected a mapping");
    /* Any argument name is the plugin's business; values are scalars. */
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
        char *akey;
        gboolean ok;

        if (kn->type != YAML_SCALAR_NODE)
            return bad(c, full, "an argument name is not a string");
        if (rr_sim_args_get(&cfg->args, scalar(kn)))
            return bad(c, full, "argument '%s' given twice", scalar(kn));
        akey = g_strdup_printf("%s.%s", full, scalar(kn));
        ok = args_pair(c, cfg, scalar(kn), akey, vn);
        g_free(akey);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

static gboolean top_pair(Ctx *c, RrConfig *cfg, const char *k, const char *full,
                         yaml_node_t *v)
{
    static const char *const client_keys[] = {"client_list", "port", "threads", "wait",
                                              "route", NULL};
    static const char *const trace_keys[] = {"location", "traces", "limit", "output", NULL};
    static const char *const warmup_keys[] = {"output", "threads", "random", NULL};
    static const char *const simulate_keys[] = {"name", "args", NULL};

    if (strcmp(k, "verbose") == 0)
        return get_bool(c, full, v, &cfg->verbose);
    if (strcmp(k, "registry") == 0)
        return get_strings(c, full, v, &cfg->registries, &cfg->n_registries);
    if (strcmp(k, "client_info") == 0) {
        if (is_null(v))
            return TRUE;    /* the seed treats a null client_info as absent */
        cfg->has_client_info = TRUE;
        return each_pair(c, cfg, full, v, client_keys, client_pair);
    }
    if (strcmp(k, "trace") == 0) {
        if (!each_pair(c, cfg, full, v, trace_keys, trace_pair))
            return FALSE;
        if (cfg->traces == NULL)
            return bad(c, "trace.traces", "required (the list of trace files)");
        return TRUE;
    }
    if (strcmp(k, "warmup") == 0) {
        cfg->has_warmup = TRUE;
        return each_pair(c, cfg, full, v, warmup_keys, warmup_pair);
    }
    cfg->has_simulate = TRUE;
    return each_pair(c, cfg, full, v, simulate_keys, simulate_pair);
}

gboolean rr_config_parse(RrConfig *cfg, const char *name, const char *data,
                         gsize len, GError **error)
{
    static const char *const top_keys[] = {"client_info", "verbose", "trace", "registry",
                                           "warmup", "simulate", NULL};
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_node_t *root;
    Ctx c = {&doc, name, error, NULL};
    gboolean ok = FALSE, have_trace = FALSE;

    memset(cfg, 0, sizeof(*cfg));
    cfg->path = g_strdup(name);
    cfg->threads = 1;
    cfg->warmup_threads = 1;
    if (!yaml_parser_initialize(&parser)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "cannot start the YAML parser");
        return FALSE;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        sk_error_in_file(error, "config", name, "line %zu: %s", parser.problem_mark.line + 1,
                         parser.problem ? parser.problem : "not YAML");
        yaml_parser_delete(&parser);
        rr_config_clear(cfg);
        return FALSE;
    }
    root = yaml_document_get_root_node(&doc);
    if (root == NULL || (root->type == YAML_SCALAR_NODE && is_null(root))) {
        sk_error_in_file(error, "config", name, "trace field required in config file");
        goto out;
    }
    if (!each_pair(&c, cfg, "", root, top_keys, top_pair))
        goto out;
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++)
        if (strcmp(scalar(yaml_document_get_node(&doc, p->key)), "trace") == 0)
            have_trace = TRUE;
    if (!have_trace) {
        sk_error_in_file(error, "config", name, "trace: trace field required in config file");
        goto out;
    }
    if (cfg->location && !g_str_has_suffix(cfg->location, "/")) {
        char *l = g_strconcat(cfg->location, "/", NULL);

        g_free(cfg->location);
        cfg->location = l;
    }
    if (cfg->location)
        for (guint i = 0; i < cfg->n_traces; i++) {
            char *p = g_strconcat(cfg->location, cfg->traces[i], NULL);

            g_free(cfg->traces[i]);
            cfg->traces[i] = p;
        }
    if (cfg->output == NULL)
        cfg->output = g_strdup("output.json");
    ok = TRUE;
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (!ok)
        rr_config_clear(cfg);
    return ok;
}

gboolean rr_config_load(RrConfig *cfg, const char *path, GError **error)
{
    int fd = sk_input_open("config", path, error);
    char *buf;
    gssize n;
    gboolean ok;

    memset(cfg, 0, sizeof(*cfg));
    if (fd < 0)
        return FALSE;
    buf = g_malloc(RR_CONFIG_MAX + 1);
    n = sk_read_full(fd, buf, RR_CONFIG_MAX + 1);
    close(fd);
    if (n < 0) {
        sk_file_set_io_error(error, "config", path, "reading", errno);
        g_free(buf);
        return FALSE;
    }
    if (n > RR_CONFIG_MAX) {
        sk_error_in_file(error, "config", path, "larger than %u bytes", RR_CONFIG_MAX);
        g_free(buf);
        return FALSE;
    }
    ok = rr_config_parse(cfg, path, buf, (gsize)n, error);
    g_free(buf);
    return ok;
}

gboolean rr_config_check_command(const RrConfig *cfg, RrCommand command, GError **error)
{
    if (command != RR_CMD_SIMULATE && (!cfg->has_warmup || cfg->warmup_output == NULL)) {
        sk_error_in_file(error, "config", cfg->path, "warmup.output: warmup not specified "
                         "in config, warmup output required");
        return FALSE;
    }
    if (command != RR_CMD_SIMULATE && cfg->n_registries == 0) {
        sk_error_in_file(error, "config", cfg->path, "registry: at least one host:port "
                         "required");
        return FALSE;
    }
    if (command == RR_CMD_RUN && !cfg->has_client_info) {
        sk_error_in_file(error, "config", cfg->path, "client_info: required for run mode "
                         "in config file");
        return FALSE;
    }
    if (command == RR_CMD_RUN && cfg->client_list == NULL) {
        sk_error_in_file(error, "config", cfg->path, "client_info.client_list: entries "
                         "are required in config file");
        return FALSE;
    }
    if (command == RR_CMD_SIMULATE && (!cfg->has_simulate || cfg->sim_name == NULL)) {
        sk_error_in_file(error, "config", cfg->path, "simulate.name: simulate file "
                         "required in config");
        return FALSE;
    }
    return TRUE;
}

const char *rr_sim_args_get(const RrSimArgs *args, const char *key)
{
    for (guint i = 0; args && i < args->n; i++)
        if (strcmp(args->keys[i], key) == 0)
            return args->values[i];
    return NULL;
}

void rr_config_clear(RrConfig *cfg)
{
    g_free(cfg->path);
    g_strfreev(cfg->client_list);
    g_free(cfg->location);
    g_strfreev(cfg->traces);
    g_free(cfg->output);
    g_strfreev(cfg->registries);
    g_free(cfg->warmup_output);
    g_free(cfg->sim_name);
    g_strfreev(cfg->args.keys);
    g_strfreev(cfg->args.values);
    memset(cfg, 0, sizeof(*cfg));
}
