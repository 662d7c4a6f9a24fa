/* test_logreader.c - the QEMU log reader: every event line of both text
 * dialects parsed field by field, prefixes, malformed and skipped lines,
 * strict mode, gzip and zstd copies, truncated streams, odd line endings,
 * huge lines, and the fixture logs of tests/fixtures/. */
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "sk_error.h"
#include "sk_logreader.h"
#include "sk_qemulog.h"
#include "sk_record.h"
#include "sk_test.h"

#define MASK4K UINT64_C(0xfffffffffffff000)
#define MASK2M UINT64_C(0xffffffffffe00000)
#define T(sec, usec) (UINT64_C(sec) * 1000000000u + UINT64_C(usec) * 1000u)

/* ---- helpers ----------------------------------------------------------- */

static char *fixture(const char *dir, const char *name)
{
    const char *src = g_getenv("SIOKIT_SRC");

    return g_build_filename(src != NULL ? src : ".", "tests", "fixtures", dir,
                            name, NULL);
}

static void assert_event_eq(const SkLogEvent *got, const SkLogEvent *want,
                            const char *line)
{
    if (memcmp(got, want, sizeof(*got)) == 0)
        return;
    g_test_message("line: %s", line);
    g_assert_cmpint(got->type, ==, want->type);
    g_assert_cmpuint(got->via, ==, want->via);
    g_assert_cmpuint(got->level, ==, want->level);
    g_assert_cmphex(got->sid, ==, want->sid);
    g_assert_cmphex(got->has, ==, want->has);
    g_assert_cmphex(got->did, ==, want->did);
    g_assert_cmpuint(got->gen, ==, want->gen);
    g_assert_cmphex(got->iova, ==, want->iova);
    g_assert_cmphex(got->mask, ==, want->mask);
    g_assert_cmphex(got->slpte, ==, want->slpte);
    g_assert_cmphex(got->result, ==, want->result);
    g_assert_cmphex(got->high, ==, want->high);
    g_assert_cmphex(got->low, ==, want->low);
    g_assert_cmphex(got->addr, ==, want->addr);
    g_assert_cmpuint(got->time_ns, ==, want->time_ns);
    g_assert_cmpuint(got->inv_type, ==, want->inv_type);
    g_assert_not_reached();  /* padding differs */
}

typedef struct {
    const char *line;
    SkLogDialect seen;
    SkLogEvent ev;
} LineCase;

static void check_cases(const LineCase *cases, gsize n, SkLogDialect want)
{
    for (gsize i = 0; i < n; i++) {
        char reason[SK_QEMULOG_REASON_MAX] = "";
        SkLogEvent ev, expect;
        SkLogDialect seen;
        SkQemuLogResult res;

        memset(&expect, 0, sizeof(expect));
        expect = cases[i].ev;
        res = sk_qemulog_parse(cases[i].line, strlen(cases[i].line), want,
                               &seen, &ev, reason);
        if (res != SK_QEMULOG_EVENT)
            g_test_message("line %s: %d %s", cases[i].line, res, reason);
        g_assert_cmpint(res, ==, SK_QEMULOG_EVENT);
        g_assert_cmpint(seen, ==, cases[i].seen);
        assert_event_eq(&ev, &expect, cases[i].line);
    }
}

/* ---- the line parser ----------------------------------------------------- */

static const LineCase hypersio_cases[] = {
    { "4242@1600000000.000007:vtd_iotlb_page_hit IOTLB page hit sid 0x10 "
      "iova 0xfff00080 pmask 0xfffffffffffff000 slpte 0x2000003 domain 0x3",
      SK_LOG_DIALECT_HYPERSIO10,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_IOTLB, .level = 1,
        .sid = 0x10, .did = 3, .iova = 0xfff00080, .mask = MASK4K,
        .slpte = 0x2000003, .time_ns = T(1600000000, 7),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_MASK | SK_LOG_HAS_SLPTE |
               SK_LOG_HAS_TIME } },
    /* A mask of no page size: kept, level 0. */
    { "vtd_iotlb_page_hit IOTLB page hit sid 0xffff iova 0xffffffffffffffff "
      "pmask 0xffffffffffff0000 slpte 0x0 domain 0xffff",
      SK_LOG_DIALECT_HYPERSIO10,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_IOTLB, .level = 0,
        .sid = 0xffff, .did = 0xffff, .iova = UINT64_MAX,
        .mask = UINT64_C(0xffffffffffff0000),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_MASK | SK_LOG_HAS_SLPTE } },
    { "4242@1600000000.000005:vtd_iotlb_page_update IOTLB page update sid 0x10 "
      "iova 0xfff00040 slpte 0x2000003 level 0x1 domain 0x3",
      SK_LOG_DIALECT_HYPERSIO10,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_WALK, .level = 1,
        .sid = 0x10, .did = 3, .iova = 0xfff00040, .mask = MASK4K,
        .slpte = 0x2000003, .time_ns = T(1600000000, 5),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_SLPTE |
               SK_LOG_HAS_TIME } },
    { "vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x40000000 "
      "slpte 0x40000083 level 0x3 domain 0x3",
      SK_LOG_DIALECT_HYPERSIO10,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_WALK, .level = 3,
        .sid = 0x10, .did = 3, .iova = 0x40000000,
        .mask = UINT64_C(0xffffffffc0000000), .slpte = 0x40000083,
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_SLPTE } },
    { "4242@1600000000.000002:vtd_slpte_fetch SLPTE fetch: high 0x302 "
      "low 0x1002001 iova 0xfff00040 level 0x3 addr 0x1002000 slpte 0x1003003",
      SK_LOG_DIALECT_HYPERSIO10,
      { .type = SK_LOG_SLPTE_FETCH, .level = 3, .did = 3, .high = 0x302,
        .low = 0x1002001, .iova = 0xfff00040, .addr = 0x1002000,
        .slpte = 0x1003003, .time_ns = T(1600000000, 2),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_SLPTE |
               SK_LOG_HAS_TIME } },
    { "4242@1600000000.000001:vtd_iotlb_cc_update IOTLB context update "
      "bus 0x0 devfn 0x10 high 0xabcd02 low 0x1002001 gen 7 -> gen 12",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_CONTEXT, .sid = 0x10, .did = 0xabcd, .gen = 12,
        .high = 0xabcd02, .low = 0x1002001, .time_ns = T(1600000000, 1),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_TIME } },
    { "vtd_iotlb_cc_hit IOTLB context hit bus 0x3 devfn 0xff high 0x302 "
      "low 0x1002001 gen 4294967295",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_CONTEXT, .sid = 0x3ff, .did = 3, .gen = UINT32_MAX,
        .high = 0x302, .low = 0x1002001, .has = SK_LOG_HAS_DID } },
    /* Generations in hex, blanks stretched, a CR at the end. */
    { "vtd_iotlb_cc_update  IOTLB context update bus 0x0\tdevfn 0x8 "
      "high 0x302 low 0x1 gen 0x1a ->  gen 0x1b \r",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_CONTEXT, .sid = 0x8, .did = 3, .gen = 0x1b,
        .high = 0x302, .low = 1, .has = SK_LOG_HAS_DID } },
};

