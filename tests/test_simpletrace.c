/* test_simpletrace.c - the QEMU simple-trace reader: every mapped vtd event
 * and field, skipped and malformed records, truncated and foreign files, and
 * trace-events files that must be refused with their file and line.
 *
 * Logs are written here by a small writer that follows the layout of QEMU
 * 7.2's trace/simple.c as docs/simpletrace.md states it (header, mapping
 * records, event records with 8-byte integers and u32-length strings), byte
 * by byte and independently of the reader. */
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <string.h>

#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_simpletrace.h"
#include "sk_test.h"

#define MAGIC UINT64_C(0xf2b177cb0aa429b4)
#define DROPPED_ID (UINT64_MAX - 1)

/* ---- a simple-backend writer ----------------------------------------------- */

static GByteArray *log_new(void)
{
    GByteArray *b = g_byte_array_new();
    sk_test_put_le(b, UINT64_MAX, 8);
    sk_test_put_le(b, MAGIC, 8);
    sk_test_put_le(b, 4, 8);
    return b;
}

static void log_map(GByteArray *b, uint64_t id, const char *name)
{
    sk_test_put_le(b, 0, 8);
    sk_test_put_le(b, id, 8);
    sk_test_put_le(b, (uint32_t)strlen(name), 4);
    g_byte_array_append(b, (const uint8_t *)name, (guint)strlen(name));
}

/* An event record; args is a printf-like list: 'i' takes a uint64_t,
 * 's' a const char *. */
static void log_event(GByteArray *b, uint64_t id, uint64_t ts, const char *kinds,
                      ...)
{
    GByteArray *a = g_byte_array_new();
    va_list ap;

    va_start(ap, kinds);
    for (const char *k = kinds; *k; k++) {
        if (*k == 'i') {
            sk_test_put_le(a, va_arg(ap, uint64_t), 8);
        } else {
            const char *s = va_arg(ap, const char *);
            sk_test_put_le(a, (uint32_t)strlen(s), 4);
            g_byte_array_append(a, (const uint8_t *)s, (guint)strlen(s));
        }
    }
    va_end(ap);
    sk_test_put_le(b, 1, 8);
    sk_test_put_le(b, id, 8);
    sk_test_put_le(b, ts, 8);
    sk_test_put_le(b, 24 + a->len, 4);
    sk_test_put_le(b, 4242, 4);   /* pid */
    g_byte_array_append(b, a->data, a->len);
    g_byte_array_free(a, TRUE);
}

static char *write_log(const char *name, GByteArray *b)
{
    return sk_test_write_tmp(name, b->data, b->len);
}

/* The vtd events of QEMU 7.2's hw/i386/trace-events (signatures only; the
 * format strings are our own) among other kinds of declarations. */
static const char events_text[] =
    "# a comment line\n"
    "   # an indented comment\n"
    "\n"
    "vcpu guest_cpu_enter(void)\n"
    "disable qxl_like(int qid, const char *why) \"qxl %d %s\"\n"
    "strs(const char *a, char *b, const char* c, uint64_t x) \"%s %s %s %lx\"\n"
    "vtd_inv_desc(const char *type, uint64_t hi, uint64_t lo) \"desc %s\"\n"
    "vtd_inv_desc_cc_domain(uint16_t domain) \"ctx dom 0x%x\"\n"
    "vtd_inv_desc_cc_global(void) \"ctx global\"\n"
    "vtd_inv_desc_cc_device(uint8_t bus, uint8_t dev, uint8_t fn) \"dev\"\n"
    "vtd_inv_desc_cc_devices(uint16_t sid, uint16_t fmask) \"devs\"\n"
    "vtd_inv_desc_iotlb_global(void) \"tlb global\"\n"
    "vtd_inv_desc_iotlb_domain(uint16_t domain) \"tlb dom\"\n"
    "vtd_inv_desc_iotlb_pages(uint16_t domain, uint64_t addr, uint8_t mask) \"p\"\n"
    "vtd_inv_desc_iotlb_pasid_pages(uint16_t domain, uint64_t addr, uint8_t mask,"
    " uint32_t pasid) \"pp\"\n"
    "vtd_inv_desc_iotlb_pasid(uint16_t domain, uint32_t pasid) \"pasid\"\n"
    "vtd_inv_desc_wait_sw(uint64_t addr, uint32_t data) \"wait\"\n"
    "vtd_inv_desc_wait_irq(const char *msg) \"%s\"\n"
    "vtd_inv_desc_iec(uint32_t granularity, uint32_t index, uint32_t mask) \"iec\"\n"
    "vtd_iotlb_page_hit(uint16_t sid, uint64_t addr, uint64_t slpte, "
    "uint16_t domain) \"hit\"\n"
    "vtd_iotlb_page_update(uint16_t sid, uint64_t addr, uint64_t slpte, "
    "uint16_t domain) \"update\"\n"
    "vtd_iotlb_cc_hit(uint8_t bus, uint8_t devfn, uint64_t high, uint64_t low, "
    "uint32_t gen) \"cc hit\"\n"
    "vtd_iotlb_cc_update(uint8_t bus, uint8_t devfn, uint64_t high, "
    "uint64_t low, uint32_t gen1, uint32_t gen2) \"cc update\"\n"
    "vtd_iotlb_reset(const char *reason) \"reset %s\"\n"
    "vtd_fault_disabled(void) \"fault disabled\"\n"
    "vtd_dmar_translate(uint8_t bus, uint8_t slot, uint8_t func, uint64_t iova,"
    " uint64_t gpa, uint64_t mask) \"dmar\"\n"
    "vtd_dmar_fault(uint16_t sid, int fault, uint64_t addr, bool is_write) \"f\"\n"
    "vtd_reg_write(uint64_t addr, uint64_t size, uint64_t val) \"reg\"\n";

static char *events_path;

static SkSimpleTrace *open_ok(const char *log_path, const char *ev_path)
{
    GError *error = NULL;
    SkSimpleTrace *t = sk_simple_trace_open(log_path, ev_path, &error);
    g_assert_no_error(error);
    g_assert_nonnull(t);
    return t;
}

