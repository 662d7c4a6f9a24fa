/* sk_qemulog.c - one line of a QEMU IOMMU text log into an SkLogEvent.
 *
 * Each event this module reads has one format per dialect, written in a tiny
 * pattern language that mirrors the QEMU format string it stands for:
 *
 *     literal  the same byte;        ' '  one or more blanks (space, tab);
 *     %x       "0x" + 1..16 hex significant digits (PRIx64 after "0x");
 *     %h       hex digits without "0x" (the %02x of a PCI address);
 *     %u       decimal digits;        %d  decimal, maybe negative;
 *     %g       a generation: decimal, or "0x" + hex.
 *
 * Values land in v[0..], in order, as uint64_t; the event's builder then
 * checks their ranges and fills the SkLogEvent.  The formats are facts from
 * QEMU 7.2's hw/i386/trace-events and HyperSIO 1.0's spec (section 1). */
#include "sk_qemulog.h"

#include <glib.h>
#include <string.h>

#include "sk_record.h"

enum {
    EV_PAGE_HIT,
    EV_PAGE_UPDATE,
    EV_DMAR_TRANSLATE,
    EV_SLPTE_FETCH,
    EV_CC_HIT,
    EV_CC_UPDATE,
    EV_INV_CC_GLOBAL,
    EV_INV_CC_DOMAIN,
    EV_INV_CC_DEVICES,
    EV_INV_IOTLB_GLOBAL,
    EV_INV_IOTLB_DOMAIN,
    EV_INV_IOTLB_PAGES,
    EV_INV_IOTLB_PASID_PAGES,
    EV_INV_IOTLB_PASID,
    EV_INV_WAIT_SW,
    EV_INV_IEC,
    EV_DMAR_FAULT,
};

#define MAX_VALUES 8

typedef struct {
    const char *fmt;
    const char *fields;   /* names of v[0], v[1]... separated by spaces */
    uint8_t dialect;      /* SkLogDialect, UNKNOWN = written alike by both */
} EventFormat;

typedef struct {
    const char *name;
    uint8_t len;
    uint8_t kind;
    EventFormat f[2];     /* second one unused when fmt is NULL */
} EventDef;

#define EV(n, k) .name = n, .len = sizeof(n) - 1, .kind = k