SK_TEST(test_parse_hypersio, "/qemulog/hypersio")
{
    check_cases(hypersio_cases, G_N_ELEMENTS(hypersio_cases),
                SK_LOG_DIALECT_UNKNOWN);
    check_cases(hypersio_cases, G_N_ELEMENTS(hypersio_cases),
                SK_LOG_DIALECT_HYPERSIO10);
}

/* Lines in the forms of QEMU 7.2's hw/i386/trace-events. */
static const LineCase qemu72_cases[] = {
    { "26692@1795318789.000015:vtd_iotlb_page_hit IOTLB page hit sid 0x18 "
      "iova 0xfffff040 slpte 0x11c1003 domain 0x3",
      SK_LOG_DIALECT_QEMU72,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_IOTLB, .sid = 0x18,
        .did = 3, .iova = 0xfffff040, .slpte = 0x11c1003,
        .time_ns = T(1795318789, 15),
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE | SK_LOG_HAS_TIME } },
    { "vtd_iotlb_page_update IOTLB page update sid 0x18 iova 0xfffff000 "
      "slpte 0x11c1003 domain 0x3",
      SK_LOG_DIALECT_QEMU72,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_WALK, .sid = 0x18,
        .did = 3, .iova = 0xfffff000, .slpte = 0x11c1003,
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE } },
    { "26692@1795318789.000013:vtd_dmar_translate dev 00:03.00 "
      "iova 0xfffff000 -> gpa 0x11c1000 mask 0xfff",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_DMAR, .level = 1,
        .sid = 0x18, .iova = 0xfffff000, .result = 0x11c1000, .mask = MASK4K,
        .time_ns = T(1795318789, 13),
        .has = SK_LOG_HAS_MASK | SK_LOG_HAS_TIME } },
    { "vtd_dmar_translate dev ff:1f.07 iova 0x7ffff000 -> gpa 0x1200000 "
      "mask 0x1fffff",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_TRANSLATE, .via = SK_LOG_VIA_DMAR, .level = 2,
        .sid = 0xffff, .iova = 0x7ffff000, .result = 0x1200000,
        .mask = MASK2M, .has = SK_LOG_HAS_MASK } },
    { "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x18 high 0x302 "
      "low 0x11bc001 gen 1",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_CONTEXT, .sid = 0x18, .did = 3, .gen = 1,
        .high = 0x302, .low = 0x11bc001, .has = SK_LOG_HAS_DID } },
    { "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x18 "
      "high 0x302 low 0x11bc001 gen 0 -> gen 1",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_CONTEXT, .sid = 0x18, .did = 3, .gen = 1,
        .high = 0x302, .low = 0x11bc001, .has = SK_LOG_HAS_DID } },
    { "vtd_inv_desc_cc_global context invalidate globally",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_CONTEXT_GLOBAL } },
    { "vtd_inv_desc_cc_domain context invalidate domain 0x3",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_CONTEXT_DOMAIN,
        .did = 3, .has = SK_LOG_HAS_DID } },
    { "vtd_inv_desc_cc_devices context invalidate devices sid 0x18 fmask 0x3",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_CONTEXT_DEVICE,
        .sid = 0x18, .mask = 3 } },
    { "vtd_inv_desc_iotlb_global iotlb invalidate global",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_IOTLB_GLOBAL } },
    { "vtd_inv_desc_iotlb_domain iotlb invalidate whole domain 0x3",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_IOTLB_DOMAIN,
        .did = 3, .has = SK_LOG_HAS_DID } },
    { "vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x3 addr 0xfffff000 "
      "mask 0x0",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_IOTLB_PAGES,
        .did = 3, .iova = 0xfffff000, .mask = MASK4K,
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_MASK } },
    { "vtd_inv_desc_iotlb_pasid_pages iotlb invalidate domain 0x3 "
      "addr 0xffe00000 mask 0x9 pasid 0x5",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_IOTLB_PAGES,
        .did = 3, .iova = 0xffe00000, .mask = MASK2M,
        .has = SK_LOG_HAS_DID | SK_LOG_HAS_MASK } },
    { "vtd_inv_desc_iotlb_pasid iotlb invalidate domain 0x3 pasid 0x1",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_IOTLB_DOMAIN,
        .did = 3, .has = SK_LOG_HAS_DID } },
    { "vtd_inv_desc_wait_sw wait invalidate status write addr 0x11ba804 "
      "data 0x2",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_WAIT,
        .iova = 0x11ba804 } },
    { "vtd_inv_desc_iec granularity 0x0 index 0x2a mask 0x1",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_INVALIDATE, .inv_type = SK_LOG_INV_OTHER } },
    { "vtd_dmar_fault sid 0x18 fault 6 addr 0xdead000 write 1",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_FAULT, .sid = 0x18, .iova = 0xdead000 } },
    { "vtd_dmar_fault sid 0x18 fault -1 addr 0x0 write 0",
      SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_FAULT, .sid = 0x18 } },
    { "vtd_fault_disabled Fault processing disabled for context entry",
      SK_LOG_DIALECT_UNKNOWN, { .type = SK_LOG_FAULT } },
    { "vtd_err_dmar_iova_overflow iova 0x1000", SK_LOG_DIALECT_UNKNOWN,
      { .type = SK_LOG_FAULT } },
};

SK_TEST(test_parse_qemu72, "/qemulog/qemu72")
{
    check_cases(qemu72_cases, G_N_ELEMENTS(qemu72_cases),
                SK_LOG_DIALECT_UNKNOWN);
    check_cases(qemu72_cases, G_N_ELEMENTS(qemu72_cases),
                SK_LOG_DIALECT_QEMU72);
}

SK_TEST(test_parse_prefixes, "/qemulog/prefixes")
{
    static const struct {
        const char *prefix;
        gboolean timed;
        uint64_t ns;
    } cases[] = {
        { "", FALSE, 0 },
        { "1@0.000000:", TRUE, 0 },
        { "26692@1795318789.000015:", TRUE, T(1795318789, 15) },
        { "7@9999999999.999999:", TRUE, T(9999999999, 999999) },
        { "2024-01-01T00:00:00.123456Z ", TRUE,
          UINT64_C(1704067200123456000) },
        { "1970-01-01T00:00:00Z ", TRUE, 0 },
        { "2024-02-29T23:59:59.5Z\t", TRUE, UINT64_C(1709251199500000000) },
        /* Both: the log backend's own wins. */
        { "2024-01-01T00:00:00.123456Z 5@100.000001:", TRUE,
          T(100, 1) },
    };
    const char *body = "vtd_iotlb_page_hit IOTLB page hit sid 0x18 "
                       "iova 0x1000 slpte 0x3 domain 0x3";

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *line = g_strconcat(cases[i].prefix, body, NULL);
        SkLogEvent ev;
        SkQemuLogResult res = sk_qemulog_parse(line, strlen(line),
                                               SK_LOG_DIALECT_UNKNOWN, NULL,
                                               &ev, NULL);
        g_test_message("%s", line);
        g_assert_cmpint(res, ==, SK_QEMULOG_EVENT);
        g_assert_cmpuint(ev.iova, ==, 0x1000);
        g_assert_cmpuint(!!(ev.has & SK_LOG_HAS_TIME), ==, cases[i].timed);
        g_assert_cmpuint(ev.time_ns, ==, cases[i].ns);
        g_free(line);
    }
}

