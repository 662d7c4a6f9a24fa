/* rr_queue.h - a growable FIFO of 32-bit ids (the seed's list.append / list.pop(0)). */
#ifndef RR_QUEUE_H
#define RR_QUEUE_H

#include <glib.h>
#include <stdint.h>

typedef struct RrQueue {
    uint32_t *v;
    gsize head, tail, cap;  /* items v[head..tail) modulo cap; cap a power of two */
} RrQueue;

static inline void rr_queue_init(RrQueue *q)
{
    q->cap = 64;
    q->head = q->tail = 0;
    q->v = g_new(uint32_t, q->cap);
}

static inline gsize rr_queue_len(const RrQueue *q)
{
    return q->tail - q->head;
}

static inline void rr_queue_push(RrQueue *q, uint32_t x)
{
    if (q->tail - q->head == q->cap) {
        uint32_t *v = g_new(uint32_t, q->cap * 2);

        for (gsize i = q->head; i < q->tail; i++)
            v[i - q->head] = q->v[i & (q->cap - 1)];
        q->tail -= q->head;
        q->head = 0;
        g_free(q->v);
        q->v = v;
        q->cap *= 2;
    }
    q->v[q->tail++ & (q->cap - 1)] = x;
}

/* The front id, removed; the queue must not be empty. */
static inline uint32_t rr_queue_pop(RrQueue *q)
{
    return q->v[q->head++ & (q->cap - 1)];
}

static inline void rr_queue_free(RrQueue *q)
{
    g_free(q->v);
    q->v = NULL;
}

#endif
