/* sk_test.h - what the C unit tests share: a private folder per test binary
 * (made on first use, removed with all it holds when the binary exits),
 * whole files written and read with the test failing on any error, folders
 * counted and removed, little-endian integers appended to a byte array, and a
 * GError checked for domain, code and message; and test cases that
 * register themselves:
 *
 *     SK_TEST(test_lru, "/cache/lru")
 *     {
 *         ...
 *     }
 *
 *     SK_TEST_MAIN()
 *
 * or, for a binary with setup of its own,
 *
 *     int main(int argc, char **argv)
 *     {
 *         sk_test_init(&argc, &argv);     (g_test_init and every SK_TEST)
 *         ...
 *         return g_test_run();
 *     }
 *
 * Cases run in the order they are written.
 *
 * Header only, every function static inline: a test binary is one .c file
 * that includes it. */
#ifndef SK_TEST_H
#define SK_TEST_H

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Removes path and everything below it; links are removed, not followed. */
static inline void sk_test_rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(path, name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR) &&
            !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
            sk_test_rm_rf(p);
        else
            g_unlink(p);
        g_free(p);
    }
    if (d != NULL)
        g_dir_close(d);
    g_rmdir(path);
}

static inline char **sk_test_dir_slot(void)
{
    static char *dir;
    return &dir;
}

static inline void sk_test_dir_remove(void)
{
    char **dir = sk_test_dir_slot();

    if (*dir != NULL)
        sk_test_rm_rf(*dir);
    g_free(*dir);
    *dir = NULL;
}

/* The binary's private folder under $TMPDIR; removed at exit. */
static inline const char *sk_test_dir(void)
{
    char **dir = sk_test_dir_slot();

    if (*dir == NULL) {
        GError *error = NULL;
        *dir = g_dir_make_tmp("sk-test-XXXXXX", &error);
        g_assert_no_error(error);
        atexit(sk_test_dir_remove);
    }
    return *dir;
}

/* NAME in the private folder (newly allocated). */
static inline char *sk_test_path(const char *name)
{
    return g_build_filename(sk_test_dir(), name, NULL);
}

/* A new empty folder "PREFIX-XXXXXX" in the private folder. */
static inline char *sk_test_new_dir(const char *prefix)
{
    char *name = g_strconcat(prefix, "-XXXXXX", NULL);
    char *path = sk_test_path(name);

    g_free(name);
    g_assert_nonnull(g_mkdtemp(path));
    return path;
}

/* Writes len bytes (-1: a NUL-terminated string) to path. */
static inline void sk_test_write(const char *path, const void *data, gssize len)
{
    GError *error = NULL;

    g_file_set_contents(path, data, len, &error);
    g_assert_no_error(error);
}

/* Writes NAME in the private folder; returns its path. */
static inline char *sk_test_write_tmp(const char *name, const void *data,
                                      gssize len)
{
    char *path = sk_test_path(name);

    sk_test_write(path, data, len);
    return path;
}

/* The whole of path (NUL-terminated beyond len; len may be NULL). */
static inline char *sk_test_read(const char *path, gsize *len)
{
    GError *error = NULL;
    char *data = NULL;

    g_file_get_contents(path, &data, len, &error);
    g_assert_no_error(error);
    return data;
}

/* How many entries a folder holds. */
static inline guint sk_test_entries(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    guint n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d) != NULL)
        n++;
    g_dir_close(d);
    return n;
}

/* Removes every entry of a folder, keeping the folder. */
static inline void sk_test_empty_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);
        sk_test_rm_rf(p);
        g_unlink(p);
        g_free(p);
    }
    g_dir_close(d);
}

/* Appends the n low bytes of v, least significant first (n <= 8). */
static inline void sk_test_put_le(GByteArray *b, uint64_t v, guint n)
{
    uint8_t x[8];

    g_assert_cmpuint(n, <=, 8);
    for (guint i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    g_byte_array_append(b, x, n);
}

static inline void sk_test_message_has(const GError *error, const char *want)
{
    if (want != NULL && strstr(error->message, want) == NULL)
        g_error("message '%s' lacks '%s'", error->message, want);
}

/* The error *errp is set, of domain and code, its message holds want (NULL:
 * any message); then it is cleared. */
#define sk_assert_error(errp, domain, code, want)                            \
    do {                                                                     \
        g_assert_error(*(errp), (domain), (code));                           \
        sk_test_message_has(*(errp), (want));                                \
        g_clear_error(errp);                                                 \
    } while (0)

/* Self-registering test cases: SK_TEST(fn, path) declares fn and, before
 * main(), adds it to this binary's list; sk_test_init() gives the list to
 * GLib in the order the cases are written. */
typedef struct SkTestCase {
    const char *path;
    void (*fn)(void);
} SkTestCase;

static inline GArray *sk_test_cases(void)
{
    static GArray *cases;
    if (cases == NULL)
        cases = g_array_new(FALSE, FALSE, sizeof(SkTestCase));
    return cases;
}

#define SK_TEST(fn, path)                                                    \
    static void fn(void);                                                    \
    __attribute__((constructor)) static void fn##_register(void)             \
    {                                                                        \
        SkTestCase c = {path, fn};                                           \
        g_array_append_val(sk_test_cases(), c);                              \
    }                                                                        \
    static void fn(void)

static inline void sk_test_init(int *argc, char ***argv)
{
    GArray *cases = sk_test_cases();

    g_test_init(argc, argv, NULL);
    for (guint i = 0; i < cases->len; i++) {
        SkTestCase *c = &g_array_index(cases, SkTestCase, i);
        g_test_add_func(c->path, c->fn);
    }
}

/* The main() of a binary that needs nothing but its cases. */
#define SK_TEST_MAIN()                                                       \
    int main(int argc, char **argv)                                          \
    {                                                                        \
        sk_test_init(&argc, &argv);                                          \
        return g_test_run();                                                 \
    }

#endif
