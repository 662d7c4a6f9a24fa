/* stdorder.c - libstdc++ unordered_map node order (see stdorder.h). */
#include "stdorder.h"
#include "sk_free.h"

#include <glib.h>
#include <math.h>

/* libstdc++'s _Prime_rehash_policy: small counts from a table, larger ones
 * the next prime of its list at or above n.  Growth is at least 2x, so the
 * primes needed here are those of the list from 13 up. */
static const uint64_t primes[] = {
    13ul, 29ul, 31ul, 37ul, 41ul, 43ul, 47ul, 53ul, 59ul, 61ul, 67ul, 71ul,
    73ul, 79ul, 83ul, 89ul, 97ul, 103ul, 109ul, 113ul, 127ul, 137ul, 139ul,
    149ul, 157ul, 167ul, 179ul, 193ul, 199ul, 211ul, 227ul, 241ul, 257ul,
    277ul, 293ul, 313ul, 337ul, 359ul, 383ul, 409ul, 439ul, 467ul, 503ul,
    541ul, 577ul, 619ul, 661ul, 709ul, 761ul, 823ul, 887ul, 953ul, 1031ul,
    1109ul, 1193ul, 1289ul, 1381ul, 1493ul, 1613ul, 1741ul, 1879ul, 2029ul,
    2179ul, 2357ul, 2549ul, 2753ul, 2971ul, 3209ul, 3469ul, 3739ul, 4027ul,
    4349ul, 4703ul, 5087ul, 5503ul, 5953ul, 6427ul, 6949ul, 7517ul, 8123ul,
    8783ul, 9497ul, 10273ul, 11113ul, 12011ul, 12983ul, 14033ul, 15173ul,
    16411ul, 17749ul, 19183ul, 20753ul, 22447ul, 24281ul, 26267ul, 28411ul,
    30727ul, 33223ul, 35933ul, 38873ul, 42043ul, 45481ul, 49201ul, 53201ul,
    57557ul, 62233ul, 67307ul, 72817ul, 78779ul, 85229ul, 92203ul, 99733ul,
    107897ul, 116731ul, 126271ul, 136607ul, 147793ul, 159871ul, 172933ul,
    187091ul, 202409ul, 218971ul, 236897ul, 256279ul, 277261ul, 299951ul,
    324503ul, 351061ul, 379787ul, 410857ul, 444487ul, 480881ul, 520241ul,
    562841ul, 608903ul, 658753ul, 712697ul, 771049ul, 834181ul, 902483ul,
    976369ul, 1056323ul, 1142821ul, 1236397ul, 1337629ul, 1447153ul,
    1565659ul, 1693859ul, 1832561ul, 1982627ul, 2144977ul, 2320627ul,
    2510653ul, 2716249ul, 2938679ul, 3179303ul, 3439651ul, 3721303ul,
    4026031ul, 4355707ul, 4712381ul, 5098259ul, 5515729ul, 5967347ul,
    6456007ul, 6984629ul, 7556579ul, 8175383ul, 8844859ul, 9569143ul,
};

static uint64_t next_bucket_count(SkStdOrder *o, uint64_t n)
{
    static const unsigned char fast[] = {2, 2, 2, 3, 5, 5, 7, 7, 11, 11, 11,
                                         11, 13, 13};
    if (n < sizeof(fast)) {
        o->next_resize = fast[n];
        return fast[n];
    }
    for (size_t i = 0; i < G_N_ELEMENTS(primes); i++)
        if (primes[i] >= n) {
            o->next_resize = primes[i];
            return primes[i];
        }
    g_error("stdorder: more than %lu buckets", (unsigned long)primes[G_N_ELEMENTS(primes) - 1]);
}

void sk_std_order_init(SkStdOrder *o, uint32_t capacity)
{
    o->capacity = capacity;
    o->count = 0;
    o->head = SK_ORDER_NONE;
    o->next = g_new(uint32_t, capacity ? capacity : 1);
    o->hash = g_new(uint64_t, capacity ? capacity : 1);
    o->n_buckets = 1;
    o->buckets = g_new(uint32_t, 1);
    o->buckets[0] = SK_ORDER_NONE;
    o->next_resize = 0;
}

