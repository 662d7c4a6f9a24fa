/* interleave.c - tenant orders: rr, rand (HyperSIO 1.0's, exactly),
 * weighted and zipf (see interleave.h). */
#include "interleave.h"

#include <math.h>
#include <string.h>

#include "sk_cli.h"
#include "sk_glibc_rand.h"
#include "sk_prng.h"

static const char *const order_names[] = {
    [TG_ORDER_RR] = "rr", [TG_ORDER_RAND] = "rand", [TG_ORDER_ORIG] = "orig",
    [TG_ORDER_WEIGHTED] = "weighted", [TG_ORDER_ZIPF] = "zipf",
};

SK_ENUM_NAMES(tg_order, TgOrder, order_names)

/* One turn: up to consec translations of tenant t.  *done is set when the
 * tenant ran out during the turn. */
static gboolean turn(TgSpill *spill, uint32_t t, uint32_t consec, TgEmit emit,
                     void *data, gboolean *done, GError **error)
{
    SkRecord r;
    *done = FALSE;
    for (uint32_t e = 0; e < consec; e++) {
        int got = tg_spill_next(spill, t, &r, error);
        if (got < 0)
            return FALSE;
        if (got == 0) {
            *done = TRUE;
            return TRUE;
        }
        if (!emit(&r, data, error))
            return FALSE;
    }
    return TRUE;
}

static gboolean round_robin(TgSpill *spill, const uint32_t *tenants, guint n,
                            uint32_t consec, TgEmit emit, void *data,
                            GError **error)
{
    gboolean one_over = FALSE;
    while (n > 0 && !one_over) {
        for (guint i = 0; i < n; i++) {
            gboolean done;
            if (!turn(spill, tenants[i], consec, emit, data, &done, error))
                return FALSE;
            one_over |= done;
        }
    }
    return TRUE;
}

static gboolean glibc_random(TgSpill *spill, const uint32_t *tenants, guint n,
                             uint32_t consec, TgEmit emit, void *data,
                             GError **error)
{
    uint32_t *live = g_memdup2(tenants, n * sizeof(uint32_t));
    SkGlibcRand rng;
    gboolean ok = TRUE;

    sk_glibc_rand_seed(&rng, 1);
    while (n > 0) {
        guint i = (guint)((uint32_t)sk_glibc_rand_next(&rng) % n);
        gboolean done;
        if (!(ok = turn(spill, live[i], consec, emit, data, &done, error)))
            break;
        if (done) {
            memmove(&live[i], &live[i + 1], (n - i - 1) * sizeof(uint32_t));
            n--;
        }
    }
    g_free(live);
    return ok;
}

/* ---- weighted draws: a Fenwick tree of fixed-point weights ---- */

#define WEIGHT_ONE_LOG2 40            /* the largest weight is 2^40 ... */

/* ... or less with many tenants, so that n weights sum to at most 2^63:
 * 2^(63 - ceil(log2 n)), a power of two (exact as a double). */
static double weight_one(guint n)
{
    int bits = 0;
    while (bits < 32 && ((uint64_t)1 << bits) < n)
        bits++;
    return ldexp(1.0, MIN(WEIGHT_ONE_LOG2, 63 - bits));
}

typedef struct Fenwick {
    uint64_t *tree;   /* 1-based */
    uint64_t *w;
    guint n;
} Fenwick;

static void fenwick_add(Fenwick *f, guint i, int64_t delta)
{
    for (guint k = i + 1; k <= f->n; k += k & -k)
        f->tree[k] += (uint64_t)delta;
}

/* The index whose cumulative range holds u (0 <= u < total). */
static guint fenwick_find(const Fenwick *f, uint64_t u)
{
    guint pos = 0, step = 1;
    while (step * 2 <= f->n)
        step *= 2;
    for (; step > 0; step /= 2)
        if (pos + step <= f->n && f->tree[pos + step] <= u) {
            pos += step;
            u -= f->tree[pos];
        }
    return pos;
}

uint64_t tg_weights_fixed(const TgOrderParams *p, guint n, uint64_t *fixed)
{
    double max = 0.0;
    uint64_t total = 0;

    for (guint i = 0; i < n; i++) {
        double w = p->order == TG_ORDER_ZIPF ? pow((double)i + 1.0, -p->theta)
                                             : p->weights[i];
        max = MAX(max, w);
    }
    const double one = weight_one(n);
    for (guint i = 0; i < n; i++) {
        double w = p->order == TG_ORDER_ZIPF ? pow((double)i + 1.0, -p->theta)
                                             : p->weights[i];
        /* Scaled so the largest is `one`; a positive weight stays >= 1. */
        fixed[i] = w > 0 && max > 0 ? MAX((uint64_t)(w / max * one), 1) : 0;
        total += fixed[i];
    }
    return total;
}

static gboolean weighted_random(TgSpill *spill, const uint32_t *tenants, guint n,
                                const TgOrderParams *p, TgEmit emit, void *data,
                                GError **error)
{
    Fenwick f = {g_new0(uint64_t, n + 1), g_new0(uint64_t, n), n};
    uint64_t total = tg_weights_fixed(p, n, f.w);
    guint live = 0;
    SkPrng rng;
    gboolean ok = TRUE;

    for (guint i = 0; i < n; i++) {
        fenwick_add(&f, i, (int64_t)f.w[i]);
        live += f.w[i] > 0;
    }
    sk_prng_seed(&rng, p->seed);
    while (live > 0) {
        uint64_t u = (uint64_t)(((unsigned __int128)sk_prng_next(&rng) * total) >> 64);
        guint i = fenwick_find(&f, u);
        gboolean done;
        if (!(ok = turn(spill, tenants[i], p->consec, emit, data, &done, error)))
            break;
        if (done) {
            fenwick_add(&f, i, -(int64_t)f.w[i]);
            total -= f.w[i];
            f.w[i] = 0;
            live--;
        }
    }
    g_free(f.tree);
    g_free(f.w);
    return ok;
}

gboolean tg_interleave(TgSpill *spill, const uint32_t *tenants, guint n,
                       const TgOrderParams *p, TgEmit emit, void *data,
                       GError **error)
{
    switch (p->order) {
    case TG_ORDER_RR:
        return round_robin(spill, tenants, n, p->consec, emit, data, error);
    case TG_ORDER_RAND:
        return glibc_random(spill, tenants, n, p->consec, emit, data, error);
    case TG_ORDER_WEIGHTED:
    case TG_ORDER_ZIPF:
        return weighted_random(spill, tenants, n, p, emit, data, error);
    default:
        g_assert_not_reached();
    }
}
