/* test_rr_sim.c - the simulations: cache.py and prefetch.py against results worked out by hand
 * on small traces; lru2 and prefetch against simple reference implementations on random traces. */
#include <stdio.h>
#include <string.h>

#include "rr_sim.h"
#include "rr_sim_lru2.h"
#include "rr_sim_prefetch.h"
#include "sk_error.h"
#include "sk_free.h"
#include "sk_test.h"

typedef struct {
    const char *method, *uri;
    long size;
    const char *client;
} Req;

/* A trace from requests one second apart. */
static RrTrace *trace_of(const Req *reqs, gsize n)
{
    GString *s = g_string_new("[");
    const char *names[] = {"t.json"};
    const char *data[1];
    gsize lens[1];
    GError *error = NULL;
    RrTrace *t;

    for (gsize i = 0; i < n; i++)
        g_string_append_printf(s, "%s{\"timestamp\": \"2017-06-20T00:%02zu:%02zu.000Z\", "
                               "\"http.request.method\": \"%s\", \"http.request.uri\": \"%s\", "
                               "\"http.response.written\": %ld, \"http.request.duration\": 0.1, "
                               "\"http.request.remoteaddr\": \"%s\"}\n", i ? "," : "",
                               i / 60, i % 60, reqs[i].method, reqs[i].uri, reqs[i].size,
                               reqs[i].client);
    g_string_append(s, "]");
    data[0] = s->str;
    lens[0] = s->len;
    t = rr_trace_read_data(names, data, lens, 1, NULL, TRUE, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(t->n, ==, n);
    g_string_free(s, TRUE);
    return t;
}

/* Runs a plugin; its text lines returned. */
static char *run_plugin(const RrSimPlugin *p, const RrTrace *t, const char *const *kv,
                        GError **error, gboolean *ok)
{
    RrSimArgs args = {0};
    RrSimRun run = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    guint n = 0;

    while (kv[2 * n])
        n++;
    args.n = n;
    args.keys = (char **)kv;    /* even entries */
    args.keys = g_new0(char *, n + 1);
    args.values = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++) {
        args.keys[i] = (char *)kv[2 * i];
        args.values[i] = (char *)kv[2 * i + 1];
    }
    run.requests = t->requests;
    run.n = t->n;
    run.trace = t;
    run.args = &args;
    run.has_args = TRUE;
    run.text = f;
    *ok = p->init(&run, error);
    fclose(f);
    g_free(args.keys);
    g_free(args.values);
    return buf;
}

/* cache.py with a 1000-byte memory (cache_size 1000 / 2^30 GB): the story
 * of these twelve requests is told step by step in docs/registry-replay.md
 * ("cache.py worked example"). */
static void test_cache_py(void)
{
    static const Req reqs[] = {
        {"GET", "v2/u/r/blobs/A", 400, "c"},  {"GET", "v2/u/r/blobs/B", 400, "c"},
        {"GET", "v2/u/r/blobs/A", 400, "c"},  {"GET", "v2/u/r/blobs/C", 400, "c"},
        {"GET", "v2/u/r/manifests/M", 900000, "c"},   /* dropped by cache.py */
        {"GET", "v2/u/r/blobs/B", 400, "c"},  {"PUT", "v2/u/r/blobs/D", 2000, "c"},
        {"GET", "v2/u/s/blobs/D", 2000, "c"}, /* the same layer in another repo */
        {"GET", "v2/u/r/blobs/C", 400, "c"},  {"GET", "v2/u/r/blobs/E", 9000, "c"},
        {"GET", "v2/u/r/blobs/D", 2000, "c"}, {"GET", "v2/u/r/blobs/A", 400, "c"},
        {"GET", "v2/u/r/blobs/A", 400, "c"},
    };
    static const char *const args[] = {"cache_size", "0.000000931322574615478515625", NULL};
    static const char want[] =
        "running cache simulation\n"
        "0 10 h misses: 2\n"
        "0 10 lmu hits: 2\n"
        "0 15 h hits: 0\n"
        "0 10 lmu misses: 6\n"
        "0 20 lmu misses: 6\n"
        "0 15 lmu hits: 2\n"
        "0 20 h misses: 0\n"
        "0 10 h hits: 1\n"
        "0 15 lmu misses: 6\n"
        "0 20 h hits: 0\n"
        "0 20 lmu hits: 2\n"
        "0 15 h misses: 0\n";
    RrTrace *t = trace_of(reqs, G_N_ELEMENTS(reqs));
    GError *error = NULL;
    gboolean ok;
    char *out = run_plugin(&rr_sim_cache_py, t, args, &error, &ok);

    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpstr(out, ==, want);
    g_free(out);
    rr_trace_free(t);
}

