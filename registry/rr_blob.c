/* rr_blob.c - a layer's bytes on demand and their SHA-256. */
#include "rr_blob.h"

#include <string.h>

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void rr_blob_fill(const RrBlob *b, uint64_t off, guint8 *buf, gsize n)
{
    g_assert(off <= b->size && n <= b->size - off);
    if (!b->random) {
        memset(buf, 0, n);
        return;
    }
    while (n > 0) {
        uint64_t word = splitmix64(b->seed + off / 8);
        guint skip = (guint)(off % 8);
        gsize take = MIN(n, (gsize)(8 - skip));

        for (gsize i = 0; i < take; i++)
            buf[i] = (guint8)(word >> (8 * (skip + i)));
        buf += take;
        off += take;
        n -= take;
    }
}

void rr_blob_digest(const RrBlob *b, char hex[65])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    guint8 buf[65536];

    for (uint64_t off = 0; off < b->size;) {
        gsize n = (gsize)MIN((uint64_t)sizeof(buf), b->size - off);

        rr_blob_fill(b, off, buf, n);
        g_checksum_update(sum, buf, (gssize)n);
        off += n;
    }
    memcpy(hex, g_checksum_get_string(sum), 65);
    g_checksum_free(sum);
}
