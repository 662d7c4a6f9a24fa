/* stdheap.c - libstdc++'s push_heap and pop_heap: inline in stdheap.h, for
 * the model's hot loop.  This unit checks that the header stands alone. */
#include "stdheap.h"