/* Most frequent first: the lookup is a linear scan on (length, bytes). */
static const EventDef event_defs[] = {
    { EV("vtd_iotlb_page_hit", EV_PAGE_HIT), {
        { "IOTLB page hit sid %x iova %x pmask %x slpte %x domain %x",
          "sid iova pmask slpte domain", SK_LOG_DIALECT_HYPERSIO10 },
        { "IOTLB page hit sid %x iova %x slpte %x domain %x",
          "sid iova slpte domain", SK_LOG_DIALECT_QEMU72 } } },
    { EV("vtd_dmar_translate", EV_DMAR_TRANSLATE), {
        { "dev %h:%h.%h iova %x -> gpa %x mask %x",
          "bus slot function iova gpa mask", 0 } } },
    { EV("vtd_iotlb_page_update", EV_PAGE_UPDATE), {
        { "IOTLB page update sid %x iova %x slpte %x level %x domain %x",
          "sid iova slpte level domain", SK_LOG_DIALECT_HYPERSIO10 },
        { "IOTLB page update sid %x iova %x slpte %x domain %x",
          "sid iova slpte domain", SK_LOG_DIALECT_QEMU72 } } },
    { EV("vtd_slpte_fetch", EV_SLPTE_FETCH), {
        { "SLPTE fetch: high %x low %x iova %x level %x addr %x slpte %x",
          "high low iova level addr slpte", SK_LOG_DIALECT_HYPERSIO10 } } },
    { EV("vtd_iotlb_cc_hit", EV_CC_HIT), {
        { "IOTLB context hit bus %x devfn %x high %x low %x gen %g",
          "bus devfn high low gen", 0 } } },
    { EV("vtd_iotlb_cc_update", EV_CC_UPDATE), {
        { "IOTLB context update bus %x devfn %x high %x low %x gen %g -> gen %g",
          "bus devfn high low gen gen", 0 } } },
    { EV("vtd_inv_desc_cc_global", EV_INV_CC_GLOBAL), {
        { "context invalidate globally", "", 0 } } },
    { EV("vtd_inv_desc_cc_domain", EV_INV_CC_DOMAIN), {
        { "context invalidate domain %x", "domain", 0 } } },
    { EV("vtd_inv_desc_cc_devices", EV_INV_CC_DEVICES), {
        { "context invalidate devices sid %x fmask %x", "sid fmask", 0 } } },
    { EV("vtd_inv_desc_iotlb_global", EV_INV_IOTLB_GLOBAL), {
        { "iotlb invalidate global", "", 0 } } },
    { EV("vtd_inv_desc_iotlb_domain", EV_INV_IOTLB_DOMAIN), {
        { "iotlb invalidate whole domain %x", "domain", 0 } } },
    { EV("vtd_inv_desc_iotlb_pages", EV_INV_IOTLB_PAGES), {
        { "iotlb invalidate domain %x addr %x mask %x",
          "domain addr mask", 0 } } },
    { EV("vtd_inv_desc_iotlb_pasid_pages", EV_INV_IOTLB_PASID_PAGES), {
        { "iotlb invalidate domain %x addr %x mask %x pasid %x",
          "domain addr mask pasid", 0 } } },
    { EV("vtd_inv_desc_iotlb_pasid", EV_INV_IOTLB_PASID), {
        { "iotlb invalidate domain %x pasid %x", "domain pasid", 0 } } },
    { EV("vtd_inv_desc_wait_sw", EV_INV_WAIT_SW), {
        { "wait invalidate status write addr %x data %x", "addr data", 0 } } },
    { EV("vtd_inv_desc_iec", EV_INV_IEC), {
        { "granularity %x index %x mask %x", "granularity index mask", 0 } } },
    { EV("vtd_dmar_fault", EV_DMAR_FAULT), {
        { "sid %x fault %d addr %x write %d", "sid fault addr write", 0 } } },
};

/* Why a format did not match, and how far it got. */
typedef struct {
    const char *why;     /* "missing", "expected", "overflows 64 bits"... */
    const char *fmt_at;  /* the format where it failed */
    int field;           /* index of the value at fault, or -1 */
    size_t progress;     /* bytes of the line matched before the failure */
} MatchFail;

/* Character classes: hex value + 1 in the low 5 bits (0: not hex), WORD for
 * [0-9A-Za-z_], BLANK for space and tab. */
enum { CL_HEX = 0x1f, CL_WORD = 0x20, CL_BLANK = 0x40 };
#define W CL_WORD
static const uint8_t cls[256] = {
    [' '] = CL_BLANK, ['\t'] = CL_BLANK, ['_'] = W,
    ['0'] = W | 1, ['1'] = W | 2, ['2'] = W | 3, ['3'] = W | 4, ['4'] = W | 5,
    ['5'] = W | 6, ['6'] = W | 7, ['7'] = W | 8, ['8'] = W | 9, ['9'] = W | 10,
    ['a'] = W | 11, ['b'] = W | 12, ['c'] = W | 13, ['d'] = W | 14,
    ['e'] = W | 15, ['f'] = W | 16,
    ['A'] = W | 11, ['B'] = W | 12, ['C'] = W | 13, ['D'] = W | 14,
    ['E'] = W | 15, ['F'] = W | 16,
    ['g'] = W, ['h'] = W, ['i'] = W, ['j'] = W, ['k'] = W, ['l'] = W,
    ['m'] = W, ['n'] = W, ['o'] = W, ['p'] = W, ['q'] = W, ['r'] = W,
    ['s'] = W, ['t'] = W, ['u'] = W, ['v'] = W, ['w'] = W, ['x'] = W,
    ['y'] = W, ['z'] = W,
    ['G'] = W, ['H'] = W, ['I'] = W, ['J'] = W, ['K'] = W, ['L'] = W,
    ['M'] = W, ['N'] = W, ['O'] = W, ['P'] = W, ['Q'] = W, ['R'] = W,
    ['S'] = W, ['T'] = W, ['U'] = W, ['V'] = W, ['W'] = W, ['X'] = W,
    ['Y'] = W, ['Z'] = W,
};
#undef W

