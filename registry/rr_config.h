/* rr_config.h - the seed's YAML configuration of registry-replay, read with libyaml.
 *
 * Every key of the seed (docs/registry-replay.md lists them) is accepted as
 * the seed wrote it; an unknown key, a value of the wrong type or out of
 * range, or a missing required key is an SK_ERROR_INPUT error (exit 2) that
 * names the key: "config 'c.yaml': trace.limit.type: ...".
 *
 * Invariants of a loaded RrConfig:
 *   1. traces holds n_traces >= 1 paths, each location + name, where no name
 *      is absolute or has a '..' component (traces stay in their folder);
 *   2. output, warmup_output and simulate arg "outfile" are relative without
 *      '..' or absolute (written where the user asked, never escaping);
 *   3. threads and warmup_threads are >= 1; port is 0 (unset) or 1..65535. */
#ifndef RR_CONFIG_H
#define RR_CONFIG_H

#include <glib.h>

typedef enum {
    RR_LIMIT_NONE,
    RR_LIMIT_SECONDS,   /* keep the prefix while delay <= amount */
    RR_LIMIT_REQUESTS,  /* keep the first amount requests */
} RrLimitType;

typedef enum {
    RR_CMD_WARMUP,
    RR_CMD_RUN,
    RR_CMD_SIMULATE,
} RrCommand;

/* simulate.args: the scalars of a mapping, as text, in file order. */
typedef struct RrSimArgs {
    guint n;
    char **keys;
    char **values;
} RrSimArgs;

typedef struct RrConfig {
    char *path;                 /* the file, for messages */
    gboolean verbose;

    gboolean has_client_info;   /* client_info present and not null */
    char **client_list;         /* NULL-terminated, n_clients entries */
    guint n_clients;
    guint port;                 /* 0: not given (the seed's 8080) */
    guint threads;              /* client_info.threads, default 1 */
    gboolean wait, route;

    char *location;             /* trace.location with a final '/', or NULL */
    char **traces;              /* location + name, NULL-terminated */
    guint n_traces;
    RrLimitType limit_type;
    double limit_seconds;
    guint64 limit_requests;
    char *output;               /* trace.output, default "output.json" */

    char **registries;          /* registry: host:port, NULL-terminated */
    guint n_registries;

    gboolean has_warmup;
    char *warmup_output;        /* NULL when not given */
    guint warmup_threads;       /* default 1 */
    gboolean random;

    gboolean has_simulate;
    char *sim_name;             /* simulate.name */
    gboolean has_args;
    RrSimArgs args;
} RrConfig;

/* Parses len bytes of YAML named `name` into *cfg (zeroed first).  FALSE with
 * an SK_ERROR_INPUT error naming the key; *cfg is then cleared. */
gboolean rr_config_parse(RrConfig *cfg, const char *name, const char *data,
                         gsize len, GError **error);

/* Reads and parses a config file (sk_input_open: regular files only). */
gboolean rr_config_load(RrConfig *cfg, const char *path, GError **error);

/* Checks what `command` needs beyond the common keys (the seed's order):
 * warmup.output for warmup and run, client_info.client_list and a registry
 * for run, a registry for warmup, simulate.name for simulate. */
gboolean rr_config_check_command(const RrConfig *cfg, RrCommand command,
                                 GError **error);

/* The value of simulate arg `key`, or NULL. */
const char *rr_sim_args_get(const RrSimArgs *args, const char *key);

void rr_config_clear(RrConfig *cfg);

#endif
