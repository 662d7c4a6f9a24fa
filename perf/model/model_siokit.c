/* model_siokit.c - the "siokit" model: HyperSIO's IOMMU design, its defects
 * corrected (docs/model.md lists each difference and why).
 *
 * A translation's life, event by event (times in ns):
 *   issue      context-cache lookup: +1 on a hit, +1000 on a miss (the
 *              context entry is filled when it arrives);
 *   cc done    IOTLB lookup: +2 on a hit; else prefetch-buffer lookup (when
 *              there is a buffer): +2 on a hit; else, with a walk table
 *              (WALKTABLE size > 0), a walk of the same page in flight is
 *              waited for (coalesced: it completes with that walk), a full
 *              table stalls the translation until an entry frees; else a
 *              page walk: +450 to the walker;
 *   walk       page-walk caches: L2PAGE holds level-2 entries (PDEs), L3PAGE
 *              level-3 entries (PDPTEs) of the 3-level table (39-bit
 *              address width, QEMU's default).  Reads still needed for a
 *              leaf at level L: 2-L after an L2PAGE hit, 3-L after an L3PAGE
 *              hit, 4-L after missing both; +5 lookup, +50 a read;
 *   walk done  the caches missed are filled with the entries read; +450 back;
 *   done       the IOTLB (or prefetch buffer) is filled; the translation
 *              completes and its queue entry is freed, and so do the
 *              translations that waited for its walk; its walk-table entry
 *              goes to the stalled translations, first come first served.
 * The latencies are the configuration's LATENCY (HyperSIO's by default:
 * the numbers above); a context-cache miss costs 2 pcie + 2 memory.
 * Any number of events happen in one ns; events of the same ns run in the
 * order they were scheduled.  A packet slot (every packet_bytes*8/G ns,
 * exactly) admits a packet only when the translation queue has a free entry
 * and no earlier packet is still waiting for entries; its translations take
 * entries as they free up, so no more than tqueue are ever in flight. */
#include <string.h>

#include "iommu.h"
#include "models.h"
#include "sk_error.h"
#include "sk_free.h"
#include "walktable.h"

#define WHEEL_BITS 12
#define WHEEL_SIZE (1u << WHEEL_BITS)     /* > the longest single delay */
#define WHEEL_MASK (WHEEL_SIZE - 1)
#define NONE UINT32_MAX

enum { ST_CC_DONE, ST_WALK, ST_WALK_DONE, ST_DONE, ST_WAITING };

typedef struct Tx {
    SkRecord rec;
    uint64_t start;
    uint64_t seq;          /* issue order of demand translations */
    uint32_t row;          /* its tenant's row in the tenant table */
    uint32_t next;         /* next in its wheel bucket, or free list */
    uint32_t walk;         /* its walk-table entry, or NONE */
    uint8_t stage;
    uint8_t prefetch;
    uint8_t cc_miss, iotlb_miss, pbuf_hit, l2_hit, l3_hit;
    /* Where its lookups looked, for filling the same caches later. */
    SkCacheSpot cc_spot, iotlb_spot, l2_spot, l3_spot;
} Tx;

typedef struct Model {
    const SkModelOptions *opt;
    SkModelResult *res;
    Tx *tx;
    uint32_t n_tx, cap_tx, free_tx;
    uint32_t head[WHEEL_SIZE], tail[WHEEL_SIZE];
    uint64_t busy[WHEEL_SIZE / 64];   /* buckets holding events */
    uint64_t busy_words;              /* bit w: busy[w] != 0 */
    uint64_t wheel_count;
    uint64_t next_event;              /* time of the earliest event, or
                                         UINT64_MAX */
    uint64_t now;
    SkIommu u;                        /* caches, prefetcher, queue */
    SkTenantTable tenants;
    uint64_t next_seq, retire_seq, last_done;
    uint32_t *window;                 /* in-order: tx of each seq in flight */
    uint8_t *finished;                /* in-order: done flags by seq */
    uint64_t window_mask;
    SkRecord pending[SK_TRANSLATIONS_PER_PACKET_MAX];
    unsigned n_pending, pending_pos;
    uint64_t record;                  /* records issued */
    /* The device: latencies (ns), a packet slot's length times the link
     * Mb/s. */
    uint64_t lat_pcie, lat_memory, lat_cc_hit, lat_cc_miss, lat_iotlb_hit;
    uint64_t lat_prefetch_hit, lat_walk_cache;
    uint64_t slot_bits;
    gboolean coalescing;              /* there is a walk table */
    SkWalkTable walks;
    uint32_t *woken;                  /* waiters of a finished walk */
} Model;

