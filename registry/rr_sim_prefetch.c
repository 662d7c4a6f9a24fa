/* rr_sim_prefetch.c - prefetch: the seed's prefetch simulation, corrected (its time-outs work).
 *
 * The story of one request at time t, for each of the 16 pairs (repository
 * time-out R, manifest time-out M) of 600, 3600, 43200 and 86400 seconds:
 *   1. Time-outs first: pushed layers older than R (t - pushed > R) are
 *      forgotten; prefetched layers not fetched again for M seconds are
 *      dropped, counted good when they were hit, bad when not.
 *   2. A PUT remembers the layer (its size, the pushing client) for its repo.
 *   3. A GET of a manifest prefetches every remembered layer of the repo
 *      that this client has not had yet (a prefetched entry of the same size
 *      is only refreshed).
 *   4. A GET of a layer is a hit when a prefetched entry of the repo is
 *      within 1000 bytes of its size (the first one; it counts one use),
 *      else a miss: each layer GET is exactly one of the two.
 * At the end the entries still held are counted good or bad.  Reported per
 * pair: hits, misses, hit ratio hits / (hits + misses), good and bad
 * prefetches, bytes prefetched, served from prefetch, and the most held. */
#include <string.h>

#include "rr_map.h"
#include "rr_sim.h"
#include "rr_sim_prefetch.h"
#include "sk_error.h"
#include "sk_signal.h"

static const double timeouts[4] = {600, 3600, 43200, 86400};

typedef struct {
    double t;
    uint64_t size;
    gboolean alive;
} Pushed;

typedef struct {
    double t;           /* last prefetched */
    uint64_t size, count;
    guint32 repo;
    gboolean alive;
} Fetched;

typedef struct {
    double t;
    guint32 id;
} Event;

typedef struct {
    GArray *pushed;     /* guint32 ids */
    GArray *fetched;    /* guint32 ids */
} Repo;

struct RrPrefetch {
    double rtimeout, mtimeout;
    Repo *repos;
    GArray *pushed, *fetched;   /* Pushed, Fetched */
    GArray *pevents, *fevents;  /* Event queues, in time order */
    gsize phead, fhead;
    RrMap clients, by_size;
    int64_t held;
    RrPrefetchCounts k;
};

RrPrefetch *rr_prefetch_new(guint32 n_repos, double rtimeout, double mtimeout)
{
    RrPrefetch *p = g_new0(RrPrefetch, 1);

    p->rtimeout = rtimeout;
    p->mtimeout = mtimeout;
    p->repos = g_new0(Repo, n_repos + 1);
    p->pushed = g_array_new(FALSE, FALSE, sizeof(Pushed));
    p->fetched = g_array_new(FALSE, FALSE, sizeof(Fetched));
    p->pevents = g_array_new(FALSE, FALSE, sizeof(Event));
    p->fevents = g_array_new(FALSE, FALSE, sizeof(Event));
    rr_map_init(&p->clients);
    rr_map_init(&p->by_size);
    p->k.n_repos = n_repos;
    return p;
}

static void drop_fetched(RrPrefetch *p, Fetched *f)
{
    f->alive = FALSE;
    p->held -= (int64_t)f->size;
    if (f->count > 0)
        p->k.good++;
    else
        p->k.bad++;
}

static void expire(RrPrefetch *p, double t)
{
    while (p->phead < p->pevents->len) {
        Event *e = &g_array_index(p->pevents, Event, p->phead);

        if (!(t - e->t > p->rtimeout))
            break;
        g_array_index(p->pushed, Pushed, e->id).alive = FALSE;
        p->phead++;
    }
    while (p->fhead < p->fevents->len) {
        Event *e = &g_array_index(p->fevents, Event, p->fhead);
        Fetched *f;

        if (!(t - e->t > p->mtimeout))
            break;
        f = &g_array_index(p->fetched, Fetched, e->id);
        if (f->alive && f->t == e->t)   /* not refreshed since */
            drop_fetched(p, f);
        p->fhead++;
    }
}

