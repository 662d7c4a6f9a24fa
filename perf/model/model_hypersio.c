/* model_hypersio.c - the "hypersio-1.0" model: HyperSIO 1.0's performance model,
 * reproduced exactly (spec section 3), its defects included (section 5).
 *
 * HyperSIO advances time one nanosecond per loop iteration; here time jumps
 * to the next tick at which something happens, which gives the same numbers
 * because nothing changes in the ticks skipped (a skipped packet slot with a
 * full translation queue is counted as dropped in bulk).
 *
 * One tick t, as HyperSIO runs it:
 *   1. if t is a packet slot (t % I == 0) and fewer than tqueue translations
 *      are in flight, read up to 3 records and issue each (context-cache
 *      probe: +1 on a hit, +1000 on a miss, into the CC-fill queue); at the
 *      end of the trace stop issuing and drain.  A slot with a full queue is
 *      a dropped packet.
 *   2. each of the four queues (CC fill, page-cache lookup, page-cache fill,
 *      IOTLB fill) releases at most one event ready at t, in that order; the
 *      IOTLB-fill queue completes at most one translation per tick.
 * Queues are FIFO with --inorder, else priority queues by ready time whose
 * ties fall as libstdc++'s std::priority_queue lets them (emulated below).
 * Replacement ties follow libstdc++'s unordered_map order and glibc's rand()
 * (cache.c), so the numbers are HyperSIO's as built with GCC on glibc. */
#include <string.h>

#include "iommu.h"
#include "models.h"
#include "stdheap.h"
#include "sk_error.h"
#include "sk_free.h"

typedef struct HsEvent {
    SkRecord rec;
    uint64_t record;       /* index in the trace */
    uint64_t start, end;   /* issue time, and issue time + latencies added */
    gboolean prefetch;
    uint32_t row;          /* demand: its tenant's row in the tenant table */
    uint32_t next_free;
    /* Where its first search of each cache looked, for the second. */
    SkCacheSpot cc_spot, iotlb_spot, l2_spot, l3_spot;
} HsEvent;

/* A queue of scheduled events: libstdc++'s priority_queue (a binary heap
 * under push_heap/pop_heap) when out of order, else a FIFO ring.  cap is 0
 * or a power of two. */
typedef struct HsQueue {
    gboolean ooo;
    SkHeapItem *items;
    size_t n, cap, head;
    uint64_t next;         /* time of the event it would release next, or
                              UINT64_MAX when empty */
} HsQueue;

typedef struct HsModel {
    const SkModelOptions *opt;
    HsEvent *events;
    uint32_t n_events, cap_events, free_event;
    HsQueue cc_fill, pc_lookup, pc_fill, iotlb_fill;
    SkIommu u;                       /* caches, prefetcher, queue */
    SkGlibcRand rand;
    SkModelResult *res;
    SkTenantTable tenants;
    const char *path;
    GError **error;
    gboolean failed;
} HsModel;

static void queue_init(HsQueue *q, gboolean ooo)
{
    memset(q, 0, sizeof(*q));
    q->ooo = ooo;
    q->next = UINT64_MAX;
}

static void queue_grow(HsQueue *q)
{
    size_t cap = q->cap ? q->cap * 2 : 64;
    SkHeapItem *items = g_new(SkHeapItem, cap);
    for (size_t i = 0; i < q->n; i++)   /* unroll the ring */
        items[i] = q->items[(q->head + i) & (q->cap - 1)];
    g_free(q->items);
    q->items = items;
    q->cap = cap;
    q->head = 0;
}

static inline void queue_push(HsQueue *q, uint64_t time, uint32_t event)
{
    SkHeapItem item = {time, event};
    if (q->n == q->cap)
        queue_grow(q);
    if (q->ooo) {
        sk_heap_push(q->items, q->n, item);
        q->next = q->items[0].time;
    } else {
        q->items[(q->head + q->n) & (q->cap - 1)] = item;
        if (q->n == 0)
            q->next = time;
    }
    q->n++;
}

