/* sk_free.h - freeing a struct's members in one statement:
 *
 *     SK_FREE_ALL(r->tenant, r->file, r->error, r);
 *
 * g_free()s each pointer in order (NULL ones are skipped, as g_free does).
 * Every argument is read before any is freed, so the struct itself may come
 * last. */
#ifndef SK_FREE_H
#define SK_FREE_H

#include <glib.h>

static inline void sk_free_each(gpointer *pointers, gsize n)
{
    for (gsize i = 0; i < n; i++)
        g_free(pointers[i]);
}

#define SK_FREE_ALL(...)                                                     \
    sk_free_each((gpointer[]){__VA_ARGS__},                                  \
                 sizeof((gpointer[]){__VA_ARGS__}) / sizeof(gpointer))

#endif