/* ---- the event wheel ---- */

static inline void wheel_add(Model *m, uint32_t id, uint64_t at)
{
    uint32_t b = (uint32_t)(at & WHEEL_MASK);
    g_assert(at > m->now && at - m->now < WHEEL_SIZE);
    m->tx[id].next = NONE;
    if (m->head[b] == NONE)
        m->head[b] = id;
    else
        m->tx[m->tail[b]].next = id;
    m->tail[b] = id;
    m->busy[b / 64] |= UINT64_C(1) << (b % 64);
    m->busy_words |= UINT64_C(1) << (b / 64);
    m->wheel_count++;
    m->next_event = MIN(m->next_event, at);
}

/* The time of the earliest event, or UINT64_MAX: the first busy bucket
 * after now, found through the two levels of the bitmap. */
static uint64_t wheel_scan(const Model *m)
{
    if (m->wheel_count == 0)
        return UINT64_MAX;
    uint32_t start = (uint32_t)((m->now + 1) & WHEEL_MASK);
    uint32_t w = start / 64, bit = start % 64, pos;
    uint64_t word = m->busy[w] >> bit;

    G_STATIC_ASSERT(WHEEL_SIZE == 64 * 64);
    if (word) {
        pos = start + (uint32_t)__builtin_ctzll(word);
    } else {
        /* The next busy word after w, circularly (w itself last). */
        unsigned r = (w + 1) % 64;
        uint64_t rotated = r ? (m->busy_words >> r) | (m->busy_words << (64 - r))
                             : m->busy_words;
        uint32_t w2 = (r + (uint32_t)__builtin_ctzll(rotated)) % 64;
        pos = w2 * 64 + (uint32_t)__builtin_ctzll(m->busy[w2]);
    }
    return m->now + 1 + ((pos - start) & WHEEL_MASK);
}

static void schedule(Model *m, uint32_t id, int stage, uint64_t delay)
{
    m->tx[id].stage = (uint8_t)stage;
    wheel_add(m, id, m->now + delay);
}

static uint32_t tx_new(Model *m, const SkRecord *rec, gboolean prefetch)
{
    uint32_t id;
    if (m->free_tx != NONE) {
        id = m->free_tx;
        m->free_tx = m->tx[id].next;
    } else {
        if (m->n_tx == m->cap_tx) {
            m->cap_tx = m->cap_tx ? m->cap_tx * 2 : 256;
            m->tx = g_renew(Tx, m->tx, m->cap_tx);
        }
        id = m->n_tx++;
    }
    /* The rest is set as the stages need it. */
    Tx *x = &m->tx[id];
    x->rec = *rec;
    x->start = m->now;
    x->prefetch = (uint8_t)prefetch;
    x->iotlb_miss = x->pbuf_hit = 0;
    x->walk = NONE;
    return id;
}

static void tx_free(Model *m, uint32_t id)
{
    m->tx[id].next = m->free_tx;
    m->free_tx = id;
}

/* ---- caches ---- */

/* Looks up (counting the result when `count`), remembering where in spot
 * for a fill of the same key later. */
static inline gboolean probe(Model *m, SkCache *c, int stat, SkCacheSpot *spot,
                      uint32_t set, uint64_t addr, uint32_t did, uint64_t nat,
                      gboolean count)
{
    gboolean hit = sk_cache_lookup_spot(c, set, addr, did, nat, spot);
    if (count && sk_cache_present(c)) {
        if (hit)
            m->res->caches[stat].hits++;
        else
            m->res->caches[stat].misses++;
    }
    return hit;
}