/* The reference-count quirk: a layer promoted out of the file system
 * leaves its entry in the file-system list; once it is back there, popping
 * that stale entry takes its only reference and evicts it before older
 * layers.  Memory 1000 bytes (restrict 1000), file system 10000 (10x). */
static void test_cache_py_quirk(void)
{
    static const Req reqs[] = {
        {"GET", "v2/u/r/blobs/A", 600, "c"},  /* mem [A] */
        {"GET", "v2/u/r/blobs/B", 600, "c"},  /* mem [B]; fslmu [A] */
        {"GET", "v2/u/r/blobs/A", 600, "c"},  /* fs hit A (stale A*); fslmu [A*, B] */
        {"GET", "v2/u/r/blobs/D", 1000, "c"}, /* large: fs only; fslmu [A*, B, D] */
        {"GET", "v2/u/r/blobs/C", 600, "c"},  /* A demoted: fslmu [A*, B, D, A], 2200 bytes */
        {"GET", "v2/u/r/blobs/X", 8000, "c"}, /* 10200 > 10000: pops A*, evicts A, not B */
        {"GET", "v2/u/r/blobs/A", 600, "c"},  /* an fs miss; true LRU would hit */
    };
    static const char *const args[] = {"cache_size", "0.000000931322574615478515625", NULL};
    RrTrace *t = trace_of(reqs, G_N_ELEMENTS(reqs));
    GError *error = NULL;
    gboolean ok;
    char *out = run_plugin(&rr_sim_cache_py, t, args, &error, &ok);

    g_assert_true(ok);
    /* 10x: fs misses 6, 5 of them before the first fs eviction: h misses 1;
     * fs hits 1, in the first phase: h hits 0.  15x: X fits (10200 <=
     * 15000), A is a first-phase fs hit: h misses 0, h hits 0.  Memory
     * evicted at the second request: lmu misses 7 - 2 = 5. */
    g_assert_nonnull(strstr(out, "0 10 h misses: 1\n"));
    g_assert_nonnull(strstr(out, "0 10 h hits: 0\n"));
    g_assert_nonnull(strstr(out, "0 15 h misses: 0\n"));
    g_assert_nonnull(strstr(out, "0 15 h hits: 0\n"));
    g_assert_nonnull(strstr(out, "0 10 lmu misses: 5\n"));
    g_assert_nonnull(strstr(out, "0 10 lmu hits: 0\n"));
    g_free(out);
    rr_trace_free(t);
}

static void test_cache_py_args(void)
{
    static const Req reqs[] = {{"GET", "v2/u/r/blobs/A", 600, "c"}};
    static const char *const none[] = {NULL};
    static const char *const bad[] = {"cache_size", "lots", NULL};
    RrTrace *t = trace_of(reqs, 1);
    GError *error = NULL;
    gboolean ok;

    g_free(run_plugin(&rr_sim_cache_py, t, none, &error, &ok));
    g_assert_false(ok);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "cache_size");
    g_free(run_plugin(&rr_sim_cache_py, t, bad, &error, &ok));
    g_assert_false(ok);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "cache_size");
    rr_trace_free(t);
}