static void open_fails(const char *log_path, const char *ev_path,
                       const char *want)
{
    GError *error = NULL;
    SkSimpleTrace *t = sk_simple_trace_open(log_path, ev_path, &error);
    g_assert_null(t);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    if (strstr(error->message, want) == NULL)
        g_error("message '%s' lacks '%s'", error->message, want);
    g_error_free(error);
}

static void next_event(SkSimpleTrace *t, SkLogEvent *ev, SkLogStats *st)
{
    GError *error = NULL;
    int r = sk_simple_trace_next(t, ev, st, &error);
    g_assert_no_error(error);
    g_assert_cmpint(r, ==, 1);
}

static void next_end(SkSimpleTrace *t, SkLogStats *st)
{
    GError *error = NULL;
    SkLogEvent ev;
    int r = sk_simple_trace_next(t, &ev, st, &error);
    g_assert_no_error(error);
    g_assert_cmpint(r, ==, 0);
}

/* ---- cases --------------------------------------------------------------- */

SK_TEST(test_sniff, "/simpletrace/sniff")
{
    GByteArray *b = log_new();

    g_assert_true(sk_simple_trace_sniff(b->data, b->len));
    g_assert_true(sk_simple_trace_sniff(b->data, 16));
    g_assert_false(sk_simple_trace_sniff(b->data, 15));
    g_assert_false(sk_simple_trace_sniff(NULL, 0));
    b->data[9] ^= 1;
    g_assert_false(sk_simple_trace_sniff(b->data, b->len));
    g_assert_false(sk_simple_trace_sniff((const uint8_t *)
        "12345@1.000001:vtd_iotlb_page_hit IOTLB page hit", 40));
    g_byte_array_free(b, TRUE);
}

/* Ids as QEMU would give them: any order, not dense. */
enum {
    ID_CPU = 0, ID_QXL = 1, ID_STRS = 2, ID_INV = 7, ID_CC_DOMAIN = 8,
    ID_CC_GLOBAL = 9, ID_CC_DEVICE = 10, ID_CC_DEVICES = 11,
    ID_TLB_GLOBAL = 12, ID_TLB_DOMAIN = 13, ID_TLB_PAGES = 14,
    ID_TLB_PASID_PAGES = 15, ID_TLB_PASID = 16, ID_WAIT_SW = 17,
    ID_WAIT_IRQ = 18, ID_IEC = 19, ID_HIT = 100, ID_UPDATE = 101,
    ID_CC_HIT = 102, ID_CC_UPDATE = 103, ID_RESET = 104, ID_FAULT_DIS = 105,
    ID_DMAR = 106, ID_DMAR_FAULT = 107, ID_REG = 108, ID_UNDECLARED = 200,
};