SK_TEST(test_parse_malformed, "/qemulog/malformed")
{
    static const struct {
        const char *line;
        SkLogDialect want;
        const char *reason;
    } cases[] = {
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x10000000000000000 "
          "slpte 0x3 domain 0x1", 0,
          "vtd_iotlb_page_hit: 'iova' overflows 64 bits" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3",
          0, "vtd_iotlb_page_hit: missing 'domain'" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 "
          "domain", 0, "vtd_iotlb_page_hit: missing value of 'domain'" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x10zz slpte 0x3 "
          "domain 0x1", 0, "vtd_iotlb_page_hit: 'iova' has a bad digit" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 4096 slpte 0x3 "
          "domain 0x1", 0, "vtd_iotlb_page_hit: 'iova' is not a 0x number" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 "
          "domain 0x1 extra", 0, "vtd_iotlb_page_hit: has trailing text" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10000 iova 0x1000 "
          "slpte 0x3 domain 0x1", 0, "vtd_iotlb_page_hit: 'sid' exceeds 0xffff" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 "
          "domain 0x10000", 0,
          "vtd_iotlb_page_hit: 'domain' exceeds 0xffff" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 "
          "domain 0x1", SK_LOG_DIALECT_HYPERSIO10,
          "vtd_iotlb_page_hit: expected 'pmask'" },
        { "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 "
          "pmask 0xfffffffffffff000 slpte 0x3 domain 0x1",
          SK_LOG_DIALECT_QEMU72, "vtd_iotlb_page_hit: expected 'slpte'" },
        { "vtd_iotlb_page_hit", 0, "vtd_iotlb_page_hit: missing 'IOTLB'" },
        { "vtd_iotlb_page_hit IOTLB page miss", 0,
          "vtd_iotlb_page_hit: expected 'hit'" },
        { "vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x1000 "
          "slpte 0x3 level 0x4 domain 0x1", 0,
          "vtd_iotlb_page_update: 'level' outside 1..3" },
        { "vtd_iotlb_page_update IOTLB page update sid 0x10 iova 0x1000 "
          "slpte 0x3 level 0x0 domain 0x1", 0,
          "vtd_iotlb_page_update: 'level' outside 1..3" },
        { "vtd_slpte_fetch SLPTE fetch: high 0x1 low 0x2 iova 0x1000 "
          "level 0x6 addr 0x5 slpte 0x3", 0,
          "vtd_slpte_fetch: 'level' outside 1..5" },
        { "vtd_slpte_fetch SLPTE fetch: high 0x1 low 0x2 iova 0x1000 "
          "level 0x1 addr 0x5", 0, "vtd_slpte_fetch: missing 'slpte'" },
        { "vtd_iotlb_cc_hit IOTLB context hit bus 0x100 devfn 0x10 high 0x1 "
          "low 0x2 gen 1", 0, "vtd_iotlb_cc_hit: 'bus' exceeds 0xff" },
        { "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x10 high 0x1 "
          "low 0x2 gen 4294967296", 0, "vtd_iotlb_cc_hit: 'gen' exceeds 32 bits" },
        { "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x10 high 0x1 "
          "low 0x2 gen 1a", 0, "vtd_iotlb_cc_hit: 'gen' has a bad digit" },
        { "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x10 "
          "high 0x1 low 0x2 gen 1 - gen 2", 0,
          "vtd_iotlb_cc_update: expected '->'" },
        { "vtd_iotlb_cc_update IOTLB context update bus 0x0 devfn 0x10 "
          "high 0x1 low 0x2 gen 99999999999999999999999 -> gen 2", 0,
          "vtd_iotlb_cc_update: 'gen' overflows 64 bits" },
        { "vtd_dmar_translate dev 00:20.00 iova 0x1000 -> gpa 0x1000 "
          "mask 0xfff", 0, "vtd_dmar_translate: 'slot' exceeds 0x1f" },
        { "vtd_dmar_translate dev 00:03.08 iova 0x1000 -> gpa 0x1000 "
          "mask 0xfff", 0, "vtd_dmar_translate: 'function' exceeds 7" },
        { "vtd_dmar_translate dev 00:03.00 iova 0x1000 -> gpa 0x1000 "
          "mask 0xf0f", 0, "vtd_dmar_translate: 'mask' is not a page offset mask" },
        { "vtd_dmar_translate dev 00:03 iova 0x1000 -> gpa 0x1000 mask 0xfff",
          0, "vtd_dmar_translate: expected '.'" },
        { "vtd_inv_desc_iotlb_pages iotlb invalidate domain 0x3 addr 0x0 "
          "mask 0x34", 0, "vtd_inv_desc_iotlb_pages: 'mask' exceeds 51" },
        { "vtd_inv_desc_cc_global context invalidate", 0,
          "vtd_inv_desc_cc_global: missing 'globally'" },
        { "vtd_dmar_fault sid 0x18 fault 6 addr 0x0 write 2", 0,
          "vtd_dmar_fault: 'write' is not 0 or 1" },
        { "12@34x.5:vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 "
          "slpte 0x3 domain 0x1", 0, "bad 'pid@sec.usec:' prefix" },
        { "12@99999999999.000000:vtd_iotlb_page_hit IOTLB page hit", 0,
          "bad 'pid@sec.usec:' prefix" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char reason[SK_QEMULOG_REASON_MAX] = "";
        SkLogEvent ev;
        SkQemuLogResult res = sk_qemulog_parse(cases[i].line,
                                               strlen(cases[i].line),
                                               cases[i].want, NULL, &ev,
                                               reason);
        g_test_message("%s -> %s", cases[i].line, reason);
        g_assert_cmpint(res, ==, SK_QEMULOG_MALFORMED);
        g_assert_cmpstr(reason, ==, cases[i].reason);
    }
}

SK_TEST(test_parse_skipped, "/qemulog/skipped")
{
    static const char *const lines[] = {
        "",
        "\r",
        "hello",
        "qemu-system-x86_64: -device foo: warning: bar",
        "2026-11-22T10:00:00.123456Z qemu-system-x86_64: terminating on signal 15",
        "26688@1795318785.791142:vtd_context_cache_reset ",
        "vtd_inv_desc type iotlb high 0x0 low 0x30012",
        "vtd_inv_desc_cc_device context invalidate device 00:03.00",
        "vtd_inv_desc_wait_irq Generating complete event",
        "vtd_iotlb_page_hitx IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 domain 0x1",
        "vtd_",
        "vtd",
        "virtio_queue_notify vdev 0x1 n 0 vq 0x2",
        "1234@5.000001:virtio_queue_notify vdev 0x1 n 0 vq 0x2",
        "1234@5.x: not a time and no event",
        "12345",
        " vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 domain 0x1",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
        SkLogEvent ev;
        g_test_message("%s", lines[i]);
        g_assert_cmpint(sk_qemulog_parse(lines[i], strlen(lines[i]),
                                         SK_LOG_DIALECT_UNKNOWN, NULL, &ev,
                                         NULL), ==, SK_QEMULOG_SKIP);
    }
}

