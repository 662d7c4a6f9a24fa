/* sk_prng.h - siokit's portable seeded random numbers: the same seed gives
 * the same numbers on every machine (xoshiro256** seeded by splitmix64).
 * Never rand(): its sequence depends on the C library (hypersio-1.0
 * compatibility, which needs glibc's, has its own copy in perf/). */
#ifndef SK_PRNG_H
#define SK_PRNG_H

#include <stdint.h>

typedef struct SkPrng {
    uint64_t s[4];
} SkPrng;

/* splitmix64's finaliser: a good 64-bit mix of z + golden ratio. */
static inline uint64_t sk_prng_mix(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline void sk_prng_seed(SkPrng *p, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        seed += UINT64_C(0x9e3779b97f4a7c15);
        p->s[i] = sk_prng_mix(seed);
    }
}

static inline uint64_t sk_prng_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t sk_prng_next(SkPrng *p)
{
    uint64_t *s = p->s;
    uint64_t result = sk_prng_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sk_prng_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n >= 1, without modulo bias (multiply and reject). */
static inline uint64_t sk_prng_below(SkPrng *p, uint32_t n)
{
    uint64_t m = (sk_prng_next(p) >> 32) * n;
    uint32_t low = (uint32_t)m;

    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (sk_prng_next(p) >> 32) * n;
            low = (uint32_t)m;
        }
    }
    return m >> 32;
}

/* Uniform in [0, 1). */
static inline double sk_prng_unit(SkPrng *p)
{
    return (double)(sk_prng_next(p) >> 11) * (1.0 / 9007199254740992.0);
}

#endif