void sk_std_order_destroy(SkStdOrder *o)
{
    SK_FREE_ALL(o->next, o->hash, o->buckets);
    o->next = NULL;
    o->hash = NULL;
    o->buckets = NULL;
}

static inline uint64_t bucket_of(const SkStdOrder *o, uint32_t slot)
{
    return o->hash[slot] % o->n_buckets;
}

/* Points the link that `before` designates (the head, or a slot's next). */
static inline uint32_t *link_of(SkStdOrder *o, uint32_t before)
{
    return before == SK_ORDER_HEAD ? &o->head : &o->next[before];
}

static void rehash(SkStdOrder *o, uint64_t n)
{
    uint32_t *buckets = g_new(uint32_t, n);
    uint32_t p = o->head;
    uint64_t begin_bucket = 0;

    for (uint64_t i = 0; i < n; i++)
        buckets[i] = SK_ORDER_NONE;
    o->head = SK_ORDER_NONE;
    o->n_buckets = n;
    while (p != SK_ORDER_NONE) {
        uint32_t next = o->next[p];
        uint64_t b = bucket_of(o, p);
        if (buckets[b] == SK_ORDER_NONE) {
            o->next[p] = o->head;
            o->head = p;
            buckets[b] = SK_ORDER_HEAD;
            if (o->next[p] != SK_ORDER_NONE)
                buckets[begin_bucket] = p;
            begin_bucket = b;
        } else {
            uint32_t *link = link_of(o, buckets[b]);
            o->next[p] = *link;
            *link = p;
        }
        p = next;
    }
    g_free(o->buckets);
    o->buckets = buckets;
}

void sk_std_order_insert(SkStdOrder *o, uint32_t slot, uint64_t hash)
{
    uint64_t b;

    g_assert(slot < o->capacity && o->count < o->capacity);
    o->hash[slot] = hash;
    /* _M_need_rehash(n_buckets, count, 1) with max_load_factor 1.0. */
    if ((uint64_t)o->count + 1 > o->next_resize) {
        uint64_t min_buckets = (uint64_t)o->count + 1;
        if (o->next_resize == 0 && min_buckets < 11)
            min_buckets = 11;
        if (min_buckets >= o->n_buckets) {
            uint64_t want = min_buckets + 1;
            if (want < o->n_buckets * 2)
                want = o->n_buckets * 2;
            rehash(o, next_bucket_count(o, want));
        } else {
            o->next_resize = o->n_buckets;
        }
    }
    b = bucket_of(o, slot);
    if (o->buckets[b] != SK_ORDER_NONE) {
        uint32_t *link = link_of(o, o->buckets[b]);
        o->next[slot] = *link;
        *link = slot;
    } else {
        o->next[slot] = o->head;
        o->head = slot;
        if (o->next[slot] != SK_ORDER_NONE)
            o->buckets[bucket_of(o, o->next[slot])] = slot;
        o->buckets[b] = SK_ORDER_HEAD;
    }
    o->count++;
}

void sk_std_order_erase(SkStdOrder *o, uint32_t slot)
{
    uint64_t b = bucket_of(o, slot);
    uint32_t prev = o->buckets[b];
    uint32_t next;

    g_assert(prev != SK_ORDER_NONE);
    while (*link_of(o, prev) != slot)
        prev = *link_of(o, prev);
    next = o->next[slot];
    if (prev == o->buckets[b]) {
        /* slot begins its bucket */
        uint64_t next_b = next != SK_ORDER_NONE ? bucket_of(o, next) : 0;
        if (next == SK_ORDER_NONE || next_b != b) {
            if (next != SK_ORDER_NONE)
                o->buckets[next_b] = o->buckets[b];
            o->buckets[b] = SK_ORDER_NONE;
        }
    } else if (next != SK_ORDER_NONE) {
        uint64_t next_b = bucket_of(o, next);
        if (next_b != b)
            o->buckets[next_b] = prev;
    }
    *link_of(o, prev) = next;
    o->count--;
}