/* Releases the head, which must be ready (q->next <= now). */
static inline uint32_t queue_pop(HsQueue *q)
{
    uint32_t event;
    if (q->ooo) {
        event = q->items[0].event;
        sk_heap_pop(q->items, q->n);
        q->n--;
        q->next = q->n ? q->items[0].time : UINT64_MAX;
    } else {
        event = q->items[q->head].event;
        q->head = (q->head + 1) & (q->cap - 1);
        q->n--;
        q->next = q->n ? q->items[q->head].time : UINT64_MAX;
    }
    return event;
}

/* ---- events ---- */

static uint32_t event_new(HsModel *m, const SkRecord *rec, uint64_t record,
                          uint64_t t, gboolean prefetch)
{
    uint32_t id;
    if (m->free_event != UINT32_MAX) {
        id = m->free_event;
        m->free_event = m->events[id].next_free;
    } else {
        if (m->n_events == m->cap_events) {
            m->cap_events = m->cap_events ? m->cap_events * 2 : 64;
            m->events = g_renew(HsEvent, m->events, m->cap_events);
        }
        id = m->n_events++;
    }
    HsEvent *e = &m->events[id];
    e->rec = *rec;
    e->record = record;
    e->start = e->end = t;
    e->prefetch = prefetch;
    return id;
}

static void event_free(HsModel *m, uint32_t id)
{
    m->events[id].next_free = m->free_event;
    m->free_event = id;
}

/* ---- HyperSIO's BaseCache::Translate(event, alloc) ---- */

/* An event translates with each cache twice: a first search without
 * allocation, then a second one of the same key; the second is free when
 * the set has not been filled in between (SkCacheSpot). */

/* The keys: the context cache by source id, the IOTLB by page, the page
 * caches by 2 MiB and 1 GiB region; all but the IOTLB's mask are fixed. */
static inline uint32_t cc_set(const HsModel *m, const SkRecord *r)
{
    return sk_cache_set_of(&m->u.cc, r->tenant, r->sid);
}

static inline uint32_t iotlb_set(const HsModel *m, const SkRecord *r)
{
    return sk_cache_set_of(&m->u.iotlb, r->tenant, r->iova >> 21);
}

static inline uint32_t l2_set(const HsModel *m, const SkRecord *r)
{
    return sk_cache_set_of(&m->u.l2, r->tenant, r->iova >> 21);
}

static inline uint32_t l3_set(const HsModel *m, const SkRecord *r)
{
    return sk_cache_set_of(&m->u.l3, r->tenant, r->iova >> 30);
}

/* Translate(event, alloc = false), the first time: a search that updates
 * the replacement state on a hit. */
static inline gboolean translate_first(SkCache *c, uint32_t set, uint64_t addr,
                                       uint32_t did, uint64_t nat,
                                       SkCacheSpot *spot)
{
    return sk_cache_lookup_spot(c, set, addr, did, nat, spot);
}

/* Translate(event, alloc), the second time for the same key: the search
 * again; when alloc, counts a hit or a miss and fills on a miss. */
static inline gboolean translate_again(HsModel *m, SkCache *c, int stat,
                                       SkCacheSpot *spot, uint64_t addr,
                                       uint32_t did, uint64_t nat,
                                       gboolean alloc)
{
    if (!sk_cache_present(c))
        return FALSE;
    uint32_t entry = sk_cache_find_again(c, spot, addr, did);
    gboolean hit = entry != SK_CACHE_NONE;
    if (hit)
        sk_cache_touch(c, spot->set, entry, nat);
    if (alloc) {
        if (hit) {
            m->res->caches[stat].hits++;
        } else {
            m->res->caches[stat].misses++;
            if (sk_cache_insert(c, spot->set, addr, did, nat))
                m->res->caches[stat].conflicts++;
        }
    }
    return hit;
}

/* The prefetch buffer: one fully associative LRU set; its hits and misses
 * are counted at every probe, as HyperSIO's prefetcher counts them. */
static gboolean pbuf_translate(HsModel *m, const HsEvent *e, gboolean alloc)
{
    SkCache *c = &m->u.pbuf;
    if (!sk_cache_present(c))
        return FALSE;
    uint64_t addr = e->rec.iova & e->rec.mask;
    gboolean hit = sk_cache_lookup(c, 0, addr, e->rec.tenant, e->rec.nat);
    if (alloc && !hit)
        sk_cache_insert(c, 0, addr, e->rec.tenant, e->rec.nat);
    return hit;
}

