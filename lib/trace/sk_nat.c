/* sk_nat.c - next-access-time annotation through a disk spill (see sk_nat.h).
 *
 * Files, both unlinked right after creation:
 *   records  raw SkRecord structs in trace order, written by _add;
 *   nats     one uint64_t per record at offset 8*index, filled back to front
 *            by the NAT pass of _finish.
 * The NAT pass reads the records chunk by chunk from the last chunk to the
 * first and walks each chunk backwards; a (page, tenant) -> last index table
 * gives each record its NAT.  The write pass then reads both files front to
 * back.  Only the table grows with the input, by distinct keys.
 *
 * Speed: the table is sized once, before the NAT pass, from a HyperLogLog
 * estimate of the distinct keys kept by _add (4 KiB), so it rarely has to
 * grow (a growth rehashes into fresh memory, costly on big tables); lookups
 * prefetch the slot of the record NAT_PREFETCH_AHEAD positions on. */
#include "sk_nat.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_free.h"

#define NAT_CHUNK_BYTES (1u << 20)
#define NAT_TABLE_MIN_BITS 12
#define NAT_PREFETCH_AHEAD 32
#define NAT_HLL_BITS 12
#define NAT_HLL_SIZE (1u << NAT_HLL_BITS)

/* ---- (page, tenant) -> last index, open addressing, linear probing ----
 * Invariants:
 *   1. capacity (mask + 1) is a power of two, at least 2^NAT_TABLE_MIN_BITS;
 *   2. used <= 3/4 of capacity after every insertion;
 *   3. a slot is empty iff its last == SK_NAT_NONE; keys are unique. */

typedef struct {
    uint64_t page;
    uint64_t last;
    uint32_t tenant;
} NatSlot;

typedef struct {
    NatSlot *slots;
    uint64_t mask;
    uint64_t used;
} NatTable;

static inline uint64_t nat_hash(uint64_t page, uint32_t tenant)
{
    uint64_t h = page ^ ((uint64_t)tenant * UINT64_C(0x9e3779b97f4a7c15));
    h ^= h >> 32;
    h *= UINT64_C(0xd6e8feb86659fd93);
    h ^= h >> 32;
    h *= UINT64_C(0xd6e8feb86659fd93);
    h ^= h >> 32;
    return h;
}

static NatSlot *nat_slots_new(uint64_t capacity)
{
    NatSlot *slots = g_new(NatSlot, capacity);
    for (uint64_t i = 0; i < capacity; i++)
        slots[i].last = SK_NAT_NONE;
    return slots;
}

/* Room for about `expected` keys without growing. */
static void nat_table_init(NatTable *t, uint64_t expected)
{
    uint64_t capacity = UINT64_C(1) << NAT_TABLE_MIN_BITS;
    while (capacity / 4 * 3 < expected)
        capacity *= 2;
    t->mask = capacity - 1;
    t->slots = nat_slots_new(capacity);
    t->used = 0;
}

static void nat_table_clear(NatTable *t)
{
    g_free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->used = 0;
}

static void nat_table_grow(NatTable *t)
{
    uint64_t old_cap = t->mask + 1;
    uint64_t mask = old_cap * 2 - 1;
    NatSlot *slots = nat_slots_new(mask + 1);

    for (uint64_t i = 0; i < old_cap; i++) {
        const NatSlot *s = &t->slots[i];
        uint64_t j;
        if (s->last == SK_NAT_NONE)
            continue;
        j = nat_hash(s->page, s->tenant) & mask;
        while (slots[j].last != SK_NAT_NONE)
            j = (j + 1) & mask;
        slots[j] = *s;
    }
    g_free(t->slots);
    t->slots = slots;
    t->mask = mask;
}

/* Records index as the last access of (page, tenant); returns the previous
 * one or SK_NAT_NONE. */
static inline uint64_t nat_table_swap(NatTable *t, uint64_t hash,
                                      uint64_t page, uint32_t tenant,
                                      uint64_t index)
{
    uint64_t j = hash & t->mask;
    uint64_t prev;

    for (;;) {
        NatSlot *s = &t->slots[j];
        if (s->last == SK_NAT_NONE)
            break;
        if (s->page == page && s->tenant == tenant) {
            prev = s->last;
            s->last = index;
            return prev;
        }
        j = (j + 1) & t->mask;
    }
    if (t->used + 1 > (t->mask + 1) / 4 * 3) {
        nat_table_grow(t);
        j = hash & t->mask;
        while (t->slots[j].last != SK_NAT_NONE)
            j = (j + 1) & t->mask;
    }
    t->slots[j].page = page;
    t->slots[j].tenant = tenant;
    t->slots[j].last = index;
    t->used++;
    return SK_NAT_NONE;
}