SK_TEST(test_parse_not_terminated, "/qemulog/not-terminated")
{
    /* The parser must stop at len even when the bytes run on. */
    const char *s = "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x10 "
                    "high 0x302 low 0x1 gen 12345";
    char reason[SK_QEMULOG_REASON_MAX];
    SkLogEvent ev;
    size_t n = strlen(s);

    g_assert_cmpint(sk_qemulog_parse(s, n - 3, 0, NULL, &ev, reason), ==,
                    SK_QEMULOG_EVENT);
    g_assert_cmpuint(ev.gen, ==, 12);
    for (size_t k = 0; k < n - 3; k++)
        (void)sk_qemulog_parse(s, k, 0, NULL, &ev, reason);
}

SK_TEST(test_hypersio_gen, "/qemulog/hypersio-gen")
{
    g_assert_cmphex(sk_qemulog_hypersio_gen(0), ==, 0);
    g_assert_cmphex(sk_qemulog_hypersio_gen(9), ==, 9);
    g_assert_cmphex(sk_qemulog_hypersio_gen(10), ==, 0x10);
    g_assert_cmphex(sk_qemulog_hypersio_gen(1234), ==, 0x1234);
    g_assert_cmphex(sk_qemulog_hypersio_gen(UINT32_MAX), ==,
                    UINT64_C(0x4294967295));
}

/* ---- the reader ------------------------------------------------------------ */

/* Reads a whole log: its events, the stats in *stats. */
static GArray *read_all(const char *path, const SkLogReaderOptions *opt,
                        SkLogStats *stats, SkLogDialect *dialect)
{
    GArray *evs = g_array_new(FALSE, FALSE, sizeof(SkLogEvent));
    GError *error = NULL;
    SkLogReader *r = sk_log_reader_open(path, opt, &error);
    SkLogEvent ev;
    int ret;

    g_assert_no_error(error);
    while ((ret = sk_log_reader_next(r, &ev, &error)) == 1)
        g_array_append_val(evs, ev);
    g_assert_no_error(error);
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &error), ==, 0);
    if (stats != NULL)
        *stats = *sk_log_reader_stats(r);
    if (dialect != NULL)
        *dialect = sk_log_reader_dialect(r);
    sk_log_reader_free(r);
    return evs;
}

static void assert_same_events(GArray *a, GArray *b)
{
    g_assert_cmpuint(a->len, ==, b->len);
    g_assert_true(a->len == 0 ||
                  memcmp(a->data, b->data, a->len * sizeof(SkLogEvent)) == 0);
}

static void assert_stats(const SkLogStats *s, uint64_t lines, uint64_t events,
                         uint64_t skipped, uint64_t malformed)
{
    g_assert_cmpuint(s->lines, ==, lines);
    g_assert_cmpuint(s->events, ==, events);
    g_assert_cmpuint(s->skipped, ==, skipped);
    g_assert_cmpuint(s->malformed, ==, malformed);
}

SK_TEST(test_fixture_hypersio, "/logreader/fixture-hypersio")
{
    char *path = fixture("logs", "hypersio-1.0.log");
    GError *error = NULL;
    SkLogReader *r = sk_log_reader_open(path, NULL, &error);
    SkLogStats s;
    SkLogDialect d;
    GArray *evs;
    const SkLogEvent *e;

    g_assert_no_error(error);
    /* Known from the first lines, before any next(). */
    g_assert_cmpint(sk_log_reader_dialect(r), ==, SK_LOG_DIALECT_HYPERSIO10);
    sk_log_reader_free(r);

    evs = read_all(path, NULL, &s, &d);
    assert_stats(&s, 12, 10, 2, 0);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_HYPERSIO10);
    e = &g_array_index(evs, SkLogEvent, 0);
    g_assert_cmpint(e->type, ==, SK_LOG_CONTEXT);
    g_assert_cmpuint(e->did, ==, 3);
    g_assert_cmpuint(e->gen, ==, 1);
    for (int i = 1; i <= 3; i++) {
        e = &g_array_index(evs, SkLogEvent, i);
        g_assert_cmpint(e->type, ==, SK_LOG_SLPTE_FETCH);
        g_assert_cmpuint(e->level, ==, 4 - i);
    }
    e = &g_array_index(evs, SkLogEvent, 4);
    g_assert_cmpint(e->via, ==, SK_LOG_VIA_WALK);
    g_assert_cmphex(e->mask, ==, MASK4K);
    e = &g_array_index(evs, SkLogEvent, 7);
    g_assert_cmpuint(e->level, ==, 2);
    g_assert_cmphex(e->mask, ==, MASK2M);
    e = &g_array_index(evs, SkLogEvent, 8);
    g_assert_cmpuint(e->level, ==, 2);
    e = &g_array_index(evs, SkLogEvent, 9);
    g_assert_cmpuint(e->level, ==, 0);   /* 64 KiB: no page size */
    g_assert_cmphex(e->mask, ==, UINT64_C(0xffffffffffff0000));
    g_assert_cmpuint(e->time_ns, ==, T(1600000000, 12));
    g_array_free(evs, TRUE);
    g_free(path);
}

SK_TEST(test_fixture_qemu72, "/logreader/fixture-qemu72")
{
    static const struct {
        SkLogEventType type;
        uint32_t sub;   /* inv_type or via */
    } want[] = {
        { SK_LOG_INVALIDATE, SK_LOG_INV_OTHER },
        { SK_LOG_INVALIDATE, SK_LOG_INV_WAIT },
        { SK_LOG_INVALIDATE, SK_LOG_INV_CONTEXT_GLOBAL },
        { SK_LOG_INVALIDATE, SK_LOG_INV_CONTEXT_DOMAIN },
        { SK_LOG_INVALIDATE, SK_LOG_INV_CONTEXT_DEVICE },
        { SK_LOG_INVALIDATE, SK_LOG_INV_IOTLB_GLOBAL },
        { SK_LOG_INVALIDATE, SK_LOG_INV_IOTLB_DOMAIN },
        { SK_LOG_INVALIDATE, SK_LOG_INV_IOTLB_PAGES },
        { SK_LOG_INVALIDATE, SK_LOG_INV_IOTLB_PAGES },
        { SK_LOG_INVALIDATE, SK_LOG_INV_IOTLB_DOMAIN },
        { SK_LOG_CONTEXT, 0 },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_WALK },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_DMAR },
        { SK_LOG_CONTEXT, 0 },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_IOTLB },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_DMAR },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_IOTLB },
        { SK_LOG_TRANSLATE, SK_LOG_VIA_DMAR },
        { SK_LOG_FAULT, 0 },
        { SK_LOG_FAULT, 0 },
        { SK_LOG_FAULT, 0 },
    };
    char *path = fixture("logs", "qemu-7.2.log");
    SkLogStats s;
    SkLogDialect d;
    GArray *evs = read_all(path, NULL, &s, &d);

    assert_stats(&s, 26, 21, 5, 0);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_QEMU72);
    g_assert_cmpuint(evs->len, ==, G_N_ELEMENTS(want));
    for (guint i = 0; i < evs->len; i++) {
        const SkLogEvent *e = &g_array_index(evs, SkLogEvent, i);
        g_assert_cmpint(e->type, ==, want[i].type);
        if (e->type == SK_LOG_INVALIDATE)
            g_assert_cmpuint(e->inv_type, ==, want[i].sub);
        if (e->type == SK_LOG_TRANSLATE)
            g_assert_cmpuint(e->via, ==, want[i].sub);
    }
    /* The 2 MiB translation; the ISO-timed fault. */
    g_assert_cmpuint(g_array_index(evs, SkLogEvent, 17).level, ==, 2);
    g_assert_cmpuint(g_array_index(evs, SkLogEvent, 18).time_ns, ==,
                     UINT64_C(1795341600123456000));
    g_array_free(evs, TRUE);
    g_free(path);
}

