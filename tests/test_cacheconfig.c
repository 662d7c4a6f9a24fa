/* test_cacheconfig.c - HyperSIO cache configuration files: what is read,
 * and every bad file refused with the file, line or block and key named. */
#include <glib.h>
#include <string.h>

#include "sk_cacheconfig.h"
#include "sk_error.h"
#include "sk_test.h"

static const char *hypersio_default =
    "CC\nsize:1536\nassoc:1536\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "IOTLB\nsize:64\nassoc:8\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "L2PAGE\nsize:512\nassoc:16\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "L3PAGE\nsize:1024\nassoc:16\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "PREFETCH\nsize:0\nassoc:32\ngroups:0\nhistlen:2\n//--------------------------------\n";

SK_TEST(test_default_file, "/cacheconfig/hypersio-default")
{
    SkCacheConfig c, d;
    GError *error = NULL;
    sk_cache_config_default(&d);
    for (int dialect = SK_CONFIG_SIOKIT; dialect <= SK_CONFIG_HYPERSIO; dialect++) {
        g_assert_true(sk_cache_config_parse("default.cfg", hypersio_default,
                                            strlen(hypersio_default),
                                            (SkConfigDialect)dialect, &c, &error));
        g_assert_no_error(error);
        g_assert_cmpmem(&c, sizeof(c), &d, sizeof(d));
    }
}

