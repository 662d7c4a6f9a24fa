/* sk_crc32c.h - CRC-32C, the checksum of siokit's trace blocks and headers.
 *
 * Castagnoli, reflected, polynomial 0x82f63b78: start with crc = 0, feed the
 * data in any number of pieces, the result of the last call is the
 * checksum.  sk_crc32c("123456789") == 0xe3069283.  Uses SSE4.2 when the CPU
 * has it; sk_crc32c_sw is the portable path (same results). */
#ifndef SK_CRC32C_H
#define SK_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t sk_crc32c(uint32_t crc, const void *data, size_t n);
uint32_t sk_crc32c_sw(uint32_t crc, const void *data, size_t n);

#endif