static inline int is_blank(char c)
{
    return (cls[(unsigned char)c] & CL_BLANK) != 0;
}

static inline int is_word(unsigned char c)
{
    return (cls[c] & CL_WORD) != 0;
}

/* Hex digits at *pp: NULL on success, else the reason. */
static inline const char *scan_hex(const char **pp, const char *end,
                                   uint64_t *out)
{
    const unsigned char *p = (const unsigned char *)*pp;
    const unsigned char *e = (const unsigned char *)end, *sig;
    uint64_t v = 0;
    unsigned d;

    if (p >= e || (cls[*p] & CL_HEX) == 0)
        return "is not a number";
    while (p < e && *p == '0')
        p++;
    sig = p;
    while (p < e && (d = cls[*p] & CL_HEX) != 0) {
        v = v << 4 | (d - 1);
        p++;
    }
    if (p - sig > 16)
        return "overflows 64 bits";
    if (p < e && is_word(*p))
        return "has a bad digit";
    *out = v;
    *pp = (const char *)p;
    return NULL;
}

static const char *scan_dec(const char **pp, const char *end, uint64_t *out)
{
    const char *p = *pp;
    uint64_t v = 0;

    if (p >= end || (unsigned)(*p - '0') >= 10u)
        return "is not a number";
    while (p < end && (unsigned)(*p - '0') < 10u) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return "overflows 64 bits";
        v = v * 10 + d;
        p++;
    }
    if (p < end && is_word((unsigned char)*p))
        return "has a bad digit";
    *out = v;
    *pp = p;
    return NULL;
}

/* One value of kind 'x', 'h', 'g', 'd' or 'u' (see the top of the file) at
 * *pp: NULL on success, else the reason.  *pp may have moved past a "0x". */
static inline const char *scan_field(char kind, const char **pp,
                                     const char *end, uint64_t *out)
{
    const char *p = *pp, *why;

    switch (kind) {
    case 'x':
        if (end - p < 2 || p[0] != '0' || p[1] != 'x')
            return "is not a 0x number";
        *pp = p + 2;
        return scan_hex(pp, end, out);
    case 'h':
        return scan_hex(pp, end, out);
    case 'g':
        if (end - p >= 2 && p[0] == '0' && p[1] == 'x') {
            *pp = p + 2;
            return scan_hex(pp, end, out);
        }
        return scan_dec(pp, end, out);
    case 'd':
        if (p < end && *p == '-') {
            *pp = p + 1;
            why = scan_dec(pp, end, out);
            if (why == NULL && *out > (uint64_t)INT64_MAX + 1)
                return "overflows 64 bits";
            *out = -*out;
            return why;
        }
        return scan_dec(pp, end, out);
    default: /* 'u' */
        return scan_dec(pp, end, out);
    }
}

/* The fast path: each format compiled into literal runs and fields, the
 * literals compared whole.  It accepts a subset of what match() accepts
 * (single blanks only) with the same values; match() decides the rest and
 * says why a line fails. */
#define MAX_OPS 24
typedef struct {
    uint8_t kind;   /* 0 literal, else the field's letter; 0 + len 0: end */
    uint8_t len;
    uint16_t off;   /* of the literal in the format */
} Op;

static Op compiled[G_N_ELEMENTS(event_defs)][2][MAX_OPS];