/* prefetch.py, worked by hand: hits 2 (5500 near 5000, 8400 near 8000),
 * prefetches 5000 and 8000 (both hit: good) and 300 (never hit: bad), the
 * most held 5000 + 8000 + 300; 16 lines "2/3,13300". */
static void test_prefetch_py(void)
{
    static const Req reqs[] = {
        {"PUT", "v2/u/r/blobs/l1", 5000, "X"},
        {"PUT", "v2/u/r/blobs/l2", 8000, "X"},
        {"GET", "v2/u/r/blobs/l1", 5000, "Y"},      /* no prefetch list yet: miss */
        {"GET", "v2/u/r/manifests/m", 100, "Y"},    /* prefetches 5000, 8000 */
        {"GET", "v2/u/r/blobs/l1", 5500, "Y"},      /* hit */
        {"GET", "v2/u/r/manifests/m", 100, "Y"},    /* Y had both */
        {"GET", "v2/u/r/manifests/m", 100, "X"},    /* X pushed both */
        {"PUT", "v2/u/r/blobs/l3", 5000, "Z"},
        {"GET", "v2/u/r/manifests/m", 100, "Y"},    /* 5000 again: only refreshed */
        {"GET", "v2/u/r/manifest/odd", 7000, "Y"},  /* neither blobs nor manifests: skipped */
        {"GET", "v2/u/r/blobs/l4", 8400, "W"},      /* hit */
        {"GET", "v2/u/s/blobs/q", 100, "W"},        /* miss */
        {"PUT", "v2/u/s/manifests/m2", 300, "X"},
        {"GET", "v2/u/s/manifests/m2", 50, "Y"},    /* prefetches 300 */
    };
    char *path = sk_test_path("prefetch.out");
    const char *args[] = {"outfile", path, NULL};
    RrTrace *t = trace_of(reqs, G_N_ELEMENTS(reqs));
    GError *error = NULL;
    gboolean ok;
    char *out = run_plugin(&rr_sim_prefetch_py, t, args, &error, &ok);
    GString *want = g_string_new(NULL);
    gsize len;
    char *file;

    g_assert_no_error(error);
    g_assert_true(ok);
    g_assert_cmpstr(out, ==, "running simulation\n");
    for (int i = 0; i < 16; i++)
        g_string_append(want, "0.666666666667,13300\n");
    file = sk_test_read(path, &len);
    g_assert_cmpstr(file, ==, want->str);
    g_free(file);
    g_string_free(want, TRUE);
    g_free(out);
    g_free(path);
    rr_trace_free(t);
}

/* Nothing prefetched: the seed fails (max of an empty list); so do we. */
static void test_prefetch_py_nothing(void)
{
    static const Req reqs[] = {{"GET", "v2/u/r/blobs/l1", 5000, "Y"}};
    char *path = sk_test_path("nothing.out");
    const char *args[] = {"outfile", path, NULL};
    RrTrace *t = trace_of(reqs, 1);
    GError *error = NULL;
    gboolean ok;

    g_free(run_plugin(&rr_sim_prefetch_py, t, args, &error, &ok));
    g_assert_false(ok);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "nothing was prefetched");
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_free(path);
    rr_trace_free(t);
}

static void test_py_float(void)
{
    const struct {
        double v;
        const char *s;
    } cases[] = {
        {2.0 / 3.0, "0.666666666667"}, {1.0, "1.0"}, {0.0, "0.0"}, {4.53333333333333, "4.53333333333"},
        {1e16, "1e+16"}, {1e-5, "1e-05"}, {123456789012.0, "123456789012.0"}, {0.5, "0.5"},
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *s = rr_py_float(cases[i].v);

        g_assert_cmpstr(s, ==, cases[i].s);
        g_free(s);
    }
}

/* --- lru2 against a reference: two arrays in LRU order, linear search. ---------------- */

