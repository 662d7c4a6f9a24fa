/* test_rr_config.c - the seed's YAML config: keys, defaults, errors naming the key (003.md). */
#include <string.h>

#include "rr_config.h"
#include "sk_error.h"
#include "sk_test.h"

static const char example[] =
    "client_info:\n"
    "    client_list:\n"
    "        - localhost:8081\n"
    "        - localhost:8082\n"
    "    port: 8080\n"
    "    threads: 100\n"
    "    wait: true\n"
    "verbose: true\n"
    "trace:\n"
    "    location: /data/data_centers/dal09\n"
    "    traces:\n"
    "        - prod-dal09-logstash-2017.08.01-0.json\n"
    "    limit:\n"
    "        type: requests\n"
    "        amount: 20\n"
    "    output: results.json\n"
    "registry:\n"
    "    - localhost:5000\n"
    "warmup:\n"
    "    output: interm.json\n"
    "    threads: 100\n"
    "simulate:\n"
    "    name: cache.py\n"
    "    args:\n"
    "        cache_size: 8\n";

static gboolean parse(RrConfig *c, const char *text, GError **error)
{
    return rr_config_parse(c, "c.yaml", text, strlen(text), error);
}

/* The seed README's example is accepted as it is. */
static void test_example(void)
{
    RrConfig c;
    GError *error = NULL;

    g_assert_true(parse(&c, example, &error));
    g_assert_no_error(error);
    g_assert_true(c.verbose);
    g_assert_cmpuint(c.n_clients, ==, 2);
    g_assert_cmpstr(c.client_list[1], ==, "localhost:8082");
    g_assert_cmpuint(c.port, ==, 8080);
    g_assert_cmpuint(c.threads, ==, 100);
    g_assert_true(c.wait);
    g_assert_false(c.route);
    g_assert_cmpstr(c.traces[0], ==, "/data/data_centers/dal09/prod-dal09-logstash-2017.08.01-0.json");
    g_assert_cmpint(c.limit_type, ==, RR_LIMIT_REQUESTS);
    g_assert_cmpuint(c.limit_requests, ==, 20);
    g_assert_cmpstr(c.output, ==, "results.json");
    g_assert_cmpstr(c.registries[0], ==, "localhost:5000");
    g_assert_cmpstr(c.warmup_output, ==, "interm.json");
    g_assert_cmpuint(c.warmup_threads, ==, 100);
    g_assert_false(c.random);
    g_assert_cmpstr(c.sim_name, ==, "cache.py");
    g_assert_cmpstr(rr_sim_args_get(&c.args, "cache_size"), ==, "8");
    for (RrCommand k = RR_CMD_WARMUP; k <= RR_CMD_SIMULATE; k++) {
        g_assert_true(rr_config_check_command(&c, k, &error));
        g_assert_no_error(error);
    }
    rr_config_clear(&c);
}

