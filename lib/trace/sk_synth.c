/* sk_synth.c - synthetic hyper-tenant workloads (see sk_synth.h).
 *
 * Address layout of tenant t (j = a per-tenant draw in 0..3 from the seed,
 * so tenants spread over four 2 MiB regions instead of all sharing one):
 *   ring      0xfff00000 - j*2M, 1024 descriptors of 16 bytes (4 pages)
 *   buffers   4 KiB pages just below 0xffe00000 - j*2M, `pages` of them
 *   2 MiB     0x200000000 + b*2M for buffer slot b when huge
 *   1 GiB     0x10000000000 + b*1G for buffer slot b when giant (mixed)
 *   uniform   working set of 4 KiB pages from 0x80000000 - j*2M
 * All of it is recomputed from (seed, t, counters): the only per-tenant
 * state is the count of translations the tenant has emitted. */
#include "sk_synth.h"

#include <string.h>

#include "sk_cli.h"
#include "sk_error.h"
#include "sk_free.h"
#include "sk_nat.h"
#include "sk_prng.h"

#define SYNTH_RING_ENTRIES 1024u
#define SYNTH_DESC_BYTES 16u
#define SYNTH_RING_TOP UINT64_C(0xfff00000)
#define SYNTH_BUF_TOP UINT64_C(0xffe00000)
#define SYNTH_HUGE_BASE UINT64_C(0x200000000)
#define SYNTH_GIANT_BASE UINT64_C(0x10000000000)
#define SYNTH_UNIFORM_BASE UINT64_C(0x80000000)
#define SYNTH_REGION UINT64_C(0x200000)      /* 2 MiB */
#define SYNTH_PAGE UINT64_C(0x1000)
#define SYNTH_HALF_PAGE UINT64_C(0x800)
#define SYNTH_IPERF3_PAGES 256u
#define SYNTH_UNIFORM_PAGES 512u
#define SYNTH_BATCH 4096u

/* A value in [0, 1) fixed by (key, a, b). */
static inline double synth_unit(uint64_t key, uint64_t a, uint64_t b)
{
    uint64_t h = sk_prng_mix(key ^ sk_prng_mix(a ^ sk_prng_mix(b)));
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- names and parameters ---- */

static const char *const synth_workloads[] = { "iperf3", "uniform", "mixed" };
static const char *const synth_orders[] = { "rr", "rand" };

SK_ENUM_NAMES(sk_synth_workload, SkSynthWorkload, synth_workloads)

SK_ENUM_NAMES(sk_synth_order, SkSynthOrder, synth_orders)

void sk_synth_params_init(SkSynthParams *p)
{
    memset(p, 0, sizeof(*p));
    p->workload = SK_SYNTH_IPERF3;
    p->tenants = 1;
    p->translations = 3;
    p->order = SK_SYNTH_ORDER_RR;
    p->burst = 1;
    p->seed = 1;
    p->pages = 0;
    p->huge_fraction = 0.0;
}

uint32_t sk_synth_pages(const SkSynthParams *p)
{
    if (p->pages)
        return p->pages;
    return p->workload == SK_SYNTH_UNIFORM ? SYNTH_UNIFORM_PAGES
                                           : SYNTH_IPERF3_PAGES;
}

static gboolean synth_check(const SkSynthParams *p, GError **error)
{
    if ((guint)p->workload >= G_N_ELEMENTS(synth_workloads)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "workload: unknown value %d", (int)p->workload);
        return FALSE;
    }
    if ((guint)p->order >= G_N_ELEMENTS(synth_orders)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "order: unknown value %d", (int)p->order);
        return FALSE;
    }
    if (p->tenants < 1 || p->tenants > SK_SYNTH_MAX_TENANTS) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "tenants: %u outside 1..%u", p->tenants,
                    SK_SYNTH_MAX_TENANTS);
        return FALSE;
    }
    if (p->translations < 1) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "translations: must be at least 1");
        return FALSE;
    }
    if (p->burst < 1 || p->burst > SK_SYNTH_MAX_BURST) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "burst: %u outside 1..%u", p->burst, SK_SYNTH_MAX_BURST);
        return FALSE;
    }
    if (p->pages > SK_SYNTH_MAX_PAGES) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "pages: %u outside 1..%u", p->pages, SK_SYNTH_MAX_PAGES);
        return FALSE;
    }
    if (!(p->huge_fraction >= 0.0 && p->huge_fraction <= 1.0)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "huge fraction: %g outside 0..1", p->huge_fraction);
        return FALSE;
    }
    return TRUE;
}

/* ---- the generator ---- */

struct SkSynth {
    SkSynthParams p;        /* pages resolved */
    SkPrng rng;             /* tenant picks (rand) and uniform pages */
    uint64_t key;           /* seed-derived key of per-tenant draws */
    uint64_t *emitted;      /* translations emitted, per tenant */
    uint64_t done;          /* records produced */
    uint64_t left;          /* records left in the current turn */
    uint32_t next_rr;       /* next tenant of an rr turn */
    /* the current turn's tenant and its layout */
    uint32_t cur;
    gboolean big;           /* mixed: ring and buffers in 2 MiB / 1 GiB */
    uint64_t ring_base;
    uint64_t buf_base;
    uint64_t ws_base;
    uint64_t offset;        /* slpte = page + offset */
};

