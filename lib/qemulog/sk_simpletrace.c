/* sk_simpletrace.c - QEMU "simple" trace backend logs read into SkLogEvents.
 *
 * Two parts: a parser of trace-events files (one declaration per line, as
 * QEMU's tracetool reads them) that works out, for every event we map, which
 * argument holds which field; and a buffered record reader that decodes each
 * event record in place from those precomputed argument positions.
 *
 * Layout of the log (QEMU 7.2 trace/simple.c; docs/simpletrace.md), all
 * fields in the writing host's byte order, little-endian on x86:
 *   header   u64 0xffffffffffffffff, u64 magic 0xf2b177cb0aa429b4, u64 4
 *   mapping  u64 0, u64 event id, u32 name length, name bytes
 *   event    u64 1, u64 event id, u64 timestamp ns, u32 record length
 *            (24 + arguments), u32 pid, arguments: 8 bytes per integer or
 *            pointer, u32 length + bytes per string
 *   dropped  an event record with id 0xfffffffffffffffe and one u64 argument,
 *            the number of events QEMU lost
 *
 * Invariants of SkSimpleTrace:
 *   1. t->pos <= t->end <= t->cap <= ST_BUF_SIZE; buf[pos..end) are the
 *      file bytes at offsets base + pos onward not yet consumed.
 *   2. Every id_decl[i] is ST_NO_MAPPING, ST_UNDECLARED or an index < n_decls.
 *   3. A decl's fixed_len is 0 exactly when one of its arguments is a string.
 *      A mapped decl's argi[] entries are ST_NO_ARG or < n_args and name an
 *      integer argument, and every required role of its mapping is there. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_bytes.h"
#include "sk_free.h"
#include "sk_record.h"
#include "sk_simpletrace.h"

#define ST_HEADER_ID UINT64_MAX
#define ST_MAGIC UINT64_C(0xf2b177cb0aa429b4)
#define ST_VERSION 4
#define ST_DROPPED_ID (UINT64_MAX - 1)
#define ST_TYPE_MAPPING 0
#define ST_TYPE_EVENT 1

#define ST_HEADER_SIZE 24
#define ST_REC_HEADER 24          /* id, timestamp, length, pid */
#define ST_MAX_RECORD (256u << 10) /* QEMU's ring buffer: no record is longer */
#define ST_MAX_NAME 4096          /* mapping names are C identifiers */
#define ST_MAX_ID (1u << 20)      /* QEMU numbers its ~5000 events from 0 */
#define ST_BUF_SIZE (4u << 20)    /* largest buffer; >= 8 + ST_MAX_RECORD */
#define ST_MIN_BUF 4096
#define ST_MAX_ARGS 11            /* tracetool's 10, plus vcpu's __cpu */
#define ST_MAX_TEXT (64u << 20)   /* trace-events-all is under 1 MiB */

#define ST_NO_MAPPING (-1)
#define ST_UNDECLARED (-2)

/* ---- which argument holds which field ------------------------------------ */

typedef enum {
    R_SID,      /* source id */
    R_BUS,
    R_DEVFN,
    R_DEV,      /* PCI slot */
    R_FN,       /* PCI function */
    R_IOVA,
    R_SLPTE,
    R_DID,
    R_PMASK,    /* page mask, ~(size - 1) */
    R_AMASK,    /* address mask, size - 1 (IOMMUTLBEntry.addr_mask) */
    R_LEVEL,    /* page level, 1..3 */
    R_WLEVEL,   /* page-table level of a walk step, 1..5 */
    R_GPA,      /* translated address */
    R_HIGH,     /* context entry */
    R_LOW,
    R_GEN,
    R_FMASK,    /* function mask of a device invalidation, 0..3 */
    R_ORDER,    /* page invalidation: 2^order pages of 4 KiB, 0..51 */
    R_TABLE,    /* page-table address */
    R_WRITE,    /* 0 or 1 */
    R_COUNT
} StRole;

/* How a mapped event is decoded (one straight-line decoder each). */
typedef enum {
    K_PAGE,        /* vtd_iotlb_page_hit/_update: sid, addr, slpte, domain */
    K_DMAR,        /* vtd_dmar_translate: bus, slot, func, iova, gpa, mask */
    K_SLPTE,       /* vtd_slpte_fetch (HyperSIO's patch) */
    K_CC,          /* vtd_iotlb_cc_hit/_update: bus, devfn, high, low, gen */
    K_INV,         /* an invalidation without fields */
    K_INV_DID,     /* domain */
    K_INV_DEVICES, /* sid, fmask */
    K_INV_PAGES,   /* domain, addr, mask (an order) */
    K_INV_WAIT,    /* addr */
    K_DMAR_FAULT,  /* sid, addr, is_write */
    K_FAULT,       /* a fault without fields */
} StKind;

typedef struct {
    uint8_t role;
    uint8_t required;
    const char *names;   /* argument names it may have, '|' between */
} StRule;

#define ST_MAX_RULES 7

