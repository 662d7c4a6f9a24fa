/* test_explore.c - perf-explore's parts one by one: the design presets, a
 * point's model options and its file, the CSV reader and writer, the
 * order of rows and the naming of series. */
#include <glib.h>
#include <string.h>

#include "designs.h"
#include "point.h"
#include "results.h"
#include "series.h"
#include "sk_error.h"
#include "sk_test.h"

static void point_init(SkPoint *p, const char *design, const char *model)
{
    memset(p, 0, sizeof(*p));
    p->id = g_strdup("p");
    p->benchmark = g_strdup("iperf3");
    p->source = g_strdup("synthetic:iperf3");
    p->tenants = 64;
    p->order = g_strdup("rr");
    p->burst = 1;
    p->translations = 1000;
    p->design = g_strdup(design);
    p->link_gbps = 200;
    p->model = g_strdup(model);
    p->trace = g_strdup("/t/x.sktrace");
    p->output = g_strdup("/o/p.json");
}

/* Every preset is a valid design for both models, in the study's order. */
SK_TEST(test_designs, "/explore/designs")
{
    static const char *const names[] = {"base", "tq", "part", "prefetch", "hypertrio"};
    SkCacheConfig def;
    guint n;
    const SkDesign *d = sk_designs(&n);

    g_assert_cmpuint(n, ==, G_N_ELEMENTS(names));
    for (guint i = 0; i < n; i++) {
        g_assert_cmpstr(d[i].name, ==, names[i]);
        g_assert_true(sk_design_find(names[i]) == &d[i]);
        g_assert_cmpuint(sk_design_rank(names[i]), ==, i);
        for (int m = 0; m < 2; m++) {
            SkPoint p;
            SkModelOptions o;
            GError *error = NULL;
            point_init(&p, names[i], m ? "hypersio-1.0" : "siokit");
            g_assert_true(sk_point_options(&p, &o, &error));
            g_assert_no_error(error);
            g_assert_cmpuint(o.tqueue, ==, d[i].tqueue);
            g_assert_cmpuint(o.tenants, ==, 64);
            g_assert_cmpuint(o.link_mbps, ==, 200000);
            sk_point_clear(&p);
        }
    }
    g_assert_null(sk_design_find("nope"));
    g_assert_cmpuint(sk_design_rank("nope"), ==, n);
    sk_cache_config_default(&def);
    g_assert_cmpmem(&d[0].caches, sizeof(def), &def, sizeof(def));
    g_assert_cmpuint(d[0].tqueue, ==, 1);
    g_assert_false(d[0].salloc);
    /* hypertrio = part's caches with prefetch's buffer */
    g_assert_cmpmem(&d[4].caches.iotlb, sizeof(SkCacheGeometry), &d[2].caches.iotlb,
                    sizeof(SkCacheGeometry));
    g_assert_cmpuint(d[4].caches.prefetch_size, ==, d[3].caches.prefetch_size);
    g_assert_true(d[4].salloc && d[2].salloc && !d[3].salloc);
}

/* --iotlb-size and --tqueue replace the design's; a size that does not fit
 * is refused as bad input. */