static void map_all(GByteArray *b)
{
    static const struct { uint64_t id; const char *name; } m[] = {
        { ID_DMAR, "vtd_dmar_translate" }, { ID_CPU, "guest_cpu_enter" },
        { ID_QXL, "qxl_like" }, { ID_STRS, "strs" }, { ID_INV, "vtd_inv_desc" },
        { ID_CC_DOMAIN, "vtd_inv_desc_cc_domain" },
        { ID_CC_GLOBAL, "vtd_inv_desc_cc_global" },
        { ID_CC_DEVICE, "vtd_inv_desc_cc_device" },
        { ID_CC_DEVICES, "vtd_inv_desc_cc_devices" },
        { ID_TLB_GLOBAL, "vtd_inv_desc_iotlb_global" },
        { ID_TLB_DOMAIN, "vtd_inv_desc_iotlb_domain" },
        { ID_TLB_PAGES, "vtd_inv_desc_iotlb_pages" },
        { ID_TLB_PASID_PAGES, "vtd_inv_desc_iotlb_pasid_pages" },
        { ID_TLB_PASID, "vtd_inv_desc_iotlb_pasid" },
        { ID_WAIT_SW, "vtd_inv_desc_wait_sw" },
        { ID_WAIT_IRQ, "vtd_inv_desc_wait_irq" },
        { ID_IEC, "vtd_inv_desc_iec" }, { ID_HIT, "vtd_iotlb_page_hit" },
        { ID_UPDATE, "vtd_iotlb_page_update" },
        { ID_CC_HIT, "vtd_iotlb_cc_hit" }, { ID_CC_UPDATE, "vtd_iotlb_cc_update" },
        { ID_RESET, "vtd_iotlb_reset" }, { ID_FAULT_DIS, "vtd_fault_disabled" },
        { ID_DMAR_FAULT, "vtd_dmar_fault" }, { ID_REG, "vtd_reg_write" },
        { ID_UNDECLARED, "not_in_trace_events" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(m); i++)
        log_map(b, m[i].id, m[i].name);
}

static void expect_inv(SkSimpleTrace *t, SkLogStats *st, uint64_t ts,
                       SkLogInvType kind, uint32_t has, uint32_t did,
                       uint16_t sid, uint64_t iova, uint64_t mask)
{
    SkLogEvent ev;
    next_event(t, &ev, st);
    g_assert_cmpint(ev.type, ==, SK_LOG_INVALIDATE);
    g_assert_cmpuint(ev.inv_type, ==, kind);
    g_assert_cmpuint(ev.has, ==, has | SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.time_ns, ==, ts);
    g_assert_cmpuint(ev.did, ==, did);
    g_assert_cmpuint(ev.sid, ==, sid);
    g_assert_cmpuint(ev.iova, ==, iova);
    g_assert_cmpuint(ev.mask, ==, mask);
}

SK_TEST(test_every_event, "/simpletrace/every-event")
{
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;

    map_all(b);
    /* Skipped: not vtd, strings, vcpu, unmapped vtd, undeclared, dropped. */
    log_event(b, ID_CPU, 1, "i", (uint64_t)0xdeadbeef);
    log_event(b, ID_QXL, 2, "is", (uint64_t)3, "why not");
    log_event(b, ID_STRS, 3, "sssi", "", "bb", "ccc", (uint64_t)9);
    log_event(b, ID_INV, 4, "sii", "iotlb", (uint64_t)1, (uint64_t)2);
    log_event(b, ID_RESET, 5, "s", "iotlb exceeds size limit");
    log_event(b, ID_REG, 6, "iii", (uint64_t)0x88, (uint64_t)4, (uint64_t)1);
    log_event(b, ID_UNDECLARED, 7, "iis", (uint64_t)1, (uint64_t)2, "x");
    log_event(b, DROPPED_ID, 8, "i", (uint64_t)17);
    log_event(b, ID_CC_DEVICE, 9, "iii", (uint64_t)0, (uint64_t)3, (uint64_t)0);
    log_event(b, ID_WAIT_IRQ, 10, "s", "Generating complete event");
    log_event(b, DROPPED_ID, 11, "i", (uint64_t)3);
    /* Translations. */
    log_event(b, ID_HIT, 1000, "iiii", (uint64_t)0x18,
              (uint64_t)0xfffff000, (uint64_t)0x12345003, (uint64_t)4);
    log_event(b, ID_UPDATE, 1001, "iiii", (uint64_t)0x20,
              (uint64_t)0xffe00000, (uint64_t)0xabc00083, (uint64_t)0xffff);
    log_event(b, ID_DMAR, 1002, "iiiiii", (uint64_t)0x1, (uint64_t)0x1f,
              (uint64_t)7, (uint64_t)0xfee01234, (uint64_t)0x7000,
              (uint64_t)0x1fffff);
    log_event(b, ID_CC_HIT, 1003, "iiiii", (uint64_t)0x0, (uint64_t)0x18,
              (uint64_t)0x0000000000000402, (uint64_t)0x1234001, (uint64_t)7);
    log_event(b, ID_CC_UPDATE, 1004, "iiiiii", (uint64_t)0xff, (uint64_t)0xff,
              (uint64_t)0xabcd02, (uint64_t)0x5678001, (uint64_t)6,
              (uint64_t)0xffffffff);
    /* Invalidations. */
    log_event(b, ID_CC_GLOBAL, 2000, "");
    log_event(b, ID_CC_DOMAIN, 2001, "i", (uint64_t)5);
    log_event(b, ID_CC_DEVICES, 2002, "ii", (uint64_t)0x18, (uint64_t)3);
    log_event(b, ID_TLB_GLOBAL, 2003, "");
    log_event(b, ID_TLB_DOMAIN, 2004, "i", (uint64_t)6);
    log_event(b, ID_TLB_PAGES, 2005, "iii", (uint64_t)7, (uint64_t)0x200000,
              (uint64_t)9);
    log_event(b, ID_TLB_PASID_PAGES, 2006, "iiii", (uint64_t)8,
              (uint64_t)0x3000, (uint64_t)0, (uint64_t)77);
    log_event(b, ID_TLB_PASID, 2007, "ii", (uint64_t)9, (uint64_t)77);
    log_event(b, ID_WAIT_SW, 2008, "ii", (uint64_t)0x7f000, (uint64_t)1);
    log_event(b, ID_IEC, 2009, "iii", (uint64_t)1, (uint64_t)2, (uint64_t)3);
    /* Faults. */
    log_event(b, ID_DMAR_FAULT, 3000, "iiii", (uint64_t)0x20, (uint64_t)6,
              (uint64_t)0xdead000, (uint64_t)1);
    log_event(b, ID_FAULT_DIS, UINT64_MAX, "");
    path = write_log("every.st", b);

    t = open_ok(path, events_path);
    next_event(t, &ev, &st);
    g_assert_cmpuint(st.lines, ==, 12);
    g_assert_cmpuint(st.skipped, ==, 11);
    g_assert_cmpuint(sk_simple_trace_dropped(t), ==, 20);
    g_assert_cmpint(ev.type, ==, SK_LOG_TRANSLATE);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_IOTLB);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE |
                                 SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.sid, ==, 0x18);
    g_assert_cmpuint(ev.iova, ==, 0xfffff000);
    g_assert_cmpuint(ev.slpte, ==, 0x12345003);
    g_assert_cmpuint(ev.did, ==, 4);
    g_assert_cmpuint(ev.time_ns, ==, 1000);
    g_assert_cmpuint(ev.level, ==, 0);
    g_assert_cmpuint(ev.mask, ==, 0);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_TRANSLATE);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_WALK);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE |
                                 SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.sid, ==, 0x20);
    g_assert_cmpuint(ev.iova, ==, 0xffe00000);
    g_assert_cmpuint(ev.slpte, ==, 0xabc00083);
    g_assert_cmpuint(ev.did, ==, 0xffff);
    g_assert_cmpuint(ev.time_ns, ==, 1001);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_TRANSLATE);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_DMAR);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_MASK | SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.sid, ==, 0x1ff);   /* 01:1f.7 */
    g_assert_cmpuint(ev.iova, ==, 0xfee01234);
    g_assert_cmpuint(ev.result, ==, 0x7000);
    g_assert_cmpuint(ev.mask, ==, ~UINT64_C(0x1fffff));
    g_assert_cmpuint(ev.level, ==, 2);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_CONTEXT);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.sid, ==, 0x18);
    g_assert_cmpuint(ev.high, ==, 0x402);
    g_assert_cmpuint(ev.low, ==, 0x1234001);
    g_assert_cmpuint(ev.did, ==, 4);       /* (high >> 8) & 0xffff */
    g_assert_cmpuint(ev.gen, ==, 7);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_CONTEXT);
    g_assert_cmpuint(ev.sid, ==, 0xffff);
    g_assert_cmpuint(ev.high, ==, 0xabcd02);
    g_assert_cmpuint(ev.low, ==, 0x5678001);
    g_assert_cmpuint(ev.did, ==, 0xabcd);
    g_assert_cmpuint(ev.gen, ==, 0xffffffff);   /* gen2, the new one */
    g_assert_cmpuint(ev.time_ns, ==, 1004);

    expect_inv(t, &st, 2000, SK_LOG_INV_CONTEXT_GLOBAL, 0, 0, 0, 0, 0);
    expect_inv(t, &st, 2001, SK_LOG_INV_CONTEXT_DOMAIN, SK_LOG_HAS_DID, 5, 0,
               0, 0);
    expect_inv(t, &st, 2002, SK_LOG_INV_CONTEXT_DEVICE, 0, 0, 0x18, 0, 3);
    expect_inv(t, &st, 2003, SK_LOG_INV_IOTLB_GLOBAL, 0, 0, 0, 0, 0);
    expect_inv(t, &st, 2004, SK_LOG_INV_IOTLB_DOMAIN, SK_LOG_HAS_DID, 6, 0,
               0, 0);
    expect_inv(t, &st, 2005, SK_LOG_INV_IOTLB_PAGES,
               SK_LOG_HAS_DID | SK_LOG_HAS_MASK, 7, 0, 0x200000,
               ~UINT64_C(0x1fffff));
    expect_inv(t, &st, 2006, SK_LOG_INV_IOTLB_PAGES,
               SK_LOG_HAS_DID | SK_LOG_HAS_MASK, 8, 0, 0x3000,
               ~UINT64_C(0xfff));
    expect_inv(t, &st, 2007, SK_LOG_INV_IOTLB_DOMAIN, SK_LOG_HAS_DID, 9, 0,
               0, 0);
    expect_inv(t, &st, 2008, SK_LOG_INV_WAIT, 0, 0, 0, 0x7f000, 0);
    expect_inv(t, &st, 2009, SK_LOG_INV_OTHER, 0, 0, 0, 0, 0);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_FAULT);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.sid, ==, 0x20);
    g_assert_cmpuint(ev.iova, ==, 0xdead000);

    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_FAULT);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_TIME);
    g_assert_cmpuint(ev.time_ns, ==, UINT64_MAX);
    g_assert_cmpuint(ev.sid, ==, 0);

    next_end(t, &st);
    next_end(t, &st);
    g_assert_cmpuint(st.lines, ==, 11 + 17);
    g_assert_cmpuint(st.events, ==, 17);
    g_assert_cmpuint(st.skipped, ==, 11);
    g_assert_cmpuint(st.malformed, ==, 0);
    sk_simple_trace_free(t);
    g_byte_array_free(b, TRUE);
    g_free(path);
}