/* Defaults: output.json, 1 thread, no wait, round robin, no limit, no location. */
static void test_defaults(void)
{
    RrConfig c;
    GError *error = NULL;

    g_assert_true(parse(&c, "trace:\n  traces: [a.json, b.json]\nsimulate: {name: x}\n", &error));
    g_assert_no_error(error);
    g_assert_cmpstr(c.output, ==, "output.json");
    g_assert_cmpstr(c.traces[0], ==, "a.json");
    g_assert_cmpuint(c.n_traces, ==, 2);
    g_assert_cmpuint(c.threads, ==, 1);
    g_assert_cmpuint(c.warmup_threads, ==, 1);
    g_assert_false(c.wait);
    g_assert_false(c.route);
    g_assert_false(c.verbose);
    g_assert_cmpint(c.limit_type, ==, RR_LIMIT_NONE);
    g_assert_false(c.has_args);
    /* simulate needs no warmup; warmup and run do. */
    g_assert_true(rr_config_check_command(&c, RR_CMD_SIMULATE, &error));
    g_assert_false(rr_config_check_command(&c, RR_CMD_WARMUP, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "warmup.output");
    rr_config_clear(&c);
}

/* location gets a '/' appended when missing. */
static void test_location(void)
{
    RrConfig c;
    GError *error = NULL;

    g_assert_true(parse(&c, "trace:\n  location: /t\n  traces: [x.json]\n", &error));
    g_assert_cmpstr(c.traces[0], ==, "/t/x.json");
    rr_config_clear(&c);
    g_assert_true(parse(&c, "trace:\n  location: /t/\n  traces: [x.json]\n", &error));
    g_assert_cmpstr(c.traces[0], ==, "/t/x.json");
    rr_config_clear(&c);
}

static void test_seconds_limit(void)
{
    RrConfig c;
    GError *error = NULL;

    g_assert_true(parse(&c, "trace:\n  traces: [x]\n  limit: {amount: 2.5, type: seconds}\n",
                        &error));
    g_assert_cmpint(c.limit_type, ==, RR_LIMIT_SECONDS);
    g_assert_cmpfloat(c.limit_seconds, ==, 2.5);
    rr_config_clear(&c);
}

static void test_run_needs(void)
{
    RrConfig c;
    GError *error = NULL;

    g_assert_true(parse(&c, "trace: {traces: [x]}\nwarmup: {output: w.json}\n"
                        "registry: [127.0.0.1:5000]\n", &error));
    g_assert_true(rr_config_check_command(&c, RR_CMD_WARMUP, &error));
    g_assert_false(rr_config_check_command(&c, RR_CMD_RUN, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "client_info");
    g_assert_false(rr_config_check_command(&c, RR_CMD_SIMULATE, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "simulate.name");
    rr_config_clear(&c);
    g_assert_true(parse(&c, "trace: {traces: [x]}\nwarmup: {output: w.json}\nclient_info:\n"
                        "registry: [127.0.0.1:5000]\n", &error));
    g_assert_false(c.has_client_info);
    rr_config_clear(&c);
    g_assert_true(parse(&c, "trace: {traces: [x]}\nwarmup: {output: w.json}\n"
                        "registry: [a:1]\nclient_info: {port: 9}\n", &error));
    g_assert_false(rr_config_check_command(&c, RR_CMD_RUN, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "client_list");
    rr_config_clear(&c);
}

/* Every refusal names its key. */
static void test_errors(void)
{
    static const struct {
        const char *text, *key;
    } cases[] = {
        {"verbose: true\n", "trace field required"},
        {"", "trace field required"},
        {"trace: {traces: [x]}\nnope: 1\n", "nope: unknown key"},
        {"trace: {traces: [x], extra: 1}\n", "trace.extra: unknown key"},
        {"trace: {location: /a}\n", "trace.traces"},
        {"trace: {traces: []}\n", "trace.traces"},
        {"trace: {traces: [x], limit: {type: minutes, amount: 3}}\n",
         "limit_type must be either seconds or requests"},
        {"trace: {traces: [x], limit: {type: requests}}\n", "trace.limit.amount"},
        {"trace: {traces: [x], limit: {amount: 3}}\n", "trace.limit.type"},
        {"trace: {traces: [x], limit: {type: requests, amount: 2.5}}\n", "trace.limit.amount"},
        {"trace: {traces: [x], limit: {type: seconds, amount: -1}}\n", "trace.limit.amount"},
        {"trace: {traces: [x], limit: {type: seconds, amount: .nan}}\n", "trace.limit.amount"},
        {"trace: {traces: [../x]}\n", "leaves its folder"},
        {"trace: {traces: [/etc/passwd]}\n", "leaves its folder"},
        {"trace: {traces: [x], output: ../o.json}\n", "trace.output"},
        {"trace: {traces: [x]}\nverbose: maybe\n", "verbose"},
        {"trace: {traces: [x]}\nverbose: 'true'\n", "verbose"},
        {"trace: {traces: [x]}\nclient_info: {port: 70000}\n", "client_info.port"},
        {"trace: {traces: [x]}\nclient_info: {threads: 0}\n", "client_info.threads"},
        {"trace: {traces: [x]}\nclient_info: {wait: 1}\n", "client_info.wait"},
        {"trace: {traces: [x]}\nclient_info: {route: yes, bogus: 1}\n", "client_info.bogus"},
        {"trace: {traces: [x]}\nclient_info: {client_list: a}\n", "client_info.client_list"},
        {"trace: {traces: [x]}\nwarmup: {threads: x}\n", "warmup.threads"},
        {"trace: {traces: [x]}\nwarmup: {random: 2}\n", "warmup.random"},
        {"trace: {traces: [x]}\nregistry: localhost:5000\n", "registry"},
        {"trace: {traces: [x]}\nsimulate: {name: [a]}\n", "simulate.name"},
        {"trace: {traces: [x]}\nsimulate: {name: a, args: [1]}\n", "simulate.args"},
        {"trace: {traces: [x]}\nsimulate: {name: a, args: {outfile: ../o}}\n",
         "simulate.args.outfile"},
        {"trace: {traces: [x]}\ntrace: {traces: [y]}\n", "given twice"},
        {"trace: [x\n", "line"},
        {"- a\n- b\n", "expected a mapping"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        RrConfig c;
        GError *error = NULL;

        g_test_message("case %zu: %s", i, cases[i].text);
        g_assert_false(parse(&c, cases[i].text, &error));
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, cases[i].key);
    }
}

static void test_missing_file(void)
{
    RrConfig c;
    GError *error = NULL;
    g_autofree char *path = sk_test_path("absent.yaml");

    g_assert_false(rr_config_load(&c, path, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "absent.yaml");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rr-config/seed-example", test_example);
    g_test_add_func("/rr-config/defaults", test_defaults);
    g_test_add_func("/rr-config/location-slash", test_location);
    g_test_add_func("/rr-config/seconds-limit", test_seconds_limit);
    g_test_add_func("/rr-config/run-needs", test_run_needs);
    g_test_add_func("/rr-config/errors-name-the-key", test_errors);
    g_test_add_func("/rr-config/missing-file", test_missing_file);
    return g_test_run();
}
