/* stdheap.c - libstdc++'s push_heap and pop_heap with the comparison
 * "a.time > b.time" (see stdheap.h). */
#include "stdheap.h"

static inline int later(const SkHeapItem *a, const SkHeapItem *b)
{
    return a->time > b->time;
}

/* Moves value up from hole towards top while its parent sorts after it. */
static void sift_up(SkHeapItem *items, size_t hole, size_t top, SkHeapItem value)
{
    size_t parent = (hole - 1) / 2;
    while (hole > top && later(&items[parent], &value)) {
        items[hole] = items[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    items[hole] = value;
}

void sk_heap_push(SkHeapItem *items, size_t n, SkHeapItem item)
{
    sift_up(items, n, 0, item);
}

/* Fills the hole at the root by walking down to a leaf along the preferred
 * children, then sifts value up from there. */
static void adjust(SkHeapItem *items, size_t len, SkHeapItem value)
{
    size_t hole = 0, second = 0;

    while (len > 0 && second < (len - 1) / 2) {
        second = 2 * (second + 1);
        if (later(&items[second], &items[second - 1]))
            second--;
        items[hole] = items[second];
        hole = second;
    }
    if ((len & 1) == 0 && len >= 2 && second == (len - 2) / 2) {
        second = 2 * (second + 1);
        items[hole] = items[second - 1];
        hole = second - 1;
    }
    sift_up(items, hole, 0, value);
}

void sk_heap_pop(SkHeapItem *items, size_t n)
{
    if (n > 1) {
        SkHeapItem value = items[n - 1];
        items[n - 1] = items[0];
        adjust(items, n - 1, value);
    }
}