/* A build whose events carry other arguments, in another order, strings
 * first: fields are found by name.  HyperSIO's pmask and level too. */
SK_TEST(test_by_name, "/simpletrace/by-name")
{
    static const char text[] =
        "vtd_iotlb_page_hit(const char *tag, uint16_t domain, uint64_t addr,"
        " uint64_t pmask, uint64_t slpte, uint16_t sid) \"hit %s\"\n"
        "vtd_iotlb_page_update(uint16_t sid, uint64_t addr, uint64_t slpte,"
        " uint32_t level, uint16_t domain) \"update\"\n"
        "vtd_slpte_fetch(uint64_t high, uint64_t low, uint64_t iova,"
        " uint32_t level, uint64_t addr, uint64_t slpte) \"fetch\"\n"
        "vtd_err_dmar_slpte_read_error(uint64_t iova, int level) \"err\"\n";
    char *ev_path = sk_test_write_tmp("byname.events", text, sizeof text - 1);
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;

    log_map(b, 3, "vtd_iotlb_page_hit");
    log_map(b, 1, "vtd_iotlb_page_update");
    log_map(b, 2, "vtd_slpte_fetch");
    log_map(b, 0, "vtd_err_dmar_slpte_read_error");
    log_event(b, 3, 50, "siiiii", "some tag", (uint64_t)0x44, (uint64_t)0x1000,
              ~UINT64_C(0x3fffffff), (uint64_t)0x40000083, (uint64_t)0x28);
    log_event(b, 1, 51, "iiiii", (uint64_t)0x28, (uint64_t)0x5000,
              (uint64_t)0x9003, (uint64_t)1, (uint64_t)0x44);
    log_event(b, 3, 52, "siiiii", "", (uint64_t)1, (uint64_t)2,
              (uint64_t)0x1234, (uint64_t)3, (uint64_t)4);
    log_event(b, 2, 53, "iiiiii", (uint64_t)0x302, (uint64_t)0x77001,
              (uint64_t)0x5000, (uint64_t)4, (uint64_t)0x66000,
              (uint64_t)0x67003);
    log_event(b, 0, 54, "ii", (uint64_t)0x5000, (uint64_t)2);
    path = write_log("byname.st", b);

    t = open_ok(path, ev_path);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_IOTLB);
    g_assert_cmpuint(ev.sid, ==, 0x28);
    g_assert_cmpuint(ev.did, ==, 0x44);
    g_assert_cmpuint(ev.iova, ==, 0x1000);
    g_assert_cmpuint(ev.slpte, ==, 0x40000083);
    g_assert_cmpuint(ev.mask, ==, ~UINT64_C(0x3fffffff));
    g_assert_cmpuint(ev.level, ==, 3);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE |
                                 SK_LOG_HAS_MASK | SK_LOG_HAS_TIME);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_WALK);
    g_assert_cmpuint(ev.level, ==, 1);
    g_assert_cmpuint(ev.mask, ==, ~UINT64_C(0xfff));
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE |
                                 SK_LOG_HAS_LEVEL | SK_LOG_HAS_TIME);
    next_event(t, &ev, &st);   /* a mask of no page size: level 0 */
    g_assert_cmpuint(ev.mask, ==, 0x1234);
    g_assert_cmpuint(ev.level, ==, 0);
    g_assert_cmpuint(ev.time_ns, ==, 52);
    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_SLPTE_FETCH);
    g_assert_cmpuint(ev.high, ==, 0x302);
    g_assert_cmpuint(ev.low, ==, 0x77001);
    g_assert_cmpuint(ev.iova, ==, 0x5000);
    g_assert_cmpuint(ev.level, ==, 4);
    g_assert_cmpuint(ev.addr, ==, 0x66000);
    g_assert_cmpuint(ev.slpte, ==, 0x67003);
    g_assert_cmpuint(ev.did, ==, 3);
    g_assert_cmpuint(ev.has, ==, SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE |
                                 SK_LOG_HAS_LEVEL | SK_LOG_HAS_TIME);
    next_event(t, &ev, &st);
    g_assert_cmpint(ev.type, ==, SK_LOG_FAULT);
    g_assert_cmpuint(ev.iova, ==, 0);
    next_end(t, &st);
    g_assert_cmpuint(st.events, ==, 5);
    sk_simple_trace_free(t);
    g_byte_array_free(b, TRUE);
    g_free(path);
    g_free(ev_path);
}