/* Fills (addr, did) where spot looked for it, unless it is there now. */
static inline void fill(Model *m, SkCache *c, int stat, SkCacheSpot *spot,
                 uint64_t addr, uint32_t did, uint64_t nat)
{
    if (!sk_cache_present(c) || !iommu_may_fill(&m->u, stat, did) ||
        sk_cache_find_again(c, spot, addr, did) != SK_CACHE_NONE)
        return;
    if (sk_cache_insert(c, spot->set, addr, did, nat))
        m->res->caches[stat].conflicts++;
}

static uint32_t iotlb_set(const Model *m, const SkRecord *r)
{
    return sk_cache_set_of(&m->u.iotlb, r->tenant,
                           r->iova >> (r->level >= 3 ? 30 : 21));
}

/* ---- IOTLB misses: counted, walked or coalesced ---- */

enum { IOTLB_HIT, IOTLB_MISS, IOTLB_COALESCED };

/* Counts the outcome of a translation's IOTLB lookup: a hit, a miss that
 * walks (or hits the prefetch buffer), or a miss that waits for a walk in
 * flight (coalesced; the IOTLB's counts hold it in neither). */
static inline void count_iotlb(Model *m, SkTenantStats *ts, int outcome)
{
    SkCacheStats *c = &m->res->caches[SK_STAT_IOTLB];
    gboolean present = sk_cache_present(&m->u.iotlb);

    if (outcome == IOTLB_HIT) {
        ts->iotlb_hits++;
        c->hits += present;
    } else if (outcome == IOTLB_MISS) {
        ts->iotlb_misses++;
        c->misses += present;
    } else {
        ts->iotlb_coalesced++;
        m->res->coalesced++;
    }
}

/* A demand miss with a walk table: waits for the walk of its page in
 * flight, else starts one, else (table full, or others stalled before it)
 * stalls.  `fresh`: it comes from its lookup (a stall is counted once).
 * FALSE when it stalled. */
static gboolean walk_or_wait(Model *m, uint32_t id, gboolean fresh)
{
    Tx *x = &m->tx[id];
    const SkRecord *r = &x->rec;
    SkTenantStats *ts = &g_array_index(m->tenants.rows, SkTenantStats, x->row);
    uint64_t page = r->iova & r->mask;
    uint32_t w = sk_walk_table_find(&m->walks, page, r->tenant, r->level);

    if (w != NONE) {
        sk_walk_table_wait(&m->walks, w, id);
        x->stage = ST_WAITING;
        count_iotlb(m, ts, IOTLB_COALESCED);
        return TRUE;
    }
    if (sk_walk_table_full(&m->walks) ||
        (fresh && sk_walk_table_stalled_head(&m->walks) != NONE)) {
        if (fresh) {
            sk_walk_table_stall(&m->walks, id);
            x->stage = ST_WAITING;
            m->res->walk_stalls++;
        }
        return FALSE;
    }
    x->walk = sk_walk_table_start(&m->walks, page, r->tenant, r->level);
    count_iotlb(m, ts, IOTLB_MISS);
    schedule(m, id, ST_WALK, m->lat_pcie);
    return TRUE;
}

/* ---- the stages ---- */

static void issue(Model *m, const SkRecord *rec)
{
    uint32_t id = tx_new(m, rec, FALSE);
    Tx *x = &m->tx[id];
    uint32_t set = sk_cache_set_of(&m->u.cc, rec->tenant, rec->sid);
    gboolean hit = probe(m, &m->u.cc, SK_STAT_CC, &x->cc_spot, set, rec->sid, 0,
                         rec->nat, TRUE);

    x->seq = m->next_seq++;
    x->row = sk_tenant_table_index(&m->tenants, rec->tenant);
    if (m->window)
        m->window[x->seq & m->window_mask] = id;
    x->cc_miss = !hit;
    iommu_queue_take(&m->u);
    m->record++;
    m->res->translations++;
    schedule(m, id, ST_CC_DONE, hit ? m->lat_cc_hit : m->lat_cc_miss);
}

