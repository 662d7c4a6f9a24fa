/* prefetcher.c - SID-predicting prefetcher (see prefetcher.h). */
#include "prefetcher.h"
#include "sk_free.h"

#include <glib.h>
#include <string.h>

void sk_prefetcher_init(SkPrefetcher *p, uint32_t histlen, uint32_t distance)
{
    memset(p, 0, sizeof(*p));
    g_assert(histlen >= 1 && distance >= 1);
    p->histlen = histlen;
    p->distance = distance;
    sk_id_map_init(&p->sids);
    p->recent = g_new(uint32_t, distance);
    p->prev = UINT32_MAX;
}

void sk_prefetcher_destroy(SkPrefetcher *p)
{
    sk_id_map_destroy(&p->sids);
    SK_FREE_ALL(p->history, p->hist_len, p->hist_head, p->successor, p->recent);
    memset(p, 0, sizeof(*p));
}

static uint32_t sid_index(SkPrefetcher *p, uint32_t sid)
{
    uint32_t i = sk_id_map_get(&p->sids, sid, NULL);
    if (i >= p->n_alloc) {
        uint32_t n = p->n_alloc ? p->n_alloc * 2 : 64;
        p->history = g_renew(SkRecord, p->history, (gsize)n * p->histlen);
        p->hist_len = g_renew(uint32_t, p->hist_len, n);
        p->hist_head = g_renew(uint32_t, p->hist_head, n);
        p->successor = g_renew(uint32_t, p->successor, n);
        for (uint32_t k = p->n_alloc; k < n; k++) {
            p->hist_len[k] = p->hist_head[k] = 0;
            p->successor[k] = UINT32_MAX;
        }
        p->n_alloc = n;
    }
    return i;
}

uint32_t sk_prefetcher_observe(SkPrefetcher *p, const SkRecord *r)
{
    uint32_t cur = sid_index(p, r->sid), histlen = p->histlen;
    uint32_t n_out = 0;
    SkRecord *hist = &p->history[(gsize)cur * histlen];

    /* 1. remember this translation, forgetting the oldest when full; the
     *    copy does not keep the NAT */
    uint32_t head = p->hist_head[cur], len = p->hist_len[cur], pos;
    if (len == histlen) {
        pos = head;
        p->hist_head[cur] = head + 1 == histlen ? 0 : head + 1;
    } else {
        pos = head + len >= histlen ? head + len - histlen : head + len;
        p->hist_len[cur] = len + 1;
    }
    hist[pos] = *r;
    hist[pos].nat = SK_NAT_NONE;

    /* 2. predict: the successor's remembered translations */
    uint32_t next = p->successor[cur];
    if (next != UINT32_MAX) {
        p->pred = next;
        p->pred_head = p->hist_head[next];
        n_out = p->hist_len[next];
        p->predictions++;
    }

    /* 3. learn: the SID seen `distance` translations ago is followed by this */
    if (p->prev != UINT32_MAX && p->prev != cur &&
        p->successor[p->prev] == UINT32_MAX)
        p->successor[p->prev] = cur;

    /* 4. slide the window of recent SIDs */
    if (p->recent_len == p->distance) {
        p->prev = p->recent[p->recent_head];
        p->recent[p->recent_head] = cur;
        p->recent_head = p->recent_head + 1 == p->distance ? 0 : p->recent_head + 1;
    } else {
        /* the window fills from recent_head 0 */
        p->recent[p->recent_len++] = cur;
    }
    return n_out;
}
