/* fuzz_trace.c - fuzz target for the trace readers: any bytes, read to the
 * end as a siokit trace and as a HyperSIO trace; errors are expected, crashes
 * and leaks are not.
 *
 * Random bytes rarely get past siokit's checksums, so a second pass repairs
 * them (header, every block that fits, tenant table) and reads again: that
 * reaches the block, zstd and record checks behind them. */
#include <fcntl.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_files.h"
#include "sk_bytes.h"
#include "sk_crc32c.h"
#include "sk_hstrace.h"
#include "sk_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_path;   /* the input, as a file */

static void fuzz_store(const void *data, size_t size)
{
    fuzz_file_store(&fuzz_path, "trace", data, size);
}

static void fuzz_read(SkTraceFormat format)
{
    SkRecord buf[97];
    GError *error = NULL;
    SkTraceReader *r = sk_trace_reader_open(fuzz_path, format, &error);
    guint n_tenants;

    if (r == NULL) {
        g_clear_error(&error);
        return;
    }
    (void)sk_trace_reader_tenants(r, &n_tenants);
    while (sk_trace_reader_read(r, buf, G_N_ELEMENTS(buf), &error) > 0)
        ;
    g_clear_error(&error);
    sk_trace_reader_free(r);
}

/* Recomputes every checksum of a would-be siokit trace in place (offsets
 * from docs/trace-format.md).  Returns FALSE if there is no header. */
static gboolean fuzz_repair(uint8_t *d, size_t size)
{
    uint64_t blocks, table, pos = 128;
    uint32_t tenants;

    if (size < 128)
        return FALSE;
    blocks = sk_get_le64(d + 32);
    for (uint64_t b = 0; b < blocks && size - pos >= 16; b++) {
        uint32_t stored = sk_get_le32(d + pos + 8);
        if (size - pos - 16 < stored)
            break;
        sk_put_le32(d + pos + 12, sk_crc32c(sk_crc32c(0, d + pos, 12),
                                            d + pos + 16, stored));
        pos += 16 + (uint64_t)stored;
    }
    table = sk_get_le64(d + 40);
    tenants = sk_get_le32(d + 48);
    if (table <= size && (uint64_t)tenants * 16 <= size - table)
        sk_put_le32(d + 52, sk_crc32c(0, d + table, (size_t)tenants * 16));
    sk_put_le32(d + 124, sk_crc32c(0, d, 124));
    return TRUE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;

    fuzz_store(data, size);
    fuzz_read(SK_FORMAT_SIOKIT);
    fuzz_read(SK_FORMAT_HYPERSIO);

    copy = g_memdup2(data, size);
    if (fuzz_repair(copy, size)) {
        fuzz_store(copy, size);
        fuzz_read(SK_FORMAT_SIOKIT);
    }
    g_free(copy);
    return 0;
}