typedef struct {
    const char *event;
    uint8_t kind;        /* StKind */
    uint8_t sub;         /* SkLogVia (TRANSLATE) or SkLogInvType (INVALIDATE) */
    StRule rules[ST_MAX_RULES];
} StMapping;

#define REQ(r, n) { r, 1, n }
#define OPT(r, n) { r, 0, n }
#define NONE { { 0, 0, NULL } }

/* The vtd_* events of QEMU 7.2's hw/i386/trace-events, read as the text
 * reader reads their log lines (same fields, flags and range checks).
 * Optional rules pick up arguments a patched build may add (HyperSIO's page
 * mask and level).  vtd_inv_desc_cc_device (one per device after
 * vtd_inv_desc_cc_devices) and vtd_inv_desc_wait_irq are not read, as in
 * the text reader. */
static const StMapping st_mappings[] = {
    { "vtd_iotlb_page_hit", K_PAGE, SK_LOG_VIA_IOTLB,
      { REQ(R_SID, "sid"), REQ(R_IOVA, "addr|iova"), REQ(R_SLPTE, "slpte"),
        REQ(R_DID, "domain"), OPT(R_PMASK, "pmask"),
        OPT(R_LEVEL, "level") } },
    { "vtd_iotlb_page_update", K_PAGE, SK_LOG_VIA_WALK,
      { REQ(R_SID, "sid"), REQ(R_IOVA, "addr|iova"), REQ(R_SLPTE, "slpte"),
        REQ(R_DID, "domain"), OPT(R_PMASK, "pmask"),
        OPT(R_LEVEL, "level") } },
    { "vtd_dmar_translate", K_DMAR, SK_LOG_VIA_DMAR,
      { REQ(R_BUS, "bus"), REQ(R_DEV, "slot|dev"), REQ(R_FN, "func|fn"),
        REQ(R_IOVA, "iova|addr"), REQ(R_GPA, "gpa"), REQ(R_AMASK, "mask") } },
    { "vtd_slpte_fetch", K_SLPTE, 0,
      { REQ(R_HIGH, "high|hi"), REQ(R_LOW, "low|lo"), REQ(R_IOVA, "iova"),
        REQ(R_WLEVEL, "level"), REQ(R_TABLE, "addr"),
        REQ(R_SLPTE, "slpte") } },
    { "vtd_iotlb_cc_hit", K_CC, 0,
      { REQ(R_BUS, "bus"), REQ(R_DEVFN, "devfn"), REQ(R_HIGH, "high|hi"),
        REQ(R_LOW, "low|lo"), REQ(R_GEN, "gen") } },
    { "vtd_iotlb_cc_update", K_CC, 0,
      { REQ(R_BUS, "bus"), REQ(R_DEVFN, "devfn"), REQ(R_HIGH, "high|hi"),
        REQ(R_LOW, "low|lo"), REQ(R_GEN, "gen2") } },
    { "vtd_inv_desc_cc_global", K_INV, SK_LOG_INV_CONTEXT_GLOBAL,
      NONE },
    { "vtd_inv_desc_cc_domain", K_INV_DID, SK_LOG_INV_CONTEXT_DOMAIN,
      { REQ(R_DID, "domain") } },
    { "vtd_inv_desc_cc_devices", K_INV_DEVICES, SK_LOG_INV_CONTEXT_DEVICE,
      { REQ(R_SID, "sid"), REQ(R_FMASK, "fmask") } },
    { "vtd_inv_desc_iotlb_global", K_INV, SK_LOG_INV_IOTLB_GLOBAL,
      NONE },
    { "vtd_inv_desc_iotlb_domain", K_INV_DID, SK_LOG_INV_IOTLB_DOMAIN,
      { REQ(R_DID, "domain") } },
    { "vtd_inv_desc_iotlb_pasid", K_INV_DID, SK_LOG_INV_IOTLB_DOMAIN,
      { REQ(R_DID, "domain") } },
    { "vtd_inv_desc_iotlb_pages", K_INV_PAGES, SK_LOG_INV_IOTLB_PAGES,
      { REQ(R_DID, "domain"), REQ(R_IOVA, "addr"), REQ(R_ORDER, "mask") } },
    { "vtd_inv_desc_iotlb_pasid_pages", K_INV_PAGES,
      SK_LOG_INV_IOTLB_PAGES,
      { REQ(R_DID, "domain"), REQ(R_IOVA, "addr"), REQ(R_ORDER, "mask") } },
    { "vtd_inv_desc_wait_sw", K_INV_WAIT, SK_LOG_INV_WAIT,
      { REQ(R_IOVA, "addr") } },
    { "vtd_inv_desc_iec", K_INV, SK_LOG_INV_OTHER, NONE },
    { "vtd_dmar_fault", K_DMAR_FAULT, 0,
      { REQ(R_SID, "sid"), REQ(R_IOVA, "addr"), OPT(R_WRITE, "is_write") } },
};

/* vtd_fault_* (7.2: vtd_fault_disabled) and HyperSIO-era vtd_err_dmar_*:
 * a fault, no fields. */
