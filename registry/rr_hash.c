/* rr_hash.c - the seed's consistent hash ring over client numbers (MD5, GChecksum). */
#include "rr_hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RR_HASH_POINTS 40   /* floor(40 * N * weight / total), weight 1 */

typedef struct {
    uint32_t value;
    guint node;
    guint order;    /* creation order, for equal values */
} Point;

struct RrHashRing {
    Point *points;
    gsize n;
};

static void md5(const char *text, guint8 out[16])
{
    GChecksum *c = g_checksum_new(G_CHECKSUM_MD5);
    gsize len = 16;

    g_checksum_update(c, (const guchar *)text, (gssize)strlen(text));
    g_checksum_get_digest(c, out, &len);
    g_checksum_free(c);
}

static uint32_t le32(const guint8 *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static int compare_points(const void *a, const void *b)
{
    const Point *x = a, *y = b;

    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

RrHashRing *rr_hash_ring_new(guint nodes)
{
    RrHashRing *r = g_new0(RrHashRing, 1);
    gsize k = 0, w = 0;

    r->points = g_new(Point, (gsize)nodes * RR_HASH_POINTS * 3);
    for (guint n = 0; n < nodes; n++)
        for (guint j = 0; j < RR_HASH_POINTS; j++) {
            char key[32];
            guint8 d[16];

            snprintf(key, sizeof(key), "%u-%u", n, j);
            md5(key, d);
            for (int i = 0; i < 3; i++, k++)
                r->points[k] = (Point){le32(d + 4 * i), n, (guint)k};
        }
    qsort(r->points, k, sizeof(Point), compare_points);
    /* Equal values: one point, owned by the last node that wrote it. */
    for (gsize i = 0; i < k; i++) {
        if (w > 0 && r->points[w - 1].value == r->points[i].value)
            r->points[w - 1] = r->points[i];
        else
            r->points[w++] = r->points[i];
    }
    r->n = w;
    return r;
}

guint rr_hash_ring_node(const RrHashRing *r, const char *key)
{
    guint8 d[16];
    uint32_t v;
    gsize lo = 0, hi = r->n;

    md5(key, d);
    v = le32(d);
    /* bisect_right: the first point with value > v. */
    while (lo < hi) {
        gsize mid = lo + (hi - lo) / 2;

        if (r->points[mid].value <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return r->points[lo == r->n ? 0 : lo].node;
}

void rr_hash_ring_free(RrHashRing *r)
{
    if (r == NULL)
        return;
    g_free(r->points);
    g_free(r);
}