/* ---- HyperLogLog estimate of the distinct keys (2^12 registers, about
 * 1.6% standard error): lets the table be sized once ---- */

static inline void nat_hll_add(uint8_t *reg, uint64_t hash)
{
    unsigned idx = (unsigned)(hash >> (64 - NAT_HLL_BITS));
    uint64_t rest = (hash << NAT_HLL_BITS) |
                    (UINT64_C(1) << (NAT_HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);

    if (rank > reg[idx])
        reg[idx] = rank;
}

static uint64_t nat_hll_estimate(const uint8_t *reg)
{
    const double m = NAT_HLL_SIZE;
    double sum = 0.0, e;
    unsigned zeros = 0;

    for (unsigned i = 0; i < NAT_HLL_SIZE; i++) {
        sum += 1.0 / (double)(UINT64_C(1) << reg[i]);
        zeros += reg[i] == 0;
    }
    e = 0.7213 / (1.0 + 1.079 / m) * m * m / sum;
    if (e <= 2.5 * m && zeros > 0)
        e = m * log(m / zeros);     /* small range: linear counting */
    return (uint64_t)e;
}

/* The table size to start from for a trace of n records whose keys went
 * through reg: the estimate plus a margin, never above n. */
static uint64_t nat_expected(const uint8_t *reg, uint64_t n)
{
    uint64_t e = nat_hll_estimate(reg);
    return MIN(e + e / 10, n);
}

static void nat_hll_add_records(uint8_t *reg, const SkRecord *recs, gsize n)
{
    for (gsize i = 0; i < n; i++)
        nat_hll_add(reg, nat_hash(recs[i].iova & recs[i].mask,
                                  recs[i].tenant));
}

/* NATs of recs[0..len), whose first record has trace index first, given that
 * the table holds every later record.  hashes is scratch of len entries. */
static void nat_annotate_block(NatTable *t, const SkRecord *recs, gsize len,
                               uint64_t first, uint64_t *nats,
                               uint64_t *hashes)
{
    for (gsize i = 0; i < len; i++)
        hashes[i] = nat_hash(recs[i].iova & recs[i].mask, recs[i].tenant);
    for (gsize i = len; i-- > 0;) {
        if (i >= NAT_PREFETCH_AHEAD)
            __builtin_prefetch(&t->slots[hashes[i - NAT_PREFETCH_AHEAD] &
                                         t->mask]);
        nats[i] = nat_table_swap(t, hashes[i], recs[i].iova & recs[i].mask,
                                 recs[i].tenant, first + i);
    }
}

void sk_nat_annotate(SkRecord *records, gsize n)
{
    const gsize block = NAT_CHUNK_BYTES / sizeof(SkRecord);
    uint64_t *nats = g_new(uint64_t, MIN(block, n) + 1);
    uint64_t *hashes = g_new(uint64_t, MIN(block, n) + 1);
    uint8_t *hll = g_new0(uint8_t, NAT_HLL_SIZE);
    NatTable t;
    gsize end = n;

    nat_hll_add_records(hll, records, n);
    nat_table_init(&t, nat_expected(hll, n));
    while (end > 0) {
        gsize start = end > block ? end - block : 0;
        nat_annotate_block(&t, records + start, end - start, start, nats,
                           hashes);
        for (gsize i = start; i < end; i++)
            records[i].nat = nats[i - start];
        end = start;
    }
    nat_table_clear(&t);
    g_free(hll);
    g_free(hashes);
    g_free(nats);
}

/* ---- the builder ---- */

typedef enum {
    NAT_ADDING,
    NAT_FINISHED,
    NAT_FAILED,
} NatState;

struct SkNatBuilder {
    NatState state;
    int rec_fd;             /* -1 once released */
    int nat_fd;
    char *rec_path;         /* names for messages; already unlinked */
    char *nat_path;
    gsize chunk;            /* records per chunk, >= 1 */
    SkRecord *buf;          /* chunk records: _add's buffer, then scratch */
    gsize buffered;         /* records in buf not yet in the file */
    uint64_t count;         /* records added, buffered included */
    uint64_t distinct;
    gboolean presize;       /* size the table from hll */
    uint8_t hll[NAT_HLL_SIZE];  /* distinct-key estimate of the records */
    SkNatProgressFunc progress;
    gpointer progress_data;
};

static int nat_tmpfile(const char *dir, char **path_out, GError **error)
{
    char *path = g_build_filename(dir, "siokit-nat-XXXXXX", NULL);
    int fd = g_mkstemp(path);

    if (fd < 0) {
        int e = errno;
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "cannot create a temporary file in '%s': %s", dir,
                    g_strerror(e));
        g_free(path);
        return -1;
    }
    /* Unlinked at once: the open descriptor keeps the data, and nothing can
     * be left behind by an error, a signal or a crash. */
    (void)unlink(path);
    *path_out = path;
    return fd;
}

