/* sk_cacheconfig.h - HyperSIO 1.0 cache configuration files.
 *
 * The file names blocks and their keys, one per line:
 *
 *     IOTLB            a line without ':' starts a block: CC, IOTLB, L1PAGE,
 *     size:64          L2PAGE, L3PAGE or PREFETCH
 *     assoc:8          keys: size, assoc, groups, histlen (whole numbers)
 *     groups:1         lines starting with '//' and blank lines are ignored
 *     //----
 *
 * For PREFETCH, size is the prefetch-buffer entries, assoc the prediction
 * distance and histlen the pages remembered per source id; its groups is
 * ignored.  Two dialects:
 *   SK_CONFIG_SIOKIT    blank lines, spaces and CRLF are fine; blocks and
 *                       keys the file leaves out keep the values of
 *                       sk_cache_config_default(); a line that does not
 *                       parse is an error, and so is a block given twice;
 *   SK_CONFIG_HYPERSIO  exactly what HyperSIO 1.0 reads: everything starts
 *                       at 0; a block name must be the whole line; a key
 *                       is recognised by its first letters ("sizes" is
 *                       size) and its value is the leading number after
 *                       the ':' ("64abc" is 64); at the first line it
 *                       cannot read it stops and keeps what it has (a
 *                       value with no number, on which HyperSIO aborts, is
 *                       an error here); a block given again is read
 *                       again, its keys replacing the earlier values, as
 *                       HyperSIO does.
 * Size 0 means no cache.  L1PAGE is read and never used.
 *
 * siokit's extension (docs/sioperf.md), three more blocks whose keys are
 * read strictly in both dialects (exact key, a whole number in range):
 *
 *     LATENCY          pcie (one way), memory (one page-table entry read),
 *     pcie:450         cc_hit, iotlb_hit, prefetch_hit, walk_cache (a
 *     memory:50        page-walk cache lookup), ns, each 1..1000; a
 *     TQUEUE           context-cache miss costs 2 pcie + 2 memory;
 *     size:16          TQUEUE size: translation queue entries 1..1048576
 *     WALKTABLE        (--tqueue's default); WALKTABLE size: walks in
 *     size:16          flight tracked for miss coalescing, 0..1048576
 *
 * In the HyperSIO dialect these blocks are taken out before HyperSIO's own
 * rules read the rest (HyperSIO would stop at them); their values are
 * refused by the hypersio-1.0 model unless they are HyperSIO's fixed ones.
 *
 * Invariants of a loaded configuration (every violation is refused with an
 * SK_ERROR_INPUT error naming the file, line or block and the key; HyperSIO
 * would crash, hang or, for the shapes below, use part of the cache):
 *   1. CC, IOTLB, L2PAGE, L3PAGE have groups >= 1, a power of two;
 *   2. when its size is not 0: assoc >= 1, size % assoc == 0, sets =
 *      size / assoc a power of two, groups <= sets;
 *   3. a cache has at most SK_CACHE_MAX_ENTRIES entries; PREFETCH size and
 *      assoc are at most SK_PREFETCH_MAX, histlen SK_PREFETCH_MAX_HISTLEN. */
#ifndef SK_CACHECONFIG_H
#define SK_CACHECONFIG_H

#include <glib.h>
#include <stdint.h>

#define SK_CACHE_MAX_ENTRIES 16777216
#define SK_PREFETCH_MAX 1048576
#define SK_PREFETCH_MAX_HISTLEN 4096

typedef struct SkCacheGeometry {
    uint32_t size;      /* entries; 0 = no cache */
    uint32_t assoc;     /* ways per set */
    uint32_t groups;    /* set groups partitioned among domain ids */
} SkCacheGeometry;

#define SK_LATENCY_MAX 1000          /* ns; keeps every delay < 4096 */
#define SK_TQUEUE_MAX 1048576
#define SK_WALK_TABLE_MAX 1048576

/* The device's latencies in ns (block LATENCY), HyperSIO's by default. */
typedef enum {
    SK_LAT_KEY_PCIE,         /* one way over PCIe: 450 */
    SK_LAT_KEY_MEMORY,       /* one page-table entry read: 50 */
    SK_LAT_KEY_CC_HIT,       /* 1 */
    SK_LAT_KEY_IOTLB_HIT,    /* 2 */
    SK_LAT_KEY_PREFETCH_HIT, /* 2 */
    SK_LAT_KEY_WALK_CACHE,   /* a page-walk cache lookup: 5 */
    SK_N_LAT_KEYS,
} SkLatencyKey;

extern const char *const sk_latency_keys[SK_N_LAT_KEYS];
extern const uint32_t sk_latency_defaults[SK_N_LAT_KEYS];

typedef struct SkCacheConfig {
    SkCacheGeometry cc, iotlb, l1page, l2page, l3page;
    uint32_t prefetch_size;       /* prefetch-buffer entries; 0 = none */
    uint32_t prefetch_distance;   /* PREFETCH assoc */
    uint32_t prefetch_histlen;    /* PREFETCH histlen */
    uint32_t latency[SK_N_LAT_KEYS];   /* LATENCY, ns */
    uint32_t tqueue;              /* TQUEUE size; 0 = not given */
    uint32_t walk_table;          /* WALKTABLE size; 0 = no coalescing */
} SkCacheConfig;

/* Where a file set the keys whose acceptance depends on the model (line
 * numbers from 1; 0 = not set by the file), so that sk_model_options_check()
 * can name the line. */
typedef struct SkCacheConfigLines {
    uint32_t prefetch_size, prefetch_distance, prefetch_histlen;
    uint32_t latency[SK_N_LAT_KEYS], tqueue, walk_table;
} SkCacheConfigLines;

/* HyperSIO's default (what its sweep tool writes for the base design):
 * CC 1536/1536, IOTLB 64/8, L3PAGE 1024/16, L2PAGE 512/16, all groups 1;
 * PREFETCH size 0, assoc 32, histlen 2. */
void sk_cache_config_default(SkCacheConfig *config);

typedef enum {
    SK_CONFIG_SIOKIT,
    SK_CONFIG_HYPERSIO,
} SkConfigDialect;

/* Reads and validates a file, opened with sk_input_open() (a FIFO or a
 * directory is refused at once).  FALSE with an SK_ERROR_INPUT error (bad
 * content, or a file that cannot be read) naming the file. */
gboolean sk_cache_config_load(const char *path, SkConfigDialect dialect,
                              SkCacheConfig *config, GError **error);
/* The same, and where the file set the PREFETCH keys (lines may be NULL). */
gboolean sk_cache_config_load_lines(const char *path, SkConfigDialect dialect,
                                    SkCacheConfig *config, SkCacheConfigLines *lines,
                                    GError **error);
/* The same on text already in memory; `name` is used in messages. */
gboolean sk_cache_config_parse(const char *name, const char *text, gsize len,
                               SkConfigDialect dialect, SkCacheConfig *config,
                               GError **error);
gboolean sk_cache_config_parse_lines(const char *name, const char *text, gsize len,
                                     SkConfigDialect dialect, SkCacheConfig *config,
                                     SkCacheConfigLines *lines, GError **error);

/* Writes the configuration in the same format (what perf-explore stores);
 * the extension blocks only when they differ from the defaults. */
char *sk_cache_config_to_string(const SkCacheConfig *config);

#endif