static void compile_all(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(event_defs); i++) {
        for (int j = 0; j < 2 && event_defs[i].f[j].fmt != NULL; j++) {
            const char *fmt = event_defs[i].f[j].fmt, *f = fmt;
            Op *op = compiled[i][j];
            int k = 0;
            while (*f != '\0') {
                g_assert(k < MAX_OPS - 1);
                if (*f == '%') {
                    op[k++] = (Op){ .kind = (uint8_t)f[1] };
                    f += 2;
                } else {
                    const char *st = f;
                    while (*f != '\0' && *f != '%')
                        f++;
                    op[k++] = (Op){ .len = (uint8_t)(f - st),
                                    .off = (uint16_t)(st - fmt) };
                }
            }
            op[k] = (Op){ 0 };
        }
    }
}

static gboolean match_fast(const char *p, const char *end, const char *fmt,
                           const Op *op, uint64_t *v)
{
    for (;; op++) {
        if (op->kind != 0) {
            if (scan_field((char)op->kind, &p, end, v++) != NULL)
                return FALSE;
        } else if (op->len != 0) {
            if ((size_t)(end - p) < op->len || memcmp(p, fmt + op->off,
                                                      op->len) != 0)
                return FALSE;
            p += op->len;
        } else {
            while (p < end && (is_blank(*p) || *p == '\r'))
                p++;
            return p == end;
        }
    }
}

/* Matches line[p..end) against fmt; values into v.  TRUE on a full match. */
static gboolean match(const char *line, const char *end, const char *fmt,
                      uint64_t *v, MatchFail *fail)
{
    const char *p = line;
    const char *why;
    int n = 0;

    for (const char *f = fmt; *f != '\0'; f++) {
        if (*f == ' ') {
            if (p >= end || !is_blank(*p)) {
                fail->why = p >= end ? "missing" : "expected";
                fail->fmt_at = f + 1;
                fail->field = f[1] == '%' ? n : -1;
                goto fail;
            }
            do
                p++;
            while (p < end && is_blank(*p));
            continue;
        }
        if (*f != '%') {
            if (p >= end || *p != *f) {
                /* Name the whole word of the format, not its last letter. */
                const char *w = f;
                while (w > fmt && w[-1] != ' ' && !(w - fmt >= 2 && w[-2] == '%'))
                    w--;
                fail->why = p >= end ? "missing" : "expected";
                fail->fmt_at = w;
                fail->field = -1;
                goto fail;
            }
            p++;
            continue;
        }
        fail->fmt_at = f;
        fail->field = n;
        why = scan_field(*++f, &p, end, &v[n]);
        if (why != NULL) {
            fail->why = p >= end ? "missing" : why;
            goto fail;
        }
        n++;
    }
    while (p < end && (is_blank(*p) || *p == '\r'))
        p++;
    if (p < end) {
        fail->why = "has trailing text";
        fail->fmt_at = NULL;
        fail->field = -1;
        goto fail;
    }
    return TRUE;

fail:
    fail->progress = (size_t)(p - line);
    return FALSE;
}

/* The n-th space-separated word of s, into buf. */
static const char *nth_word(const char *s, int n, char *buf, size_t size)
{
    size_t k = 0;

    while (n-- > 0 && (s = strchr(s, ' ')) != NULL)
        s++;
    if (s == NULL)
        return "?";
    while (s[k] != '\0' && s[k] != ' ' && k + 1 < size) {
        buf[k] = s[k];
        k++;
    }
    buf[k] = '\0';
    return buf;
}