typedef struct {
    uint32_t id[256];
    uint64_t size[256];
    gsize n;
    uint64_t used, cap;
} RefTier;

static int ref_find(const RefTier *t, uint32_t id)
{
    for (gsize i = 0; i < t->n; i++)
        if (t->id[i] == id)
            return (int)i;
    return -1;
}

static void ref_remove(RefTier *t, int i)
{
    t->used -= t->size[i];
    memmove(t->id + i, t->id + i + 1, (t->n - i - 1) * sizeof(uint32_t));
    memmove(t->size + i, t->size + i + 1, (t->n - i - 1) * sizeof(uint64_t));
    t->n--;
}

static void ref_append(RefTier *t, uint32_t id, uint64_t size)
{
    t->id[t->n] = id;
    t->size[t->n++] = size;
    t->used += size;
}

static void ref_fs_store(RefTier *fs, uint32_t id, uint64_t size, uint64_t *evictions)
{
    if (size > fs->cap)
        return;
    while (fs->used + size > fs->cap) {
        ref_remove(fs, 0);
        (*evictions)++;
    }
    ref_append(fs, id, size);
}

static void test_lru2_reference(void)
{
    GRand *rand = g_rand_new_with_seed(16);

    for (int round = 0; round < 50; round++) {
        uint64_t cap = 500 + g_rand_int_range(rand, 0, 2000);
        unsigned factor = 10 + 5 * (round % 3);
        RrLru2 c;
        RefTier mem = {.cap = cap}, fs = {.cap = cap * factor};
        uint64_t hits[3] = {0}, bytes[3] = {0}, mev = 0, fev = 0;
        uint64_t restrict_ = MIN((uint64_t)100 << 20, cap);
        uint64_t sizes[200];

        for (int i = 0; i < 200; i++)
            sizes[i] = g_rand_int_range(rand, 0, 10) == 0 ? cap + g_rand_int_range(rand, 0, 5000)
                                                           : (uint64_t)(1 + g_rand_int_range(rand, 0, 600));
        rr_lru2_init(&c, 200, cap, factor);
        for (int i = 0; i < 3000; i++) {
            uint32_t id = g_rand_int_range(rand, 0, 20 + round * 3);
            uint64_t size = sizes[id];
            int tier, at;

            rr_lru2_place(&c, id, size);
            if ((at = ref_find(&mem, id)) >= 0) {
                ref_remove(&mem, at);
                ref_append(&mem, id, size);
                tier = 0;
            } else if (size >= restrict_) {
                if ((at = ref_find(&fs, id)) >= 0) {
                    uint64_t s = fs.size[at];

                    ref_remove(&fs, at);
                    ref_append(&fs, id, s);
                    tier = 1;
                } else {
                    ref_fs_store(&fs, id, size, &fev);
                    tier = 2;
                }
            } else {
                if ((at = ref_find(&fs, id)) >= 0) {
                    ref_remove(&fs, at);
                    tier = 1;
                } else {
                    tier = 2;
                }
                while (mem.used + size > mem.cap) {
                    uint32_t e = mem.id[0];
                    uint64_t es = mem.size[0];

                    ref_remove(&mem, 0);
                    mev++;
                    ref_fs_store(&fs, e, es, &fev);
                }
                ref_append(&mem, id, size);
            }
            hits[tier]++;
            bytes[tier] += size;
        }
        g_assert_cmpuint(c.all.mem_hits, ==, hits[0]);
        g_assert_cmpuint(c.all.fs_hits, ==, hits[1]);
        g_assert_cmpuint(c.all.misses, ==, hits[2]);
        g_assert_cmpuint(c.all.mem_bytes, ==, bytes[0]);
        g_assert_cmpuint(c.all.fs_bytes, ==, bytes[1]);
        g_assert_cmpuint(c.all.miss_bytes, ==, bytes[2]);
        g_assert_cmpuint(c.all.mem_evictions, ==, mev);
        g_assert_cmpuint(c.all.fs_evictions, ==, fev);
        g_assert_cmpuint(c.mem.used, ==, mem.used);
        g_assert_cmpuint(c.fs.used, ==, fs.used);
        g_assert_cmpuint(c.all.requests, ==, 3000);
        g_assert_cmpuint(c.after_warmup.requests, <=, 3000);
        rr_lru2_free(&c);
    }
    g_rand_free(rand);
}