/* Removes the ids of dead records from a repo's list. */
static void compact(GArray *ids, GArray *records, gsize record_size, gsize alive_offset)
{
    guint w = 0;

    for (guint i = 0; i < ids->len; i++) {
        guint32 id = g_array_index(ids, guint32, i);
        const char *rec = records->data + (gsize)id * record_size;

        if (*(const gboolean *)(rec + alive_offset))
            g_array_index(ids, guint32, w++) = id;
    }
    g_array_set_size(ids, w);
}

void rr_prefetch_put(RrPrefetch *p, double t, guint32 repo_id, char type, RrMethod method,
                     uint64_t client, uint64_t size)
{
    Repo *repo = &p->repos[repo_id];

    expire(p, t);
    if (method == RR_PUT) {
        Pushed rec = {t, size, TRUE};
        Event e = {t, p->pushed->len};

        g_array_append_val(p->pushed, rec);
        g_array_append_val(p->pevents, e);
        if (repo->pushed == NULL)
            repo->pushed = g_array_new(FALSE, FALSE, sizeof(guint32));
        else if (repo->pushed->len > 16)
            compact(repo->pushed, p->pushed, sizeof(Pushed), G_STRUCT_OFFSET(Pushed, alive));
        g_array_append_val(repo->pushed, e.id);
        rr_map_add(&p->clients, e.id, client, NULL);
        return;
    }
    if (type == 'm') {
        if (repo->pushed == NULL)
            return;
        compact(repo->pushed, p->pushed, sizeof(Pushed), G_STRUCT_OFFSET(Pushed, alive));
        for (guint i = 0; i < repo->pushed->len; i++) {
            guint32 id = g_array_index(repo->pushed, guint32, i);
            uint64_t lsize = g_array_index(p->pushed, Pushed, id).size;
            gboolean added;
            RrMapSlot *s;
            Event e;

            rr_map_add(&p->clients, id, client, &added);
            if (!added)
                continue;
            s = rr_map_add(&p->by_size, repo_id, lsize, &added);
            if (!added && g_array_index(p->fetched, Fetched, s->value).alive) {
                Fetched *f = &g_array_index(p->fetched, Fetched, s->value);

                f->t = t;
                e = (Event){t, (guint32)s->value};
                g_array_append_val(p->fevents, e);
                continue;
            }
            {
                Fetched f = {t, lsize, 0, repo_id, TRUE};

                s->value = p->fetched->len;
                g_array_append_val(p->fetched, f);
            }
            e = (Event){t, (guint32)s->value};
            g_array_append_val(p->fevents, e);
            if (repo->fetched == NULL)
                repo->fetched = g_array_new(FALSE, FALSE, sizeof(guint32));
            g_array_append_val(repo->fetched, e.id);
            p->held += (int64_t)lsize;
            p->k.prefetched_bytes += lsize;
            if ((uint64_t)p->held > p->k.max_held)
                p->k.max_held = (uint64_t)p->held;
        }
        return;
    }
    p->k.layer_gets++;
    if (repo->fetched) {
        compact(repo->fetched, p->fetched, sizeof(Fetched), G_STRUCT_OFFSET(Fetched, alive));
        for (guint i = 0; i < repo->fetched->len; i++) {
            Fetched *f = &g_array_index(p->fetched, Fetched, g_array_index(repo->fetched,
                                                                           guint32, i));

            if ((int64_t)size - 1000 < (int64_t)f->size &&
                (int64_t)size + 1000 > (int64_t)f->size) {
                f->count++;
                p->k.hits++;
                p->k.served_bytes += size;
                return;
            }
        }
    }
    p->k.misses++;
}

const RrPrefetchCounts *rr_prefetch_finish(RrPrefetch *p)
{
    for (guint i = 0; i < p->fetched->len; i++) {
        Fetched *f = &g_array_index(p->fetched, Fetched, i);

        if (f->alive)
            drop_fetched(p, f);
    }
    return &p->k;
}

void rr_prefetch_free(RrPrefetch *p)
{
    for (guint32 i = 0; i < p->k.n_repos; i++) {
        if (p->repos[i].pushed)
            g_array_free(p->repos[i].pushed, TRUE);
        if (p->repos[i].fetched)
            g_array_free(p->repos[i].fetched, TRUE);
    }
    g_free(p->repos);
    g_array_free(p->pushed, TRUE);
    g_array_free(p->fetched, TRUE);
    g_array_free(p->pevents, TRUE);
    g_array_free(p->fevents, TRUE);
    rr_map_clear(&p->clients);
    rr_map_clear(&p->by_size);
    g_free(p);
}