static void fail_reason(const EventDef *d, const EventFormat *ef,
                        const MatchFail *fail, char *reason)
{
    char word[32];

    if (reason == NULL)
        return;
    if (fail->field >= 0 && strcmp(fail->why, "missing") == 0) {
        g_snprintf(reason, SK_QEMULOG_REASON_MAX, "%s: missing value of '%s'",
                   d->name, nth_word(ef->fields, fail->field, word,
                                     sizeof(word)));
    } else if (fail->field >= 0) {
        g_snprintf(reason, SK_QEMULOG_REASON_MAX, "%s: '%s' %s", d->name,
                   nth_word(ef->fields, fail->field, word, sizeof(word)),
                   fail->why);
    } else if (fail->fmt_at != NULL) {
        /* The format's next word: "missing 'iova'", "expected 'pmask'". */
        const char *w = fail->fmt_at;
        size_t k = 0;
        while (w[k] != '\0' && w[k] != ' ' && w[k] != '%')
            k++;
        g_snprintf(reason, SK_QEMULOG_REASON_MAX, "%s: %s '%.*s'", d->name,
                   fail->why, (int)MIN(k, 24), w);
    } else {
        g_snprintf(reason, SK_QEMULOG_REASON_MAX, "%s: %s", d->name,
                   fail->why);
    }
}

static SkQemuLogResult range_fail(const EventDef *d, const char *what,
                                  char *reason)
{
    if (reason != NULL)
        g_snprintf(reason, SK_QEMULOG_REASON_MAX, "%s: %s", d->name, what);
    return SK_QEMULOG_MALFORMED;
}