static const StMapping st_fault_mapping = { "vtd_fault_*", K_FAULT, 0,
                                            NONE };

#undef REQ
#undef OPT
#undef NONE

static const StMapping *st_mapping_find(const char *event)
{
    for (size_t i = 0; i < G_N_ELEMENTS(st_mappings); i++)
        if (strcmp(st_mappings[i].event, event) == 0)
            return &st_mappings[i];
    if ((g_str_has_prefix(event, "vtd_fault_") && event[10] != '\0') ||
        (g_str_has_prefix(event, "vtd_err_dmar_") && event[13] != '\0'))
        return &st_fault_mapping;
    return NULL;
}

/* ---- trace-events declarations -------------------------------------------- */

typedef struct {
    char *name;
    guint line;
    uint8_t n_args;
    uint16_t str_mask;     /* bit i: argument i is a string */
    uint32_t fixed_len;    /* record length (24 + 8 per argument), 0 if strings */
    const StMapping *map;  /* NULL: the event is skipped */
    uint8_t argi[R_COUNT]; /* argument holding each role, ST_NO_ARG if none */
} StDecl;

#define ST_NO_ARG 0xff

struct SkSimpleTrace {
    char *path;
    int fd;
    uint8_t *buf;
    size_t cap;            /* ST_MIN_BUF..ST_BUF_SIZE */
    size_t pos, end;       /* invariant 1 */
    uint64_t base;         /* file offset of buf[0] */
    gboolean eof;
    gboolean failed;
    StDecl *decls;
    guint n_decls;
    GHashTable *by_name;   /* name -> GUINT_TO_POINTER(index + 1) */
    int32_t *id_decl;      /* invariant 2 */
    uint32_t n_ids;
    uint64_t dropped;
};

