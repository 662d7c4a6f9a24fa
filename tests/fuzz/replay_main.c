/* replay_main.c - runs a libFuzzer target without libFuzzer, as a test.
 *
 * Usage: fuzz-replay-NAME CORPUS_DIR [MUTATIONS]
 * Feeds LLVMFuzzerTestOneInput() every regular file of CORPUS_DIR (in name
 * order), then MUTATIONS (default 3000) inputs made from them by a seeded
 * PRNG: bit flips, byte sets, little-endian fields set to edge values,
 * truncations, insertions, deletions, duplicated ranges and splices of two
 * corpus files.  Every run is the same.  Prints "ok N inputs" and exits 0;
 * a target that crashes fails the test.  Exit 1 if the corpus cannot be
 * read, 2 on bad usage.  Knows nothing about any particular target. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_SIZE (4u << 20)   /* mutants never grow past this */

static uint64_t replay_state = 0x5eed5eed5eed5eedull;

static uint64_t replay_rand(void)
{
    /* splitmix64 */
    uint64_t z = (replay_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t replay_below(size_t n)
{
    return n == 0 ? 0 : (size_t)(replay_rand() % n);
}

/* Runs the target on an exact-size heap copy, so sanitizers see overreads. */
static void replay_run(const uint8_t *data, size_t size)
{
    uint8_t *copy = g_malloc(size ? size : 1);

    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    g_free(copy);
}

static const uint64_t replay_edges[] = {
    0, 1, 2, 3, 4, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, INT64_MAX,
    (uint64_t)INT64_MAX + 1, UINT64_MAX, UINT64_MAX - 1,
};

/* Inserts n bytes at offset at of buf. */
static void replay_insert(GByteArray *buf, size_t at, const uint8_t *bytes,
                          size_t n)
{
    size_t len = buf->len;

    g_byte_array_set_size(buf, (guint)(len + n));
    memmove(buf->data + at + n, buf->data + at, len - at);
    memcpy(buf->data + at, bytes, n);
}

/* Applies one random change to buf. */
static void replay_mutate(GByteArray *buf, GPtrArray *corpus)
{
    size_t len = buf->len;
    size_t at = replay_below(len);

    switch (replay_rand() % 9) {
    case 0: /* flip a bit */
        if (len)
            buf->data[at] ^= (uint8_t)(1u << replay_below(8));
        break;
    case 1: /* set a byte */
        if (len)
            buf->data[at] = replay_rand() % 2
                ? (uint8_t)replay_edges[replay_below(G_N_ELEMENTS(replay_edges))]
                : (uint8_t)replay_rand();
        break;
    case 2: /* set a little-endian field of 2, 4 or 8 bytes */
    case 3: {
        size_t width = (size_t)2 << replay_below(3);
        uint64_t v = replay_rand() % 4 == 0
            ? (uint64_t)len + replay_below(64) - 32
            : replay_edges[replay_below(G_N_ELEMENTS(replay_edges))];
        if (replay_rand() % 2)
            v += replay_below(16);
        if (len >= width) {
            at = replay_below(len - width + 1);
            if (replay_rand() % 2)
                at &= ~(size_t)(width - 1);   /* aligned fields are likelier */
            for (size_t i = 0; i < width; i++)
                buf->data[at + i] = (uint8_t)(v >> (8 * i));
        }
        break;
    }
    case 4: /* truncate */
        g_byte_array_set_size(buf, (guint)replay_below(len + 1));
        break;
    case 5: { /* insert random bytes */
        uint8_t bytes[16];
        size_t n = 1 + replay_below(sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (uint8_t)replay_rand();
        if (len + n <= REPLAY_MAX_SIZE)
            replay_insert(buf, replay_below(len + 1), bytes, n);
        break;
    }
    case 6: /* delete a range */
        if (len)
            g_byte_array_remove_range(buf, (guint)at,
                                      (guint)(1 + replay_below(MIN(len - at, 256))));
        break;
    case 7: { /* duplicate a range elsewhere */
        size_t n = len ? 1 + replay_below(MIN(len - at, 4096)) : 0;
        if (n && len + n <= REPLAY_MAX_SIZE) {
            uint8_t *chunk = g_memdup2(buf->data + at, n);
            replay_insert(buf, replay_below(len + 1), chunk, n);
            g_free(chunk);
        }
        break;
    }
    default: { /* splice: a prefix of buf, then a suffix of a corpus file */
        GBytes *other = corpus->len
            ? g_ptr_array_index(corpus, replay_below(corpus->len)) : NULL;
        gsize olen = 0;
        const uint8_t *o = other ? g_bytes_get_data(other, &olen) : NULL;
        size_t from = replay_below(olen + 1);
        g_byte_array_set_size(buf, (guint)replay_below(len + 1));
        if (olen - from && buf->len + (olen - from) <= REPLAY_MAX_SIZE)
            g_byte_array_append(buf, o + from, (guint)(olen - from));
        break;
    }
    }
}

static gint replay_name_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads the regular files of dir, in name order, into corpus.  FALSE if
 * the directory cannot be read. */
static gboolean replay_load(const char *dir, GPtrArray *corpus)
{
    GError *error = NULL;
    GDir *d = g_dir_open(dir, 0, &error);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;

    if (d == NULL) {
        fprintf(stderr, "fuzz-replay: cannot read corpus '%s': %s\n", dir,
                error->message);
        g_error_free(error);
        g_ptr_array_free(names, TRUE);
        return FALSE;
    }
    while ((name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, replay_name_cmp);
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(dir, g_ptr_array_index(names, i), NULL);
        char *data;
        gsize len;
        if (g_file_test(path, G_FILE_TEST_IS_REGULAR) &&
            g_file_get_contents(path, &data, &len, NULL))
            g_ptr_array_add(corpus, g_bytes_new_take(data, len));
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
    return TRUE;
}

int main(int argc, char **argv)
{
    GPtrArray *corpus;
    unsigned long mutations = 3000;
    size_t runs = 0;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS]\n", argv[0]);
        return 2;
    }
    if (argc == 3) {
        char *end;
        mutations = strtoul(argv[2], &end, 10);
        if (*argv[2] == '\0' || *end != '\0') {
            fprintf(stderr, "%s: bad mutation count '%s'\n", argv[0], argv[2]);
            return 2;
        }
    }
    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    corpus = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    if (!replay_load(argv[1], corpus)) {
        g_ptr_array_free(corpus, TRUE);
        return 1;
    }
    for (guint i = 0; i < corpus->len; i++) {
        gsize len;
        const uint8_t *d = g_bytes_get_data(g_ptr_array_index(corpus, i), &len);
        replay_run(d, len);
        runs++;
    }
    for (unsigned long m = 0; m < mutations; m++) {
        GByteArray *buf = g_byte_array_new();
        if (corpus->len) {
            gsize len;
            const uint8_t *d = g_bytes_get_data(
                g_ptr_array_index(corpus, replay_below(corpus->len)), &len);
            g_byte_array_append(buf, d, (guint)len);
        }
        for (size_t k = 1 + replay_below(4); k > 0; k--)
            replay_mutate(buf, corpus);
        replay_run(buf->data, buf->len);
        g_byte_array_free(buf, TRUE);
        runs++;
    }
    printf("ok %zu inputs\n", runs);
    g_ptr_array_free(corpus, TRUE);
    return 0;
}