static gboolean nat_pwrite(int fd, const char *path, const void *data,
                           gsize len, uint64_t offset, GError **error)
{
    const char *p = data;

    while (len > 0) {
        ssize_t w = pwrite(fd, p, len, (off_t)offset);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO,
                        "temporary file '%s': write failed: %s", path,
                        w < 0 ? g_strerror(errno) : "no progress");
            return FALSE;
        }
        p += w;
        len -= (gsize)w;
        offset += (uint64_t)w;
    }
    return TRUE;
}

static gboolean nat_pread(int fd, const char *path, void *data, gsize len,
                          uint64_t offset, GError **error)
{
    char *p = data;

    while (len > 0) {
        ssize_t r = pread(fd, p, len, (off_t)offset);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO,
                        "temporary file '%s': read failed at byte %llu: %s",
                        path, (unsigned long long)offset,
                        r < 0 ? g_strerror(errno) : "unexpected end of file");
            return FALSE;
        }
        p += r;
        len -= (gsize)r;
        offset += (uint64_t)r;
    }
    return TRUE;
}

static void nat_release_files(SkNatBuilder *b)
{
    if (b->rec_fd >= 0)
        close(b->rec_fd);
    if (b->nat_fd >= 0)
        close(b->nat_fd);
    b->rec_fd = -1;
    b->nat_fd = -1;
}

SkNatBuilder *sk_nat_builder_new(const char *tmpdir, GError **error)
{
    SkNatBuilder *b = g_new0(SkNatBuilder, 1);

    if (tmpdir == NULL)
        tmpdir = g_get_tmp_dir();
    b->state = NAT_ADDING;
    b->presize = TRUE;
    b->nat_fd = -1;
    b->chunk = NAT_CHUNK_BYTES / sizeof(SkRecord);
    b->buf = g_new(SkRecord, b->chunk);
    b->rec_fd = nat_tmpfile(tmpdir, &b->rec_path, error);
    if (b->rec_fd < 0)
        goto fail;
    b->nat_fd = nat_tmpfile(tmpdir, &b->nat_path, error);
    if (b->nat_fd < 0)
        goto fail;
    return b;
fail:
    sk_nat_builder_free(b);
    return NULL;
}

void sk_nat_builder_set_chunk(SkNatBuilder *b, gsize records)
{
    g_return_if_fail(b != NULL && records > 0 && b->count == 0);
    b->chunk = records;
    g_free(b->buf);
    b->buf = g_new(SkRecord, records);
}

void sk_nat_builder_set_presize(SkNatBuilder *b, gboolean presize)
{
    g_return_if_fail(b != NULL);
    b->presize = presize;
}

void sk_nat_builder_set_progress(SkNatBuilder *b, SkNatProgressFunc fn,
                                 gpointer data)
{
    g_return_if_fail(b != NULL);
    b->progress = fn;
    b->progress_data = data;
}

uint64_t sk_nat_builder_count(const SkNatBuilder *b)
{
    return b->count;
}

uint64_t sk_nat_builder_distinct(const SkNatBuilder *b)
{
    return b->distinct;
}

static gboolean nat_check_adding(const SkNatBuilder *b, GError **error)
{
    if (b->state == NAT_ADDING)
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "nat builder: %s",
                b->state == NAT_FAILED ? "an earlier write failed"
                                       : "already finished");
    return FALSE;
}