/* --- prefetch against a reference: the seed's lists, its time-outs enabled and fixed. -- */

typedef struct {
    double t;
    uint64_t size;
    GArray *clients;    /* uint64 */
    int repo;
} RefPushed;

typedef struct {
    double t;
    uint64_t size, count;
    int repo;
} RefFetched;

static gboolean has_client(GArray *a, uint64_t c)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, uint64_t, i) == c)
            return TRUE;
    return FALSE;
}

static void test_prefetch_reference(void)
{
    GRand *rand = g_rand_new_with_seed(3);

    for (int round = 0; round < 30; round++) {
        double rt = 5 + g_rand_int_range(rand, 0, 50), mt = 5 + g_rand_int_range(rand, 0, 50);
        RrPrefetch *p = rr_prefetch_new(4, rt, mt);
        GArray *pushed = g_array_new(FALSE, FALSE, sizeof(RefPushed));
        GArray *fetched = g_array_new(FALSE, FALSE, sizeof(RefFetched));
        uint64_t hits = 0, misses = 0, good = 0, bad = 0, held = 0, max_held = 0;
        double t = 0;
        const RrPrefetchCounts *k;

        for (int i = 0; i < 1500; i++) {
            int repo = g_rand_int_range(rand, 0, 4);
            int what = g_rand_int_range(rand, 0, 10);
            uint64_t client = g_rand_int_range(rand, 0, 5);
            uint64_t size = 1000 * g_rand_int_range(rand, 1, 12) + g_rand_int_range(rand, 0, 900);
            RrMethod m = what < 2 ? RR_PUT : RR_GET;
            char type = what < 2 ? 'l' : what < 5 ? 'm' : 'l';

            t += g_rand_double_range(rand, 0, 3);
            rr_prefetch_put(p, t, repo, type, m, client, size);
            /* time-outs */
            for (guint j = 0; j < pushed->len;) {
                RefPushed *e = &g_array_index(pushed, RefPushed, j);

                if (t - e->t > rt) {
                    g_array_free(e->clients, TRUE);
                    g_array_remove_index(pushed, j);
                } else {
                    j++;
                }
            }
            for (guint j = 0; j < fetched->len;) {
                RefFetched *f = &g_array_index(fetched, RefFetched, j);

                if (t - f->t > mt) {
                    held -= f->size;
                    if (f->count)
                        good++;
                    else
                        bad++;
                    g_array_remove_index(fetched, j);
                } else {
                    j++;
                }
            }
            if (m == RR_PUT) {
                RefPushed e = {t, size, g_array_new(FALSE, FALSE, sizeof(uint64_t)), repo};

                g_array_append_val(e.clients, client);
                g_array_append_val(pushed, e);
            } else if (type == 'm') {
                for (guint j = 0; j < pushed->len; j++) {
                    RefPushed *e = &g_array_index(pushed, RefPushed, j);
                    gboolean present = FALSE;

                    if (e->repo != repo || has_client(e->clients, client))
                        continue;
                    g_array_append_val(e->clients, client);
                    for (guint q = 0; q < fetched->len; q++) {
                        RefFetched *f = &g_array_index(fetched, RefFetched, q);

                        if (f->repo == repo && f->size == e->size) {
                            f->t = t;
                            present = TRUE;
                            break;
                        }
                    }
                    if (!present) {
                        RefFetched f = {t, e->size, 0, repo};

                        g_array_append_val(fetched, f);
                        held += e->size;
                        max_held = MAX(max_held, held);
                    }
                }
            } else {
                gboolean hit = FALSE;

                for (guint q = 0; q < fetched->len && !hit; q++) {
                    RefFetched *f = &g_array_index(fetched, RefFetched, q);

                    if (f->repo == repo && (int64_t)size - 1000 < (int64_t)f->size &&
                        (int64_t)size + 1000 > (int64_t)f->size) {
                        f->count++;
                        hit = TRUE;
                    }
                }
                if (hit)
                    hits++;
                else
                    misses++;
            }
        }
        for (guint q = 0; q < fetched->len; q++)
            if (g_array_index(fetched, RefFetched, q).count)
                good++;
            else
                bad++;
        k = rr_prefetch_finish(p);
        g_assert_cmpuint(k->hits, ==, hits);
        g_assert_cmpuint(k->misses, ==, misses);
        g_assert_cmpuint(k->good, ==, good);
        g_assert_cmpuint(k->bad, ==, bad);
        g_assert_cmpuint(k->max_held, ==, max_held);
        g_assert_cmpuint(hits + good + bad, >, 0);
        rr_prefetch_free(p);
        for (guint j = 0; j < pushed->len; j++)
            g_array_free(g_array_index(pushed, RefPushed, j).clients, TRUE);
        g_array_free(pushed, TRUE);
        g_array_free(fetched, TRUE);
    }
    g_rand_free(rand);
}

