/* sk_synth.h - named synthetic workloads: hyper-tenant translation traces
 * made from a seed, so the pipeline runs anywhere without collected logs.
 *
 * A generator streams records in trace order (memory grows with the number
 * of tenants, 8 bytes each, never with the trace).  Every tenant t in
 * 0..N-1 is domain id t with source id sk_synth_sid(t); it emits packets of
 * three translations, `burst` packets per turn.  Orders:
 *   rr    tenants take turns in id order: 0, 1, ..., N-1, 0, 1, ...
 *   rand  each turn goes to a tenant drawn uniformly from all N.
 * The trace stops after exactly `translations` records (the last turn may be
 * cut short).  The workloads (docs/trace-synth.md gives every address):
 *   iperf3   a NIC RX ring per tenant: per packet its descriptor (16-byte
 *            entries in a 4-page ring), its data buffer (a pool of `pages`
 *            buffer pages, used in turn; a `huge_fraction` of the pool are
 *            2 MiB pages), the descriptor again (writeback).
 *   uniform  every translation a uniformly random 4 KiB page of a working
 *            set of `pages` pages per tenant.
 *   mixed    iperf3, except that every fourth tenant (t % 4 == 3) maps its
 *            ring and buffers with 2 MiB pages and one buffer in eight with
 *            a 1 GiB page.
 * slpte = ((iova & mask) + per-tenant offset) | 3, offset = (t + 1) << 30.
 * Records leave the generator with nat = SK_NAT_NONE; sk_synth_write() fills
 * NATs through an SkNatBuilder.  The same parameters give the same records
 * on every machine (own PRNG: xoshiro256** seeded by splitmix64). */
#ifndef SK_SYNTH_H
#define SK_SYNTH_H

#include <glib.h>
#include <stdint.h>

#include "sk_record.h"
#include "sk_trace.h"

#define SK_SYNTH_MAX_TENANTS 1000000u
#define SK_SYNTH_MAX_BURST 1000000u
#define SK_SYNTH_MAX_PAGES 262144u   /* 1 GiB of 4 KiB pages */

typedef enum {
    SK_SYNTH_ORDER_RR = 0,
    SK_SYNTH_ORDER_RAND,
} SkSynthOrder;

typedef enum {
    SK_SYNTH_IPERF3 = 0,
    SK_SYNTH_UNIFORM,
    SK_SYNTH_MIXED,
} SkSynthWorkload;

typedef struct SkSynthParams {
    SkSynthWorkload workload;   /* default SK_SYNTH_IPERF3 */
    uint32_t tenants;           /* 1..SK_SYNTH_MAX_TENANTS (default 1) */
    uint64_t translations;      /* records in the trace, >= 1 (default 3) */
    SkSynthOrder order;         /* default SK_SYNTH_ORDER_RR */
    uint32_t burst;             /* packets per turn, 1..MAX_BURST (default 1) */
    uint64_t seed;              /* default 1 */
    uint32_t pages;             /* buffer pool (iperf3, mixed) or working set
                                   (uniform), 1..MAX_PAGES; 0 = the
                                   workload's default (256 / 512) */
    double huge_fraction;       /* 0..1, iperf3 and mixed buffers in 2 MiB
                                   pages (default 0) */
} SkSynthParams;

typedef struct SkSynth SkSynth;

/* Fills params with the defaults above. */
void sk_synth_params_init(SkSynthParams *params);

/* Name <-> value; _parse returns FALSE for an unknown name. */
gboolean sk_synth_workload_parse(const char *name, SkSynthWorkload *out);
const char *sk_synth_workload_name(SkSynthWorkload workload);
gboolean sk_synth_order_parse(const char *name, SkSynthOrder *out);
const char *sk_synth_order_name(SkSynthOrder order);

/* The pages parameter after defaults (what the generator really uses). */
uint32_t sk_synth_pages(const SkSynthParams *params);

/* Source id of tenant t: 0x10 + 8*t (device 2 + t on bus 0, function 0, as
 * in HyperSIO's logs); fits 16 bits for t < 8190. */
static inline uint32_t sk_synth_sid(uint32_t tenant)
{
    return 0x10u + 8u * tenant;
}

/* Checks params and creates a generator.  On bad parameters returns NULL
 * with an SK_ERROR_INPUT error naming the parameter. */
SkSynth *sk_synth_new(const SkSynthParams *params, GError **error);

/* Writes up to max next records into out; returns how many, 0 at the end. */
gsize sk_synth_next(SkSynth *gen, SkRecord *out, gsize max);

/* Records produced so far. */
uint64_t sk_synth_done(const SkSynth *gen);

void sk_synth_free(SkSynth *gen);

/* Progress of sk_synth_write(): phase "generating", "annotating" or
 * "writing", done out of total records of that phase.  FALSE cancels. */
typedef gboolean (*SkSynthProgressFunc)(const char *phase, uint64_t done,
                                        uint64_t total, gpointer data);

/* Generates the whole trace, computes NATs (spilling to tmpdir, NULL for
 * g_get_tmp_dir()) and writes every record to out.  Does not close or abort
 * out.  FALSE with error on bad parameters (SK_ERROR_INPUT), I/O failure, or
 * cancellation by progress (SK_ERROR_FAILED "interrupted"). */
gboolean sk_synth_write(const SkSynthParams *params, SkTraceWriter *out,
                        const char *tmpdir, SkSynthProgressFunc progress,
                        gpointer data, GError **error);

#endif
