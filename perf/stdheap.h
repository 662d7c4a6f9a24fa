/* stdheap.h - libstdc++'s std::priority_queue, as HyperSIO 1.0 used it.
 *
 * HyperSIO's out-of-order queues are priority queues of (ready time, event)
 * ordered by "a.time > b.time": the earliest first, and events of equal
 * time in whatever order libstdc++'s push_heap/pop_heap leave them.  That
 * order decides which of several ready events a queue releases in a tick,
 * so hypersio-1.0 mode keeps the very same heap.  Checked against the real
 * container in tests/test_stdorder.cpp. */
#ifndef STDHEAP_H
#define STDHEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct SkHeapItem {
    uint64_t time;
    uint32_t event;
} SkHeapItem;

/* push(): items[0..n) is a heap with room for one more; adds item. */
void sk_heap_push(SkHeapItem *items, size_t n, SkHeapItem item);
/* pop(): moves the top of the heap items[0..n) to items[n-1]; the heap is
 * then items[0..n-1). */
void sk_heap_pop(SkHeapItem *items, size_t n);

#endif