static gboolean st_is_word(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

static gboolean st_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

/* Trims [*s, *e) of blanks. */
static void st_trim(const char **s, const char **e)
{
    while (*s < *e && st_is_space(**s))
        (*s)++;
    while (*e > *s && st_is_space((*e)[-1]))
        (*e)--;
}

static gboolean st_span_is(const char *s, const char *e, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

/* tracetool's rule: only standard C and fixed-size integer types, const,
 * and '*' (anything else must be declared as void *). */
static gboolean st_type_ok(const char *s, const char *e)
{
    static const char *const allowed[] = {
        "int", "long", "short", "char", "bool", "unsigned", "signed",
        "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t",
        "int64_t", "uint64_t", "void", "size_t", "ssize_t", "uintptr_t",
        "ptrdiff_t", "const",
    };
    gboolean any = FALSE;

    while (s < e) {
        const char *w;
        gboolean ok = FALSE;

        while (s < e && (st_is_space(*s) || *s == '*'))
            s++;
        w = s;
        while (s < e && !st_is_space(*s) && *s != '*')
            s++;
        if (w == s)
            continue;
        for (size_t i = 0; i < G_N_ELEMENTS(allowed) && !ok; i++)
            ok = st_span_is(w, s, allowed[i]);
        if (!ok)
            return FALSE;
        any = TRUE;
    }
    return any;
}

/* tracetool's is_string(): the type starts with "const char*", "char*",
 * "const char *" or "char *" and has exactly one '*'. */
static gboolean st_type_is_string(const char *s, const char *e)
{
    static const char *const prefixes[] = { "const char*", "char*",
                                            "const char *", "char *" };
    gboolean prefix = FALSE;
    int stars = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++) {
        size_t n = strlen(prefixes[i]);
        if ((size_t)(e - s) >= n && memcmp(s, prefixes[i], n) == 0)
            prefix = TRUE;
    }
    for (const char *p = s; p < e; p++)
        stars += *p == '*';
    return prefix && stars == 1;
}

typedef struct {
    char name[64];
} StArgName;

/* Parses one declaration line [s, e) into d (name and arguments) and names.
 * Returns NULL or a message (static or g_strdup'ed into *owned). */
static const char *st_parse_decl(const char *s, const char *e, StDecl *d,
                                 StArgName *names, char **owned)
{
    const char *p = s, *w, *args, *close;
    gboolean vcpu = FALSE;
    guint n = 0;

    /* Properties, then the name directly followed by '('. */
    for (;;) {
        while (p < e && st_is_space(*p))
            p++;
        w = p;
        while (p < e && st_is_word(*p))
            p++;
        if (w == p)
            return "expected an event name followed by '('";
        if (p < e && *p == '(')
            break;
        if (p == e || !st_is_space(*p))
            return "expected an event name followed by '('";
        {
            const char *q = p;
            while (q < e && st_is_space(*q))
                q++;
            if (q < e && *q == '(')
                return "expected an event name followed by '(' (no blank "
                       "between them)";
        }
        if (st_span_is(w, p, "vcpu")) {
            vcpu = TRUE;
        } else if (!st_span_is(w, p, "disable")) {
            *owned = g_strdup_printf("unknown property '%.*s' (known: disable,"
                                     " vcpu)", (int)MIN(p - w, 64), w);
            return *owned;
        }
    }
    d->name = g_strndup(w, (gsize)(p - w));
    args = p + 1;
    close = memchr(args, ')', (size_t)(e - args));
    if (close == NULL)
        return "missing ')' after the arguments";
    p = close + 1;
    while (p < e && st_is_space(*p))
        p++;
    if (p < e && *p != '"')
        return "expected a format string after ')'";

    if (vcpu) {   /* tracetool adds the CPU pointer as the first argument */
        strcpy(names[n].name, "__cpu");
        n++;
    }
    for (const char *a = args; a <= close;) {
        const char *ae = memchr(a, ',', (size_t)(close - a));
        const char *ts, *te, *is, *ie;

        if (ae == NULL)
            ae = close;
        ts = a;
        te = ae;
        a = ae + 1;
        st_trim(&ts, &te);
        if (ts == te)
            return "empty argument (an event without arguments says void)";
        if (st_span_is(ts, te, "void"))
            continue;
        /* The name follows the last '*', or else the last blank. */
        ie = te;
        is = te;
        while (is > ts && is[-1] != '*' && !st_is_space(is[-1]))
            is--;
        if (is == ts || is == ie) {
            *owned = g_strdup_printf("argument '%.*s' needs a type and a name",
                                     (int)MIN(te - ts, 64), ts);
            return *owned;
        }
        if (g_ascii_isdigit(*is) || ie - is >= (ptrdiff_t)sizeof names[0].name) {
            *owned = g_strdup_printf("bad argument name '%.*s'",
                                     (int)MIN(ie - is, 64), is);
            return *owned;
        }
        for (const char *c = is; c < ie; c++) {
            if (!st_is_word(*c)) {
                *owned = g_strdup_printf("bad argument name '%.*s'",
                                         (int)MIN(ie - is, 64), is);
                return *owned;
            }
        }
        te = is;
        st_trim(&ts, &te);
        if (!st_type_ok(ts, te)) {
            *owned = g_strdup_printf("argument type '%.*s' is not allowed "
                                     "(standard C and fixed-size integer types"
                                     " only, as in tracetool)",
                                     (int)MIN(te - ts, 64), ts);
            return *owned;
        }
        if (n >= ST_MAX_ARGS - (vcpu ? 0 : 1))
            return "more than 10 arguments";
        if (st_type_is_string(ts, te))
            d->str_mask |= (uint16_t)(1u << n);
        memcpy(names[n].name, is, (size_t)(ie - is));
        names[n].name[ie - is] = '\0';
        n++;
    }
    d->n_args = (uint8_t)n;
    d->fixed_len = d->str_mask ? 0 : ST_REC_HEADER + 8 * n;
    return NULL;
}

static gboolean st_name_matches(const char *alternatives, const char *name)
{
    size_t n = strlen(name);

    for (const char *a = alternatives; *a;) {
        const char *bar = strchr(a, '|');
        size_t k = bar ? (size_t)(bar - a) : strlen(a);
        if (k == n && memcmp(a, name, n) == 0)
            return TRUE;
        a += k + (bar != NULL);
    }
    return FALSE;
}

/* Finds the argument of each rule of d->map.  Returns NULL or a message. */
static const char *st_resolve(StDecl *d, const StArgName *names,
                              char **owned)
{
    const StMapping *m = d->map;

    memset(d->argi, ST_NO_ARG, sizeof d->argi);
    for (int r = 0; r < ST_MAX_RULES && m->rules[r].names != NULL; r++) {
        const StRule *rule = &m->rules[r];
        int found = -1;

        for (int a = 0; a < d->n_args && found < 0; a++)
            if (st_name_matches(rule->names, names[a].name))
                found = a;
        if (found < 0) {
            if (!rule->required)
                continue;
            *owned = g_strdup_printf("event '%s' has no argument named '%s' "
                                     "(siokit finds its fields by name)",
                                     d->name, rule->names);
            return *owned;
        }
        if (d->str_mask & (1u << found)) {
            *owned = g_strdup_printf("argument '%s' of event '%s' is a string,"
                                     " not an integer", names[found].name,
                                     d->name);
            return *owned;
        }
        d->argi[rule->role] = (uint8_t)found;
    }
    return NULL;
}

/* Reads a whole file of at most ST_MAX_TEXT bytes.  what names the file in
 * messages ("trace events"). */
static char *st_read_text(const char *path, const char *what, gsize *len,
                          GError **error)
{
    int fd = sk_input_open(what, path, error);
    GByteArray *b;
    uint8_t chunk[65536];

    if (fd < 0)
        return NULL;
    b = g_byte_array_new();
    for (;;) {
        ssize_t k = read(fd, chunk, sizeof chunk);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            g_set_error(error, SK_ERROR,
                        e == EISDIR ? SK_ERROR_INPUT : SK_ERROR_IO,
                        "%s '%s': cannot read: %s", what, path, g_strerror(e));
            goto err;
        }
        if (k == 0)
            break;
        if (b->len + (gsize)k > ST_MAX_TEXT) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%s '%s': larger than %u MiB, not a trace-events file",
                        what, path, ST_MAX_TEXT >> 20);
            goto err;
        }
        g_byte_array_append(b, chunk, (guint)k);
    }
    close(fd);
    *len = b->len;
    g_byte_array_append(b, (const uint8_t *)"", 1);
    return (char *)g_byte_array_free(b, FALSE);

