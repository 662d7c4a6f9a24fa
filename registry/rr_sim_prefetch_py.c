/* rr_sim_prefetch_py.c - the seed's prefetch.py, reproduced exactly (its time-outs have no effect).
 *
 * The story of one request (uris with "blobs" are layers, else with
 * "manifests" manifests, others skipped; repo = parts 1 and 2 of the uri):
 *   1. Any PUT (layer or manifest) appends [time, [client], size] to the
 *      repo's pushed list.
 *   2. A GET of a manifest walks the repo's pushed list: every entry whose
 *      client list lacks this client gets the client and is "prefetched"
 *      for the repo: an entry of exactly the same size already prefetched
 *      only has its time refreshed, otherwise a new [time, 0, size] entry
 *      is added and the prefetched bytes grow (each value recorded).
 *   3. A GET of a layer, when the repo has a prefetch list, is a hit for
 *      every prefetched entry whose size is within 1000 bytes (each entry's
 *      count grows); when the repo has none, a miss.
 *   4. At the end every prefetched entry is flushed: counted good when it
 *      was hit, bad when not, and the bytes shrink (each value recorded).
 * The seed builds 16 caches for time-out pairs of 600, 3600, 43200 and 86400
 * seconds, but its put() has the time-out calls commented out: the 16 give
 * the same result, so it is computed once and written 16 times, one line
 * "str(hits / (good + bad)),max(recorded bytes)" each, to args.outfile.
 *
 * Speed: a repo's prefetched entries have distinct sizes, all among the
 * sizes PUT to the repo, so each repo ranks those sizes once and keeps two
 * Fenwick trees over the ranks: entries present, and present ones not hit
 * yet.  A layer GET's hits are the present entries in its size window (a
 * range sum) and the not-yet-hit ones in the window are found and marked
 * one by one, each once in the whole run; the final flush only needs the
 * counts (it only lowers the recorded bytes, so their maximum is known). */
#include <string.h>

#include "rr_map.h"
#include "rr_sim.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"
#include "sk_signal.h"

typedef struct {
    uint64_t size;
    uint64_t pusher;    /* the client of the PUT */
} Pushed;

typedef struct {
    GArray *pushed;     /* Pushed entry ids, in order */
    gboolean has_fetched;   /* the seed's repo has a prefetch list */
    guint32 first, n;   /* its slice of the ranked sizes */
} Repo;

/* A Fenwick tree over positions 1..n of t (t[0] unused). */
static void fen_add(int32_t *t, guint32 n, guint32 i, int32_t v)
{
    for (; i <= n; i += i & -i)
        t[i] += v;
}

static int64_t fen_sum(const int32_t *t, guint32 i)
{
    int64_t s = 0;

    for (; i > 0; i -= i & -i)
        s += t[i];
    return s;
}

/* The smallest position whose prefix sum reaches k (1 <= k <= total). */
static guint32 fen_find(const int32_t *t, guint32 n, int64_t k)
{
    guint32 pos = 0, step = 1;

    while (step * 2 <= n)
        step *= 2;
    for (; step > 0; step /= 2)
        if (pos + step <= n && t[pos + step] < k) {
            pos += step;
            k -= t[pos];
        }
    return pos + 1;
}

typedef struct {
    guint32 repo;
    uint64_t size;
} RepoSize;

static gint repo_size_cmp(gconstpointer a, gconstpointer b)
{
    const RepoSize *x = a, *y = b;

    if (x->repo != y->repo)
        return x->repo < y->repo ? -1 : 1;
    return (x->size > y->size) - (x->size < y->size);
}

