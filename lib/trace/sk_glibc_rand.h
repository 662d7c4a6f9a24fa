/* sk_glibc_rand.h - glibc's rand() sequence, reproduced without touching the
 * process-wide generator.  Used by hypersio-1.0 mode (LFU ties) and by
 * trace-gen's HyperSIO-compatible rand order.
 *
 * HyperSIO 1.0 breaks LFU ties with rand() (never seeded, so seed 1).  To
 * give its numbers on any machine, hypersio-1.0 mode draws from this copy of
 * glibc's TYPE_3 additive feedback generator (r[i] = r[i-3] + r[i-31],
 * output r[i] >> 1, 310 outputs discarded after seeding). */
#ifndef SK_GLIBC_RAND_H
#define SK_GLIBC_RAND_H

#include <stdint.h>

typedef struct SkGlibcRand {
    uint32_t r[34];
    unsigned pos;
} SkGlibcRand;

void sk_glibc_rand_seed(SkGlibcRand *g, uint32_t seed);
/* The next value, exactly what glibc's rand() returns: 0..RAND_MAX. */
int32_t sk_glibc_rand_next(SkGlibcRand *g);

#endif
