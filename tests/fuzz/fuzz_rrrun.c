/* fuzz_rrrun.c - fuzz target: any bytes as registry-replay run's inputs, a warmup
 * map and a results file.  Each is read or refused with SK_ERROR_INPUT, and
 * what is read holds the readers' promises: digests of 64 lowercase hex
 * digits or "bad"; results with finite times and durations >= 0, statistics
 * whose counts add up and whose percentiles are in order. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_check.h"
#include "rr_results.h"
#include "rr_warmup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(GHashTable *map)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, map);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const char *d = value;

        if (strcmp(d, "bad") != 0 && strlen(d) != 64)
            abort();
    }
}

static void check_results(GArray *results)
{
    RrStats s;
    char *csv;

    for (guint i = 0; i < results->len; i++) {
        const RrResult *r = &g_array_index(results, RrResult, i);

        if (!(r->time >= 0 && r->duration >= 0) || r->status < 0 || r->status > 999)
            abort();
    }
    rr_results_sort(results);
    rr_stats_compute(results, &s);
    if (s.total + s.failed != results->len || s.gets + s.puts != s.total)
        abort();
    if (!(s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max))
        abort();
    csv = rr_results_per_second_csv(results);
    g_free(csv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GError *error = NULL;
    GHashTable *map = rr_warmup_map_parse("fuzz.json", (const char *)data, size, &error);
    GArray *results = g_array_new(FALSE, FALSE, sizeof(RrResult));

    if (map) {
        check_map(map);
        g_hash_table_destroy(map);
    } else {
        fuzz_refused(error, TRUE);
        error = NULL;
    }
    if (rr_results_parse("fuzz.json", (const char *)data, size, results, &error))
        check_results(results);
    else
        fuzz_refused(error, TRUE);
    g_array_free(results, TRUE);
    return 0;
}