/* The rank (1-based) in the repo's slice of the first size >= v. */
static guint32 lower_rank(const uint64_t *sizes, const Repo *repo, int64_t v)
{
    guint32 lo = 0, hi = repo->n;

    while (lo < hi) {
        guint32 mid = lo + (hi - lo) / 2;

        if ((int64_t)sizes[repo->first + mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo + 1;
}

static gboolean prefetch_py_init(const RrSimRun *run, GError **error)
{
    const char *outfile = rr_sim_arg_required(run, "outfile", error);
    guint32 *repo_id = NULL;
    char *type = NULL;
    guint32 n_repos = 0;
    Repo *repos = NULL;
    GArray *pushed = NULL;
    /* (repo, client) -> the length of the repo's pushed list at the client's
     * last manifest GET + 1.  The seed's client list of an entry is its pusher
     * and every client that GET the repo's manifest after the PUT, so a
     * client lacks exactly the entries from that point on that it did not
     * push: each manifest GET walks only the entries new to it. */
    RrMap clients;
    RrMap by_size;      /* (repo, size) -> 1 once prefetched */
    GArray *ranked = NULL;      /* RepoSize of every PUT, sorted */
    uint64_t *sizes = NULL;     /* each repo's distinct PUT sizes, ascending */
    guint32 n_sizes = 0;
    int32_t *present = NULL, *unhit = NULL;     /* Fenwick trees, per repo slice */
    int64_t entries = 0, unhit_total = 0;
    GHashTable *client_ids = NULL;
    uint64_t hit = 0, miss = 0, good = 0, bad = 0;
    int64_t size = 0, max_size = 0;
    gboolean any_size = FALSE, ok = FALSE;
    gsize n_extracted = 0;
    RrSimProgress progress;
    GString *out = NULL;

    if (outfile == NULL || !sk_output_check("prefetch output", outfile, error))
        return FALSE;
    rr_map_init(&clients);
    rr_map_init(&by_size);
    /* extract: per uri its type and repo. */
    repo_id = rr_sim_repo_ids(run->trace, &type, &n_repos, error);
    if (repo_id == NULL)
        goto out;
    repos = g_new0(Repo, n_repos + 1);
    pushed = g_array_new(FALSE, FALSE, sizeof(Pushed));
    /* client texts are interned (rr_trace.h): equal addresses, one pointer */
    client_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    ranked = g_array_new(FALSE, FALSE, sizeof(RepoSize));
    for (gsize i = 0; i < run->n; i++) {
        const RrRequest *r = &run->requests[i];

        if (type[r->uri_id])
            n_extracted++;
        if (type[r->uri_id] && r->method == RR_PUT) {
            RepoSize rs = {repo_id[r->uri_id], r->size};

            g_array_append_val(ranked, rs);
        }
    }
    g_array_sort(ranked, repo_size_cmp);
    sizes = g_new(uint64_t, ranked->len + 1);
    for (guint i = 0; i < ranked->len; i++) {
        const RepoSize *rs = &g_array_index(ranked, RepoSize, i);
        Repo *repo = &repos[rs->repo];

        if (repo->n && sizes[repo->first + repo->n - 1] == rs->size)
            continue;
        if (repo->n == 0)
            repo->first = n_sizes;
        sizes[n_sizes++] = rs->size;
        repo->n++;
    }
    /* Each repo's trees sit at first + its index, one spare slot each. */
    present = g_new0(int32_t, n_sizes + n_repos + 1);
    unhit = g_new0(int32_t, n_sizes + n_repos + 1);
    if (run->text)
        fprintf(run->text, "running simulation\n");
    rr_sim_progress_init(&progress, run, n_extracted, 10);
    for (gsize i = 0; i < run->n; i++) {
        const RrRequest *r = &run->requests[i];
        char t = type[r->uri_id];
        Repo *repo = &repos[repo_id[r->uri_id]];
        gpointer cv;
        uint64_t client;

        if (t == 0)
            continue;
        if ((i & 0xffff) == 0 && sk_signal_stop())
            break;
        rr_sim_progress_step(&progress);
        if (!g_hash_table_lookup_extended(client_ids, r->client, NULL, &cv)) {
            cv = GUINT_TO_POINTER(g_hash_table_size(client_ids));
            g_hash_table_insert(client_ids, (gpointer)r->client, cv);
        }
        client = GPOINTER_TO_UINT(cv);
        if (r->method == RR_PUT) {
            Pushed p = {r->size, client};
            guint32 id = pushed->len;

            g_array_append_val(pushed, p);
            if (repo->pushed == NULL)
                repo->pushed = g_array_new(FALSE, FALSE, sizeof(guint32));
            g_array_append_val(repo->pushed, id);
        } else if (t == 'm') {
            RrMapSlot *cursor = rr_map_add(&clients, repo_id[r->uri_id], client, NULL);
            guint from = cursor->value ? (guint)(cursor->value - 1) : 0;

            cursor->value = (repo->pushed ? repo->pushed->len : 0) + 1;
            for (guint k = from; repo->pushed && k < repo->pushed->len; k++) {
                guint32 id = g_array_index(repo->pushed, guint32, k);
                uint64_t lsize = g_array_index(pushed, Pushed, id).size;
                gboolean added;
                RrMapSlot *s;

                if (g_array_index(pushed, Pushed, id).pusher == client)
                    continue;
                repo->has_fetched = TRUE;
                s = rr_map_add(&by_size, repo_id[r->uri_id], lsize, &added);
                if (!added)
                    continue;   /* the same size: only its time refreshed */
                s->value = 1;
                {
                    guint32 base = repo->first + repo_id[r->uri_id];
                    guint32 rank = lower_rank(sizes, repo, (int64_t)lsize);

                    g_assert(rank <= repo->n && sizes[repo->first + rank - 1] == lsize);
                    fen_add(present + base, repo->n, rank, 1);
                    fen_add(unhit + base, repo->n, rank, 1);
                    entries++;
                    unhit_total++;
                }
                size += (int64_t)lsize;
                if (!any_size || size > max_size)
                    max_size = size;
                any_size = TRUE;
            }
        } else if (repo->has_fetched) {
            /* entries with size - 1000 < entry < size + 1000 */
            guint32 base = repo->first + repo_id[r->uri_id];
            guint32 lo = lower_rank(sizes, repo, (int64_t)r->size - 999);
            guint32 hi = lower_rank(sizes, repo, (int64_t)r->size + 1000) - 1;
            int32_t *u = unhit + base;

            if (lo <= hi) {
                int64_t before = fen_sum(u, lo - 1);

                hit += (uint64_t)(fen_sum(present + base, hi) - fen_sum(present + base, lo - 1));
                while (fen_sum(u, hi) > before) {
                    guint32 at = fen_find(u, repo->n, before + 1);

                    fen_add(u, repo->n, at, -1);
                    unhit_total--;
                }
            }
        } else {
            miss++;
        }
    }
    if (sk_signal_stop()) {
        sk_signal_stopped(error, "prefetch.py");
        goto out;
    }
    /* flush: an entry hit at least once is good */
    good = (uint64_t)(entries - unhit_total);
    bad = (uint64_t)unhit_total;
    if (!any_size) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "prefetch.py: nothing was prefetched "
                    "(no GET of a manifest after a PUT to its repository; the seed fails "
                    "on max() of an empty list)");
        goto out;
    }
    out = g_string_new(NULL);
    {
        char *ratio = rr_py_float((double)hit / (double)(good + bad));

        for (int k = 0; k < 16; k++)
            g_string_append_printf(out, "%s,%" G_GINT64_FORMAT "\n", ratio, max_size);
        g_free(ratio);
    }
    if (!sk_output_write_file("prefetch output", outfile, out->str, (gssize)out->len, error))
        goto out;
    if (run->json) {
        const char *names[] = {"hits", "misses", "good prefetch", "bad prefetch"};
        uint64_t v[] = {hit, miss, good, bad};

        for (int k = 0; k < 4; k++) {
            json_builder_set_member_name(run->json, names[k]);
            json_builder_add_int_value(run->json, (gint64)v[k]);
        }
        json_builder_set_member_name(run->json, "max size");
        json_builder_add_int_value(run->json, max_size);
        json_builder_set_member_name(run->json, "ratio");
        json_builder_add_double_value(run->json, (double)hit / (double)(good + bad));
        json_builder_set_member_name(run->json, "outfile");
        json_builder_add_string_value(run->json, outfile);
    }
    ok = TRUE;
out:
    if (out)
        g_string_free(out, TRUE);
    if (repos)
        for (guint32 k = 0; k < n_repos; k++) {
            if (repos[k].pushed)
                g_array_free(repos[k].pushed, TRUE);
        }
    g_free(repos);
    if (pushed)
        g_array_free(pushed, TRUE);
    if (client_ids)
        g_hash_table_destroy(client_ids);
    if (ranked)
        g_array_free(ranked, TRUE);
    SK_FREE_ALL(sizes, present, unhit);
    g_free(repo_id);
    g_free(type);
    rr_map_clear(&clients);
    rr_map_clear(&by_size);
    return ok;
}

const RrSimPlugin rr_sim_prefetch_py = {RR_SIM_ABI, "prefetch.py", prefetch_py_init};