/* The real stock-QEMU capture, when it is there: no malformed line. */
SK_TEST(test_fixture_qemu72_capture, "/logreader/qemu72-capture")
{
    char *path = fixture("qemu72", "vtd.log");
    SkLogStats s;
    SkLogDialect d;
    GArray *evs;
    guint translate[4] = { 0 };

    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_test_skip("no tests/fixtures/qemu72/vtd.log");
        g_free(path);
        return;
    }
    evs = read_all(path, NULL, &s, &d);
    g_assert_cmpuint(s.malformed, ==, 0);
    g_assert_cmpuint(s.lines, ==, s.events + s.skipped);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_QEMU72);
    for (guint i = 0; i < evs->len; i++) {
        const SkLogEvent *e = &g_array_index(evs, SkLogEvent, i);
        g_assert_true(e->has & SK_LOG_HAS_TIME);
        if (e->type == SK_LOG_TRANSLATE)
            translate[e->via]++;
    }
    /* Each translation: a hit or an update, then vtd_dmar_translate. */
    g_assert_cmpuint(translate[SK_LOG_VIA_DMAR], >, 0);
    g_assert_cmpuint(translate[SK_LOG_VIA_IOTLB] + translate[SK_LOG_VIA_WALK],
                     ==, translate[SK_LOG_VIA_DMAR]);
    g_array_free(evs, TRUE);
    g_free(path);
}

/* HyperSIO-dialect logs of other fixtures (trace-gen's), when there. */
SK_TEST(test_fixture_hslogs, "/logreader/hslogs")
{
    char *dir = fixture("hslogs", "");
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint n = 0;

    if (d == NULL) {
        g_test_skip("no tests/fixtures/hslogs");
        g_free(dir);
        return;
    }
    while ((name = g_dir_read_name(d)) != NULL) {
        char *path;
        SkLogStats s;
        SkLogDialect dl;
        if (!g_str_has_suffix(name, ".txt"))
            continue;
        path = g_build_filename(dir, name, NULL);
        g_array_free(read_all(path, NULL, &s, &dl), TRUE);
        g_assert_cmpuint(s.malformed, ==, 0);
        g_assert_cmpuint(s.events, >, 0);
        g_assert_cmpint(dl, ==, SK_LOG_DIALECT_HYPERSIO10);
        g_free(path);
        n++;
    }
    g_dir_close(d);
    g_free(dir);
}

SK_TEST(test_malformed_examples, "/logreader/malformed")
{
    char *path = fixture("logs", "malformed.log");
    SkLogReaderOptions opt = { .max_examples = 3 };
    GError *error = NULL;
    SkLogStats s;
    SkLogDialect d;
    GArray *evs = read_all(path, &opt, &s, &d);
    SkLogReader *r;
    const char *const *ex;
    guint n;
    char *want;
    SkLogEvent ev;
    int ret;

    assert_stats(&s, 9, 3, 1, 5);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_HYPERSIO10);
    g_assert_cmpuint(g_array_index(evs, SkLogEvent, 2).iova, ==, 0x2000);
    g_array_free(evs, TRUE);

    r = sk_log_reader_open(path, &opt, &error);
    g_assert_no_error(error);
    while (sk_log_reader_next(r, &ev, &error) == 1)
        ;
    g_assert_no_error(error);
    ex = sk_log_reader_examples(r, &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_null(ex[3]);
    want = g_strdup_printf("%s:2: vtd_iotlb_page_hit: 'iova' overflows 64 bits",
                           path);
    g_assert_cmpstr(ex[0], ==, want);
    g_free(want);
    want = g_strdup_printf("%s:4: vtd_iotlb_page_update: 'level' outside 1..3",
                           path);
    g_assert_cmpstr(ex[1], ==, want);
    g_free(want);
    want = g_strdup_printf("%s:5: vtd_slpte_fetch: missing 'slpte'", path);
    g_assert_cmpstr(ex[2], ==, want);
    g_free(want);
    sk_log_reader_free(r);

    /* Strict: the first malformed line is an error, and stays one. */
    opt.strict = TRUE;
    r = sk_log_reader_open(path, &opt, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &error), ==, 1);
    ret = sk_log_reader_next(r, &ev, &error);
    g_assert_cmpint(ret, ==, -1);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    want = g_strdup_printf("%s:2: vtd_iotlb_page_hit: 'iova' overflows 64 bits",
                           path);
    g_assert_cmpstr(error->message, ==, want);
    g_free(want);
    g_clear_error(&error);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &error), ==, -1);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    assert_stats(sk_log_reader_stats(r), 2, 1, 0, 1);
    sk_log_reader_free(r);

    /* No examples kept when none are asked for. */
    opt.strict = FALSE;
    opt.max_examples = 0;
    r = sk_log_reader_open(path, &opt, &error);
    while (sk_log_reader_next(r, &ev, &error) == 1)
        ;
    ex = sk_log_reader_examples(r, &n);
    g_assert_cmpuint(n, ==, 0);
    g_assert_null(ex[0]);
    sk_log_reader_free(r);
    g_free(path);
}

/* gzip of data in members of at most member bytes each. */
static GByteArray *gzip_bytes(const char *data, gsize n, gsize member)
{
    GByteArray *out = g_byte_array_new();
    gsize done = 0;

    do {
        gsize k = MIN(member, n - done);
        z_stream z = { 0 };
        uLong bound;
        guint old = out->len;

        g_assert_cmpint(deflateInit2(&z, 6, Z_DEFLATED, 31, 8,
                                     Z_DEFAULT_STRATEGY), ==, Z_OK);
        bound = deflateBound(&z, (uLong)k) + 32;
        g_byte_array_set_size(out, old + (guint)bound);
        z.next_in = (Bytef *)(data + done);
        z.avail_in = (uInt)k;
        z.next_out = out->data + old;
        z.avail_out = (uInt)bound;
        g_assert_cmpint(deflate(&z, Z_FINISH), ==, Z_STREAM_END);
        g_byte_array_set_size(out, old + (guint)z.total_out);
        deflateEnd(&z);
        done += k;
    } while (done < n);
    return out;
}