SkSynth *sk_synth_new(const SkSynthParams *params, GError **error)
{
    SkSynth *g;

    if (!synth_check(params, error))
        return NULL;
    g = g_new0(SkSynth, 1);
    g->p = *params;
    g->p.pages = sk_synth_pages(params);
    sk_prng_seed(&g->rng, params->seed);
    g->key = sk_prng_mix(params->seed ^ UINT64_C(0x5eed5eed5eed5eed));
    g->emitted = g_new0(uint64_t, params->tenants);
    return g;
}

void sk_synth_free(SkSynth *g)
{
    if (g == NULL)
        return;
    SK_FREE_ALL(g->emitted, g);
}

uint64_t sk_synth_done(const SkSynth *g)
{
    return g->done;
}

static void synth_begin_turn(SkSynth *g)
{
    uint32_t t;
    uint64_t j;

    if (g->p.order == SK_SYNTH_ORDER_RR) {
        t = g->next_rr;
        g->next_rr = t + 1 == g->p.tenants ? 0 : t + 1;
    } else {
        t = (uint32_t)sk_prng_below(&g->rng, g->p.tenants);
    }
    j = sk_prng_mix(g->key ^ t) & 3;
    g->cur = t;
    g->big = g->p.workload == SK_SYNTH_MIXED && t % 4 == 3;
    g->ring_base = SYNTH_RING_TOP - j * SYNTH_REGION;
    g->buf_base = SYNTH_BUF_TOP - j * SYNTH_REGION -
                  (uint64_t)g->p.pages * SYNTH_PAGE;
    g->ws_base = SYNTH_UNIFORM_BASE - j * SYNTH_REGION;
    g->offset = ((uint64_t)t + 1) << 30;
    g->left = 3 * (uint64_t)g->p.burst;
}

/* The data buffer of packet k: its iova and level. */
static void synth_buffer(const SkSynth *g, uint64_t k, uint64_t *iova,
                         unsigned *level)
{
    uint64_t b = k % g->p.pages;
    uint64_t lap = k / g->p.pages;  /* times the pool went round */

    if (g->big && b % 8 == 7) {
        *iova = SYNTH_GIANT_BASE + (b << 30) +
                SYNTH_HALF_PAGE * (lap % 1024);
        *level = 3;
    } else if (g->big || (g->p.huge_fraction > 0.0 &&
                          synth_unit(g->key, g->cur, b) <
                              g->p.huge_fraction)) {
        *iova = SYNTH_HUGE_BASE + b * SYNTH_REGION +
                SYNTH_HALF_PAGE * (lap % 1024);
        *level = 2;
    } else {
        *iova = g->buf_base + b * SYNTH_PAGE + SYNTH_HALF_PAGE * (lap % 2);
        *level = 1;
    }
}

static void synth_emit(SkSynth *g, SkRecord *r)
{
    uint64_t pos = g->emitted[g->cur]++;
    uint64_t iova;
    unsigned level = 1;

    if (g->p.workload == SK_SYNTH_UNIFORM) {
        iova = g->ws_base +
               SYNTH_PAGE * sk_prng_below(&g->rng, g->p.pages);
    } else if (pos % 3 == 1) {
        synth_buffer(g, pos / 3, &iova, &level);
    } else {
        iova = g->ring_base +
               SYNTH_DESC_BYTES * ((pos / 3) % SYNTH_RING_ENTRIES);
        level = g->big ? 2 : 1;
    }
    memset(r, 0, sizeof(*r));   /* padding too: records are compared and
                                   spilled as bytes */
    r->iova = iova;
    r->mask = sk_level_mask(level);
    r->slpte = ((iova & r->mask) + g->offset) | 3;
    r->nat = SK_NAT_NONE;
    r->tenant = g->cur;
    r->sid = sk_synth_sid(g->cur);
    r->level = (uint8_t)level;
    r->kind = SK_KIND_UNKNOWN;
}

gsize sk_synth_next(SkSynth *g, SkRecord *out, gsize max)
{
    gsize n = 0;

    while (n < max && g->done < g->p.translations) {
        if (g->left == 0)
            synth_begin_turn(g);
        synth_emit(g, &out[n++]);
        g->left--;
        g->done++;
    }
    return n;
}

/* ---- the whole trace, annotated, into a writer ---- */

gboolean sk_synth_write(const SkSynthParams *params, SkTraceWriter *out,
                        const char *tmpdir, SkSynthProgressFunc progress,
                        gpointer data, GError **error)
{
    SkSynth *gen = NULL;
    SkNatBuilder *nat = NULL;
    SkRecord *batch = g_new(SkRecord, SYNTH_BATCH);
    uint64_t reported = 0;
    gboolean ok = FALSE;
    gsize n;

    gen = sk_synth_new(params, error);
    if (gen == NULL)
        goto out;
    nat = sk_nat_builder_new(tmpdir, error);
    if (nat == NULL)
        goto out;
    while ((n = sk_synth_next(gen, batch, SYNTH_BATCH)) > 0) {
        if (!sk_nat_builder_add(nat, batch, n, error))
            goto out;
        if (progress && gen->done - reported >= 16 * SYNTH_BATCH) {
            reported = gen->done;
            if (!progress("generating", gen->done, params->translations,
                          data)) {
                g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "interrupted");
                goto out;
            }
        }
    }
    sk_nat_builder_set_progress(nat, progress, data);
    ok = sk_nat_builder_finish(nat, out, error);
out:
    sk_nat_builder_free(nat);
    sk_synth_free(gen);
    g_free(batch);
    return ok;
}
