/* rr_lru.c - a doubly linked LRU list over dense ids. */
#include "rr_lru.h"

void rr_lru_init(RrLru *l, uint32_t n, uint64_t capacity)
{
    l->prev = g_new(uint32_t, n ? n : 1);
    l->next = g_new(uint32_t, n ? n : 1);
    l->size = g_new0(uint64_t, n ? n : 1);
    l->in = g_new0(guint8, n ? n : 1);
    l->head = l->tail = RR_LRU_NONE;
    l->used = 0;
    l->capacity = capacity;
}

void rr_lru_free(RrLru *l)
{
    g_free(l->prev);
    g_free(l->next);
    g_free(l->size);
    g_free(l->in);
}

static void unlink_id(RrLru *l, uint32_t id)
{
    uint32_t p = l->prev[id], n = l->next[id];

    if (p != RR_LRU_NONE)
        l->next[p] = n;
    else
        l->head = n;
    if (n != RR_LRU_NONE)
        l->prev[n] = p;
    else
        l->tail = p;
}

static void link_tail(RrLru *l, uint32_t id)
{
    l->prev[id] = l->tail;
    l->next[id] = RR_LRU_NONE;
    if (l->tail != RR_LRU_NONE)
        l->next[l->tail] = id;
    else
        l->head = id;
    l->tail = id;
}

void rr_lru_touch(RrLru *l, uint32_t id)
{
    if (l->tail == id)
        return;
    unlink_id(l, id);
    link_tail(l, id);
}

void rr_lru_add(RrLru *l, uint32_t id, uint64_t size)
{
    l->in[id] = 1;
    l->size[id] = size;
    l->used += size;
    link_tail(l, id);
}

void rr_lru_remove(RrLru *l, uint32_t id)
{
    unlink_id(l, id);
    l->in[id] = 0;
    l->used -= l->size[id];
}

uint32_t rr_lru_pop(RrLru *l)
{
    uint32_t id = l->head;

    if (id != RR_LRU_NONE)
        rr_lru_remove(l, id);
    return id;
}