static void cc_done(Model *m, uint32_t id)
{
    Tx *x = &m->tx[id];
    const SkRecord *r = &x->rec;
    SkTenantStats *ts = &g_array_index(m->tenants.rows, SkTenantStats, x->row);

    if (x->cc_miss)
        fill(m, &m->u.cc, SK_STAT_CC, &x->cc_spot, r->sid, 0, r->nat);
    if (probe(m, &m->u.iotlb, SK_STAT_IOTLB, &x->iotlb_spot, iotlb_set(m, r),
              r->iova & r->mask, r->tenant, r->nat, FALSE)) {
        count_iotlb(m, ts, IOTLB_HIT);
        schedule(m, id, ST_DONE, m->lat_iotlb_hit);
    } else {
        x->iotlb_miss = 1;
        SkCacheSpot pbuf_spot;
        if (m->u.prefetching &&
            probe(m, &m->u.pbuf, SK_STAT_PREFETCH, &pbuf_spot, 0, r->iova & r->mask,
                  r->tenant, r->nat, TRUE)) {
            count_iotlb(m, ts, IOTLB_MISS);
            x->pbuf_hit = 1;
            schedule(m, id, ST_DONE, m->lat_prefetch_hit);
        } else if (m->coalescing) {
            walk_or_wait(m, id, TRUE);
        } else {
            count_iotlb(m, ts, IOTLB_MISS);
            schedule(m, id, ST_WALK, m->lat_pcie);
        }
    }

    if (m->u.prefetching) {
        uint32_t n = sk_prefetcher_observe(&m->u.prefetcher, r);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t p = tx_new(m, sk_prefetcher_predicted(&m->u.prefetcher, k), TRUE);
            schedule(m, p, ST_WALK, m->lat_pcie);
            m->res->prefetch_walks++;
        }
    }
}

static void walk(Model *m, uint32_t id)
{
    Tx *x = &m->tx[id];
    const SkRecord *r = &x->rec;
    gboolean count = !x->prefetch;
    unsigned level = r->level, reads;

    x->l2_hit = x->l3_hit = 0;
    if (level <= 2)
        x->l2_hit = (uint8_t)probe(m, &m->u.l2, SK_STAT_L2PAGE, &x->l2_spot,
                                   sk_cache_set_of(&m->u.l2, r->tenant, r->iova >> 21),
                                   r->iova & IOMMU_MASK_2M, r->tenant, r->nat, count);
    if (!x->l2_hit)
        x->l3_hit = (uint8_t)probe(m, &m->u.l3, SK_STAT_L3PAGE, &x->l3_spot,
                                   sk_cache_set_of(&m->u.l3, r->tenant, r->iova >> 30),
                                   r->iova & IOMMU_MASK_1G, r->tenant, r->nat, count);
    if (x->l2_hit)
        reads = 2 - level;
    else if (x->l3_hit)
        reads = 3 - level;
    else
        reads = 4 - level;
    schedule(m, id, ST_WALK_DONE, m->lat_walk_cache + m->lat_memory * reads);
}

static void walk_done(Model *m, uint32_t id)
{
    Tx *x = &m->tx[id];
    const SkRecord *r = &x->rec;

    if (r->level <= 2 && !x->l2_hit)
        fill(m, &m->u.l2, SK_STAT_L2PAGE, &x->l2_spot, r->iova & IOMMU_MASK_2M,
             r->tenant, r->nat);
    if (!x->l2_hit && !x->l3_hit)
        fill(m, &m->u.l3, SK_STAT_L3PAGE, &x->l3_spot, r->iova & IOMMU_MASK_1G,
             r->tenant, r->nat);
    schedule(m, id, ST_DONE, m->lat_pcie);
}

