/* sk_glibc_rand.c - glibc's rand() sequence (TYPE_3, degree 31, separation 3). */
#include "sk_glibc_rand.h"

/* r[] is a ring of the last 34 values; r[i] = r[i-31] + r[i-3]. */
static uint32_t step(SkGlibcRand *g)
{
    unsigned i = g->pos;
    uint32_t v = g->r[(i + 34 - 31) % 34] + g->r[(i + 34 - 3) % 34];
    g->r[i] = v;
    g->pos = (i + 1) % 34;
    return v;
}

void sk_glibc_rand_seed(SkGlibcRand *g, uint32_t seed)
{
    int32_t word;
    int32_t init[34];

    if (seed == 0)
        seed = 1;
    init[0] = (int32_t)seed;
    word = (int32_t)seed;
    for (int i = 1; i < 31; i++) {
        /* 16807 * word % (2^31 - 1) without overflow (Schrage's method). */
        int32_t hi = word / 127773, lo = word % 127773;
        word = 16807 * lo - 2836 * hi;
        if (word < 0)
            word += 2147483647;
        init[i] = word;
    }
    for (int i = 31; i < 34; i++)
        init[i] = init[i - 31];
    for (int i = 0; i < 34; i++)
        g->r[i] = (uint32_t)init[i];
    g->pos = 0;   /* the next value computed is r[34] */
    for (int i = 0; i < 310; i++)
        step(g);
}

int32_t sk_glibc_rand_next(SkGlibcRand *g)
{
    return (int32_t)(step(g) >> 1);
}
