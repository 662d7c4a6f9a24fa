/* fuzz_simpletrace.c - fuzz target for the QEMU simple-trace reader: any
 * bytes, read to the end as a simple-backend log (with a fixed trace-events
 * file), then again behind a valid header and mapping records so that random
 * bytes reach the record decoder, then as a trace-events file for a fixed
 * log.  Errors are expected; crashes, leaks, a -1 without an SK_ERROR, and
 * counters that do not add up are not. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "fuzz_files.h"
#include "sk_error.h"
#include "sk_simpletrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_events[] =
    "vcpu guest_cpu_enter(void)\n"
    "disable qxl_like(int qid, const char *why) \"qxl %d %s\"\n"
    "vtd_iotlb_page_hit(uint16_t sid, uint64_t addr, uint64_t slpte, "
    "uint16_t domain) \"hit\"\n"
    "vtd_iotlb_page_update(uint16_t sid, uint64_t addr, uint64_t slpte, "
    "uint16_t domain) \"update\"\n"
    "vtd_dmar_translate(uint8_t bus, uint8_t slot, uint8_t func, uint64_t iova,"
    " uint64_t gpa, uint64_t mask) \"dmar\"\n"
    "vtd_iotlb_cc_hit(uint8_t bus, uint8_t devfn, uint64_t high, uint64_t low, "
    "uint32_t gen) \"cc hit\"\n"
    "vtd_iotlb_cc_update(uint8_t bus, uint8_t devfn, uint64_t high, "
    "uint64_t low, uint32_t gen1, uint32_t gen2) \"cc update\"\n"
    "vtd_inv_desc_iotlb_pages(uint16_t domain, uint64_t addr, uint8_t mask) \"p\"\n"
    "vtd_inv_desc_cc_devices(uint16_t sid, uint16_t fmask) \"devs\"\n"
    "vtd_slpte_fetch(const char *why, uint64_t high, uint64_t low, uint64_t iova,"
    " uint32_t level, uint64_t addr, uint64_t slpte) \"fetch\"\n"
    "vtd_iotlb_reset(const char *reason) \"reset %s\"\n"
    "vtd_fault_disabled(void) \"fault disabled\"\n";

/* Ids 0..N-1 mapped, in the order above, by the prefix of pass 2. */
static const char *const fuzz_names[] = {
    "guest_cpu_enter", "qxl_like", "vtd_iotlb_page_hit",
    "vtd_iotlb_page_update", "vtd_dmar_translate", "vtd_iotlb_cc_hit",
    "vtd_iotlb_cc_update", "vtd_inv_desc_iotlb_pages",
    "vtd_inv_desc_cc_devices", "vtd_slpte_fetch", "vtd_iotlb_reset",
    "vtd_fault_disabled", "undeclared_event",
};

static const char *fuzz_log_path;      /* the input, as a file */
static const char *fuzz_events_path;   /* fuzz_events */
static const char *fuzz_fixed_path;    /* a small valid log for pass 3 */

static void put64(GByteArray *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, x, 8);
}

static void put32(GByteArray *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, x, 4);
}

/* Header and one mapping record per fuzz_names entry. */
static GByteArray *fuzz_prefix(void)
{
    GByteArray *b = g_byte_array_new();

    put64(b, UINT64_MAX);
    put64(b, UINT64_C(0xf2b177cb0aa429b4));
    put64(b, 4);
    for (size_t i = 0; i < G_N_ELEMENTS(fuzz_names); i++) {
        put64(b, 0);
        put64(b, i);
        put32(b, (uint32_t)strlen(fuzz_names[i]));
        g_byte_array_append(b, (const uint8_t *)fuzz_names[i],
                            (guint)strlen(fuzz_names[i]));
    }
    return b;
}

static void fuzz_setup(void)
{
    GByteArray *b;
    uint64_t args[4] = { 0x18, 0x1000, 0x2003, 4 };

    if (fuzz_log_path != NULL)
        return;
    fuzz_log_path = fuzz_file_new("simpletrace");
    fuzz_events_path = fuzz_file_new("simpletrace-events");
    fuzz_fixed_path = fuzz_file_new("simpletrace-fixed");
    fuzz_file_write(fuzz_events_path, fuzz_events, sizeof fuzz_events - 1);

    b = fuzz_prefix();   /* the fixed log: one vtd_iotlb_page_hit */
    put64(b, 1);
    put64(b, 2);
    put64(b, 1000);
    put32(b, 24 + 32);
    put32(b, 1);
    for (int i = 0; i < 4; i++)
        put64(b, args[i]);
    fuzz_file_write(fuzz_fixed_path, b->data, b->len);
    g_byte_array_free(b, TRUE);
}

/* Reads the log to its end and checks what the reader promises. */
static void fuzz_read(const char *log, const char *events)
{
    SkLogStats st = { 0 };
    GError *error = NULL;
    SkLogEvent ev;
    SkSimpleTrace *t = sk_simple_trace_open(log, events, &error);
    uint64_t n = 0;
    int r;

    if (t == NULL) {
        fuzz_refused(error, FALSE);
        return;
    }
    while ((r = sk_simple_trace_next(t, &ev, &st, &error)) == 1) {
        if (ev.type == SK_LOG_NONE || ev.type > SK_LOG_FAULT ||
            !(ev.has & SK_LOG_HAS_TIME) || ev.level > 5)
            abort();
        n++;
    }
    if ((r == -1) != (error != NULL) || (r != 0 && r != -1))
        abort();
    if (error != NULL && error->domain != SK_ERROR)
        abort();
    g_clear_error(&error);
    if (st.events != n || st.lines != st.events + st.skipped + st.malformed)
        abort();
    if (sk_simple_trace_next(t, &ev, NULL, &error) != r)
        abort();
    g_clear_error(&error);
    (void)sk_simple_trace_dropped(t);
    sk_simple_trace_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GByteArray *b;

    fuzz_setup();
    (void)sk_simple_trace_sniff(data, size);

    fuzz_file_write(fuzz_log_path, data, size);
    fuzz_read(fuzz_log_path, fuzz_events_path);

    b = fuzz_prefix();
    g_byte_array_append(b, data, (guint)size);
    fuzz_file_write(fuzz_log_path, b->data, b->len);
    fuzz_read(fuzz_log_path, fuzz_events_path);
    g_byte_array_free(b, TRUE);

    fuzz_file_write(fuzz_log_path, data, size);
    fuzz_read(fuzz_fixed_path, fuzz_log_path);
    return 0;
}
