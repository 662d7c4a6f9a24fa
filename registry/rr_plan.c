/* rr_plan.c - organize: requests to clients (round robin or hashed), then to threads. */
#include "rr_plan.h"

#include <string.h>

#include "rr_hash.h"

static void assign_threads(RrClientPlan *c)
{
    double *ends = g_new0(double, c->threads);

    c->lanes = g_new(GArray *, c->threads);
    for (guint i = 0; i < c->threads; i++)
        c->lanes[i] = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint r = 0; r < c->requests->len; r++) {
        const RrPlanned *p = &g_array_index(c->requests, RrPlanned, r);
        guint best = 0;

        for (guint i = 1; i < c->threads; i++)
            if (ends[i] < ends[best])
                best = i;
        if (ends[best] < p->delay)
            ends[best] = p->delay + p->duration;
        else
            ends[best] += p->duration;
        g_array_append_val(c->lanes[best], r);
    }
    g_free(ends);
}

RrPlan *rr_plan_new(const RrTrace *t, GHashTable *map, guint clients, gboolean route,
                    guint threads)
{
    RrPlan *p = g_new0(RrPlan, 1);
    RrHashRing *ring = route ? rr_hash_ring_new(clients) : NULL;
    guint64 kept = 0;

    g_assert(clients >= 1 && threads >= 1);
    p->n_clients = clients;
    p->clients = g_new0(RrClientPlan, clients);
    for (guint i = 0; i < clients; i++) {
        p->clients[i].requests = g_array_new(FALSE, FALSE, sizeof(RrPlanned));
        p->clients[i].threads = threads;
    }
    for (gsize i = 0; i < t->n; i++) {
        const RrRequest *r = &t->requests[i];
        const char *digest = map ? g_hash_table_lookup(map, r->uri) : NULL;
        RrPlanned planned = {r->delay, r->duration, r, digest};
        guint client;

        if (digest && strcmp(digest, "bad") == 0) {
            p->dropped++;
            continue;
        }
        client = ring ? rr_hash_ring_node(ring, r->client) : (guint)(kept % clients);
        g_array_append_val(p->clients[client].requests, planned);
        kept++;
    }
    for (guint i = 0; i < clients; i++)
        assign_threads(&p->clients[i]);
    if (ring)
        rr_hash_ring_free(ring);
    return p;
}

void rr_plan_free(RrPlan *p)
{
    if (p == NULL)
        return;
    for (guint i = 0; i < p->n_clients; i++) {
        RrClientPlan *c = &p->clients[i];

        for (guint j = 0; j < c->threads; j++)
            g_array_free(c->lanes[j], TRUE);
        g_free(c->lanes);
        g_array_free(c->requests, TRUE);
    }
    g_free(p->clients);
    g_free(p);
}