err:
    close(fd);
    g_byte_array_free(b, TRUE);
    return NULL;
}

/* Parses the trace-events file into t->decls and t->by_name. */
static gboolean st_load_events(SkSimpleTrace *t, const char *path,
                               GError **error)
{
    gsize len;
    char *text = st_read_text(path, "trace events", &len, error);
    GArray *decls;
    guint line = 0;
    gboolean ok = TRUE;

    if (text == NULL)
        return FALSE;
    decls = g_array_new(FALSE, TRUE, sizeof(StDecl));
    for (const char *s = text, *end = text + len; s < end && ok;) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        const char *ls, *le;
        StArgName names[ST_MAX_ARGS];
        StDecl d;
        char *owned = NULL;
        const char *msg;

        if (e == NULL)
            e = end;
        line++;
        ls = s;
        le = e;
        s = e + 1;
        st_trim(&ls, &le);
        if (ls == le || *ls == '#')
            continue;
        if (memchr(ls, '\0', (size_t)(le - ls)) != NULL) {
            msg = "NUL byte in a text file";
        } else {
            memset(&d, 0, sizeof d);
            d.line = line;
            msg = st_parse_decl(ls, le, &d, names, &owned);
            if (msg == NULL) {
                d.map = st_mapping_find(d.name);
                if (d.map != NULL)
                    msg = st_resolve(&d, names, &owned);
            }
            if (msg == NULL)
                g_array_append_val(decls, d);
            else
                g_free(d.name);
        }
        if (msg != NULL) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "trace events '%s':%u: %s", path, line, msg);
            g_free(owned);
            ok = FALSE;
        }
    }
    g_free(text);

    t->n_decls = decls->len;
    t->decls = (StDecl *)(void *)g_array_free(decls, FALSE);
    if (!ok)
        return FALSE;
    if (t->n_decls == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "trace events '%s': no event declarations", path);
        return FALSE;
    }
    /* A name declared twice: the last declaration wins, as in simpletrace.py. */
    for (guint i = 0; i < t->n_decls; i++)
        g_hash_table_insert(t->by_name, t->decls[i].name,
                            GUINT_TO_POINTER(i + 1));
    return TRUE;
}

/* ---- the log ------------------------------------------------------------- */

/* An error in the log's content; reading cannot go on after it. */
#define st_fail(t, error, ...) \
    ((t)->failed = TRUE, \
     sk_error_in_file(error, "simple trace", (t)->path, __VA_ARGS__))

/* Makes at least need (<= ST_BUF_SIZE) unread bytes available unless the
 * file ends first.  Returns the bytes available, or -1 on a read error.
 * The buffer starts at the file's size (small files, small buffer) and
 * grows to ST_BUF_SIZE once the file proves longer. */
static gssize st_fill(SkSimpleTrace *t, size_t need, GError **error)
{
    while (t->end - t->pos < need && !t->eof) {
        ssize_t k;

        if (t->cap - t->pos < need) {
            memmove(t->buf, t->buf + t->pos, t->end - t->pos);
            t->base += t->pos;
            t->end -= t->pos;
            t->pos = 0;
            if (t->cap < ST_BUF_SIZE) {
                t->cap = ST_BUF_SIZE;
                t->buf = g_realloc(t->buf, t->cap);
            }
        }
        k = read(t->fd, t->buf + t->end, t->cap - t->end);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            g_set_error(error, SK_ERROR, SK_ERROR_IO,
                        "simple trace '%s': cannot read: %s", t->path,
                        g_strerror(e));
            t->failed = TRUE;
            return -1;
        }
        if (k == 0)
            t->eof = TRUE;
        t->end += (size_t)k;
    }
    return (gssize)(t->end - t->pos);
}

/* Makes `need` bytes of the record at t->pos available, *avail and *p
 * following the buffer: 1, or 0 when the log ends first, or -1 on a read
 * error. */
static inline int st_need(SkSimpleTrace *t, size_t need, gssize *avail,
                          const uint8_t **p, GError **error)
{
    if ((size_t)*avail >= need)
        return 1;
    if ((*avail = st_fill(t, need, error)) < 0)
        return -1;
    *p = t->buf + t->pos;
    return (size_t)*avail >= need;
}

gboolean sk_simple_trace_sniff(const uint8_t *head, gsize n)
{
    return head != NULL && n >= SK_SIMPLE_TRACE_SNIFF_BYTES &&
           sk_get_le64(head) == ST_HEADER_ID && sk_get_le64(head + 8) == ST_MAGIC;
}

