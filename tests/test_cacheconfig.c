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

SK_TEST(test_missing_file, "/cacheconfig/missing-file")
{
    SkCacheConfig c;
    GError *error = NULL;
    g_assert_false(sk_cache_config_load("/nonexistent/x.cfg", SK_CONFIG_SIOKIT, &c, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "/nonexistent/x.cfg");
}

SK_TEST_MAIN()