SK_TEST(test_overrides, "/explore/overrides")
{
    SkPoint p;
    SkModelOptions o;
    GError *error = NULL;

    point_init(&p, "base", "siokit");
    p.iotlb_size = 256;
    p.tqueue = 32;
    g_assert_true(sk_point_options(&p, &o, &error));
    g_assert_cmpuint(o.caches.iotlb.size, ==, 256);
    g_assert_cmpuint(o.caches.iotlb.assoc, ==, 8);
    g_assert_cmpuint(o.tqueue, ==, 32);
    p.iotlb_size = 4;       /* fewer entries than ways: fully associative */
    g_assert_true(sk_point_options(&p, &o, &error));
    g_assert_cmpuint(o.caches.iotlb.assoc, ==, 4);
    p.iotlb_size = 24;      /* 3 sets */
    g_assert_false(sk_point_options(&p, &o, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "--iotlb-size 24");
    sk_point_clear(&p);

    point_init(&p, "part", "siokit");
    p.iotlb_size = 32;      /* 4 sets for 8 groups */
    g_assert_false(sk_point_options(&p, &o, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    sk_point_clear(&p);

    point_init(&p, "base", "hypersio-1.0");
    p.link_gbps = 12.5;     /* HyperSIO takes whole Gb/s */
    g_assert_false(sk_point_options(&p, &o, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    sk_point_clear(&p);
}

SK_TEST(test_point_file, "/explore/point-file")
{
    SkPoint p, q;
    GError *error = NULL;
    char *text, *bad;

    point_init(&p, "hypertrio", "hypersio-1.0");
    p.iotlb_size = 128;
    p.link_gbps = 12.5;
    text = sk_point_to_data(&p);
    g_assert_true(sk_point_parse("p.point", text, strlen(text), &q, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(q.design, ==, "hypertrio");
    g_assert_cmpuint(q.iotlb_size, ==, 128);
    g_assert_cmpfloat(q.link_gbps, ==, 12.5);
    g_assert_cmpstr(q.output, ==, p.output);
    sk_point_clear(&q);

    /* Each bad key is named. */
    static const struct { const char *from, *to, *key; } cases[] = {
        {"design=hypertrio", "design=warp", "'design'"},
        {"tenants=64", "tenants=0", "'tenants'"},
        {"tenants=64", "tenants=6x", "'tenants'"},
        {"burst=1", "burst=", "'burst'"},
        {"model=hypersio-1.0", "model=gem5", "'model'"},
        {"link_gbps=12.5", "link_gbps=fast", "'link_gbps'"},
        {"id=p", "id=../p", "'id'"},
        {"output=/o/p.json", "outputs=/o/p.json", "'output'"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        char **parts = g_strsplit(text, cases[i].from, 2);
        g_assert_nonnull(parts[1]);
        bad = g_strjoin(cases[i].to, parts[0], parts[1], NULL);
        g_assert_false(sk_point_parse("bad.point", bad, strlen(bad), &q, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(error->message, "bad.point"));
        if (strstr(error->message, cases[i].key) == NULL)
            g_error("case %u: '%s' does not name %s", i, error->message, cases[i].key);
        g_clear_error(&error);
        g_free(bad);
        g_strfreev(parts);
    }
    g_assert_false(sk_point_parse("empty.point", "", 0, &q, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_free(text);
    sk_point_clear(&p);
}

static char **row(const char *design, const char *model, const char *tenants,
                  const char *util)
{
    char **r = g_new0(char *, SK_N_COLS + 1);
    for (int c = 0; c < SK_N_COLS; c++)
        r[c] = g_strdup("");
    g_free(r[SK_COL_ID]);
    r[SK_COL_ID] = g_strdup_printf("%s_%s_t%s", design, model, tenants);
    g_free(r[SK_COL_STATUS]);
    r[SK_COL_STATUS] = g_strdup(util ? "ok" : "failed");
    g_free(r[SK_COL_DESIGN]);
    r[SK_COL_DESIGN] = g_strdup(design);
    g_free(r[SK_COL_MODEL]);
    r[SK_COL_MODEL] = g_strdup(model);
    g_free(r[SK_COL_TENANTS]);
    r[SK_COL_TENANTS] = g_strdup(tenants);
    g_free(r[SK_COL_UTILIZATION]);
    r[SK_COL_UTILIZATION] = g_strdup(util ? util : "");
    g_free(r[SK_COL_ERROR]);
    r[SK_COL_ERROR] = g_strdup(util ? "" : "bad \"size\", 24\nsecond line");
    return r;
}

static GPtrArray *some_rows(void)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_ptr_array_add(rows, row("hypertrio", "siokit", "16", "0.5"));
    g_ptr_array_add(rows, row("base", "siokit", "16", "0.03"));
    g_ptr_array_add(rows, row("base", "siokit", "4", "0.06"));
    g_ptr_array_add(rows, row("mine", "siokit", "1", NULL));
    g_ptr_array_add(rows, row("hypertrio", "siokit", "4", "0.9"));
    return rows;
}

/* Rows sort by design in preset order (unknown designs last), then by
 * tenants as numbers; CSV text reads back as the same rows, quotes and
 * line breaks included. */
SK_TEST(test_csv, "/explore/csv")
{
    GPtrArray *rows = some_rows(), *back;
    GError *error = NULL;
    char *text;
    static const char *const order[] = {"base_siokit_t4", "base_siokit_t16",
        "hypertrio_siokit_t4", "hypertrio_siokit_t16", "mine_siokit_t1"};

    sk_results_sort(rows);
    for (guint i = 0; i < rows->len; i++)
        g_assert_cmpstr(((char **)rows->pdata[i])[SK_COL_ID], ==, order[i]);
    text = sk_results_csv_text(rows);
    g_assert_true(g_str_has_prefix(text, "id,status,design,"));
    g_assert_nonnull(strstr(text, "\"bad \"\"size\"\", 24\nsecond line\""));
    back = sk_results_parse_csv("r.csv", text, strlen(text), &error);
    g_assert_no_error(error);
    g_assert_cmpuint(back->len, ==, rows->len);
    for (guint i = 0; i < rows->len; i++)
        g_assert_true(g_strv_equal(rows->pdata[i], back->pdata[i]));
    g_ptr_array_free(back, TRUE);

    /* CRLF line ends read the same. */
    {
        GString *crlf = g_string_new(NULL);
        for (const char *c = text; *c; c++) {
            if (*c == '\n' && strncmp(c + 1, "second line", 11) != 0)
                g_string_append_c(crlf, '\r');
            g_string_append_c(crlf, *c);
        }
        back = sk_results_parse_csv("crlf.csv", crlf->str, crlf->len, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(back->len, ==, rows->len);
        g_ptr_array_free(back, TRUE);
        g_string_free(crlf, TRUE);
    }

    /* Bad files: the line is named. */
    static const struct { const char *text, *says; } bad[] = {
        {"id,status\n", "line 1: header"},
        {"", "line 1: header"},
        {NULL, "line 3: 2 fields"},
        {NULL, "line 2: unterminated"},
        {NULL, "line 2: stray quote"},
    };
    char *header = g_strndup(text, strchr(text, '\n') - text + 1);
    char *cases[G_N_ELEMENTS(bad)];
    cases[0] = g_strdup(bad[0].text);
    cases[1] = g_strdup(bad[1].text);
    {
        /* a good row, then a short one */
        const char *row1 = strchr(text, '\n') + 1;
        char *one = g_strndup(row1, strchr(row1, '\n') - row1);
        cases[2] = g_strdup_printf("%s%s\na,b\n", header, one);
        g_free(one);
    }
    cases[3] = g_strdup_printf("%s\"open,b\n", header);
    cases[4] = g_strdup_printf("%sa\"b,c\n", header);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(sk_results_parse_csv("bad.csv", cases[i], strlen(cases[i]), &error));
        sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, bad[i].says);
        g_free(cases[i]);
    }
    g_free(header);
    g_free(text);
    g_ptr_array_free(rows, TRUE);
}

/* A series is named by its design and by the axes that vary. */
SK_TEST(test_series, "/explore/series")
{
    GPtrArray *rows = some_rows(), *series;
    GArray *tenants;

    sk_results_sort(rows);
    series = sk_series_group(rows);
    g_assert_cmpuint(series->len, ==, 3);
    g_assert_cmpstr(((SkSeries *)series->pdata[0])->label, ==, "base");
    g_assert_cmpuint(((SkSeries *)series->pdata[0])->rows->len, ==, 2);
    g_assert_cmpstr(((SkSeries *)series->pdata[2])->label, ==, "mine");
    g_ptr_array_free(series, TRUE);
    tenants = sk_series_tenants(rows);
    g_assert_cmpuint(tenants->len, ==, 3);
    g_assert_cmpuint(g_array_index(tenants, guint32, 0), ==, 1);
    g_assert_cmpuint(g_array_index(tenants, guint32, 2), ==, 16);
    g_array_free(tenants, TRUE);

    g_ptr_array_add(rows, row("base", "hypersio-1.0", "4", "0.07"));
    sk_results_sort(rows);
    series = sk_series_group(rows);
    g_assert_cmpuint(series->len, ==, 4);
    g_assert_cmpstr(((SkSeries *)series->pdata[0])->label, ==, "base model=hypersio-1.0");
    g_assert_cmpstr(((SkSeries *)series->pdata[1])->label, ==, "base model=siokit");
    g_ptr_array_free(series, TRUE);
    g_ptr_array_free(rows, TRUE);
}

SK_TEST_MAIN()
