/* stdheap.h - libstdc++'s std::priority_queue, as HyperSIO 1.0 used it.
 *
 * HyperSIO's out-of-order queues are priority queues of (ready time, event)
 * ordered by "a.time > b.time": the earliest first, and events of equal
 * time in whatever order libstdc++'s push_heap/pop_heap leave them.  That
 * order decides which of several ready events a queue releases in a tick,
 * so hypersio-1.0 mode keeps the very same heap.  Checked against the real
 * container in tests/test_stdorder.cpp.
 *
 * The operations are inline: they run for every event of the model. */
#ifndef STDHEAP_H
#define STDHEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct SkHeapItem {
    uint64_t time;
    uint32_t event;
} SkHeapItem;

/* libstdc++'s __push_heap: moves value up from hole towards the root while
 * its parent sorts after it (comparison "a.time > b.time"). */
static inline void sk_heap_sift_up(SkHeapItem *items, size_t hole,
                                   SkHeapItem value)
{
    size_t parent = (hole - 1) / 2;
    while (hole > 0 && items[parent].time > value.time) {
        items[hole] = items[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    items[hole] = value;
}

/* push(): items[0..n) is a heap with room for one more; adds item. */
static inline void sk_heap_push(SkHeapItem *items, size_t n, SkHeapItem item)
{
    sk_heap_sift_up(items, n, item);
}

/* pop(): moves the top of the heap items[0..n) to items[n-1]; the heap is
 * then items[0..n-1).  As libstdc++'s __adjust_heap: the hole at the root
 * walks down to a leaf along the preferred children, then the last item
 * sifts up from there. */
static inline void sk_heap_pop(SkHeapItem *items, size_t n)
{
    if (n <= 1)
        return;
    size_t len = n - 1, hole = 0, second = 0;
    SkHeapItem value = items[len];
    items[len] = items[0];
    while (second < (len - 1) / 2) {
        second = 2 * (second + 1);
        if (items[second].time > items[second - 1].time)
            second--;
        items[hole] = items[second];
        hole = second;
    }
    if ((len & 1) == 0 && second == (len - 2) / 2) {
        second = 2 * (second + 1);
        items[hole] = items[second - 1];
        hole = second - 1;
    }
    sk_heap_sift_up(items, hole, value);
}

#endif