static GByteArray *zstd_bytes(const char *data, gsize n, gsize frame)
{
    GByteArray *out = g_byte_array_new();
    gsize done = 0;

    do {
        gsize k = MIN(frame, n - done);
        size_t bound = ZSTD_compressBound(k), got;
        guint old = out->len;

        g_byte_array_set_size(out, old + (guint)bound);
        got = ZSTD_compress(out->data + old, bound, data + done, k, 3);
        g_assert_false(ZSTD_isError(got));
        g_byte_array_set_size(out, old + (guint)got);
        done += k;
    } while (done < n);
    return out;
}

/* A log of n lines cycling through events of both kinds and noise. */
static GString *make_log(guint n, gboolean hypersio)
{
    GString *s = g_string_sized_new(n * 100u);

    for (guint i = 0; i < n; i++) {
        switch (i % 5) {
        case 0:
            g_string_append_printf(s, "%u@%u.%06u:vtd_iotlb_cc_hit IOTLB context "
                                   "hit bus 0x0 devfn 0x%x high 0x%x02 low 0x1 "
                                   "gen 1\n", 4242, 1600000000 + i / 1000000,
                                   i % 1000000, 0x10 + (i % 8) * 8, 3 + i % 8);
            break;
        case 4:
            g_string_append(s, "some other output\n");
            break;
        default:
            if (hypersio)
                g_string_append_printf(s, "4242@%u.%06u:vtd_iotlb_page_hit IOTLB "
                                       "page hit sid 0x%x iova 0x%" PRIx64
                                       " pmask 0xfffffffffffff000 slpte 0x%x "
                                       "domain 0x%x\n", 1600000000 + i / 1000000,
                                       i % 1000000, 0x10 + (i % 8) * 8,
                                       (uint64_t)i * 4096, i | 3, 3 + i % 8);
            else
                g_string_append_printf(s, "vtd_iotlb_page_hit IOTLB page hit "
                                       "sid 0x%x iova 0x%" PRIx64 " slpte 0x%x "
                                       "domain 0x%x\n", 0x10 + (i % 8) * 8,
                                       (uint64_t)i * 4096, i | 3, 3 + i % 8);
        }
    }
    return s;
}

SK_TEST(test_compressed, "/logreader/compressed")
{
    GString *log = make_log(50000, TRUE);
    char *plain = sk_test_write_tmp("c.log", log->str, log->len);
    GByteArray *gz1 = gzip_bytes(log->str, log->len, log->len);
    GByteArray *gzn = gzip_bytes(log->str, log->len, 300000);
    GByteArray *zs1 = zstd_bytes(log->str, log->len, log->len);
    GByteArray *zsn = zstd_bytes(log->str, log->len, 300000);
    char *paths[4];
    GArray *want;
    SkLogStats s0, s;

    paths[0] = sk_test_write_tmp("c.log.gz", gz1->data, gz1->len);
    paths[1] = sk_test_write_tmp("c-members.log.gz", gzn->data, gzn->len);
    paths[2] = sk_test_write_tmp("c.log.zst", zs1->data, zs1->len);
    paths[3] = sk_test_write_tmp("c-frames.log.zst", zsn->data, zsn->len);
    want = read_all(plain, NULL, &s0, NULL);
    assert_stats(&s0, 50000, 40000, 10000, 0);
    for (int i = 0; i < 4; i++) {
        SkLogDialect d;
        GArray *got = read_all(paths[i], NULL, &s, &d);
        g_test_message("%s", paths[i]);
        assert_same_events(want, got);
        g_assert_true(memcmp(&s, &s0, sizeof(s)) == 0);
        g_assert_cmpint(d, ==, SK_LOG_DIALECT_HYPERSIO10);
        g_array_free(got, TRUE);
        g_unlink(paths[i]);
        g_free(paths[i]);
    }
    g_array_free(want, TRUE);
    g_byte_array_free(gz1, TRUE);
    g_byte_array_free(gzn, TRUE);
    g_byte_array_free(zs1, TRUE);
    g_byte_array_free(zsn, TRUE);
    g_unlink(plain);
    g_free(plain);
    g_string_free(log, TRUE);
}

/* Reads path to its end and returns the error (NULL if none). */
static GError *read_error(const char *path)
{
    GError *error = NULL;
    SkLogReader *r = sk_log_reader_open(path, NULL, &error);
    SkLogEvent ev;

    if (r == NULL)
        return error;
    while (sk_log_reader_next(r, &ev, &error) == 1)
        ;
    sk_log_reader_free(r);
    return error;
}

SK_TEST(test_compressed_bad, "/logreader/compressed-bad")
{
    GString *log = make_log(20000, FALSE);
    GByteArray *gz = gzip_bytes(log->str, log->len, 700000);
    GByteArray *zs = zstd_bytes(log->str, log->len, 700000);
    static const gsize cuts[] = { 5, 40, 1000, 0 };

    for (gsize i = 0; i < G_N_ELEMENTS(cuts); i++) {
        gsize gcut = cuts[i] != 0 ? cuts[i] : gz->len - 1;
        gsize zcut = cuts[i] != 0 ? cuts[i] : zs->len - 1;
        char *p = sk_test_write_tmp("t.log.gz", gz->data, gcut);
        GError *e = read_error(p);
        g_test_message("gzip cut at %zu: %s", gcut, e ? e->message : "-");
        g_assert_error(e, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(e->message, p));
        g_assert_nonnull(strstr(e->message, "truncated gzip stream"));
        g_clear_error(&e);
        g_free(p);

        p = sk_test_write_tmp("t.log.zst", zs->data, zcut);
        e = read_error(p);
        g_test_message("zstd cut at %zu: %s", zcut, e ? e->message : "-");
        g_assert_error(e, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(e->message, p));
        g_assert_nonnull(strstr(e->message, "zstd stream"));
        g_clear_error(&e);
        g_free(p);
    }

    /* Corrupt deflate data, and junk after the last member. */
    {
        GByteArray *bad = g_byte_array_new();
        char *p;
        GError *e;

        g_byte_array_append(bad, gz->data, gz->len);
        for (guint k = 100; k < 200; k++)
            bad->data[k] ^= 0x5a;
        p = sk_test_write_tmp("bad.log.gz", bad->data, bad->len);
        e = read_error(p);
        g_assert_error(e, SK_ERROR, SK_ERROR_INPUT);
        g_test_message("%s", e->message);
        g_clear_error(&e);
        g_free(p);

        g_byte_array_set_size(bad, 0);
        g_byte_array_append(bad, gz->data, gz->len);
        g_byte_array_append(bad, (const guint8 *)"junk", 4);
        p = sk_test_write_tmp("junk.log.gz", bad->data, bad->len);
        e = read_error(p);
        sk_assert_error(&e, SK_ERROR, SK_ERROR_INPUT, "after the gzip stream");
        g_free(p);
        g_byte_array_free(bad, TRUE);
    }
    g_byte_array_free(gz, TRUE);
    g_byte_array_free(zs, TRUE);
    g_string_free(log, TRUE);
}