/* Records that are read past and counted as malformed. */
SK_TEST(test_malformed, "/simpletrace/malformed")
{
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;

    map_all(b);
    /* An id without mapping. */
    log_event(b, 55, 1, "iiii", (uint64_t)1, (uint64_t)2, (uint64_t)3,
              (uint64_t)4);
    log_event(b, UINT64_MAX >> 1, 1, "");
    /* Lengths that disagree with the declaration. */
    log_event(b, ID_HIT, 2, "iii", (uint64_t)1, (uint64_t)2, (uint64_t)3);
    log_event(b, ID_HIT, 2, "iiiii", (uint64_t)1, (uint64_t)2, (uint64_t)3,
              (uint64_t)4, (uint64_t)5);
    log_event(b, ID_REG, 2, "ii", (uint64_t)1, (uint64_t)2);
    log_event(b, ID_QXL, 2, "i", (uint64_t)1);            /* string missing */
    log_event(b, ID_QXL, 2, "isi", (uint64_t)1, "abc", (uint64_t)0);
    log_event(b, DROPPED_ID, 2, "ii", (uint64_t)1, (uint64_t)2);
    /* Fields out of range. */
    log_event(b, ID_HIT, 3, "iiii", (uint64_t)0x10000, (uint64_t)0,
              (uint64_t)0, (uint64_t)0);
    log_event(b, ID_HIT, 3, "iiii", (uint64_t)0, (uint64_t)0, (uint64_t)0,
              (uint64_t)0x10000);
    log_event(b, ID_DMAR, 3, "iiiiii", (uint64_t)0x100, (uint64_t)0,
              (uint64_t)0, (uint64_t)0, (uint64_t)0, (uint64_t)0xfff);
    log_event(b, ID_DMAR, 3, "iiiiii", (uint64_t)0, (uint64_t)0x20,
              (uint64_t)0, (uint64_t)0, (uint64_t)0, (uint64_t)0xfff);
    log_event(b, ID_DMAR, 3, "iiiiii", (uint64_t)0, (uint64_t)0,
              (uint64_t)8, (uint64_t)0, (uint64_t)0, (uint64_t)0xfff);
    log_event(b, ID_DMAR, 3, "iiiiii", (uint64_t)0, (uint64_t)0,
              (uint64_t)0, (uint64_t)0, (uint64_t)0, (uint64_t)0x1000);
    log_event(b, ID_CC_HIT, 3, "iiiii", (uint64_t)0, (uint64_t)0x100,
              (uint64_t)0, (uint64_t)0, (uint64_t)0);
    log_event(b, ID_CC_UPDATE, 3, "iiiiii", (uint64_t)0, (uint64_t)0,
              (uint64_t)0, (uint64_t)0, (uint64_t)0, UINT64_C(0x100000000));
    log_event(b, ID_CC_DEVICES, 3, "ii", (uint64_t)0x18, (uint64_t)4);
    log_event(b, ID_TLB_PAGES, 3, "iii", (uint64_t)1, (uint64_t)0,
              (uint64_t)52);
    log_event(b, ID_DMAR_FAULT, 3, "iiii", (uint64_t)0, (uint64_t)0,
              (uint64_t)0, (uint64_t)2);
    /* Then a good one. */
    log_event(b, ID_TLB_PAGES, 4, "iii", (uint64_t)1, (uint64_t)0,
              (uint64_t)51);
    path = write_log("malformed.st", b);

    t = open_ok(path, events_path);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.time_ns, ==, 4);
    g_assert_cmpuint(ev.mask, ==, ~((UINT64_C(4096) << 51) - 1));
    next_end(t, &st);
    g_assert_cmpuint(st.lines, ==, 20);
    g_assert_cmpuint(st.malformed, ==, 19);
    g_assert_cmpuint(st.events, ==, 1);
    g_assert_cmpuint(st.skipped, ==, 0);
    g_assert_cmpuint(sk_simple_trace_dropped(t), ==, 0);
    sk_simple_trace_free(t);
    g_byte_array_free(b, TRUE);
    g_free(path);
}

/* A log cut anywhere inside its last record: the events before it, then
 * "truncated record at byte N" with N where that record starts. */
SK_TEST(test_truncated, "/simpletrace/truncated")
{
    GByteArray *b = log_new();
    guint last;

    map_all(b);
    log_event(b, ID_HIT, 1, "iiii", (uint64_t)1, (uint64_t)2, (uint64_t)3,
              (uint64_t)4);
    last = b->len;
    log_event(b, ID_QXL, 2, "is", (uint64_t)1, "a string");
    for (guint cut = last + 1; cut < b->len; cut++) {
        char *path = sk_test_write_tmp("cut.st", b->data, cut);
        char *want = g_strdup_printf("simple trace '%s': truncated record at "
                                     "byte %u", path, last);
        SkLogStats st = { 0 };
        GError *error = NULL;
        SkLogEvent ev;
        SkSimpleTrace *t = open_ok(path, events_path);

        next_event(t, &ev, &st);
        g_assert_cmpint(sk_simple_trace_next(t, &ev, &st, &error), ==, -1);
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_cmpstr(error->message, ==, want);
        g_clear_error(&error);
        g_assert_cmpuint(st.lines, ==, 2);
        g_assert_cmpuint(st.malformed, ==, 1);
        g_assert_cmpint(sk_simple_trace_next(t, &ev, &st, &error), ==, -1);
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_clear_error(&error);
        sk_simple_trace_free(t);
        g_free(want);
        g_free(path);
    }
    /* Cut inside a mapping record. */
    {
        GByteArray *m = log_new();
        char *path;
        GError *error = NULL;
        SkLogEvent ev;
        SkSimpleTrace *t;

        log_map(m, 1, "vtd_iotlb_page_hit");
        path = sk_test_write_tmp("cutmap.st", m->data, m->len - 3);
        t = open_ok(path, events_path);
        g_assert_cmpint(sk_simple_trace_next(t, &ev, NULL, &error), ==, -1);
        g_assert_nonnull(strstr(error->message, "truncated record at byte 24"));
        g_clear_error(&error);
        sk_simple_trace_free(t);
        g_free(path);
        g_byte_array_free(m, TRUE);
    }
    g_byte_array_free(b, TRUE);
}

