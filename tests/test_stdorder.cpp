// test_stdorder.cpp - hypersio-1.0 mode's emulations of libstdc++ and glibc,
// compared with the real things on random operation sequences:
// unordered_map iteration order (stdorder.c), priority_queue tie order
// (stdheap.c) and rand() (glibc_rand.c).  TAP output.
#include <cstdio>
#include <cstdlib>
#include <queue>
#include <random>
#include <unordered_map>
#include <vector>

extern "C" {
#include "sk_glibc_rand.h"
#include "stdheap.h"
#include "stdorder.h"
}

static int n_test = 0, n_fail = 0;

static void report(bool ok, const char *name)
{
    n_test++;
    if (!ok)
        n_fail++;
    std::printf("%s %d %s\n", ok ? "ok" : "not ok", n_test, name);
}

struct IdentityHash {
    size_t operator()(uint64_t k) const { return (size_t)k; }
};

// Random inserts and erases on a map of at most `cap` keys, as a cache set
// does (erase a victim when full, then insert); the order must match after
// every operation.
static bool order_matches(uint32_t cap, uint64_t key_space, unsigned ops,
                          unsigned seed)
{
    std::mt19937_64 rng(seed);
    std::unordered_map<uint64_t, uint32_t, IdentityHash> real;
    SkStdOrder emu;
    std::vector<uint64_t> slot_key(cap);
    std::vector<bool> used(cap, false);
    bool ok = true;

    sk_std_order_init(&emu, cap);
    for (unsigned i = 0; i < ops && ok; i++) {
        uint64_t key = rng() % key_space;
        if (key_space > 1000000)
            key = (rng() << 16) | (rng() & 0xffff);
        if (real.count(key))
            continue;
        if (real.size() == cap || (real.size() > 0 && rng() % 4 == 0)) {
            // erase a random present key
            auto it = real.begin();
            std::advance(it, rng() % real.size());
            uint32_t slot = it->second;
            real.erase(it);
            sk_std_order_erase(&emu, slot);
            used[slot] = false;
        }
        uint32_t slot = 0;
        while (used[slot])
            slot++;
        used[slot] = true;
        slot_key[slot] = key;
        real.emplace(key, slot);
        sk_std_order_insert(&emu, slot, key);

        if (real.bucket_count() != emu.n_buckets) {
            std::printf("# bucket count %zu, emulated %llu after %zu keys\n",
                        real.bucket_count(), (unsigned long long)emu.n_buckets,
                        real.size());
            ok = false;
        }
        uint32_t s = sk_std_order_first(&emu);
        for (auto &kv : real) {
            if (s == SK_ORDER_NONE || slot_key[s] != kv.first) {
                ok = false;
                break;
            }
            s = sk_std_order_next(&emu, s);
        }
        if (s != SK_ORDER_NONE)
            ok = false;
    }
    sk_std_order_destroy(&emu);
    return ok;
}

// Growth alone, to large sizes: bucket counts follow libstdc++'s primes.
static bool growth_matches(uint32_t n)
{
    std::unordered_map<uint64_t, uint32_t, IdentityHash> real;
    SkStdOrder emu;
    bool ok = true;
    sk_std_order_init(&emu, n);
    for (uint32_t i = 0; i < n && ok; i++) {
        uint64_t key = (uint64_t)i * 2654435761u;
        real.emplace(key, i);
        sk_std_order_insert(&emu, i, key);
        ok = real.bucket_count() == emu.n_buckets;
    }
    uint32_t s = sk_std_order_first(&emu);
    for (auto &kv : real) {
        if (!ok || s != kv.second) {
            ok = false;
            break;
        }
        s = sk_std_order_next(&emu, s);
    }
    sk_std_order_destroy(&emu);
    return ok;
}

struct Later {
    bool operator()(const SkHeapItem &a, const SkHeapItem &b) const
    {
        return a.time > b.time;
    }
};

static bool heap_matches(unsigned seed, unsigned ops, uint64_t time_span)
{
    std::mt19937_64 rng(seed);
    std::priority_queue<SkHeapItem, std::vector<SkHeapItem>, Later> real;
    std::vector<SkHeapItem> emu(ops + 1);
    size_t n = 0;
    uint32_t next_id = 0;

    for (unsigned i = 0; i < ops; i++) {
        if (n == 0 || rng() % 3 != 0) {
            SkHeapItem item = {rng() % time_span, next_id++};
            real.push(item);
            sk_heap_push(emu.data(), n, item);
            n++;
        } else {
            SkHeapItem top = real.top();
            real.pop();
            if (emu[0].event != top.event)
                return false;
            sk_heap_pop(emu.data(), n);
            n--;
        }
    }
    while (n > 0) {
        if (emu[0].event != real.top().event)
            return false;
        real.pop();
        sk_heap_pop(emu.data(), n);
        n--;
    }
    return true;
}

static bool rand_matches(unsigned seed, int count)
{
    SkGlibcRand g;
    std::srand(seed);
    sk_glibc_rand_seed(&g, seed);
    for (int i = 0; i < count; i++)
        if (std::rand() != sk_glibc_rand_next(&g))
            return false;
    return true;
}

int main()
{
    std::printf("1..9\n");
    report(order_matches(8, 32, 20000, 1), "unordered_map order, 8 entries, dense keys");
    report(order_matches(16, 1u << 30, 20000, 2), "unordered_map order, 16 entries, AddrDidKey-like hashes");
    report(order_matches(1536, 4096, 60000, 3), "unordered_map order, 1536 entries (context cache)");
    report(order_matches(64, 64, 20000, 4), "unordered_map order, full key space");
    report(growth_matches(200000), "unordered_map bucket growth to 200000 keys");
    report(heap_matches(5, 200000, 4), "priority_queue order, many ties");
    report(heap_matches(6, 200000, 100000), "priority_queue order, few ties");
    report(rand_matches(1, 100000), "glibc rand(), seed 1");
    report(rand_matches(12345, 100000), "glibc rand(), seed 12345");
    return n_fail ? 1 : 0;
}