static void schedule(HsQueue *q, HsEvent *e, uint32_t id, uint64_t at,
                     uint64_t latency)
{
    e->end += latency;
    queue_push(q, at, id);
}

static void fail_1g(HsModel *m, const HsEvent *e)
{
    g_set_error(m->error, SK_ERROR, SK_ERROR_INPUT,
                "trace '%s': record %" G_GUINT64_FORMAT ": a level-%u page hits "
                "L2PAGE, which HyperSIO 1.0 never finishes (spec section 5); "
                "use --model siokit", m->path, e->record, e->rec.level);
    m->failed = TRUE;
}

/* ---- one tick ---- */

static void issue(HsModel *m, const SkRecord *rec, uint64_t record, uint64_t t)
{
    uint32_t id = event_new(m, rec, record, t, FALSE);
    HsEvent *e = &m->events[id];
    e->row = sk_tenant_table_index(&m->tenants, rec->tenant);
    if (translate_first(&m->u.cc, cc_set(m, rec), rec->sid, 0, rec->nat, &e->cc_spot))
        schedule(&m->cc_fill, e, id, t + SK_LAT_CC_HIT, SK_LAT_CC_HIT);
    else
        schedule(&m->cc_fill, e, id, t + SK_LAT_CC_MISS, SK_LAT_CC_MISS);
}

static void cc_fill_stage(HsModel *m, uint64_t t)
{
    uint32_t id = queue_pop(&m->cc_fill);
    HsEvent *e = &m->events[id];
    const SkRecord *r = &e->rec;
    translate_again(m, &m->u.cc, SK_STAT_CC, &e->cc_spot, r->sid, 0, r->nat, TRUE);
    gboolean iotlb_hit = translate_first(&m->u.iotlb, iotlb_set(m, r), r->iova & r->mask,
                                         r->tenant, r->nat, &e->iotlb_spot);
    gboolean pbuf_hit = pbuf_translate(m, e, FALSE);
    if (pbuf_hit)
        m->res->caches[SK_STAT_PREFETCH].hits++;
    else
        m->res->caches[SK_STAT_PREFETCH].misses++;

    if (iotlb_hit)
        schedule(&m->iotlb_fill, e, id, t + SK_LAT_IOTLB_HIT - 1, SK_LAT_IOTLB_HIT);
    else if (pbuf_hit)
        schedule(&m->iotlb_fill, e, id, t + SK_LAT_PREFETCH_HIT - 1, SK_LAT_PREFETCH_HIT);
    else
        schedule(&m->pc_lookup, e, id, t + SK_LAT_PCIE, SK_LAT_PCIE);

    /* The prefetcher runs on every translation, buffer or not. */
    uint32_t n = sk_prefetcher_observe(&m->u.prefetcher, &e->rec);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t pid = event_new(m, sk_prefetcher_predicted(&m->u.prefetcher, k),
                                 UINT64_MAX, 0, TRUE);
        HsEvent *p = &m->events[pid];
        p->rec.nat = SK_NAT_NONE;
        schedule(&m->pc_lookup, p, pid, t + SK_LAT_PCIE + SK_LAT_DRAM,
                 SK_LAT_PCIE + SK_LAT_DRAM);
        m->res->prefetch_walks++;
    }
}

static void pc_lookup_stage(HsModel *m, uint64_t t)
{
    uint32_t id = queue_pop(&m->pc_lookup);
    HsEvent *e = &m->events[id];
    uint64_t level = e->rec.level;
    const SkRecord *r = &e->rec;
    gboolean l2_hit = translate_first(&m->u.l2, l2_set(m, r), r->iova & IOMMU_MASK_2M,
                                      r->tenant, r->nat, &e->l2_spot);
    gboolean l3_hit = translate_first(&m->u.l3, l3_set(m, r), r->iova & IOMMU_MASK_1G,
                                      r->tenant, r->nat, &e->l3_spot);

    if (l2_hit) {
        if (level == 2) {
            schedule(&m->iotlb_fill, e, id, t + SK_LAT_PWC_HIT + SK_LAT_PCIE - 1,
                     SK_LAT_PWC_HIT + SK_LAT_PCIE);
        } else if (level > 2) {
            /* HyperSIO warns and forgets the event; a demand translation
             * then never completes and its drain never ends. */
            if (!e->prefetch)
                fail_1g(m, e);
            event_free(m, id);
        } else {
            uint64_t lat = SK_LAT_DRAM * (2 - level);
            schedule(&m->pc_fill, e, id, t + lat - 1, lat);
        }
    } else if (l3_hit) {
        if (level == 3) {
            schedule(&m->iotlb_fill, e, id, t + SK_LAT_PWC_HIT - 1, SK_LAT_PWC_HIT);
        } else {
            uint64_t lat = SK_LAT_DRAM * (3 - level);
            schedule(&m->pc_fill, e, id, t + lat - 1, lat);
        }
    } else {
        uint64_t lat = SK_LAT_DRAM * level;
        schedule(&m->pc_fill, e, id, t + lat - 1, lat);
    }
}

