/* sk_record.h - one address translation as every siokit tool sees it in memory.
 *
 * Both trace formats (siokit's own, docs/trace-format.md, and HyperSIO 1.0's
 * 48-byte records) are read into and written from this struct, so the model
 * never knows which file a translation came from. */
#ifndef SK_RECORD_H
#define SK_RECORD_H

#include <glib.h>
#include <stdint.h>

#define SK_NAT_NONE UINT64_MAX   /* no later access to the same page */

/* Page levels: 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB. */
#define SK_LEVEL_MIN 1
#define SK_LEVEL_MAX 3

/* Where the translation was resolved in the recording QEMU (informational). */
typedef enum {
    SK_KIND_UNKNOWN = 0,
    SK_KIND_IOTLB_HIT = 1,     /* vtd_iotlb_page_hit */
    SK_KIND_WALK = 2,          /* vtd_iotlb_page_update: a page walk */
} SkKind;

typedef struct SkRecord {
    uint64_t iova;      /* I/O virtual address as the device issued it */
    uint64_t mask;      /* page mask, ~((4096 << 9*(level-1)) - 1) unless a
                           HyperSIO trace said otherwise */
    uint64_t slpte;     /* second-level PTE (result address | permissions) */
    uint64_t nat;       /* index of the next record of the same (page, tenant),
                           or SK_NAT_NONE; used only by the oracle policy */
    uint32_t tenant;    /* domain id: the tenant, globally unique in a trace */
    uint32_t sid;       /* PCI source id (bus << 8 | devfn), remapped */
    uint8_t level;      /* SK_LEVEL_MIN..SK_LEVEL_MAX */
    uint8_t kind;       /* SkKind */
} SkRecord;

/* The page mask of a level (1..3). */
static inline uint64_t sk_level_mask(unsigned level)
{
    return ~((UINT64_C(4096) << (9 * (level - 1))) - 1);
}

/* The level of a page mask, or 0 if the mask is not one of the three. */
static inline unsigned sk_mask_level(uint64_t mask)
{
    for (unsigned l = SK_LEVEL_MIN; l <= SK_LEVEL_MAX; l++)
        if (mask == sk_level_mask(l))
            return l;
    return 0;
}

/* Checks a batch of records a writer was given, before it writes any of
 * them: none after the writer failed (failed TRUE: SK_ERROR_IO); levels 1..3 and what the format can hold (HyperSIO: 16-bit sid and
 * tenant; siokit: the mask of the level, a known kind).  first is the
 * index of records[0] in the trace, for the error ("trace 'x': record 12:
 * level 7 outside 1..3", SK_ERROR_INPUT). */
gboolean sk_records_check(const char *path, gboolean failed, const SkRecord *records,
                          gsize n, uint64_t first, gboolean hypersio, GError **error);

/* Checks, when a writer closes, that the trace may be kept: the writer
 * never failed (SK_ERROR_IO) and holds at least one record (an empty trace
 * cannot be read: SK_ERROR_INPUT). */
gboolean sk_records_check_whole(const char *path, gboolean failed, uint64_t n_records,
                                GError **error);

#endif
