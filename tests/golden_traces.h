/* golden_traces.h - the spec's golden-vector traces (hypersio-1.0.md section
 * 4), built in memory for the tests, and written out as trace files. */
#ifndef GOLDEN_TRACES_H
#define GOLDEN_TRACES_H

#include <glib.h>

#include "sk_record.h"
#include "sk_trace.h"

/* Writes records as a whole trace at path, the test failing on any error. */
static inline void golden_write(const char *path, SkTraceFormat format, GArray *records)
{
    GError *error = NULL;
    SkTraceWriter *w = sk_trace_writer_new(path, format, NULL, &error);

    g_assert_no_error(error);
    g_assert_true(sk_trace_writer_write(w, (SkRecord *)records->data, records->len, &error));
    g_assert_true(sk_trace_writer_close(w, &error));
    g_assert_no_error(error);
}

static inline SkRecord golden_record(uint32_t sid, uint32_t did, uint64_t iova,
                                     unsigned level)
{
    SkRecord r = {0};
    r.iova = iova;
    r.level = (uint8_t)level;
    r.mask = sk_level_mask(level);
    r.slpte = (iova & r.mask) | 3;
    r.tenant = did;
    r.sid = sid;
    r.nat = SK_NAT_NONE;
    return r;
}

/* NAT as HyperSIO's builder computes it: the index of the next record with
 * the same (iova & mask, did).  Quadratic; for small test traces only. */
static inline void golden_fill_nat(GArray *a)
{
    for (guint i = 0; i < a->len; i++) {
        SkRecord *r = &g_array_index(a, SkRecord, i);
        r->nat = SK_NAT_NONE;
        for (guint j = i + 1; j < a->len; j++) {
            SkRecord *s = &g_array_index(a, SkRecord, j);
            if ((s->iova & s->mask) == (r->iova & r->mask) && s->tenant == r->tenant) {
                r->nat = j;
                break;
            }
        }
    }
}

/* n translations of one 4 KiB page by one tenant, NATs filled. */
static inline GArray *golden_repeat(guint n, uint32_t sid, uint32_t did, uint64_t iova)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    for (guint i = 0; i < n; i++) {
        SkRecord r = golden_record(sid, did, iova, 1);
        g_array_append_val(a, r);
    }
    golden_fill_nat(a);
    return a;
}

static inline GArray *golden_m1(void)
{
    return golden_repeat(30, 0x10, 0, 0xfff00040);
}

static inline GArray *golden_m2(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    for (uint64_t p = 0; p < 20; p++) {
        uint32_t t = (uint32_t)(p % 2);
        SkRecord r[3] = {
            golden_record(0x10 + 8 * t, t, 0xfff00000 + 0x40 * p, 1),
            golden_record(0x10 + 8 * t, t, 0xffe00000 + 0x1000 * (p / 2), 1),
            golden_record(0x10 + 8 * t, t, 0xfff00000 + 0x40 * p, 1),
        };
        g_array_append_vals(a, r, 3);
    }
    golden_fill_nat(a);
    return a;
}

static inline GArray *golden_m3(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(SkRecord));
    for (uint64_t i = 0; i < 30; i++) {
        SkRecord r = golden_record(0x10, 0, 0x40000000 + 0x1000 * i, 2);
        g_array_append_val(a, r);
    }
    golden_fill_nat(a);
    return a;
}

#endif