SK_TEST(test_round_trip, "/cacheconfig/round-trip")
{
    SkCacheConfig c, back;
    GError *error = NULL;
    sk_cache_config_default(&c);
    c.iotlb = (SkCacheGeometry){256, 4, 8};
    c.prefetch_size = 16;
    c.prefetch_histlen = 3;
    char *text = sk_cache_config_to_string(&c);
    g_assert_true(sk_cache_config_parse("t", text, strlen(text), SK_CONFIG_SIOKIT, &back, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(&c, sizeof(c), &back, sizeof(back));
    g_free(text);
}

SK_TEST(test_tolerated, "/cacheconfig/tolerated")
{
    /* Blank lines, spaces, CRLF endings; what is left out keeps the
     * default design. */
    const char *text = "\r\n  IOTLB \r\nsize : 32\r\n assoc: 4\r\n\r\n// note\r\n";
    SkCacheConfig c;
    GError *error = NULL;
    g_assert_true(sk_cache_config_parse("t.cfg", text, strlen(text), SK_CONFIG_SIOKIT, &c, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(c.iotlb.size, ==, 32);
    g_assert_cmpuint(c.iotlb.assoc, ==, 4);
    g_assert_cmpuint(c.iotlb.groups, ==, 1);
    g_assert_cmpuint(c.cc.size, ==, 1536);
    g_assert_cmpuint(c.l2page.size, ==, 512);
    g_assert_cmpuint(c.prefetch_histlen, ==, 2);
}

typedef struct Bad {
    const char *text;
    const char *expect;   /* must appear in the message */
} Bad;

SK_TEST(test_refused, "/cacheconfig/refused")
{
    static const Bad bad[] = {
        {"IOTLB\nsize:64\nassoc:8\ngroups:0\n", "IOTLB: groups is 0"},
        {"CC\nsize:16\nassoc:16\ngroups:0\n", "CC: groups is 0"},
        {"IOTLB\nsize:64\nassoc:8\ngroups:3\n", "IOTLB: groups is not a power of two"},
        {"IOTLB\nsize:60\nassoc:8\n", "IOTLB: size is not a multiple of assoc"},
        {"L2PAGE\nsize:48\nassoc:16\n", "L2PAGE: size gives a number of sets"},
        {"L3PAGE\nsize:64\nassoc:0\n", "L3PAGE: assoc is 0"},
        {"IOTLB\nsize:64\nassoc:8\ngroups:16\n", "IOTLB: groups is more than the number of sets"},
        {"L4PAGE\nsize:1\n", "line 1: unknown block 'L4PAGE'"},
        {"IOTLB\nsize:64\nepg:0\n", "line 3: IOTLB: unknown key 'epg'"},
        {"size:64\n", "line 1: key 'size' before any block"},
        {"IOTLB\nsize:-1\n", "line 2: IOTLB size: value '-1'"},
        {"IOTLB\nsize:64x\n", "line 2: IOTLB size: value '64x'"},
        {"IOTLB\nsize:99999999999\n", "line 2: IOTLB size"},
        {"IOTLB\nsize:\n", "line 2: IOTLB size"},
        {"// nothing\n\n", "no cache block"},
        {"IOTLB\nsize:4294967295\nassoc:1\n", "IOTLB: size is above the limit"},
        {"PREFETCH\nhistlen:100000\n", "PREFETCH: histlen above the limit"},
        {"IOTLB\nsize:64\n//\nIOTLB\nsize:128\n", "line 4: block IOTLB given twice (first at line 1)"},
        {"", "no cache block"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        SkCacheConfig c;
        GError *error = NULL;
        g_assert_false(sk_cache_config_parse("bad.cfg", bad[i].text,
                                             strlen(bad[i].text), SK_CONFIG_SIOKIT,
                                             &c, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        if (!strstr(error->message, bad[i].expect) ||
            !strstr(error->message, "bad.cfg"))
            g_error("case %zu: message '%s' lacks '%s'", i, error->message,
                    bad[i].expect);
        g_assert_null(strchr(error->message, '\n'));
        g_error_free(error);
    }
}

SK_TEST(test_nul_and_long_lines, "/cacheconfig/nul-and-long-lines")
{
    SkCacheConfig c;
    GError *error = NULL;
    const char text[] = "IOTLB\nsize:6\0004\n";
    g_assert_false(sk_cache_config_parse("n.cfg", text, sizeof(text) - 1, SK_CONFIG_SIOKIT, &c, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    char *longline = g_strnfill(10000, 'A');
    g_assert_false(sk_cache_config_parse("l.cfg", longline, 10000, SK_CONFIG_SIOKIT, &c, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "line 1");
    g_free(longline);
}

/* Lines as HyperSIO 1.0's ReadCacheConfig reads them. */
static SkCacheConfig parse_hs(const char *text, GError **error)
{
    SkCacheConfig c;
    memset(&c, 0xee, sizeof(c));
    sk_cache_config_parse("hs.cfg", text, strlen(text), SK_CONFIG_HYPERSIO, &c, error);
    return c;
}

SK_TEST(test_hypersio_dialect, "/cacheconfig/hypersio-dialect")
{
    GError *error = NULL;
    char *text;
    SkCacheConfig c;

    /* A key the file leaves out is 0 there: no size line, no IOTLB. */
    text = g_strdup(hypersio_default);
    char *size = strstr(strstr(text, "IOTLB"), "size:64\n");
    memmove(size, size + 8, strlen(size + 8) + 1);
    c = parse_hs(text, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(c.iotlb.size, ==, 0);
    g_assert_cmpuint(c.iotlb.assoc, ==, 8);
    g_assert_cmpuint(c.cc.size, ==, 1536);
    /* ... where the siokit dialect keeps the default. */
    g_assert_true(sk_cache_config_parse("s.cfg", text, strlen(text), SK_CONFIG_SIOKIT,
                                        &c, &error));
    g_assert_cmpuint(c.iotlb.size, ==, 64);
    g_free(text);

    /* Keys by their first letters, values by their leading number. */
    text = g_strconcat(hypersio_default, "IOTLB\nsizes:128abc\nassoc: 16 ways\n", NULL);
    c = parse_hs(text, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(c.iotlb.size, ==, 128);
    g_assert_cmpuint(c.iotlb.assoc, ==, 16);
    g_free(text);

    /* HyperSIO stops at the first line it cannot read: a blank line here
     * leaves IOTLB and the rest at 0, so groups 0 (it would divide by 0). */
    c = parse_hs("CC\nsize:16\nassoc:16\ngroups:1\n\nIOTLB\nsize:64\nassoc:8\ngroups:1\n", &error);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "IOTLB: groups is 0");

    /* No number after ':' makes HyperSIO abort; here it is an error. */
    c = parse_hs("CC\nsize:x\n", &error);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "line 2: size: no number");
    (void)c;
}

/* siokit's blocks: LATENCY, TQUEUE, WALKTABLE; defaults HyperSIO's. */
SK_TEST(test_device_blocks, "/cacheconfig/device-blocks")
{
    const char *text = "LATENCY\npcie: 300\nmemory:80\ncc_hit:2\niotlb_hit:3\n"
                       "prefetch_hit:4\nwalk_cache:6\nTQUEUE\nsize:32\nWALKTABLE\nsize:8\n";
    SkCacheConfig c, d, back;
    SkCacheConfigLines at;
    GError *error = NULL;
    static const uint32_t want[SK_N_LAT_KEYS] = {300, 80, 2, 3, 4, 6};

    sk_cache_config_default(&d);
    g_assert_cmpmem(d.latency, sizeof(d.latency), sk_latency_defaults, sizeof(d.latency));
    g_assert_cmpuint(d.tqueue + d.walk_table, ==, 0);
    g_assert_true(sk_cache_config_parse_lines("d.cfg", text, strlen(text), SK_CONFIG_SIOKIT,
                                              &c, &at, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(c.latency, sizeof(c.latency), want, sizeof(want));
    g_assert_cmpuint(c.tqueue, ==, 32);
    g_assert_cmpuint(c.walk_table, ==, 8);
    g_assert_cmpuint(at.latency[SK_LAT_KEY_PCIE], ==, 2);
    g_assert_cmpuint(at.walk_table, ==, 11);
    g_assert_cmpuint(c.iotlb.size, ==, 64);     /* the rest: the default */
    /* Written back only when not the default, and read back the same. */
    char *out = sk_cache_config_to_string(&c);
    g_assert_true(sk_cache_config_parse("b.cfg", out, strlen(out), SK_CONFIG_SIOKIT, &back,
                                        &error));
    g_assert_cmpmem(&back, sizeof(back), &c, sizeof(c));
    g_free(out);
    out = sk_cache_config_to_string(&d);
    g_assert_null(strstr(out, "LATENCY"));
    g_assert_null(strstr(out, "WALKTABLE"));
    g_free(out);

    /* In HyperSIO's dialect the blocks are taken out before HyperSIO reads
     * the rest (it would stop at them): the IOTLB after them still counts. */
    char *hs = g_strconcat("WALKTABLE\nsize:4\n", hypersio_default,
                           "TQUEUE\nsize:8\nIOTLB\nsize:128\nassoc:8\ngroups:1\n", NULL);
    c = parse_hs(hs, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(c.walk_table, ==, 4);
    g_assert_cmpuint(c.tqueue, ==, 8);
    g_assert_cmpuint(c.iotlb.size, ==, 128);
    g_assert_cmpmem(c.latency, sizeof(c.latency), sk_latency_defaults, sizeof(c.latency));
    g_free(hs);
}

/* Every new key's bad values: the file, the line, the block and key. */
SK_TEST(test_device_refused, "/cacheconfig/device-refused")
{
    static const Bad bad[] = {
        {"LATENCY\npcie:0\n", "line 2: LATENCY pcie: value '0' is not a whole number in 1..1000"},
        {"LATENCY\nmemory:1001\n", "line 2: LATENCY memory: value '1001'"},
        {"LATENCY\ncc_hit:-1\n", "line 2: LATENCY cc_hit: value '-1'"},
        {"LATENCY\niotlb_hit:2ns\n", "line 2: LATENCY iotlb_hit: value '2ns'"},
        {"LATENCY\nprefetch_hit:\n", "line 2: LATENCY prefetch_hit: value ''"},
        {"LATENCY\nwalk_cache:99999999999\n", "line 2: LATENCY walk_cache: value"},
        {"LATENCY\npcie_hit:3\n", "line 2: LATENCY: unknown key 'pcie_hit'"},
        {"TQUEUE\nsize:0\n", "line 2: TQUEUE size: value '0' is not a whole number in 1..1048576"},
        {"TQUEUE\nsize:1048577\n", "line 2: TQUEUE size: value '1048577'"},
        {"TQUEUE\nassoc:4\n", "line 2: TQUEUE: unknown key 'assoc'"},
        {"WALKTABLE\nsize:1048577\n", "line 2: WALKTABLE size: value '1048577' is not a whole number in 0..1048576"},
        {"WALKTABLE\nsize:x\n", "line 2: WALKTABLE size: value 'x'"},
        {"WALKTABLE\nentries:4\n", "line 2: WALKTABLE: unknown key 'entries'"},
        {"WALKTABLE\nsize:4\nWALKTABLE\nsize:8\n", "line 3: block WALKTABLE given twice"},
    };
    for (int dialect = SK_CONFIG_SIOKIT; dialect <= SK_CONFIG_HYPERSIO; dialect++) {
        for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
            SkCacheConfig c;
            GError *error = NULL;
            const char *text = bad[i].text;
            if (dialect == SK_CONFIG_HYPERSIO && strstr(bad[i].expect, "given twice"))
                continue;          /* HyperSIO reads a block again */
            g_assert_false(sk_cache_config_parse("bad.cfg", text, strlen(text),
                                                 (SkConfigDialect)dialect, &c, &error));
            g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
            if (!strstr(error->message, bad[i].expect) || !strstr(error->message, "bad.cfg"))
                g_error("dialect %d case %zu: message '%s' lacks '%s'", dialect, i,
                        error->message, bad[i].expect);
            g_assert_null(strchr(error->message, '\n'));
            g_error_free(error);
        }
    }
}

SK_TEST(test_missing_file, "/cacheconfig/missing-file")
{
    SkCacheConfig c;
    GError *error = NULL;
    g_assert_false(sk_cache_config_load("/nonexistent/x.cfg", SK_CONFIG_SIOKIT, &c, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "/nonexistent/x.cfg");
}

SK_TEST_MAIN()