static gboolean nat_flush(SkNatBuilder *b, GError **error)
{
    uint64_t first = b->count - b->buffered;

    if (b->buffered == 0)
        return TRUE;
    if (!nat_pwrite(b->rec_fd, b->rec_path, b->buf,
                    b->buffered * sizeof(SkRecord), first * sizeof(SkRecord),
                    error))
        return FALSE;
    b->buffered = 0;
    return TRUE;
}

gboolean sk_nat_builder_add(SkNatBuilder *b, const SkRecord *records, gsize n,
                            GError **error)
{
    if (!nat_check_adding(b, error))
        return FALSE;
    nat_hll_add_records(b->hll, records, n);
    while (n > 0) {
        gsize take = MIN(n, b->chunk - b->buffered);
        memcpy(b->buf + b->buffered, records, take * sizeof(SkRecord));
        b->buffered += take;
        b->count += take;
        records += take;
        n -= take;
        if (b->buffered == b->chunk && !nat_flush(b, error)) {
            b->state = NAT_FAILED;
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean nat_report(SkNatBuilder *b, const char *phase, uint64_t done,
                           GError **error)
{
    if (b->progress == NULL ||
        b->progress(phase, done, b->count, b->progress_data))
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "interrupted");
    return FALSE;
}

gboolean sk_nat_builder_finish_to(SkNatBuilder *b, SkNatSinkFunc sink,
                                  gpointer data, GError **error)
{
    const uint64_t n = b->count;
    const uint64_t chunks = (n + b->chunk - 1) / b->chunk;
    uint64_t *nats = NULL;
    uint64_t *hashes = NULL;
    NatTable table = { 0 };
    gboolean ok = FALSE;

    if (!nat_check_adding(b, error))
        return FALSE;
    b->state = NAT_FINISHED;
    if (!nat_flush(b, error))
        goto out;
    nats = g_new(uint64_t, b->chunk);
    hashes = g_new(uint64_t, b->chunk);

    /* Backward pass: NATs of the last chunk first. */
    nat_table_init(&table, b->presize ? nat_expected(b->hll, n) : 0);
    for (uint64_t c = chunks; c-- > 0;) {
        uint64_t first = c * b->chunk;
        gsize len = (gsize)MIN((uint64_t)b->chunk, n - first);
        if (!nat_pread(b->rec_fd, b->rec_path, b->buf, len * sizeof(SkRecord),
                       first * sizeof(SkRecord), error))
            goto out;
        nat_annotate_block(&table, b->buf, len, first, nats, hashes);
        if (!nat_pwrite(b->nat_fd, b->nat_path, nats, len * sizeof(uint64_t),
                        first * sizeof(uint64_t), error))
            goto out;
        if (!nat_report(b, "annotating", n - first, error))
            goto out;
    }
    b->distinct = table.used;
    nat_table_clear(&table);

    /* Forward pass: records and their NATs, in trace order. */
    for (uint64_t c = 0; c < chunks; c++) {
        uint64_t first = c * b->chunk;
        gsize len = (gsize)MIN((uint64_t)b->chunk, n - first);
        if (!nat_pread(b->rec_fd, b->rec_path, b->buf, len * sizeof(SkRecord),
                       first * sizeof(SkRecord), error) ||
            !nat_pread(b->nat_fd, b->nat_path, nats, len * sizeof(uint64_t),
                       first * sizeof(uint64_t), error))
            goto out;
        for (gsize i = 0; i < len; i++)
            b->buf[i].nat = nats[i];
        if (!sink(b->buf, len, data, error))
            goto out;
        if (!nat_report(b, "writing", first + len, error))
            goto out;
    }
    ok = TRUE;
out:
    nat_table_clear(&table);
    g_free(hashes);
    g_free(nats);
    nat_release_files(b);
    return ok;
}

static gboolean nat_writer_sink(const SkRecord *records, gsize n,
                                gpointer data, GError **error)
{
    return sk_trace_writer_write(data, records, n, error);
}

gboolean sk_nat_builder_finish(SkNatBuilder *b, SkTraceWriter *out,
                               GError **error)
{
    return sk_nat_builder_finish_to(b, nat_writer_sink, out, error);
}

void sk_nat_builder_free(SkNatBuilder *b)
{
    if (b == NULL)
        return;
    nat_release_files(b);
    SK_FREE_ALL(b->rec_path, b->nat_path, b->buf, b);
}