/* Records that cannot be stepped over end the read. */
SK_TEST(test_bad_records, "/simpletrace/bad-records")
{
    static const struct {
        uint64_t type;
        uint32_t len;
        const char *want;
    } cases[] = {
        { 2, 24, "record at byte 24: unknown record type 2" },
        { 1, 23, "record at byte 24: length 23 outside 24..262144" },
        { 1, 262145, "record at byte 24: length 262145 outside 24..262144" },
        { 1, 0xffffffff, "length 4294967295 outside" },
        { 0, 0, "mapping record at byte 24: name length 0 outside 1..4096" },
        { 0, 4097, "name length 4097 outside 1..4096" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GByteArray *b = log_new();
        SkLogStats st = { 0 };
        GError *error = NULL;
        SkLogEvent ev;
        SkSimpleTrace *t;
        char *path;

        sk_test_put_le(b, cases[i].type, 8);
        sk_test_put_le(b, 1, 8);                      /* event id */
        if (cases[i].type != 0)
            sk_test_put_le(b, 0, 8);                  /* timestamp */
        sk_test_put_le(b, cases[i].len, 4);           /* record or name length */
        sk_test_put_le(b, 0, 4);
        for (int k = 0; k < 8; k++)
            sk_test_put_le(b, 0, 8);
        path = write_log("bad.st", b);
        t = open_ok(path, events_path);
        g_assert_cmpint(sk_simple_trace_next(t, &ev, &st, &error), ==, -1);
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        if (strstr(error->message, cases[i].want) == NULL)
            g_error("case %zu: '%s' lacks '%s'", i, error->message,
                    cases[i].want);
        g_clear_error(&error);
        sk_simple_trace_free(t);
        g_free(path);
        g_byte_array_free(b, TRUE);
    }
    /* A mapping id beyond what any QEMU numbers. */
    {
        GByteArray *b = log_new();
        GError *error = NULL;
        SkLogEvent ev;
        SkSimpleTrace *t;
        char *path;

        log_map(b, UINT64_C(1) << 20, "vtd_iotlb_page_hit");
        path = write_log("bigid.st", b);
        t = open_ok(path, events_path);
        g_assert_cmpint(sk_simple_trace_next(t, &ev, NULL, &error), ==, -1);
        g_assert_nonnull(strstr(error->message, "event id 1048576 above"));
        g_clear_error(&error);
        sk_simple_trace_free(t);
        g_free(path);
        g_byte_array_free(b, TRUE);
    }
}

SK_TEST(test_bad_header, "/simpletrace/bad-header")
{
    GByteArray *b = log_new();
    GError *error = NULL;
    char *path, *missing;

    path = sk_test_write_tmp("empty.st", "", 0);
    open_fails(path, events_path, "not a QEMU simple trace log (no header)");
    g_free(path);
    path = sk_test_write_tmp("short.st", b->data, 23);
    open_fails(path, events_path, "not a QEMU simple trace log (no header)");
    g_free(path);

    b->data[8] ^= 0x10;
    path = write_log("magic.st", b);
    open_fails(path, events_path, "not a QEMU simple trace log (magic "
               "0xf2b177cb0aa429a4, expected 0xf2b177cb0aa429b4)");
    g_free(path);
    b->data[8] ^= 0x10;

    for (int i = 0; i < 4; i++) {   /* written by a big-endian host */
        uint8_t x = b->data[8 + i];
        b->data[8 + i] = b->data[15 - i];
        b->data[15 - i] = x;
    }
    path = write_log("be.st", b);
    open_fails(path, events_path, "big-endian");
    g_free(path);
    g_byte_array_free(b, TRUE);

    b = g_byte_array_new();
    sk_test_put_le(b, UINT64_MAX, 8);
    sk_test_put_le(b, MAGIC, 8);
    sk_test_put_le(b, 3, 8);
    path = write_log("v3.st", b);
    open_fails(path, events_path, "log format version 3 not supported");
    g_free(path);
    g_byte_array_free(b, TRUE);

    b = log_new();
    path = write_log("ok.st", b);
    open_fails(path, NULL, "simple log needs --trace-events");
    missing = sk_test_path("no-such-file");
    open_fails(path, missing, "trace events '");
    open_fails(missing, events_path, "cannot open: No such file");
    g_assert_null(sk_simple_trace_open(path, sk_test_dir(), &error));
    g_assert_nonnull(strstr(error->message, "trace events '"));
    g_clear_error(&error);
    g_free(missing);
    g_free(path);
    g_byte_array_free(b, TRUE);

    /* A header and nothing else: no events. */
    {
        SkLogStats st = { 0 };
        SkSimpleTrace *t;
        b = log_new();
        path = write_log("headeronly.st", b);
        t = open_ok(path, events_path);
        next_end(t, &st);
        g_assert_cmpuint(st.lines, ==, 0);
        sk_simple_trace_free(t);
        g_free(path);
        g_byte_array_free(b, TRUE);
    }
    sk_simple_trace_free(NULL);
}

/* trace-events files that tracetool refuses are refused, naming the line. */
SK_TEST(test_events_syntax, "/simpletrace/events-syntax")
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        { "foo(int a) \"x\"\nbar(int) \"y\"\n",
          ":2: argument 'int' needs a type and a name" },
        { "# c\n\nfoo() \"x\"\n", ":3: empty argument" },
        { "foo(int a, ) \"x\"\n", ":1: empty argument" },
        { "foo(int a \"x\"\n", ":1: missing ')'" },
        { "foo (int a) \"x\"\n", ":1: expected an event name followed by '('" },
        { "foo\n", ":1: expected an event name followed by '('" },
        { "(int a)\n", ":1: expected an event name followed by '('" },
        { "tcg foo(int a) \"x\"\n", ":1: unknown property 'tcg'" },
        { "disable foo(struct S *s) \"x\"\n",
          ":1: argument type 'struct S *' is not allowed" },
        { "foo(MyType a) \"x\"\n", ":1: argument type 'MyType' is not allowed" },
        { "foo(int a) bar\n", ":1: expected a format string after ')'" },
        { "foo(void *) \"x\"\n", ":1: argument 'void *' needs a type and a name" },
        { "foo(int 1a) \"x\"\n", ":1: bad argument name '1a'" },
        { "foo(int a, int b, int c, int d, int e, int f, int g, int h, int i,"
          " int j, int k) \"x\"\n", ":1: more than 10 arguments" },
        { "ok(void)\nvtd_iotlb_page_hit(uint16_t source, uint64_t addr, "
          "uint64_t slpte, uint16_t domain) \"x\"\n",
          ":2: event 'vtd_iotlb_page_hit' has no argument named 'sid'" },
        { "vtd_dmar_fault(const char *sid, uint64_t addr) \"x\"\n",
          ":1: argument 'sid' of event 'vtd_dmar_fault' is a string" },
        { "# only comments\n\n", ": no event declarations" },
        { "foo(int a) \"x\"\nba\0r(int b)\n", ":2: NUL byte" },
    };
    GByteArray *b = log_new();
    char *log_path = write_log("syntax.st", b);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        gsize len = strlen(cases[i].text);
        char *ev_path, *want;

        if (strstr(cases[i].want, "NUL") != NULL)
            len = strlen(cases[i].text) + 1 + strlen(cases[i].text +
                                                     strlen(cases[i].text) + 1);
        ev_path = sk_test_write_tmp("bad.events", cases[i].text, len);
        want = g_strdup_printf("trace events '%s'%s", ev_path, cases[i].want);
        open_fails(log_path, ev_path, want);
        g_free(want);
        g_free(ev_path);
    }
    g_free(log_path);
    g_byte_array_free(b, TRUE);
}