static void retire(Model *m, uint32_t id)
{
    Tx *x = &m->tx[id];
    SkTenantStats *ts = &g_array_index(m->tenants.rows, SkTenantStats, x->row);

    ts->translations++;
    ts->first_start = MIN(ts->first_start, x->start);
    ts->last_end = MAX(ts->last_end, m->now);
    ts->latency_sum += m->now - x->start;
    m->last_done = m->now;
    iommu_queue_release(&m->u);
    tx_free(m, id);
}

/* A packet slot can admit a packet now. */
static inline gboolean admissible(const Model *m)
{
    return m->pending_pos == m->n_pending && iommu_queue_free(&m->u);
}

static void issue_pending(Model *m)
{
    while (m->pending_pos < m->n_pending && iommu_queue_free(&m->u))
        issue(m, &m->pending[m->pending_pos++]);
}

/* A demand translation is done: it retires now, or, in order, when every
 * older one has. */
static void complete(Model *m, uint32_t id)
{
    if (!m->opt->inorder) {
        retire(m, id);
        return;
    }
    /* Retire in issue order: a translation done early waits for every
     * older one, keeping its queue entry. */
    m->finished[m->tx[id].seq & m->window_mask] = 1;
    while (m->retire_seq < m->next_seq &&
           m->finished[m->retire_seq & m->window_mask]) {
        m->finished[m->retire_seq & m->window_mask] = 0;
        retire(m, m->window[m->retire_seq & m->window_mask]);
        m->retire_seq++;
    }
}

static void done(Model *m, uint32_t id)
{
    Tx *x = &m->tx[id];
    const SkRecord *r = &x->rec;

    if (x->prefetch) {
        SkCacheSpot spot;
        sk_cache_find_spot(&m->u.pbuf, 0, r->iova & r->mask, r->tenant, &spot);
        fill(m, &m->u.pbuf, SK_STAT_PREFETCH, &spot, r->iova & r->mask, r->tenant, r->nat);
        tx_free(m, id);
        return;
    }
    if (x->iotlb_miss)
        fill(m, &m->u.iotlb, SK_STAT_IOTLB, &x->iotlb_spot, r->iova & r->mask,
             r->tenant, r->nat);
    if (x->walk == NONE) {
        complete(m, id);
    } else {
        uint32_t n = sk_walk_table_finish(&m->walks, x->walk, m->woken);
        complete(m, id);
        for (uint32_t i = 0; i < n; i++)
            complete(m, m->woken[i]);
        /* The entry freed goes to the stalled, in order. */
        for (uint32_t s; (s = sk_walk_table_stalled_head(&m->walks)) != NONE &&
                         walk_or_wait(m, s, FALSE);)
            sk_walk_table_unstall(&m->walks);
    }
    issue_pending(m);
}

static void run_event(Model *m, uint32_t id)
{
    switch (m->tx[id].stage) {
    case ST_CC_DONE: cc_done(m, id); break;
    case ST_WALK: walk(m, id); break;
    case ST_WALK_DONE: walk_done(m, id); break;
    default: done(m, id); break;
    }
}

/* Runs every event of time m->now, including any they add for the same
 * bucket later (none: every delay is at least 1 ns). */
static void run_bucket(Model *m)
{
    uint32_t b = (uint32_t)(m->now & WHEEL_MASK);
    uint32_t id = m->head[b];
    m->head[b] = NONE;
    m->busy[b / 64] &= ~(UINT64_C(1) << (b % 64));
    if (m->busy[b / 64] == 0)
        m->busy_words &= ~(UINT64_C(1) << (b / 64));
    while (id != NONE) {
        uint32_t next = m->tx[id].next;
        m->wheel_count--;
        run_event(m, id);
        id = next;
    }
    m->next_event = wheel_scan(m);
}

/* Start of packet slot k: k * packet_bytes*8 / G ns, rounded down (the
 * exact average interval; 61.68 ns for 1542 bytes at 200 Gb/s). */
