/* prefetcher.h - HyperSIO's source-id predicting translation prefetcher.
 *
 * It remembers, per source id (SID), the last `histlen` translations, and
 * learns "after SID a comes SID b" from the SID seen `distance` translations
 * before.  When a translation of SID a arrives and a has a learned
 * successor b, it proposes walks for b's remembered translations, so that
 * b's pages are in the prefetch buffer when b's turn comes.  Only the first
 * successor learned for a SID is kept.  Both models share this logic; the
 * siokit model runs it only when there is a prefetch buffer. */
#ifndef PREFETCHER_H
#define PREFETCHER_H

#include <stdint.h>

#include "idmap.h"
#include "sk_record.h"

typedef struct SkPrefetcher {
    uint32_t histlen, distance;     /* both >= 1 */
    SkIdMap sids;                   /* SID -> dense index */
    SkRecord *history;              /* histlen per SID index, a ring */
    uint32_t *hist_len, *hist_head; /* per SID index */
    uint32_t *successor;            /* per SID index, UINT32_MAX = none */
    uint32_t n_alloc;               /* SID indices with storage */
    uint32_t *recent;               /* ring of the last `distance` SIDs */
    uint32_t recent_len, recent_head;
    uint32_t prev;                  /* UINT32_MAX until the ring first fills */
    uint32_t pred, pred_head;       /* the last prediction: SID index, and
                                       its oldest translation in the ring */
    uint64_t predictions;
} SkPrefetcher;

void sk_prefetcher_init(SkPrefetcher *p, uint32_t histlen, uint32_t distance);
void sk_prefetcher_destroy(SkPrefetcher *p);
/* Observes a demand translation.  Returns how many translations to prefetch
 * (0..histlen); sk_prefetcher_predicted() gives them until the next call. */
uint32_t sk_prefetcher_observe(SkPrefetcher *p, const SkRecord *r);

/* The k-th translation to prefetch, oldest first (k below what
 * sk_prefetcher_observe() returned). */
static inline const SkRecord *sk_prefetcher_predicted(const SkPrefetcher *p,
                                                      uint32_t k)
{
    uint32_t i = p->pred_head + k;
    if (i >= p->histlen)
        i -= p->histlen;
    return &p->history[(uint64_t)p->pred * p->histlen + i];
}

#endif
