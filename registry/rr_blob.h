/* rr_blob.h - the contents of a pushed layer: its size in zeros or seeded random bytes.
 *
 * The seed pushes a file of `size` zero bytes, or (warmup.random) zeros
 * ending in the decimal text of a random number, about 11 bytes longer
 * than the traced size.  Here a random blob is exactly `size` bytes from a
 * counter-based generator (word i of the blob is splitmix64(seed + i)), so
 * any range can be produced without holding the blob: uploads stream it
 * and the digest is computed in one pass over the same bytes.  Equal
 * (size, seed) give equal blobs; zero blobs of one size share a digest, and
 * the registry stores them once. */
#ifndef RR_BLOB_H
#define RR_BLOB_H

#include <glib.h>
#include <stdint.h>

typedef struct RrBlob {
    uint64_t size;
    uint64_t seed;      /* random blobs only */
    gboolean random;
} RrBlob;

/* The n bytes of the blob at offset off (off + n <= size). */
void rr_blob_fill(const RrBlob *b, uint64_t off, guint8 *buf, gsize n);

/* The hex SHA-256 of the blob's bytes (64 digits and a NUL). */
void rr_blob_digest(const RrBlob *b, char hex[65]);

#endif