/* Checks the values of a matched line and fills *ev. */
static SkQemuLogResult build(const EventDef *d, SkLogDialect dialect,
                             const uint64_t *v, SkLogEvent *ev, char *reason)
{
    switch (d->kind) {
    case EV_PAGE_HIT:
    case EV_PAGE_UPDATE: {
        int hs = dialect == SK_LOG_DIALECT_HYPERSIO10;
        uint64_t sid = v[0], domain = hs ? v[4] : v[3];
        if (sid > 0xffff)
            return range_fail(d, "'sid' exceeds 0xffff", reason);
        if (domain > 0xffff)
            return range_fail(d, "'domain' exceeds 0xffff", reason);
        ev->type = SK_LOG_TRANSLATE;
        ev->sid = (uint16_t)sid;
        ev->did = (uint32_t)domain;
        ev->iova = v[1];
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE;
        if (d->kind == EV_PAGE_HIT) {
            ev->via = SK_LOG_VIA_IOTLB;
            if (hs) {
                /* A mask of no page size is kept, with level 0 (HyperSIO
                 * too ends up with level 0 for it). */
                ev->mask = v[2];
                ev->level = (uint8_t)sk_mask_level(v[2]);
                ev->has |= SK_LOG_HAS_MASK;
            }
            ev->slpte = hs ? v[3] : v[2];
        } else {
            ev->via = SK_LOG_VIA_WALK;
            ev->slpte = v[2];
            if (hs) {
                if (v[3] < SK_LEVEL_MIN || v[3] > SK_LEVEL_MAX)
                    return range_fail(d, "'level' outside 1..3", reason);
                ev->level = (uint8_t)v[3];
                ev->mask = sk_level_mask(ev->level);
                ev->has |= SK_LOG_HAS_LEVEL;
            }
        }
        return SK_QEMULOG_EVENT;
    }
    case EV_DMAR_TRANSLATE:
        if (v[0] > 0xff)
            return range_fail(d, "'bus' exceeds 0xff", reason);
        if (v[1] > 0x1f)
            return range_fail(d, "'slot' exceeds 0x1f", reason);
        if (v[2] > 7)
            return range_fail(d, "'function' exceeds 7", reason);
        /* QEMU prints the IOMMUTLBEntry's addr_mask: the offset bits. */
        if ((v[5] & (v[5] + 1)) != 0)
            return range_fail(d, "'mask' is not a page offset mask", reason);
        ev->type = SK_LOG_TRANSLATE;
        ev->via = SK_LOG_VIA_DMAR;
        ev->sid = (uint16_t)(v[0] << 8 | v[1] << 3 | v[2]);
        ev->iova = v[3];
        ev->result = v[4];
        ev->mask = ~v[5];
        ev->level = (uint8_t)sk_mask_level(ev->mask);
        ev->has |= SK_LOG_HAS_MASK;
        return SK_QEMULOG_EVENT;
    case EV_SLPTE_FETCH:
        if (v[3] < 1 || v[3] > 5)
            return range_fail(d, "'level' outside 1..5", reason);
        ev->type = SK_LOG_SLPTE_FETCH;
        ev->high = v[0];
        ev->low = v[1];
        ev->iova = v[2];
        ev->level = (uint8_t)v[3];
        ev->addr = v[4];
        ev->slpte = v[5];
        ev->did = (uint32_t)((v[0] >> 8) & 0xffff);
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_SLPTE;
        return SK_QEMULOG_EVENT;
    case EV_CC_HIT:
    case EV_CC_UPDATE: {
        uint64_t gen = d->kind == EV_CC_HIT ? v[4] : v[5];
        if (v[0] > 0xff)
            return range_fail(d, "'bus' exceeds 0xff", reason);
        if (v[1] > 0xff)
            return range_fail(d, "'devfn' exceeds 0xff", reason);
        if (v[4] > UINT32_MAX || gen > UINT32_MAX)
            return range_fail(d, "'gen' exceeds 32 bits", reason);
        ev->type = SK_LOG_CONTEXT;
        ev->sid = (uint16_t)(v[0] << 8 | v[1]);
        ev->high = v[2];
        ev->low = v[3];
        ev->gen = (uint32_t)gen;
        ev->did = (uint32_t)((v[2] >> 8) & 0xffff);
        ev->has |= SK_LOG_HAS_DID;
        return SK_QEMULOG_EVENT;
    }
    case EV_DMAR_FAULT:
        if (v[0] > 0xffff)
            return range_fail(d, "'sid' exceeds 0xffff", reason);
        if (v[3] > 1)
            return range_fail(d, "'write' is not 0 or 1", reason);
        ev->type = SK_LOG_FAULT;
        ev->sid = (uint16_t)v[0];
        ev->iova = v[2];
        return SK_QEMULOG_EVENT;
    default:
        break;
    }

    /* Invalidations. */
    ev->type = SK_LOG_INVALIDATE;
    switch (d->kind) {
    case EV_INV_CC_GLOBAL:
        ev->inv_type = SK_LOG_INV_CONTEXT_GLOBAL;
        break;
    case EV_INV_CC_DOMAIN:
    case EV_INV_IOTLB_DOMAIN:
    case EV_INV_IOTLB_PASID:
        if (v[0] > 0xffff)
            return range_fail(d, "'domain' exceeds 0xffff", reason);
        ev->inv_type = d->kind == EV_INV_CC_DOMAIN ? SK_LOG_INV_CONTEXT_DOMAIN
                                                   : SK_LOG_INV_IOTLB_DOMAIN;
        ev->did = (uint32_t)v[0];
        ev->has |= SK_LOG_HAS_DID;
        break;
    case EV_INV_CC_DEVICES:
        if (v[0] > 0xffff)
            return range_fail(d, "'sid' exceeds 0xffff", reason);
        if (v[1] > 3)
            return range_fail(d, "'fmask' exceeds 3", reason);
        ev->inv_type = SK_LOG_INV_CONTEXT_DEVICE;
        ev->sid = (uint16_t)v[0];
        ev->mask = v[1];
        break;
    case EV_INV_IOTLB_GLOBAL:
        ev->inv_type = SK_LOG_INV_IOTLB_GLOBAL;
        break;
    case EV_INV_IOTLB_PAGES:
    case EV_INV_IOTLB_PASID_PAGES:
        if (v[0] > 0xffff)
            return range_fail(d, "'domain' exceeds 0xffff", reason);
        /* The address mask is an order: 2^mask pages of 4 KiB. */
        if (v[2] > 51)
            return range_fail(d, "'mask' exceeds 51", reason);
        ev->inv_type = SK_LOG_INV_IOTLB_PAGES;
        ev->did = (uint32_t)v[0];
        ev->iova = v[1];
        ev->mask = ~((UINT64_C(4096) << v[2]) - 1);
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_MASK;
        break;
    case EV_INV_WAIT_SW:
        ev->inv_type = SK_LOG_INV_WAIT;
        ev->iova = v[0];
        break;
    default: /* EV_INV_IEC: the interrupt entry cache */
        ev->inv_type = SK_LOG_INV_OTHER;
        break;
    }
    return SK_QEMULOG_EVENT;
}

