/* rr_hash.h - the consistent hash ring of the seed's route: true (hash_ring).
 *
 * Nodes 0..N-1 each get 40 points: for j in 0..39, the MD5 of "<n>-<j>"
 * gives three points, the little-endian 32-bit words at bytes 0, 4 and 8.
 * A key (a client address) hashes to the little-endian word at bytes 0..3
 * of its MD5 and goes to the node of the first point above it, wrapping to
 * the lowest point.  Equal points: the later node (in creation order) wins,
 * as in a Python dict. */
#ifndef RR_HASH_H
#define RR_HASH_H

#include <glib.h>
#include <stdint.h>

typedef struct RrHashRing RrHashRing;

/* A ring over nodes 0..nodes-1 (nodes >= 1). */
RrHashRing *rr_hash_ring_new(guint nodes);
guint rr_hash_ring_node(const RrHashRing *ring, const char *key);
void rr_hash_ring_free(RrHashRing *ring);

#endif