SkSimpleTrace *sk_simple_trace_open(const char *path, const char *trace_events,
                                    GError **error)
{
    SkSimpleTrace *t;
    const uint8_t *h;
    uint64_t version;
    struct stat sb;

    g_return_val_if_fail(path != NULL, NULL);
    if (trace_events == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "simple trace '%s': simple log needs --trace-events (the "
                    "trace-events-all of the QEMU build that wrote it)", path);
        return NULL;
    }
    t = g_new0(SkSimpleTrace, 1);
    t->path = g_strdup(path);
    t->fd = -1;
    t->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    if (!st_load_events(t, trace_events, error))
        goto err;

    t->fd = sk_input_open("simple trace", path, error);
    if (t->fd < 0)
        goto err;
    if (fstat(t->fd, &sb) == 0 && sb.st_size >= 0 &&
        (uint64_t)sb.st_size < ST_BUF_SIZE)
        t->cap = MAX((size_t)sb.st_size + 1, ST_MIN_BUF);
    else
        t->cap = ST_BUF_SIZE;
    t->buf = g_malloc(t->cap);
    if (st_fill(t, ST_HEADER_SIZE, error) < 0)
        goto err;
    h = t->buf;
    if (t->end < ST_HEADER_SIZE || sk_get_le64(h) != ST_HEADER_ID) {
        st_fail(t, error, "not a QEMU simple trace log (no header)");
        goto err;
    }
    if (sk_get_le64(h + 8) != ST_MAGIC) {
        if (sk_get_le64(h + 8) == GUINT64_SWAP_LE_BE(ST_MAGIC))
            st_fail(t, error, "written by a big-endian host, which siokit "
                    "does not read");
        else
            st_fail(t, error, "not a QEMU simple trace log (magic "
                    "0x%016" PRIx64 ", expected 0x%016" PRIx64 ")",
                    sk_get_le64(h + 8), ST_MAGIC);
        goto err;
    }
    version = sk_get_le64(h + 16);
    if (version != ST_VERSION) {
        st_fail(t, error, "log format version %" PRIu64 " not supported "
                "(QEMU 4.0 to 7.2 write version %d)", version, ST_VERSION);
        goto err;
    }
    t->pos = ST_HEADER_SIZE;
    return t;

err:
    sk_simple_trace_free(t);
    return NULL;
}

/* Records that event id maps to name. */
static gboolean st_map(SkSimpleTrace *t, uint64_t id, const uint8_t *name,
                       uint32_t len, uint64_t at, GError **error)
{
    char *key;
    gpointer v;

    if (id >= ST_MAX_ID) {
        st_fail(t, error, "mapping record at byte %" PRIu64 ": event id %"
                PRIu64 " above %u", at, id, ST_MAX_ID - 1);
        return FALSE;
    }
    if (id >= t->n_ids) {
        uint32_t n = MAX(t->n_ids * 2, 1024u);
        while (n <= id)
            n *= 2;
        n = MIN(n, ST_MAX_ID);
        t->id_decl = g_renew(int32_t, t->id_decl, n);
        for (uint32_t i = t->n_ids; i < n; i++)
            t->id_decl[i] = ST_NO_MAPPING;
        t->n_ids = n;
    }
    key = g_strndup((const char *)name, len);
    v = g_hash_table_lookup(t->by_name, key);
    g_free(key);
    t->id_decl[id] = v ? (int32_t)(GPOINTER_TO_UINT(v) - 1) : ST_UNDECLARED;
    return TRUE;
}

/* Argument offsets of a declaration without strings: 24 + 8 * i. */
static const uint32_t st_fixed_offs[ST_MAX_ARGS] = {
    24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104,
};

/* Fills ev from the record rec (its arguments already checked against d's
 * layout); offs are the argument offsets.  Returns FALSE if a field is out
 * of its range (the record is malformed), judged as the text reader
 * (sk_qemulog.c) judges the same field in a log line. */