static void pc_fill_stage(HsModel *m, uint64_t t)
{
    uint32_t id = queue_pop(&m->pc_fill);
    HsEvent *e = &m->events[id];
    const SkRecord *r = &e->rec;
    translate_again(m, &m->u.l2, SK_STAT_L2PAGE, &e->l2_spot, r->iova & IOMMU_MASK_2M,
                    r->tenant, r->nat, iommu_may_fill(&m->u, SK_STAT_L2PAGE, r->tenant));
    translate_again(m, &m->u.l3, SK_STAT_L3PAGE, &e->l3_spot, r->iova & IOMMU_MASK_1G,
                    r->tenant, r->nat, iommu_may_fill(&m->u, SK_STAT_L3PAGE, r->tenant));
    schedule(&m->iotlb_fill, e, id, t + SK_LAT_PCIE, SK_LAT_PCIE);
}

/* Returns the translation completed at t, or UINT32_MAX. */
static uint32_t iotlb_fill_stage(HsModel *m, uint64_t t)
{
    uint32_t id = queue_pop(&m->iotlb_fill);
    HsEvent *e = &m->events[id];
    if (e->prefetch) {
        pbuf_translate(m, e, TRUE);
        event_free(m, id);
        return UINT32_MAX;
    }
    uint32_t did = e->rec.tenant;
    if (iommu_may_fill(&m->u, SK_STAT_IOTLB, did)) {
        SkTenantStats *ts = &g_array_index(m->tenants.rows, SkTenantStats, e->row);
        const SkRecord *r = &e->rec;
        if (translate_again(m, &m->u.iotlb, SK_STAT_IOTLB, &e->iotlb_spot,
                            r->iova & r->mask, r->tenant, r->nat, TRUE))
            ts->iotlb_hits++;
        else
            ts->iotlb_misses++;
    }
    return id;
}

static void complete(HsModel *m, uint32_t id)
{
    HsEvent *e = &m->events[id];
    SkTenantStats *ts = &g_array_index(m->tenants.rows, SkTenantStats, e->row);
    ts->translations++;
    if (e->start < ts->first_start)
        ts->first_start = e->start;
    if (e->end > ts->last_end)
        ts->last_end = e->end;
    ts->latency_sum += e->end - e->start;
    event_free(m, id);
}

static uint64_t min_head_time(const HsModel *m)
{
    uint64_t t = MIN(m->cc_fill.next, m->pc_lookup.next);
    return MIN(t, MIN(m->pc_fill.next, m->iotlb_fill.next));
}

/* ---- the run ---- */

/* What only this model needs of the options: HyperSIO's fixed device
 * (hypersio_fixed.c), whole Gb/s and a packet slot of at least 1 ns (its
 * slots are whole nanoseconds). */
gboolean hypersio_check(const SkModelOptions *o, GError **error)
{
    if (!hypersio_check_fixed(o, error))
        return FALSE;
    if (o->link_mbps % 1000) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --link-gbps: hypersio-1.0 takes whole Gb/s");
        return FALSE;
    }
    if (SK_PACKET_BITS / (o->link_mbps / 1000) == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --link-gbps: above %d Gb/s a packet slot is 0 ns in "
                    "hypersio-1.0", SK_PACKET_BITS);
        return FALSE;
    }
    return TRUE;
}