static uint64_t slot_time(const Model *m, uint64_t k)
{
    if (k < UINT64_MAX / m->slot_bits)
        return k * m->slot_bits / m->opt->link_mbps;
    return (uint64_t)(((unsigned __int128)k * m->slot_bits) / m->opt->link_mbps);
}

/* The current slot k and its start, kept with the remainder of its
 * division so that the next slot needs none. */
typedef struct Slot {
    uint64_t k, time, rem;      /* time = floor(k * slot_bits / link),
                                   rem = k * slot_bits - time * link */
    uint64_t link;
    uint64_t step, step_rem;    /* slot_bits / link, slot_bits % link */
} Slot;

static void slot_init(const Model *m, Slot *s)
{
    s->link = m->opt->link_mbps;
    s->step = m->slot_bits / s->link;
    s->step_rem = m->slot_bits % s->link;
    s->k = s->time = s->rem = 0;
}

static inline void slot_advance(Slot *s)
{
    s->k++;
    s->rem += s->step_rem;
    uint64_t carry = s->rem >= s->link;
    s->time += s->step + carry;
    s->rem -= carry * s->link;
}

/* Moves to slot k. */
static void slot_seek(const Model *m, Slot *s, uint64_t k)
{
    if (k == s->k + 1) {
        slot_advance(s);
        return;
    }
    s->k = k;
    s->time = slot_time(m, k);
    s->rem = (uint64_t)((unsigned __int128)k * m->slot_bits - (unsigned __int128)s->time * s->link);
}

/* End of slot k, rounded up. */
static uint64_t slot_end(const Model *m, uint64_t k)
{
    unsigned __int128 num = (unsigned __int128)(k + 1) * m->slot_bits;
    return (uint64_t)((num + m->opt->link_mbps - 1) / m->opt->link_mbps);
}

/* The first slot that starts at or after t. */
static uint64_t first_slot_from(const Model *m, uint64_t t)
{
    if (t <= (UINT64_MAX - m->slot_bits) / m->opt->link_mbps)
        return (t * m->opt->link_mbps + m->slot_bits - 1) / m->slot_bits;
    unsigned __int128 num = (unsigned __int128)t * m->opt->link_mbps;
    return (uint64_t)((num + m->slot_bits - 1) / m->slot_bits);
}

/* The device of the options: latencies, packet slots, the walk table. */
static void device_init(Model *m, const SkModelOptions *o)
{
    const uint32_t *lat = o->caches.latency;

    m->lat_pcie = lat[SK_LAT_KEY_PCIE];
    m->lat_memory = lat[SK_LAT_KEY_MEMORY];
    m->lat_cc_hit = lat[SK_LAT_KEY_CC_HIT];
    m->lat_cc_miss = 2 * m->lat_pcie + 2 * m->lat_memory;
    m->lat_iotlb_hit = lat[SK_LAT_KEY_IOTLB_HIT];
    m->lat_prefetch_hit = lat[SK_LAT_KEY_PREFETCH_HIT];
    m->lat_walk_cache = lat[SK_LAT_KEY_WALK_CACHE];
    m->slot_bits = (uint64_t)o->packet_bytes * 8 * 1000;
    m->coalescing = o->caches.walk_table > 0;
    if (m->coalescing) {
        sk_walk_table_init(&m->walks, o->caches.walk_table, o->tqueue);
        m->woken = g_new(uint32_t, o->tqueue);
    }
}

