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
 * "str(hits / (good + bad)),max(recorded bytes)" each, to args.outfile. */
#include <string.h>

#include "rr_map.h"
#include "rr_sim.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"

typedef struct {
    uint64_t size;
    uint64_t pusher;    /* the client of the PUT */
} Pushed;

typedef struct {
    uint64_t size;
    uint64_t count;
} Fetched;

typedef struct {
    GArray *pushed;     /* Pushed entry ids, in order */
    GArray *fetched;    /* Fetched, in order; NULL while the repo has no prefetch list */
} Repo;

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
    RrMap by_size;      /* (repo, size) -> fetched index + 1 */
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
    client_ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (gsize i = 0; i < run->n; i++)
        if (type[run->requests[i].uri_id])
            n_extracted++;
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
                if (repo->fetched == NULL)
                    repo->fetched = g_array_new(FALSE, FALSE, sizeof(Fetched));
                s = rr_map_add(&by_size, repo_id[r->uri_id], lsize, &added);
                if (!added)
                    continue;   /* the same size: only its time refreshed */
                {
                    Fetched f = {lsize, 0};

                    g_array_append_val(repo->fetched, f);
                    s->value = repo->fetched->len;
                }
                size += (int64_t)lsize;
                if (!any_size || size > max_size)
                    max_size = size;
                any_size = TRUE;
            }
        } else if (repo->fetched) {
            for (guint k = 0; k < repo->fetched->len; k++) {
                Fetched *f = &g_array_index(repo->fetched, Fetched, k);

                if ((int64_t)r->size - 1000 < (int64_t)f->size &&
                    (int64_t)r->size + 1000 > (int64_t)f->size) {
                    hit++;
                    f->count++;
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
    /* flush */
    for (guint32 k = 0; k < n_repos; k++)
        for (guint j = 0; repos[k].fetched && j < repos[k].fetched->len; j++) {
            Fetched *f = &g_array_index(repos[k].fetched, Fetched, j);

            size -= (int64_t)f->size;
            if (f->count > 0)
                good++;
            else
                bad++;
        }
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
            if (repos[k].fetched)
                g_array_free(repos[k].fetched, TRUE);
        }
    g_free(repos);
    if (pushed)
        g_array_free(pushed, TRUE);
    if (client_ids)
        g_hash_table_destroy(client_ids);
    g_free(repo_id);
    g_free(type);
    rr_map_clear(&clients);
    rr_map_clear(&by_size);
    return ok;
}

const RrSimPlugin rr_sim_prefetch_py = {RR_SIM_ABI, "prefetch.py", prefetch_py_init};