gboolean hypersio_run(const SkModelOptions *o, SkTraceReader *reader,
                      SkModelResult *res, GError **error)
{
    HsModel m;
    SkFeed feed;
    uint64_t interval = SK_PACKET_BITS / (o->link_mbps / 1000);
    uint64_t t = 0, record = 0;
    uint64_t next_slot = 0;     /* the first packet slot at or after t;
                                   UINT64_MAX at the end of the trace */
    const gboolean tick_by_tick = o->tick_by_tick;
    gboolean ended = FALSE, ok = FALSE;

    memset(&m, 0, sizeof(m));
    sk_feed_init(&feed, reader, o->progress);
    m.opt = o;
    m.res = res;
    m.path = sk_trace_reader_path(reader);
    m.error = error;
    m.free_event = UINT32_MAX;
    queue_init(&m.cc_fill, !o->inorder);
    queue_init(&m.pc_lookup, !o->inorder);
    queue_init(&m.pc_fill, !o->inorder);
    queue_init(&m.iotlb_fill, !o->inorder);
    sk_glibc_rand_seed(&m.rand, 1);
    iommu_init(&m.u, o, TRUE, TRUE, &m.rand);
    sk_tenant_table_init(&m.tenants);

    for (;;) {
        if (t == next_slot) {
            next_slot += interval;
            if (iommu_queue_free(&m.u)) {
                for (int i = 0; i < SK_TRANSLATIONS_PER_PACKET; i++) {
                    gboolean failed = FALSE;
                    const SkRecord *rec = sk_feed_next(&feed, &failed, error);
                    if (failed)
                        goto out;
                    if (rec == NULL) {
                        ended = TRUE;
                        next_slot = UINT64_MAX;     /* no more slots */
                        break;
                    }
                    issue(&m, rec, record++, t);
                    res->translations++;
                    iommu_queue_take(&m.u);
                    iommu_checkpoint(&m.u);
                }
            } else {
                res->dropped_slots++;
            }
            if (m.u.in_flight == 0 && ended)
                break;
        }

        /* Each queue releases at most one event ready at t. */
        if (m.cc_fill.next <= t)
            cc_fill_stage(&m, t);
        if (m.pc_lookup.next <= t) {
            pc_lookup_stage(&m, t);
            if (m.failed)
                goto out;
        }
        if (m.pc_fill.next <= t)
            pc_fill_stage(&m, t);
        if (m.iotlb_fill.next <= t) {
            uint32_t done = iotlb_fill_stage(&m, t);
            if (done != UINT32_MAX) {
                complete(&m, done);
                iommu_queue_release(&m.u);
                if (m.u.in_flight == 0 && ended) {
                    t++;
                    break;
                }
            }
        }

        /* Jump to the next tick at which anything happens. */
        uint64_t next = min_head_time(&m);
        if (next <= t || tick_by_tick)
            next = t + 1;
        if (iommu_queue_free(&m.u))
            next = MIN(next, next_slot);
        if (next == UINT64_MAX) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "trace '%s': model stalled with %" G_GUINT64_FORMAT
                        " translations in flight", m.path, m.u.in_flight);
            goto out;
        }
        if (next > next_slot) {
            /* Slots skipped with the queue full are dropped packets. */
            uint64_t gap = next - 1 - next_slot;
            uint64_t skipped = gap < interval ? 1 : gap / interval + 1;
            res->dropped_slots += skipped;
            next_slot += skipped * interval;
        }
        t = next;
    }

    if (res->translations == 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "trace '%s': empty trace",
                    m.path);
        goto out;
    }
    res->elapsed_ns = t;
    res->packets = res->translations / SK_TRANSLATIONS_PER_PACKET;
    res->mbps = sk_model_mbps(o, res->translations, t);
    res->utilization = (double)res->mbps / (double)o->link_mbps;
    res->tenants = o->tenants ? o->tenants : m.tenants.rows->len;
    ok = TRUE;
out:
    sk_tenant_table_finish(&m.tenants, res);
    res->max_in_flight = m.u.max_in_flight;
    iommu_clear(&m.u);
    SK_FREE_ALL(m.events, m.cc_fill.items, m.pc_lookup.items, m.pc_fill.items,
                m.iotlb_fill.items);
    sk_feed_clear(&feed);
    return ok;
}
