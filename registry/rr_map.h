/* rr_map.h - an open-addressing hash map from a pair of 64-bit keys to a 64-bit value.
 *
 * For the simulators' hot loops: no allocation per entry, linear probing,
 * doubling at 50% load.  Deletion is not supported (the simulators only
 * add, or mark their own records dead). */
#ifndef RR_MAP_H
#define RR_MAP_H

#include <glib.h>
#include <stdint.h>

typedef struct RrMapSlot {
    uint64_t a, b, value;
    gboolean used;
} RrMapSlot;

typedef struct RrMap {
    RrMapSlot *slots;
    gsize cap, len;     /* cap a power of two */
} RrMap;

void rr_map_init(RrMap *m);
/* The slot of (a, b), or NULL. */
RrMapSlot *rr_map_find(const RrMap *m, uint64_t a, uint64_t b);
/* The slot of (a, b), made (value 0) when absent; *added tells which. */
RrMapSlot *rr_map_add(RrMap *m, uint64_t a, uint64_t b, gboolean *added);
void rr_map_clear(RrMap *m);

#endif
