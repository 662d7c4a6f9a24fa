/* test_cacheconfig.c - HyperSIO cache configuration files: what is read,
 * and every bad file refused with the file, line or block and key named. */
#include <glib.h>
#include <string.h>

#include "sk_cacheconfig.h"
#include "sk_error.h"

static const char *hypersio_default =
    "CC\nsize:1536\nassoc:1536\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "IOTLB\nsize:64\nassoc:8\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "L2PAGE\nsize:512\nassoc:16\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "L3PAGE\nsize:1024\nassoc:16\ngroups:1\nhistlen:0\n//--------------------------------\n"
    "PREFETCH\nsize:0\nassoc:32\ngroups:0\nhistlen:2\n//--------------------------------\n";

static void test_default_file(void)
{
    SkCacheConfig c, d;
    GError *error = NULL;
    g_assert_true(sk_cache_config_parse("default.cfg", hypersio_default,
                                        strlen(hypersio_default), &c, &error));
    g_assert_no_error(error);
    sk_cache_config_default(&d);
    g_assert_cmpmem(&c, sizeof(c), &d, sizeof(d));
}

static void test_round_trip(void)
{
    SkCacheConfig c, back;
    GError *error = NULL;
    sk_cache_config_default(&c);
    c.iotlb = (SkCacheGeometry){256, 4, 8};
    c.prefetch_size = 16;
    c.prefetch_histlen = 3;
    char *text = sk_cache_config_to_string(&c);
    g_assert_true(sk_cache_config_parse("t", text, strlen(text), &back, &error));
    g_assert_no_error(error);
    g_assert_cmpmem(&c, sizeof(c), &back, sizeof(back));
    g_free(text);
}

static void test_tolerated(void)
{
    /* Blank lines, spaces, CRLF endings; what is left out keeps the
     * default design. */
    const char *text = "\r\n  IOTLB \r\nsize : 32\r\n assoc: 4\r\n\r\n// note\r\n";
    SkCacheConfig c;
    GError *error = NULL;
    g_assert_true(sk_cache_config_parse("t.cfg", text, strlen(text), &c, &error));
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

static void test_refused(void)
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
        {"", "no cache block"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        SkCacheConfig c;
        GError *error = NULL;
        g_assert_false(sk_cache_config_parse("bad.cfg", bad[i].text,
                                             strlen(bad[i].text), &c, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        if (!strstr(error->message, bad[i].expect) ||
            !strstr(error->message, "bad.cfg"))
            g_error("case %zu: message '%s' lacks '%s'", i, error->message,
                    bad[i].expect);
        g_assert_null(strchr(error->message, '\n'));
        g_error_free(error);
    }
}

static void test_nul_and_long_lines(void)
{
    SkCacheConfig c;
    GError *error = NULL;
    const char text[] = "IOTLB\nsize:6\0004\n";
    g_assert_false(sk_cache_config_parse("n.cfg", text, sizeof(text) - 1, &c, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    char *longline = g_strnfill(10000, 'A');
    g_assert_false(sk_cache_config_parse("l.cfg", longline, 10000, &c, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "line 1"));
    g_clear_error(&error);
    g_free(longline);
}

static void test_missing_file(void)
{
    SkCacheConfig c;
    GError *error = NULL;
    g_assert_false(sk_cache_config_load("/nonexistent/x.cfg", &c, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "/nonexistent/x.cfg"));
    g_clear_error(&error);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cacheconfig/hypersio-default", test_default_file);
    g_test_add_func("/cacheconfig/round-trip", test_round_trip);
    g_test_add_func("/cacheconfig/tolerated", test_tolerated);
    g_test_add_func("/cacheconfig/refused", test_refused);
    g_test_add_func("/cacheconfig/nul-and-long-lines", test_nul_and_long_lines);
    g_test_add_func("/cacheconfig/missing-file", test_missing_file);
    return g_test_run();
}
