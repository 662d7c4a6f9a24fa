/* test_rr_hash.c - the consistent hash ring against 003.md's vectors (py2.7 hash_ring). */
#include "rr_hash.h"
#include "sk_test.h"

static const char *const keys[] = {"6d01dffe", "4fdf6ce6", "9ca2770d", "0ee76ffa", "e1852826"};

static void check(guint nodes, const guint *want)
{
    RrHashRing *r = rr_hash_ring_new(nodes);

    for (guint i = 0; i < G_N_ELEMENTS(keys); i++)
        g_assert_cmpuint(rr_hash_ring_node(r, keys[i]), ==, want[i]);
    rr_hash_ring_free(r);
}

static void test_two(void)
{
    static const guint want[] = {0, 1, 1, 1, 0};
    check(2, want);
}

static void test_three(void)
{
    static const guint want[] = {2, 2, 1, 2, 0};
    check(3, want);
}

static void test_four(void)
{
    static const guint want[] = {2, 3, 1, 2, 0};
    check(4, want);
}

static void test_one(void)
{
    static const guint want[] = {0, 0, 0, 0, 0};
    check(1, want);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rr-hash/one-node", test_one);
    g_test_add_func("/rr-hash/two-nodes", test_two);
    g_test_add_func("/rr-hash/three-nodes", test_three);
    g_test_add_func("/rr-hash/four-nodes", test_four);
    return g_test_run();
}