static gboolean st_decode(const StDecl *d, const uint8_t *rec,
                          const uint32_t *offs, SkLogEvent *ev)
{
    const StMapping *m = d->map;
    const uint8_t *a = d->argi;

#define ARG(r) sk_get_le64(rec + offs[a[r]])
#define HAS(r) (a[r] != ST_NO_ARG)
    memset(ev, 0, sizeof *ev);
    ev->time_ns = sk_get_le64(rec + 8);
    ev->has = SK_LOG_HAS_TIME;

    switch ((StKind)m->kind) {
    case K_PAGE: {
        uint64_t sid = ARG(R_SID), did = ARG(R_DID);
        if ((sid | did) > 0xffff)
            return FALSE;
        ev->type = SK_LOG_TRANSLATE;
        ev->via = m->sub;
        ev->sid = (uint16_t)sid;
        ev->did = (uint32_t)did;
        ev->iova = ARG(R_IOVA);
        ev->slpte = ARG(R_SLPTE);
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_SLPTE;
        if (G_UNLIKELY(HAS(R_PMASK))) {
            /* A mask of no page size is kept, with level 0. */
            ev->mask = ARG(R_PMASK);
            ev->level = (uint8_t)sk_mask_level(ev->mask);
            ev->has |= SK_LOG_HAS_MASK;
        }
        if (G_UNLIKELY(HAS(R_LEVEL))) {
            uint64_t level = ARG(R_LEVEL);
            if (level < SK_LEVEL_MIN || level > SK_LEVEL_MAX)
                return FALSE;
            ev->level = (uint8_t)level;
            if (!HAS(R_PMASK))
                ev->mask = sk_level_mask(ev->level);
            ev->has |= SK_LOG_HAS_LEVEL;
        }
        return TRUE;
    }
    case K_DMAR: {
        uint64_t bus = ARG(R_BUS), dev = ARG(R_DEV), fn = ARG(R_FN);
        uint64_t amask = ARG(R_AMASK);
        /* QEMU logs the IOMMUTLBEntry's addr_mask: the page offset bits. */
        if ((bus > 0xff) | (dev > 0x1f) | (fn > 7) | ((amask & (amask + 1)) != 0))
            return FALSE;
        ev->type = SK_LOG_TRANSLATE;
        ev->via = m->sub;
        ev->sid = (uint16_t)(bus << 8 | dev << 3 | fn);
        ev->iova = ARG(R_IOVA);
        ev->result = ARG(R_GPA);
        ev->mask = ~amask;
        ev->level = (uint8_t)sk_mask_level(ev->mask);
        ev->has |= SK_LOG_HAS_MASK;
        return TRUE;
    }
    case K_SLPTE: {
        uint64_t level = ARG(R_WLEVEL);
        if (level < 1 || level > 5)
            return FALSE;
        ev->type = SK_LOG_SLPTE_FETCH;
        ev->high = ARG(R_HIGH);
        ev->low = ARG(R_LOW);
        ev->iova = ARG(R_IOVA);
        ev->level = (uint8_t)level;
        ev->addr = ARG(R_TABLE);
        ev->slpte = ARG(R_SLPTE);
        ev->did = (uint32_t)(ev->high >> 8) & 0xffff;   /* VT-d context entry */
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_LEVEL | SK_LOG_HAS_SLPTE;
        return TRUE;
    }
    case K_CC: {
        uint64_t bus = ARG(R_BUS), devfn = ARG(R_DEVFN), gen = ARG(R_GEN);
        if (((bus | devfn) > 0xff) | (gen > UINT32_MAX))
            return FALSE;
        ev->type = SK_LOG_CONTEXT;
        ev->sid = (uint16_t)(bus << 8 | devfn);
        ev->high = ARG(R_HIGH);
        ev->low = ARG(R_LOW);
        ev->gen = (uint32_t)gen;
        ev->did = (uint32_t)(ev->high >> 8) & 0xffff;   /* VT-d context entry */
        ev->has |= SK_LOG_HAS_DID;
        return TRUE;
    }
    case K_INV:
        break;
    case K_INV_DID: {
        uint64_t did = ARG(R_DID);
        if (did > 0xffff)
            return FALSE;
        ev->did = (uint32_t)did;
        ev->has |= SK_LOG_HAS_DID;
        break;
    }
    case K_INV_DEVICES: {
        uint64_t sid = ARG(R_SID), fmask = ARG(R_FMASK);
        if ((sid > 0xffff) | (fmask > 3))
            return FALSE;
        ev->sid = (uint16_t)sid;
        ev->mask = fmask;
        break;
    }
    case K_INV_PAGES: {
        uint64_t did = ARG(R_DID), order = ARG(R_ORDER);
        /* The address mask is an order: 2^mask pages of 4 KiB. */
        if ((did > 0xffff) | (order > 51))
            return FALSE;
        ev->did = (uint32_t)did;
        ev->iova = ARG(R_IOVA);
        ev->mask = ~((UINT64_C(4096) << order) - 1);
        ev->has |= SK_LOG_HAS_DID | SK_LOG_HAS_MASK;
        break;
    }
    case K_INV_WAIT:
        ev->iova = ARG(R_IOVA);
        break;
    case K_DMAR_FAULT: {
        uint64_t sid = ARG(R_SID);
        if (sid > 0xffff || (HAS(R_WRITE) && ARG(R_WRITE) > 1))
            return FALSE;
        ev->type = SK_LOG_FAULT;
        ev->sid = (uint16_t)sid;
        ev->iova = ARG(R_IOVA);
        return TRUE;
    }
    case K_FAULT:
        ev->type = SK_LOG_FAULT;
        return TRUE;
    }
#undef ARG
#undef HAS
    ev->type = SK_LOG_INVALIDATE;   /* the K_INV* kinds */
    ev->inv_type = m->sub;
    return TRUE;
}

/* Checks a record of a declaration with strings against its arguments and
 * fills offs.  Returns FALSE if the arguments do not fill exactly len. */
static gboolean st_walk(const StDecl *d, const uint8_t *rec, uint32_t len,
                        uint32_t *offs)
{
    uint32_t off = ST_REC_HEADER;

    for (int i = 0; i < d->n_args; i++) {
        offs[i] = off;
        if (d->str_mask & (1u << i)) {
            uint32_t slen;
            if (len - off < 4)
                return FALSE;
            slen = sk_get_le32(rec + off);
            off += 4;
            if (len - off < slen)
                return FALSE;
            off += slen;
        } else {
            if (len - off < 8)
                return FALSE;
            off += 8;
        }
    }
    return off == len;
}

