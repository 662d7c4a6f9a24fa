/* sk_crc32c.c - CRC-32C, table-driven (slicing by 8) or with SSE4.2. */
#include "sk_crc32c.h"

#include <glib.h>
#include <string.h>

#include "sk_bytes.h"

static uint32_t crc32c_table[8][256];

static void crc32c_init_table(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc32c_table[0][i] = c;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^
                                 crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
}

uint32_t sk_crc32c_sw(uint32_t crc, const void *data, size_t n)
{
    static gsize once = 0;
    const uint8_t *p = data;

    if (g_once_init_enter(&once)) {
        crc32c_init_table();
        g_once_init_leave(&once, 1);
    }
    crc = ~crc;
    while (n >= 8) {
        uint32_t lo = sk_get_le32(p) ^ crc, hi = sk_get_le32(p + 4);
        crc = crc32c_table[7][lo & 0xff] ^ crc32c_table[6][(lo >> 8) & 0xff] ^
              crc32c_table[5][(lo >> 16) & 0xff] ^ crc32c_table[4][lo >> 24] ^
              crc32c_table[3][hi & 0xff] ^ crc32c_table[2][(hi >> 8) & 0xff] ^
              crc32c_table[1][(hi >> 16) & 0xff] ^ crc32c_table[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = (crc >> 8) ^ crc32c_table[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("sse4.2")))
static uint32_t crc32c_hw(uint32_t crc, const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t c = ~crc;

    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}

uint32_t sk_crc32c(uint32_t crc, const void *data, size_t n)
{
    static gsize have_hw = 0;   /* 0 not known yet, 1 no, 2 yes */

    if (g_once_init_enter(&have_hw))
        g_once_init_leave(&have_hw, __builtin_cpu_supports("sse4.2") ? 2 : 1);
    return have_hw == 2 ? crc32c_hw(crc, data, n) : sk_crc32c_sw(crc, data, n);
}
#else
uint32_t sk_crc32c(uint32_t crc, const void *data, size_t n)
{
    return sk_crc32c_sw(crc, data, n);
}
#endif