gboolean siokit_run(const SkModelOptions *o, SkTraceReader *reader,
                    SkModelResult *res, GError **error)
{
    Model *m = g_new0(Model, 1);
    SkFeed feed;
    gboolean eof = FALSE, ok = FALSE;
    gboolean waiting = FALSE;   /* the current slot is lost, and the ones
                                   after it until a packet can be admitted */
    uint64_t last_packet = UINT64_MAX;
    Slot slot;

    m->opt = o;
    m->res = res;
    m->free_tx = NONE;
    sk_feed_init(&feed, reader, o->progress);
    memset(m->head, 0xff, sizeof(m->head));
    m->next_event = UINT64_MAX;
    iommu_init(&m->u, o, FALSE, o->caches.prefetch_size > 0, NULL);
    device_init(m, o);
    if (o->inorder) {
        uint64_t cap = 1;
        while (cap < o->tqueue)
            cap *= 2;
        m->window = g_new(uint32_t, cap);
        m->finished = g_new0(uint8_t, cap);
        m->window_mask = cap - 1;
    }
    sk_tenant_table_init(&m->tenants);
    slot_init(m, &slot);

    for (;;) {
        gboolean more_packets = !eof || m->pending_pos < m->n_pending;
        uint64_t t_event = m->next_event;
        uint64_t t_slot = more_packets && (!waiting || t_event == UINT64_MAX)
                              ? slot.time : UINT64_MAX;

        if (t_slot == UINT64_MAX && t_event == UINT64_MAX)
            break;
        if (t_event <= t_slot) {
            m->now = t_event;
            run_bucket(m);
            if (waiting && admissible(m)) {
                /* The slots up to the first at or after now are lost. */
                uint64_t k = slot.k, next = MAX(k + 1, first_slot_from(m, m->now));
                res->dropped_slots += next - k;
                slot_seek(m, &slot, next);
                waiting = FALSE;
            }
            continue;
        }
        /* A packet slot: admit the next packet if the queue can start it. */
        m->now = t_slot;
        if (admissible(m)) {
            m->n_pending = m->pending_pos = 0;
            while (m->n_pending < o->translations_per_packet) {
                gboolean failed = FALSE;
                const SkRecord *rec = sk_feed_next(&feed, &failed, error);
                if (failed)
                    goto out;
                if (rec == NULL) {
                    eof = TRUE;
                    break;
                }
                m->pending[m->n_pending++] = *rec;
                iommu_checkpoint(&m->u);
#ifdef SK_CHECK_INVARIANTS
                if (m->coalescing && m->u.checkpoints % IOMMU_CHECK_EVERY == 0)
                    g_assert(sk_walk_table_check(&m->walks));
#endif
            }
            if (m->n_pending > 0) {
                last_packet = slot.k;
                issue_pending(m);
            }
            slot_advance(&slot);
        } else if (!eof && t_event != UINT64_MAX) {
            /* Every slot is lost until an event lets a packet in: events
             * only free queue entries, so that is the first slot at or
             * after that event (counted then). */
            waiting = TRUE;
        } else {
            /* Nothing can change before the next event: every slot until
             * then is lost. */
            uint64_t k = slot.k;
            uint64_t next = t_event == UINT64_MAX ? k + 1 : MAX(k + 1, first_slot_from(m, t_event));
            res->dropped_slots += next - k;
            slot_seek(m, &slot, next);
        }
    }

    if (res->translations == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "trace '%s': empty trace",
                    sk_trace_reader_path(reader));
        goto out;
    }
    res->elapsed_ns = MAX(m->last_done, slot_end(m, last_packet));
    res->packets = res->translations / o->translations_per_packet;
    {
        double bits = (double)res->packets * o->packet_bytes * 8;
        res->mbps = (uint64_t)(bits * 1000.0 / (double)res->elapsed_ns);
        res->utilization = bits * 1000.0 / ((double)res->elapsed_ns * (double)o->link_mbps);
    }
    res->tenants = o->tenants ? o->tenants : m->tenants.rows->len;
    ok = TRUE;
out:
    sk_tenant_table_finish(&m->tenants, res);
    res->max_in_flight = m->u.max_in_flight;
    iommu_clear(&m->u);
    if (m->coalescing) {
#ifdef SK_CHECK_INVARIANTS
        g_assert(sk_walk_table_check(&m->walks));
#endif
        res->max_walks = m->walks.max_used;
        sk_walk_table_destroy(&m->walks);
    }
    SK_FREE_ALL(m->window, m->finished, m->tx, m->woken, m);
    sk_feed_clear(&feed);
    return ok;
}