int sk_simple_trace_next(SkSimpleTrace *t, SkLogEvent *ev, SkLogStats *stats,
                         GError **error)
{
    SkLogStats scratch;
    gssize avail;

    if (stats == NULL) {
        memset(&scratch, 0, sizeof scratch);
        stats = &scratch;
    }
    if (t->failed) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "simple trace '%s': reading already failed", t->path);
        return -1;
    }
    for (;;) {
        const uint8_t *p = t->buf + t->pos;
        uint64_t at = t->base + t->pos;
        uint64_t type, id;
        uint32_t len;

        avail = (gssize)(t->end - t->pos);
        if (avail < 8 + ST_REC_HEADER) {
            avail = st_fill(t, 8 + ST_REC_HEADER, error);
            if (avail < 0)
                return -1;
            if (avail == 0)
                return 0;
            p = t->buf + t->pos;
            at = t->base + t->pos;
            if (avail < 8)
                goto truncated;
        }
        type = sk_get_le64(p);

        if (G_LIKELY(type == ST_TYPE_EVENT)) {
            const uint8_t *rec;
            int32_t k;

            if (avail < 8 + ST_REC_HEADER)
                goto truncated;
            len = sk_get_le32(p + 24);
            if (len < ST_REC_HEADER || len > ST_MAX_RECORD) {
                stats->lines++;
                stats->malformed++;
                st_fail(t, error, "record at byte %" PRIu64 ": length %" PRIu32
                        " outside %d..%u", at, len, ST_REC_HEADER,
                        ST_MAX_RECORD);
                return -1;
            }
            switch (st_need(t, 8 + (size_t)len, &avail, &p, error)) {
            case -1: return -1;
            case 0: goto truncated;
            }
            t->pos += 8 + (size_t)len;
            stats->lines++;
            rec = p + 8;
            id = sk_get_le64(rec);
            k = id < t->n_ids ? t->id_decl[id] : ST_NO_MAPPING;

            if (G_LIKELY(k >= 0)) {
                const StDecl *d = &t->decls[k];
                uint32_t offs[ST_MAX_ARGS];

                if (d->fixed_len ? len != d->fixed_len
                                 : !st_walk(d, rec, len, offs)) {
                    stats->malformed++;
                    continue;
                }
                if (d->map == NULL) {
                    stats->skipped++;
                    continue;
                }
                if (!st_decode(d, rec, d->fixed_len ? st_fixed_offs : offs,
                               ev)) {
                    stats->malformed++;
                    continue;
                }
                stats->events++;
                return 1;
            }
            if (id == ST_DROPPED_ID && len == ST_REC_HEADER + 8) {
                t->dropped += sk_get_le64(rec + ST_REC_HEADER);
                stats->skipped++;
            } else if (k == ST_UNDECLARED) {
                stats->skipped++;     /* not in trace-events: not ours */
            } else {
                stats->malformed++;   /* no mapping record for this id */
            }
            continue;
        }

        if (type == ST_TYPE_MAPPING) {
            if (avail < 20) {
                avail = st_fill(t, 20, error);
                if (avail < 0)
                    return -1;
                if (avail < 20)
                    goto truncated;
                p = t->buf + t->pos;
            }
            id = sk_get_le64(p + 8);
            len = sk_get_le32(p + 16);
            if (len == 0 || len > ST_MAX_NAME) {
                st_fail(t, error, "mapping record at byte %" PRIu64 ": name "
                        "length %" PRIu32 " outside 1..%d", at, len,
                        ST_MAX_NAME);
                return -1;
            }
            switch (st_need(t, 20 + (size_t)len, &avail, &p, error)) {
            case -1: return -1;
            case 0: goto truncated;
            }
            if (!st_map(t, id, p + 20, len, at, error))
                return -1;
            t->pos += 20 + (size_t)len;
            continue;
        }

        stats->lines++;
        stats->malformed++;
        st_fail(t, error, "record at byte %" PRIu64 ": unknown record type %"
                PRIu64, at, type);
        return -1;
    }

truncated:
    stats->lines++;
    stats->malformed++;
    st_fail(t, error, "truncated record at byte %" PRIu64,
            t->base + t->pos);
    return -1;
}

uint64_t sk_simple_trace_dropped(const SkSimpleTrace *t)
{
    return t->dropped;
}

void sk_simple_trace_free(SkSimpleTrace *t)
{
    if (t == NULL)
        return;
    if (t->fd >= 0)
        close(t->fd);
    for (guint i = 0; i < t->n_decls; i++)
        g_free(t->decls[i].name);
    g_free(t->decls);
    if (t->by_name != NULL)
        g_hash_table_destroy(t->by_name);
    SK_FREE_ALL(t->id_decl, t->buf, t->path, t);
}