static gboolean prefetch_init(const RrSimRun *run, GError **error)
{
    char *type = NULL;
    guint32 n_repos = 0;
    guint32 *repo_id = rr_sim_repo_ids(run->trace, &type, &n_repos, error);
    GHashTable *client_ids;
    guint32 *client_of;
    RrPrefetch *sims[16];

    if (repo_id == NULL)
        return FALSE;
    /* Client ids, once per request. */
    client_ids = g_hash_table_new(g_str_hash, g_str_equal);
    client_of = g_new(guint32, run->n + 1);
    for (gsize i = 0; i < run->n; i++) {
        gpointer v;

        if (!g_hash_table_lookup_extended(client_ids, run->requests[i].client, NULL, &v)) {
            v = GUINT_TO_POINTER(g_hash_table_size(client_ids));
            g_hash_table_insert(client_ids, (gpointer)run->requests[i].client, v);
        }
        client_of[i] = GPOINTER_TO_UINT(v);
    }
    g_hash_table_destroy(client_ids);
    for (int k = 0; k < 16; k++)
        sims[k] = rr_prefetch_new(n_repos, timeouts[k / 4], timeouts[k % 4]);
    for (gsize i = 0; i < run->n && !sk_signal_stop(); i++) {
        const RrRequest *r = &run->requests[i];

        if (type[r->uri_id] == 0)
            continue;
        for (int k = 0; k < 16; k++)
            rr_prefetch_put(sims[k], r->delay, repo_id[r->uri_id], type[r->uri_id], r->method,
                            client_of[i], r->size);
    }
    if (!sk_signal_stop()) {
        if (run->json) {
            json_builder_set_member_name(run->json, "configs");
            json_builder_begin_array(run->json);
        }
        for (int k = 0; k < 16; k++) {
            const RrPrefetchCounts *c = rr_prefetch_finish(sims[k]);
            double ratio = c->hits + c->misses ? (double)c->hits / (double)(c->hits + c->misses)
                                               : 0.0;

            if (run->text)
                fprintf(run->text, "prefetch %.0f %.0f: hit ratio %.6f, %" G_GUINT64_FORMAT
                        " good, %" G_GUINT64_FORMAT " bad, max %" G_GUINT64_FORMAT " bytes\n",
                        timeouts[k / 4], timeouts[k % 4], ratio, c->good, c->bad, c->max_held);
            if (run->json) {
                JsonBuilder *b = run->json;
                const char *names[] = {"hits", "misses", "good_prefetches", "bad_prefetches",
                                       "prefetched_bytes", "served_bytes", "max_held_bytes"};
                uint64_t v[] = {c->hits, c->misses, c->good, c->bad, c->prefetched_bytes,
                                c->served_bytes, c->max_held};

                json_builder_begin_object(b);
                json_builder_set_member_name(b, "repo_timeout");
                json_builder_add_double_value(b, timeouts[k / 4]);
                json_builder_set_member_name(b, "manifest_timeout");
                json_builder_add_double_value(b, timeouts[k % 4]);
                for (gsize j = 0; j < G_N_ELEMENTS(names); j++) {
                    json_builder_set_member_name(b, names[j]);
                    json_builder_add_int_value(b, (gint64)v[j]);
                }
                json_builder_set_member_name(b, "hit_ratio");
                json_builder_add_double_value(b, ratio);
                json_builder_end_object(b);
            }
        }
        if (run->json)
            json_builder_end_array(run->json);
    }
    for (int k = 0; k < 16; k++)
        rr_prefetch_free(sims[k]);
    g_free(repo_id);
    g_free(type);
    g_free(client_of);
    if (sk_signal_stop())
        return sk_signal_stopped(error, "prefetch");
    return TRUE;
}

const RrSimPlugin rr_sim_prefetch = {RR_SIM_ABI, "prefetch", prefetch_init};