/* --- prefetch.py against the seed's story told plainly, on random traces. --- */

typedef struct {
    GHashTable *clients;    /* had the entry: its pusher and later manifest GETs */
    long size;
} PyPushed;

typedef struct {
    long size, count;
} PyFetched;

static void test_prefetch_py_reference(void)
{
    GRand *rand = g_rand_new_with_seed(11);

    for (int round = 0; round < 60; round++) {
        enum { N = 80, REPOS = 2 };
        Req reqs[N];
        char *uris[N];
        static const char *const clients[] = {"A", "B", "C"};
        GPtrArray *pushed[REPOS];
        GArray *fetched[REPOS] = {NULL, NULL};
        long hit = 0, cur = 0, max = 0, good = 0, bad = 0;
        gboolean any = FALSE;

        for (int r = 0; r < REPOS; r++)
            pushed[r] = g_ptr_array_new();
        for (int i = 0; i < N; i++) {
            int repo = g_rand_int_range(rand, 0, REPOS), kind = g_rand_int_range(rand, 0, 20);
            gboolean manifest = kind < 5, put = kind >= 14;

            uris[i] = manifest ? g_strdup_printf("v2/u/r%d/manifests/m", repo)
                               : g_strdup_printf("v2/u/r%d/blobs/l%d", repo,
                                                 g_rand_int_range(rand, 0, 10));
            reqs[i].method = put ? "PUT" : "GET";
            reqs[i].uri = uris[i];
            reqs[i].size = g_rand_int_range(rand, 1000, 4000);   /* windows overlap */
            reqs[i].client = clients[g_rand_int_range(rand, 0, 3)];
            /* the story */
            if (put) {
                PyPushed *e = g_new0(PyPushed, 1);

                e->clients = g_hash_table_new(g_str_hash, g_str_equal);
                g_hash_table_add(e->clients, (gpointer)reqs[i].client);
                e->size = reqs[i].size;
                g_ptr_array_add(pushed[repo], e);
            } else if (manifest) {
                for (guint k = 0; k < pushed[repo]->len; k++) {
                    PyPushed *e = pushed[repo]->pdata[k];
                    gboolean known = FALSE;

                    if (g_hash_table_contains(e->clients, reqs[i].client))
                        continue;
                    g_hash_table_add(e->clients, (gpointer)reqs[i].client);
                    if (fetched[repo] == NULL)
                        fetched[repo] = g_array_new(FALSE, FALSE, sizeof(PyFetched));
                    for (guint j = 0; j < fetched[repo]->len; j++)
                        known |= g_array_index(fetched[repo], PyFetched, j).size == e->size;
                    if (!known) {
                        PyFetched f = {e->size, 0};

                        g_array_append_val(fetched[repo], f);
                        cur += e->size;
                        max = any ? MAX(max, cur) : cur;
                        any = TRUE;
                    }
                }
            } else if (fetched[repo]) {
                for (guint j = 0; j < fetched[repo]->len; j++) {
                    PyFetched *f = &g_array_index(fetched[repo], PyFetched, j);

                    if (reqs[i].size - 1000 < f->size && reqs[i].size + 1000 > f->size) {
                        hit++;
                        f->count++;
                    }
                }
            }
        }
        for (int r = 0; r < REPOS; r++) {
            for (guint j = 0; fetched[r] && j < fetched[r]->len; j++) {
                if (g_array_index(fetched[r], PyFetched, j).count > 0)
                    good++;
                else
                    bad++;
            }
            for (guint k = 0; k < pushed[r]->len; k++) {
                PyPushed *e = pushed[r]->pdata[k];

                g_hash_table_destroy(e->clients);
                g_free(e);
            }
            g_ptr_array_free(pushed[r], TRUE);
            if (fetched[r])
                g_array_free(fetched[r], TRUE);
        }
        {
            char *path = sk_test_path("prefetch-ref.out");
            const char *args[] = {"outfile", path, NULL};
            RrTrace *t = trace_of(reqs, N);
            GError *error = NULL;
            gboolean ok;
            char *out = run_plugin(&rr_sim_prefetch_py, t, args, &error, &ok);

            g_assert_cmpint(ok, ==, any);
            if (ok) {
                char *ratio = rr_py_float((double)hit / (double)(good + bad));
                char *want = g_strdup_printf("%s,%ld\n", ratio, max);
                gsize len;
                char *file = sk_test_read(path, &len);

                g_assert_no_error(error);
                g_assert_true(g_str_has_prefix(file, want));
                SK_FREE_ALL(ratio, want, file);
            } else {
                sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "nothing was prefetched");
            }
            SK_FREE_ALL(out, path);
            rr_trace_free(t);
        }
        for (int i = 0; i < N; i++)
            g_free(uris[i]);
    }
    g_rand_free(rand);
}

