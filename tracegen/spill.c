/* spill.c - per-tenant record streams on disk (see spill.h). */
#include "spill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_free.h"

#define SPILL_BUDGET (64u << 20)   /* bytes of chunk buffers, roughly */
#define SPILL_MIN_CHUNK 16u
#define SPILL_MAX_CHUNK 4096u

typedef struct Stream {
    GArray *chunks;        /* uint64_t file offsets of full chunks */
    SkRecord *buf;         /* writing: the chunk being filled; reading: the
                              chunk being read */
    uint32_t n;            /* records in buf */
    uint32_t pos;          /* reading: next record of buf */
    uint64_t count;        /* records in the stream */
    uint64_t read;         /* records read */
    guint next_chunk;      /* reading: next chunk to load */
} Stream;

struct TgSpill {
    int fd;
    char *path;
    uint64_t size;         /* bytes written */
    uint32_t chunk;        /* records a chunk */
    GHashTable *ids;       /* tenant -> stream index + 1 */
    GArray *streams;       /* Stream */
    gboolean reading;
};

static void spill_error(GError **error, const TgSpill *s, const char *what,
                        int errnum)
{
    g_set_error(error, SK_ERROR, SK_ERROR_IO, "spill file '%s': %s: %s",
                s->path, what, g_strerror(errnum));
}

TgSpill *tg_spill_new(const char *tmpdir, uint32_t tenants, GError **error)
{
    TgSpill *s = g_new0(TgSpill, 1);
    const char *dir = tmpdir ? tmpdir : g_get_tmp_dir();
    uint64_t per_tenant = SPILL_BUDGET / ((uint64_t)(tenants ? tenants : 1) * sizeof(SkRecord));

    s->chunk = (uint32_t)CLAMP(per_tenant, SPILL_MIN_CHUNK, SPILL_MAX_CHUNK);
    s->path = g_build_filename(dir, "trace-gen-spill-XXXXXX", NULL);
    s->fd = g_mkstemp(s->path);
    if (s->fd < 0) {
        spill_error(error, s, "cannot create", errno);
        g_free(s->path);
        g_free(s);
        return NULL;
    }
    unlink(s->path);       /* gone when closed, however the run ends */
    s->ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->streams = g_array_new(FALSE, TRUE, sizeof(Stream));
    return s;
}

static Stream *stream_of(TgSpill *s, uint32_t tenant, gboolean create)
{
    gpointer v = g_hash_table_lookup(s->ids, GUINT_TO_POINTER(tenant + 1));
    if (v)
        return &g_array_index(s->streams, Stream, GPOINTER_TO_UINT(v) - 1);
    if (!create)
        return NULL;
    Stream st = {.chunks = g_array_new(FALSE, FALSE, sizeof(uint64_t))};
    g_array_append_val(s->streams, st);
    g_hash_table_insert(s->ids, GUINT_TO_POINTER(tenant + 1),
                        GUINT_TO_POINTER(s->streams->len));
    return &g_array_index(s->streams, Stream, s->streams->len - 1);
}

static gboolean write_all(TgSpill *s, const void *data, size_t n, GError **error)
{
    const char *p = data;
    while (n > 0) {
        ssize_t w = pwrite(s->fd, p, n, (off_t)s->size);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            spill_error(error, s, "cannot write", errno);
            return FALSE;
        }
        p += w;
        n -= (size_t)w;
        s->size += (uint64_t)w;
    }
    return TRUE;
}

gboolean tg_spill_add(TgSpill *s, uint32_t tenant, const SkRecord *r,
                      GError **error)
{
    Stream *st = stream_of(s, tenant, TRUE);

    g_assert(!s->reading);
    if (st->buf == NULL)
        st->buf = g_new(SkRecord, s->chunk);
    st->buf[st->n++] = *r;
    st->count++;
    if (st->n == s->chunk) {
        uint64_t off = s->size;
        if (!write_all(s, st->buf, (size_t)st->n * sizeof(SkRecord), error))
            return FALSE;
        g_array_append_val(st->chunks, off);
        st->n = 0;
    }
    return TRUE;
}

uint64_t tg_spill_count(const TgSpill *s, uint32_t tenant)
{
    Stream *st = stream_of((TgSpill *)s, tenant, FALSE);
    return st ? st->count : 0;
}

/* Before the first read: every stream's partly filled chunk goes to the
 * file too, so that all of a stream is chunks on disk. */
static gboolean seal(TgSpill *s, GError **error)
{
    s->reading = TRUE;
    for (guint i = 0; i < s->streams->len; i++) {
        Stream *st = &g_array_index(s->streams, Stream, i);
        if (st->n > 0) {
            uint64_t off = s->size;
            if (!write_all(s, st->buf, (size_t)st->n * sizeof(SkRecord), error))
                return FALSE;
            g_array_append_val(st->chunks, off);
        }
        g_free(st->buf);
        st->buf = NULL;
        st->n = st->pos = 0;
    }
    return TRUE;
}

/* Loads the stream's next chunk (the last one may be short). */
static gboolean load_chunk(TgSpill *s, Stream *st, GError **error)
{
    uint64_t off = g_array_index(st->chunks, uint64_t, st->next_chunk);
    uint64_t left = st->count - (uint64_t)st->next_chunk * s->chunk;
    uint32_t records = (uint32_t)MIN(left, s->chunk);
    size_t want = (size_t)records * sizeof(SkRecord), got = 0;

    if (st->buf == NULL)
        st->buf = g_new(SkRecord, s->chunk);
    while (got < want) {
        ssize_t r = pread(s->fd, (char *)st->buf + got, want - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            spill_error(error, s, "cannot read back", r < 0 ? errno : EIO);
            return FALSE;
        }
        got += (size_t)r;
    }
    st->next_chunk++;
    st->n = records;
    st->pos = 0;
    return TRUE;
}

int tg_spill_next(TgSpill *s, uint32_t tenant, SkRecord *out, GError **error)
{
    Stream *st;

    if (!s->reading && !seal(s, error))
        return -1;
    st = stream_of(s, tenant, FALSE);
    if (st == NULL || st->read == st->count)
        return 0;
    if (st->pos == st->n && !load_chunk(s, st, error))
        return -1;
    *out = st->buf[st->pos++];
    if (++st->read == st->count) {
        g_free(st->buf);            /* a finished stream holds no memory */
        st->buf = NULL;
    }
    return 1;
}

void tg_spill_free(TgSpill *s)
{
    if (s == NULL)
        return;
    for (guint i = 0; i < s->streams->len; i++) {
        Stream *st = &g_array_index(s->streams, Stream, i);
        g_free(st->buf);
        g_array_free(st->chunks, TRUE);
    }
    g_array_free(s->streams, TRUE);
    g_hash_table_destroy(s->ids);
    close(s->fd);
    SK_FREE_ALL(s->path, s);
}