/* What tracetool accepts is accepted: blanks, CRLF, the last line without a
 * newline, a declaration without a format, ten arguments plus vcpu's. */
SK_TEST(test_events_accepted, "/simpletrace/events-accepted")
{
    static const char text[] =
        "  disable   vcpu  foo(int a, int b, int c, int d, int e, int f, int g,"
        " int h, int i, int j) \"x\"\r\n"
        "\tbar(unsigned long long x,const char*s)\n"
        "vtd_iotlb_page_hit(uint16_t sid, uint64_t addr, uint64_t slpte, "
        "uint16_t domain) \"IOTLB page hit sid 0x%\"PRIx16\" (x)\"";
    char *ev_path = sk_test_write_tmp("ok.events", text, sizeof text - 1);
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;

    log_map(b, 0, "foo");
    log_map(b, 1, "bar");
    log_map(b, 2, "vtd_iotlb_page_hit");
    log_event(b, 0, 1, "iiiiiiiiiii", (uint64_t)0, (uint64_t)1, (uint64_t)2,
              (uint64_t)3, (uint64_t)4, (uint64_t)5, (uint64_t)6, (uint64_t)7,
              (uint64_t)8, (uint64_t)9, (uint64_t)10);
    log_event(b, 0, 1, "iiiiiiiiii", (uint64_t)0, (uint64_t)1, (uint64_t)2,
              (uint64_t)3, (uint64_t)4, (uint64_t)5, (uint64_t)6, (uint64_t)7,
              (uint64_t)8, (uint64_t)9);   /* without __cpu: malformed */
    log_event(b, 1, 1, "is", (uint64_t)1, "s");
    log_event(b, 2, 9, "iiii", (uint64_t)1, (uint64_t)2, (uint64_t)3,
              (uint64_t)4);
    path = write_log("accepted.st", b);
    t = open_ok(path, ev_path);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.did, ==, 4);
    next_end(t, &st);
    g_assert_cmpuint(st.skipped, ==, 2);
    g_assert_cmpuint(st.malformed, ==, 1);
    sk_simple_trace_free(t);
    g_free(path);
    g_free(ev_path);
    g_byte_array_free(b, TRUE);
}

/* The trace-events-all that Debian's qemu-system-data installs is the file
 * of a real QEMU 7.2 build: it must parse, and its vtd layouts must read. */
SK_TEST(test_events_real, "/simpletrace/events-real")
{
    const char *real = "/usr/share/qemu/trace-events-all";
    GByteArray *b;
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;

    if (!g_file_test(real, G_FILE_TEST_IS_REGULAR)) {
        g_test_skip("no /usr/share/qemu/trace-events-all (qemu-system-data)");
        return;
    }
    b = log_new();
    log_map(b, 1595, "vtd_iotlb_page_hit");
    log_map(b, 1612, "vtd_dmar_translate");
    log_map(b, 7, "qmp_enter_eject");   /* qapi's own trace events */
    log_event(b, 7, 1, "s", "{}");
    log_event(b, 1595, 2, "iiii", (uint64_t)0x10, (uint64_t)0x2000,
              (uint64_t)0x3003, (uint64_t)3);
    log_event(b, 1612, 3, "iiiiii", (uint64_t)0, (uint64_t)2, (uint64_t)0,
              (uint64_t)0x2000, (uint64_t)0x3000, (uint64_t)0xfff);
    path = write_log("real.st", b);
    t = open_ok(path, real);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.sid, ==, 0x10);
    g_assert_cmpuint(ev.did, ==, 3);
    next_event(t, &ev, &st);
    g_assert_cmpuint(ev.sid, ==, 0x10);
    g_assert_cmpuint(ev.level, ==, 1);
    next_end(t, &st);
    g_assert_cmpuint(st.skipped, ==, 1);
    sk_simple_trace_free(t);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