static inline unsigned dec_digits(const char **pp, const char *end,
                                  uint64_t *v, unsigned max)
{
    const char *p = *pp;
    unsigned n = 0;
    uint64_t x = 0;

    while (p < end && n < max && (unsigned)(*p - '0') < 10u) {
        x = x * 10 + (unsigned)(*p - '0');
        p++;
        n++;
    }
    *pp = p;
    *v = x;
    return n;
}

/* "YYYY-MM-DDTHH:MM:SS[.f]Z" at *pp (g_date_time_format_iso8601's UTC form,
 * what -msg timestamp=on puts before QEMU's messages): ns since the epoch. */
static gboolean parse_iso_time(const char **pp, const char *end, uint64_t *ns)
{
    static const char seps[] = "--T::";
    const char *p = *pp;
    uint64_t f[6], frac = 0;
    static const unsigned width[6] = { 4, 2, 2, 2, 2, 2 };
    int64_t y, m, dd, era, yoe, doy, doe, days;

    for (int i = 0; i < 6; i++) {
        if (dec_digits(&p, end, &f[i], width[i]) != width[i])
            return FALSE;
        if (i < 5) {
            if (p >= end || *p != seps[i])
                return FALSE;
            p++;
        }
    }
    if (p < end && *p == '.') {
        unsigned k;
        p++;
        k = dec_digits(&p, end, &frac, 9);
        if (k == 0)
            return FALSE;
        while (k++ < 9)
            frac *= 10;
        while (p < end && (unsigned)(*p - '0') < 10u)
            p++;
    }
    if (p >= end || *p != 'Z')
        return FALSE;
    p++;
    if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 ||
        f[4] > 59 || f[5] > 60 || f[0] < 1970)
        return FALSE;
    /* Days from the civil date (proleptic Gregorian). */
    y = (int64_t)f[0];
    m = (int64_t)f[1];
    dd = (int64_t)f[2];
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    days = era * 146097 + doe - 719468;
    *ns = ((uint64_t)days * 86400 + f[3] * 3600 + f[4] * 60 + f[5]) *
              UINT64_C(1000000000) + frac;
    *pp = p;
    return TRUE;
}

/* "pid@sec.usec:" at *pp (the log backend's prefix with -msg timestamp=on):
 * FALSE, *pp untouched, if it is not there. */
static gboolean parse_pid_time(const char **pp, const char *end, uint64_t *ns,
                               gboolean *bad)
{
    const char *p = *pp;
    uint64_t sec, usec;
    unsigned k;

    while (p < end && (unsigned)(*p - '0') < 10u)
        p++;
    if (p == *pp || p >= end || *p != '@')
        return FALSE;
    p++;
    /* From here on the prefix is there: a bad one makes a bad line. */
    *bad = TRUE;
    if (dec_digits(&p, end, &sec, 10) == 0 || p >= end || *p != '.')
        return FALSE;
    p++;
    k = dec_digits(&p, end, &usec, 6);
    if (k == 0 || p >= end || *p != ':')
        return FALSE;
    while (k++ < 6)
        usec *= 10;
    p++;
    *bad = FALSE;
    *ns = sec * UINT64_C(1000000000) + usec * 1000;
    *pp = p;
    return TRUE;
}

