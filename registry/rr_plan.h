/* rr_plan.h - the seed's organize step: trace requests to clients and client threads.
 *
 * With the warmup map (uri -> hex digest or "bad"), each request in trace
 * order becomes a GET of its digest when its uri was pushed, is dropped
 * when its push was "bad", and becomes a PUT of a blob of its size when
 * the uri is not in the map (the original method is not used).  Kept
 * requests go to clients round robin (counting kept requests only) or,
 * with route, by the consistent hash of the client address (rr_hash.h).
 * Inside a client, the seed's greedy thread assignment: each request goes
 * to the thread whose work ends earliest (lowest index on ties); a thread
 * idle before the request's delay restarts at delay + duration, a busy one
 * adds duration. */
#ifndef RR_PLAN_H
#define RR_PLAN_H

#include <glib.h>

#include "rr_trace.h"

typedef struct RrPlanned {
    double delay;               /* seconds from the start of the run */
    double duration;            /* recorded, for the thread assignment */
    const RrRequest *request;   /* in the trace */
    const char *digest;         /* GET: the hex digest; PUT: NULL */
} RrPlanned;

typedef struct RrClientPlan {
    GArray *requests;           /* of RrPlanned, in trace order */
    guint threads;
    GArray **lanes;             /* per thread: indexes into requests */
} RrClientPlan;

typedef struct RrPlan {
    guint n_clients;
    RrClientPlan *clients;
    guint64 dropped;            /* requests whose push was "bad" */
} RrPlan;

/* map: uri -> digest (may be NULL: every request is a PUT). */
RrPlan *rr_plan_new(const RrTrace *t, GHashTable *map, guint clients, gboolean route,
                    guint threads);
void rr_plan_free(RrPlan *p);

#endif
