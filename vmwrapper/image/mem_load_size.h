/* mem_load_size.h - mem-load's sizes: digits and k/K, m/M or g/G (no suffix: KiB).
 *
 * Header only and without GLib, so that mem-load builds statically for
 * the guest images and the fuzz target reads the same code.  Returns 0 and
 * sets *kib, or -1 for anything else (sign, space, fraction, two suffixes,
 * more than MEM_LOAD_SIZE_MAX KiB). */
#ifndef MEM_LOAD_SIZE_H
#define MEM_LOAD_SIZE_H

#define MEM_LOAD_SIZE_MAX (1ULL << 40)   /* 1 PiB in KiB */

static inline int mem_load_size(const char *text, unsigned long long *kib)
{
    unsigned long long v = 0;
    int shift = 0;
    const char *p = text;

    if (!p || *p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned long long)(*p - '0');
        if (v > MEM_LOAD_SIZE_MAX)
            return -1;
    }
    switch (*p) {
    case '\0': break;
    case 'k': case 'K': p++; break;
    case 'm': case 'M': shift = 10; p++; break;
    case 'g': case 'G': shift = 20; p++; break;
    default: return -1;
    }
    if (*p != '\0' || v > (MEM_LOAD_SIZE_MAX >> shift))
        return -1;
    *kib = v << shift;
    return 0;
}

#endif