SK_TEST(test_empty, "/logreader/empty")
{
    char *p = sk_test_write_tmp("empty.log", "", 0);
    GByteArray *gz = gzip_bytes("", 0, 1);
    GByteArray *zs = zstd_bytes("", 0, 1);
    SkLogStats s;
    SkLogDialect d;
    GArray *evs = read_all(p, NULL, &s, &d);

    assert_stats(&s, 0, 0, 0, 0);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_UNKNOWN);
    g_array_free(evs, TRUE);
    g_free(p);

    p = sk_test_write_tmp("empty.log.gz", gz->data, gz->len);
    g_array_free(read_all(p, NULL, &s, NULL), TRUE);
    assert_stats(&s, 0, 0, 0, 0);
    g_free(p);
    p = sk_test_write_tmp("empty.log.zst", zs->data, zs->len);
    g_array_free(read_all(p, NULL, &s, NULL), TRUE);
    assert_stats(&s, 0, 0, 0, 0);
    g_free(p);

    /* One newline: one empty line, skipped. */
    p = sk_test_write_tmp("nl.log", "\n", 1);
    g_array_free(read_all(p, NULL, &s, &d), TRUE);
    assert_stats(&s, 1, 0, 1, 0);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_UNKNOWN);
    g_free(p);
    g_byte_array_free(gz, TRUE);
    g_byte_array_free(zs, TRUE);
}

SK_TEST(test_line_endings, "/logreader/line-endings")
{
    const char *lf =
        "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 devfn 0x10 high 0x302 "
        "low 0x1 gen 1\n"
        "x\n"
        "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 slpte 0x3 "
        "domain 0x3\n";
    char *crlf_text = NULL, *p;
    GArray *a, *b;
    SkLogStats s;
    SkLogDialect d;
    gchar **parts = g_strsplit(lf, "\n", -1);

    crlf_text = g_strjoinv("\r\n", parts);
    g_strfreev(parts);
    p = sk_test_write_tmp("lf.log", lf, strlen(lf));
    a = read_all(p, NULL, &s, NULL);
    assert_stats(&s, 3, 2, 1, 0);
    g_free(p);

    p = sk_test_write_tmp("crlf.log", crlf_text, strlen(crlf_text));
    b = read_all(p, NULL, &s, NULL);
    assert_stats(&s, 3, 2, 1, 0);
    assert_same_events(a, b);
    g_array_free(b, TRUE);
    g_free(p);

    /* No newline at the end: the last line still counts. */
    p = sk_test_write_tmp("nonl.log", lf, strlen(lf) - 1);
    b = read_all(p, NULL, &s, &d);
    assert_stats(&s, 3, 2, 1, 0);
    assert_same_events(a, b);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_QEMU72);
    g_array_free(b, TRUE);
    g_free(p);
    g_array_free(a, TRUE);
    g_free(crlf_text);
}

SK_TEST(test_long_lines, "/logreader/long-lines")
{
    const char *ev = "vtd_iotlb_page_hit IOTLB page hit sid 0x10 iova 0x1000 "
                     "slpte 0x3 domain 0x3";
    GString *s = g_string_new(NULL);
    SkLogReaderOptions opt = { .max_examples = 5 };
    GError *error = NULL;
    SkLogReader *r;
    SkLogEvent e;
    const char *const *ex;
    guint n, got = 0;
    char *p, *want;

    g_string_append_printf(s, "%s\n", ev);
    /* 2: an event line of 3 MiB (trailing blanks): malformed. */
    g_string_append(s, ev);
    for (int i = 0; i < 3 << 20; i++)
        g_string_append_c(s, ' ');
    g_string_append_c(s, '\n');
    g_string_append_printf(s, "%s\n", ev);
    /* 4: 1 MiB of text exactly, then a newline: fits? no, skipped. */
    for (int i = 0; i < 1 << 20; i++)
        g_string_append_c(s, 'x');
    g_string_append_c(s, '\n');
    /* 5: a line of 1 MiB - 1 bytes fits the buffer with its newline. */
    for (int i = 0; i < (1 << 20) - 1; i++)
        g_string_append_c(s, 'y');
    g_string_append_c(s, '\n');
    g_string_append_printf(s, "%s\n", ev);
    /* 7: a huge last line without newline. */
    for (int i = 0; i < 5 << 20; i++)
        g_string_append_c(s, 'z');

    p = sk_test_write_tmp("long.log", s->str, s->len);
    r = sk_log_reader_open(p, &opt, &error);
    g_assert_no_error(error);
    while (sk_log_reader_next(r, &e, &error) == 1) {
        g_assert_cmpuint(e.iova, ==, 0x1000);
        got++;
    }
    g_assert_no_error(error);
    g_assert_cmpuint(got, ==, 3);
    assert_stats(sk_log_reader_stats(r), 7, 3, 3, 1);
    ex = sk_log_reader_examples(r, &n);
    g_assert_cmpuint(n, ==, 1);
    want = g_strdup_printf("%s:2: line longer than 1048576 bytes", p);
    g_assert_cmpstr(ex[0], ==, want);
    g_free(want);
    sk_log_reader_free(r);

    /* The same, gzip-compressed. */
    {
        GByteArray *gz = gzip_bytes(s->str, s->len, s->len);
        char *pz = sk_test_write_tmp("long.log.gz", gz->data, gz->len);
        SkLogStats st;
        g_array_free(read_all(pz, NULL, &st, NULL), TRUE);
        assert_stats(&st, 7, 3, 3, 1);
        g_unlink(pz);
        g_free(pz);
        g_byte_array_free(gz, TRUE);
    }
    g_unlink(p);
    g_free(p);
    g_string_free(s, TRUE);
}