/* Many records of varying sizes: reads across the buffer's refills. */
SK_TEST(test_many, "/simpletrace/many")
{
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;
    char str[300];
    uint64_t n = 0;
    const guint count = 200000;

    memset(str, 'x', sizeof str - 1);
    str[sizeof str - 1] = '\0';
    map_all(b);
    for (guint i = 0; i < count; i++) {
        log_event(b, ID_HIT, i, "iiii", (uint64_t)(i & 0xffff),
                  (uint64_t)i << 12, (uint64_t)i, (uint64_t)(i % 7));
        log_event(b, ID_RESET, i, "s", str + (i % 290));
    }
    path = write_log("many.st", b);
    g_assert_cmpuint(b->len, >, 3 * (4u << 20));
    t = open_ok(path, events_path);
    for (int r; (r = sk_simple_trace_next(t, &ev, &st, NULL)) == 1; n++) {
        g_assert_cmpuint(ev.time_ns, ==, n);
        g_assert_cmpuint(ev.iova, ==, n << 12);
        g_assert_cmpuint(ev.did, ==, n % 7);
    }
    g_assert_cmpuint(n, ==, count);
    g_assert_cmpuint(st.lines, ==, 2 * count);
    g_assert_cmpuint(st.skipped, ==, count);
    g_assert_cmpuint(st.malformed, ==, 0);
    sk_simple_trace_free(t);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

/* A log that grows after it was opened (QEMU still writing): the reader
 * opened it small, with a small buffer, and reads on to the new end. */
SK_TEST(test_grows, "/simpletrace/grows")
{
    GByteArray *b = log_new();
    SkLogStats st = { 0 };
    SkLogEvent ev;
    SkSimpleTrace *t;
    char *path;
    FILE *f;
    uint64_t n = 0;

    map_all(b);
    path = write_log("grows.st", b);
    t = open_ok(path, events_path);
    g_byte_array_set_size(b, 0);
    for (guint i = 0; i < 100000; i++)
        log_event(b, ID_DMAR, i, "iiiiii", (uint64_t)0, (uint64_t)3,
                  (uint64_t)0, (uint64_t)i << 12, (uint64_t)0x7000,
                  (uint64_t)0xfff);
    f = fopen(path, "ab");
    g_assert_nonnull(f);
    g_assert_cmpuint(fwrite(b->data, 1, b->len, f), ==, b->len);
    fclose(f);
    while (sk_simple_trace_next(t, &ev, &st, NULL) == 1) {
        g_assert_cmpuint(ev.iova, ==, n << 12);
        n++;
    }
    g_assert_cmpuint(n, ==, 100000);
    g_assert_cmpuint(st.lines, ==, 100000);
    g_assert_cmpuint(st.malformed, ==, 0);
    sk_simple_trace_free(t);
    g_free(path);
    g_byte_array_free(b, TRUE);
}

/* tests/fixtures/simpletrace: a real QEMU 7.2 (Debian's source, built with
 * log,simple) run wrote vtd.st and, through the log backend, vtd.log.gz:
 * the binary reader must give exactly the text reader's events. */
SK_TEST(test_real_capture, "/simpletrace/real-capture")
{
    const char *src = g_getenv("SIOKIT_SRC");
    char *dir, *st_path, *log_path, *ev_path;
    GError *error = NULL;
    SkLogStats st = { 0 };
    SkSimpleTrace *t;
    SkLogReader *r;
    SkLogEvent a, b;
    guint n = 0, first_cc = G_MAXUINT;
    int ra, rb;

    if (src == NULL) {
        g_test_skip("SIOKIT_SRC not set (run through meson test)");
        return;
    }
    dir = g_build_filename(src, "tests", "fixtures", "simpletrace", NULL);
    st_path = g_build_filename(dir, "vtd.st", NULL);
    log_path = g_build_filename(dir, "vtd.log.gz", NULL);
    ev_path = g_build_filename(dir, "trace-events", NULL);

    t = open_ok(st_path, ev_path);
    r = sk_log_reader_open(log_path, NULL, &error);
    g_assert_no_error(error);
    for (;;) {
        ra = sk_simple_trace_next(t, &a, &st, &error);
        g_assert_no_error(error);
        rb = sk_log_reader_next(r, &b, &error);
        g_assert_no_error(error);
        g_assert_cmpint(ra, ==, rb);
        if (ra == 0)
            break;
        g_assert_true(a.has & SK_LOG_HAS_TIME);
        /* Clocks differ: QEMU's monotonic ns here, wall-clock us there. */
        a.time_ns = b.time_ns = 0;
        a.has &= ~SK_LOG_HAS_TIME;
        b.has &= ~SK_LOG_HAS_TIME;
        if (memcmp(&a, &b, sizeof a) != 0)
            g_error("event %u differs between vtd.st and vtd.log.gz", n);
        /* The first DMA, lines 1091-1093: a context entry read, a walk,
         * its dmar_translate. */
        if (first_cc == G_MAXUINT && a.type == SK_LOG_CONTEXT) {
            first_cc = n;
            g_assert_cmpuint(a.sid, ==, 0x18);
            g_assert_cmpuint(a.did, ==, 3);
            g_assert_cmpuint(a.high, ==, 0x301);
            g_assert_cmpuint(a.low, ==, 0x285b001);
            g_assert_cmpuint(a.gen, ==, 1);
        } else if (first_cc != G_MAXUINT && n == first_cc + 1) {
            g_assert_cmpint(a.type, ==, SK_LOG_TRANSLATE);
            g_assert_cmpuint(a.via, ==, SK_LOG_VIA_WALK);
            g_assert_cmpuint(a.iova, ==, 0xffffb402);
            g_assert_cmpuint(a.slpte, ==, 0x2a6c003);
            g_assert_cmpuint(a.did, ==, 3);
        } else if (first_cc != G_MAXUINT && n == first_cc + 2) {
            g_assert_cmpuint(a.via, ==, SK_LOG_VIA_DMAR);
            g_assert_cmpuint(a.iova, ==, 0xffffb000);
            g_assert_cmpuint(a.result, ==, 0x2a6c000);
            g_assert_cmpuint(a.level, ==, 1);
        }
        n++;
    }
    g_assert_cmpuint(n, ==, 928);
    g_assert_cmpuint(first_cc, <, G_MAXUINT);
    g_assert_cmpuint(st.lines, ==, 3000);
    g_assert_cmpuint(st.events, ==, 928);
    g_assert_cmpuint(st.skipped, ==, 2072);
    g_assert_cmpuint(st.malformed, ==, 0);
    g_assert_cmpuint(sk_simple_trace_dropped(t), ==, 0);
    g_assert_cmpuint(sk_log_reader_stats(r)->lines, ==, 3000);
    sk_log_reader_free(r);
    sk_simple_trace_free(t);
    g_free(dir);
    g_free(st_path);
    g_free(log_path);
    g_free(ev_path);
}

int main(int argc, char **argv)
{
    int rc;

    sk_test_init(&argc, &argv);
    events_path = sk_test_write_tmp("trace-events", events_text,
                             sizeof events_text - 1);

    rc = g_test_run();
    g_free(events_path);
    return rc;
}