SkQemuLogResult sk_qemulog_parse(const char *line, size_t len,
                                 SkLogDialect want, SkLogDialect *seen,
                                 SkLogEvent *ev,
                                 char reason[SK_QEMULOG_REASON_MAX])
{
    const char *p = line, *end = line + len, *name;
    const EventDef *d = NULL;
    uint64_t v[MAX_VALUES], ns = 0;
    gboolean timed = FALSE, bad = FALSE;
    MatchFail fail, best = { 0 };
    const EventFormat *best_f = NULL;
    size_t n;

    static gsize compiled_once;

    if (g_once_init_enter(&compiled_once)) {
        compile_all();
        g_once_init_leave(&compiled_once, 1);
    }
    memset(ev, 0, sizeof(*ev));
    if (seen != NULL)
        *seen = SK_LOG_DIALECT_UNKNOWN;

    if (p < end && (unsigned)(*p - '0') < 10u) {
        if (end - p >= 20 && p[4] == '-' && parse_iso_time(&p, end, &ns)) {
            timed = TRUE;
            while (p < end && is_blank(*p))
                p++;
        }
        if (p < end && (unsigned)(*p - '0') < 10u) {
            if (parse_pid_time(&p, end, &ns, &bad)) {
                timed = TRUE;
                while (p < end && is_blank(*p))
                    p++;
            } else if (bad) {
                /* "123@..." whose time does not parse: an event line with a
                 * broken prefix is bad, anything else is not ours. */
                if (g_strstr_len(line, (gssize)len, ":vtd_") == NULL)
                    return SK_QEMULOG_SKIP;
                if (reason != NULL)
                    g_strlcpy(reason, "bad 'pid@sec.usec:' prefix",
                              SK_QEMULOG_REASON_MAX);
                return SK_QEMULOG_MALFORMED;
            }
        }
    }
    if (end - p < 4 || memcmp(p, "vtd_", 4) != 0)
        return SK_QEMULOG_SKIP;

    name = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
        p++;
    n = (size_t)(p - name);
    for (size_t i = 0; i < G_N_ELEMENTS(event_defs); i++) {
        if (event_defs[i].len == n && memcmp(event_defs[i].name, name, n) == 0) {
            d = &event_defs[i];
            break;
        }
    }
    if (d == NULL) {
        /* vtd_fault_* and HyperSIO-era vtd_err_dmar_*: a fault, no fields. */
        if ((n > 10 && memcmp(name, "vtd_fault_", 10) == 0) ||
            (n > 13 && memcmp(name, "vtd_err_dmar_", 13) == 0)) {
            ev->type = SK_LOG_FAULT;
            goto done;
        }
        return SK_QEMULOG_SKIP;
    }

    /* The event name and its text are separated by a space. */
    while (p < end && is_blank(*p))
        p++;
    for (int i = 0; i < 2 && d->f[i].fmt != NULL; i++) {
        const EventFormat *ef = &d->f[i];
        if (want != SK_LOG_DIALECT_UNKNOWN && ef->dialect != 0 &&
            ef->dialect != want && d->f[1].fmt != NULL)
            continue;
        if (match_fast(p, end, ef->fmt, compiled[d - event_defs][i], v) ||
            match(p, end, ef->fmt, v, &fail)) {
            SkQemuLogResult res = build(d, ef->dialect, v, ev, reason);
            if (res != SK_QEMULOG_EVENT)
                return res;
            if (seen != NULL)
                *seen = ef->dialect;
            goto done;
        }
        if (best_f == NULL || fail.progress > best.progress) {
            best = fail;
            best_f = ef;
        }
    }
    fail_reason(d, best_f, &best, reason);
    return SK_QEMULOG_MALFORMED;

done:
    if (timed) {
        ev->time_ns = ns;
        ev->has |= SK_LOG_HAS_TIME;
    }
    return SK_QEMULOG_EVENT;
}

uint64_t sk_qemulog_hypersio_gen(uint32_t gen)
{
    uint64_t v = 0;
    int shift = 0;

    do {
        v |= (uint64_t)(gen % 10) << shift;
        shift += 4;
        gen /= 10;
    } while (gen != 0);
    return v;
}