SK_TEST(test_open_errors, "/logreader/open-errors")
{
    GError *error = NULL;
    char *p = sk_test_path("does-not-exist.log");
    static const guint8 bin[] = { 'v', 't', 'd', 0, 1, 2, 3, '\n' };

    g_assert_null(sk_log_reader_open(p, NULL, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, p);
    g_free(p);

    g_assert_null(sk_log_reader_open(sk_test_dir(), NULL, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);

    p = sk_test_write_tmp("binary.log", bin, sizeof(bin));
    g_assert_null(sk_log_reader_open(p, NULL, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "binary data");
    g_free(p);
}

/* A log with only events both dialects write alike is stock QEMU's once
 * read; a HyperSIO-only event later still decides for HyperSIO. */
SK_TEST(test_dialect_late, "/logreader/dialect-late")
{
    GString *s = g_string_new(NULL);
    char *p;
    SkLogReader *r;
    GError *error = NULL;
    SkLogEvent ev;
    SkLogStats st;
    SkLogDialect d;

    for (int i = 0; i < 30000; i++)
        g_string_append(s, "vtd_iotlb_cc_hit IOTLB context hit bus 0x0 "
                           "devfn 0x10 high 0x302 low 0x1 gen 1\n");
    p = sk_test_write_tmp("cc.log", s->str, s->len);
    r = sk_log_reader_open(p, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sk_log_reader_dialect(r), ==, SK_LOG_DIALECT_UNKNOWN);
    while (sk_log_reader_next(r, &ev, &error) == 1)
        g_assert_cmpint(sk_log_reader_dialect(r), ==, SK_LOG_DIALECT_UNKNOWN);
    g_assert_cmpint(sk_log_reader_dialect(r), ==, SK_LOG_DIALECT_QEMU72);
    sk_log_reader_free(r);
    g_free(p);

    /* Beyond the first MiB. */
    g_string_append(s, "vtd_slpte_fetch SLPTE fetch: high 0x302 low 0x1 "
                       "iova 0x0 level 0x1 addr 0x0 slpte 0x3\n");
    p = sk_test_write_tmp("cc-late.log", s->str, s->len);
    g_array_free(read_all(p, NULL, &st, &d), TRUE);
    g_assert_cmpint(d, ==, SK_LOG_DIALECT_HYPERSIO10);
    assert_stats(&st, 30001, 30001, 0, 0);
    g_free(p);
    g_string_free(s, TRUE);
    (void)ev;
}

/* A binary simple-backend log goes to sk_simpletrace (when it is built):
 * layout of QEMU 7.2's trace/simple.c, all little-endian. */
#if defined(__has_include)
#if __has_include("sk_simpletrace.h")
#define HAVE_SIMPLETRACE 1
#endif
#endif

SK_TEST(test_simple_dispatch, "/logreader/simple-dispatch")
{
#ifdef HAVE_SIMPLETRACE
    static const char events[] =
        "vtd_iotlb_page_hit(uint16_t sid, uint64_t addr, uint64_t slpte, "
        "uint16_t domain) \"IOTLB page hit sid 0x%\"PRIx16\" iova 0x%\"PRIx64"
        "\" slpte 0x%\"PRIx64\" domain 0x%\"PRIx16\n";
    static const char name[] = "vtd_iotlb_page_hit";
    GByteArray *b = g_byte_array_new();
    SkLogReaderOptions opt = { .max_examples = 3 };
    GError *error = NULL;
    SkLogReader *r;
    SkLogEvent ev;
    GByteArray *gz;
    char *ep, *p;

    sk_test_put_le(b, UINT64_MAX, 8);                     /* header event id */
    sk_test_put_le(b, UINT64_C(0xf2b177cb0aa429b4), 8);   /* magic */
    sk_test_put_le(b, 4, 8);                              /* version */
    sk_test_put_le(b, 0, 8);                              /* a mapping record */
    sk_test_put_le(b, 7, 8);
    sk_test_put_le(b, sizeof(name) - 1, 4);
    g_byte_array_append(b, (const guint8 *)name, sizeof(name) - 1);
    sk_test_put_le(b, 1, 8);                              /* an event record */
    sk_test_put_le(b, 7, 8);
    sk_test_put_le(b, 123456789, 8);                      /* timestamp_ns */
    sk_test_put_le(b, 24 + 4 * 8, 4);                     /* record length */
    sk_test_put_le(b, 4242, 4);                           /* pid */
    sk_test_put_le(b, 0x18, 8);
    sk_test_put_le(b, 0xfffff040, 8);
    sk_test_put_le(b, 0x11c1003, 8);
    sk_test_put_le(b, 3, 8);

    ep = sk_test_write_tmp("trace-events-all", events, strlen(events));
    p = sk_test_write_tmp("vtd.simple", b->data, b->len);
    opt.trace_events = ep;
    r = sk_log_reader_open(p, &opt, &error);
    g_assert_no_error(error);
    g_assert_cmpint(sk_log_reader_dialect(r), ==, SK_LOG_DIALECT_SIMPLE);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &error), ==, 1);
    g_assert_cmpint(ev.type, ==, SK_LOG_TRANSLATE);
    g_assert_cmpuint(ev.via, ==, SK_LOG_VIA_IOTLB);
    g_assert_cmphex(ev.sid, ==, 0x18);
    g_assert_cmphex(ev.iova, ==, 0xfffff040);
    g_assert_cmphex(ev.slpte, ==, 0x11c1003);
    g_assert_cmpuint(ev.did, ==, 3);
    g_assert_cmpint(sk_log_reader_next(r, &ev, &error), ==, 0);
    g_assert_no_error(error);
    assert_stats(sk_log_reader_stats(r), 1, 1, 0, 0);
    sk_log_reader_free(r);

    /* Without the trace-events file: bad input. */
    g_assert_null(sk_log_reader_open(p, NULL, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);

    /* Compressed: refused, not read as text. */
    gz = gzip_bytes((const char *)b->data, b->len, b->len);
    g_free(p);
    p = sk_test_write_tmp("vtd.simple.gz", gz->data, gz->len);
    g_assert_null(sk_log_reader_open(p, &opt, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, "decompress it first");
    g_byte_array_free(gz, TRUE);
    g_byte_array_free(b, TRUE);
    g_free(p);
    g_free(ep);
#else
    g_test_skip("sk_simpletrace not built");
#endif
}

/* A million lines, read through (timing is bench/logreader-bench.sh's). */
SK_TEST(test_million, "/logreader/million")
{
    GString *log = make_log(1000000, FALSE);
    char *p = sk_test_write_tmp("million.log", log->str, log->len);
    GError *error = NULL;
    SkLogReader *r = sk_log_reader_open(p, NULL, &error);
    SkLogEvent ev;
    guint64 sum = 0, n = 0;
    gint64 t0 = g_get_monotonic_time();

    g_assert_no_error(error);
    while (sk_log_reader_next(r, &ev, &error) == 1) {
        sum += ev.iova;
        n++;
    }
    g_assert_no_error(error);
    assert_stats(sk_log_reader_stats(r), 1000000, 800000, 200000, 0);
    g_assert_cmpuint(n, ==, 800000);
    g_test_message("1M lines in %.3f s",
                   (double)(g_get_monotonic_time() - t0) / 1e6);
    (void)sum;
    sk_log_reader_free(r);
    g_unlink(p);
    g_free(p);
    g_string_free(log, TRUE);
}

/* test-logreader --bench LOG...: reads each log through and prints its
 * speed, for bench/logreader-bench.sh (tests never time anything). */
static int bench(int n, char **paths)
{
    for (int i = 0; i < n; i++) {
        GError *error = NULL;
        gint64 t0 = g_get_monotonic_time();
        SkLogReader *r = sk_log_reader_open(paths[i], NULL, &error);
        const SkLogStats *s;
        SkLogEvent ev;
        uint64_t sum = 0;
        double secs;
        int ret;

        if (r == NULL) {
            g_printerr("%s\n", error->message);
            g_error_free(error);
            return 1;
        }
        while ((ret = sk_log_reader_next(r, &ev, &error)) == 1)
            sum += ev.iova;
        if (ret < 0) {
            g_printerr("%s\n", error->message);
            g_error_free(error);
            sk_log_reader_free(r);
            return 1;
        }
        secs = (double)(g_get_monotonic_time() - t0) / 1e6;
        s = sk_log_reader_stats(r);
        g_print("{\"log\": \"%s\", \"dialect\": \"%s\", \"lines\": %" PRIu64
                ", \"events\": %" PRIu64 ", \"seconds\": %.3f, "
                "\"lines_per_s\": %.0f, \"checksum\": %" PRIu64 "}\n",
                paths[i], sk_log_dialect_name(sk_log_reader_dialect(r)),
                s->lines, s->events, secs, (double)s->lines / secs, sum);
        sk_log_reader_free(r);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--bench") == 0)
        return bench(argc - 2, argv + 2);
    sk_test_init(&argc, &argv);

    return g_test_run();
}
