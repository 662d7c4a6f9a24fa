/* sk_logevent.h - one IOMMU event from a QEMU log, whatever its dialect.
 *
 * The log readers (sk_qemulog.h for text logs, sk_simpletrace.h for QEMU's
 * binary "simple" trace backend) turn each line or record into an
 * SkLogEvent; trace-gen builds traces from these alone.  Dialects:
 *   HyperSIO 1.0 text logs   vtd_iotlb_page_hit (with the page mask),
 *                            vtd_iotlb_page_update (with the level),
 *                            vtd_slpte_fetch, vtd_iotlb_cc_update/_hit
 *                            (spec section 1);
 *   stock QEMU 7.2           vtd_iotlb_page_hit / _update (no mask or level),
 *                            vtd_dmar_translate, vtd_iotlb_cc_hit / _update,
 *                            vtd_inv_desc_*, vtd_fault_* / vtd_err_*;
 *   siokit's patched QEMU    its own events, once qemu-patches lands. */
#ifndef SK_LOGEVENT_H
#define SK_LOGEVENT_H

#include <stdint.h>

typedef enum {
    SK_LOG_NONE = 0,       /* not an event trace-gen uses (skipped) */
    SK_LOG_TRANSLATE,      /* a DMA translation */
    SK_LOG_CONTEXT,        /* a context entry read or hit: sid -> domain */
    SK_LOG_SLPTE_FETCH,    /* one page-table entry read during a walk */
    SK_LOG_INVALIDATE,     /* an invalidation descriptor */
    SK_LOG_FAULT,          /* a translation fault */
} SkLogEventType;

/* How a translation was resolved, when the log says. */
typedef enum {
    SK_LOG_VIA_UNKNOWN = 0,
    SK_LOG_VIA_IOTLB,      /* vtd_iotlb_page_hit */
    SK_LOG_VIA_WALK,       /* vtd_iotlb_page_update: a page walk */
    SK_LOG_VIA_DMAR,       /* vtd_dmar_translate: hit or walk, not said */
} SkLogVia;

/* Which fields a reader could fill. */
enum {
    SK_LOG_HAS_DID = 1 << 0,
    SK_LOG_HAS_MASK = 1 << 1,    /* mask (and level derived from it) */
    SK_LOG_HAS_LEVEL = 1 << 2,   /* level (and mask derived from it) */
    SK_LOG_HAS_SLPTE = 1 << 3,
    SK_LOG_HAS_TIME = 1 << 4,    /* time_ns */
};

typedef struct SkLogEvent {
    SkLogEventType type;
    uint8_t via;          /* SkLogVia, for SK_LOG_TRANSLATE */
    uint8_t level;        /* 1..3 when known, else 0 */
    uint16_t sid;         /* source id: bus << 8 | devfn */
    uint32_t has;         /* SK_LOG_HAS_* */
    uint32_t did;         /* domain id */
    uint32_t gen;         /* context-cache generation (CONTEXT) */
    uint64_t iova;        /* TRANSLATE, SLPTE_FETCH; INVALIDATE: address */
    uint64_t mask;        /* page mask (TRANSLATE); INVALIDATE: address mask */
    uint64_t slpte;       /* TRANSLATE: leaf entry; SLPTE_FETCH: entry read */
    uint64_t result;      /* TRANSLATE: translated address (dmar_translate) */
    uint64_t high, low;   /* CONTEXT, SLPTE_FETCH: context entry */
    uint64_t addr;        /* SLPTE_FETCH: table address */
    uint64_t time_ns;     /* when the log has timestamps */
    uint32_t inv_type;    /* INVALIDATE: descriptor kind (SkLogInvType) */
} SkLogEvent;

typedef enum {
    SK_LOG_INV_OTHER = 0,
    SK_LOG_INV_CONTEXT_GLOBAL,
    SK_LOG_INV_CONTEXT_DOMAIN,
    SK_LOG_INV_CONTEXT_DEVICE,
    SK_LOG_INV_IOTLB_GLOBAL,
    SK_LOG_INV_IOTLB_DOMAIN,
    SK_LOG_INV_IOTLB_PAGES,
    SK_LOG_INV_WAIT,
} SkLogInvType;

#endif