static void test_find(void)
{
    GError *error = NULL;

    g_assert_true(rr_sim_find("cache.py", &error) == &rr_sim_cache_py);
    g_assert_true(rr_sim_find("prefetch.py", &error) == &rr_sim_prefetch_py);
    g_assert_true(rr_sim_find("lru2", &error) == &rr_sim_lru2);
    g_assert_true(rr_sim_find("prefetch", &error) == &rr_sim_prefetch);
    g_assert_null(rr_sim_find("other.py", &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "simulate.name");
    g_assert_null(rr_sim_find("/nonexistent/x.so", &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "cannot load plugin");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rr-sim/cache-py", test_cache_py);
    g_test_add_func("/rr-sim/cache-py-refcount-quirk", test_cache_py_quirk);
    g_test_add_func("/rr-sim/cache-py-args", test_cache_py_args);
    g_test_add_func("/rr-sim/prefetch-py", test_prefetch_py);
    g_test_add_func("/rr-sim/prefetch-py-nothing-prefetched", test_prefetch_py_nothing);
    g_test_add_func("/rr-sim/py-float", test_py_float);
    g_test_add_func("/rr-sim/lru2-reference", test_lru2_reference);
    g_test_add_func("/rr-sim/prefetch-reference", test_prefetch_reference);
    g_test_add_func("/rr-sim/prefetch-py-reference", test_prefetch_py_reference);
    g_test_add_func("/rr-sim/find", test_find);
    return g_test_run();
}
