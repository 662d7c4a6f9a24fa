/* interleave.h - the order in which tenants' translations enter the trace.
 *
 * Each tenant's translations keep their own order; a tenant takes turns of
 * `consec` translations (3 per packet, `--burst` packets).  Orders:
 *   rr        HyperSIO 1.0's: tenants in id order, one turn each per round;
 *             the trace ends after the round in which the FIRST tenant runs
 *             out (so every tenant appears in every round);
 *   rand      HyperSIO 1.0's: glibc rand() seeded with 1 picks
 *             rand() % live among the tenants left, in id order; a tenant
 *             that runs out leaves; nothing is cut;
 *   weighted  each turn goes to a tenant drawn with probability
 *             proportional to its weight (siokit's seeded PRNG); a tenant
 *             that runs out leaves; nothing is cut;
 *   zipf      weighted, with the weight of the k-th tenant in id order
 *             (k = 0, 1, ...) 1 / (k + 1)^theta.
 * The fourth order, orig (the logs as read), needs no interleaving. */
#ifndef TG_INTERLEAVE_H
#define TG_INTERLEAVE_H

#include <glib.h>
#include <stdint.h>

#include "sk_record.h"
#include "spill.h"

typedef enum {
    TG_ORDER_RR,
    TG_ORDER_RAND,
    TG_ORDER_ORIG,
    TG_ORDER_WEIGHTED,
    TG_ORDER_ZIPF,
} TgOrder;

gboolean tg_order_parse(const char *name, TgOrder *order);
const char *tg_order_name(TgOrder order);

typedef struct TgOrderParams {
    TgOrder order;
    uint32_t consec;          /* translations a turn, >= 1 */
    uint64_t seed;            /* weighted, zipf */
    double theta;             /* zipf */
    const double *weights;    /* weighted: one per tenant, >= 0 */
} TgOrderParams;

/* Receives the trace, record by record; FALSE (with error) stops. */
typedef gboolean (*TgEmit)(const SkRecord *record, void *data, GError **error);

/* The weights of the weighted and zipf orders in fixed point, in
 * fixed[0..n): the largest 2^40, or less for so many tenants that n of
 * those would pass 2^63, a positive weight at least 1.  Returns their sum,
 * which never overflows. */
uint64_t tg_weights_fixed(const TgOrderParams *params, guint n, uint64_t *fixed);

/* Interleaves the streams of tenants[0..n) (ids in increasing order) held
 * in spill, calling emit for each translation of the trace. */
gboolean tg_interleave(TgSpill *spill, const uint32_t *tenants, guint n,
                       const TgOrderParams *params, TgEmit emit, void *data,
                       GError **error);

#endif
