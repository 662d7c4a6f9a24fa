/* test_file.c - the input/output rule of lib/base/sk_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"
#include "sk_test.h"

static char *dir;

static char *in_dir(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted, as one string "a b c". */
static char *listing(void)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new();
    const char *n;
    char *s;

    while ((n = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, (gpointer)n);
    qsort(names->pdata, names->len, sizeof(gpointer), by_name);
    g_ptr_array_add(names, NULL);
    s = g_strjoinv(" ", (char **)names->pdata);
    g_ptr_array_free(names, TRUE);
    g_dir_close(d);
    return s;
}

static void clear_dir(void)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        char *p = in_dir(n);
        g_unlink(p);
        g_free(p);
    }
    g_dir_close(d);
    sk_input_forget_all();
}

SK_TEST(test_whole_or_nothing, "/file/whole-or-nothing")
{
    char *out = in_dir("out.txt"), *text = NULL, *names;
    SkOutput o;
    GError *error = NULL;

    clear_dir();
    g_assert_true(sk_output_open(&o, "report", out, &error));
    g_assert_no_error(error);
    fputs("half", o.f);
    names = listing();
    g_assert_true(g_str_has_prefix(names, "out.txt.tmp."));   /* not out.txt */
    g_free(names);
    sk_output_discard(&o);
    names = listing();
    g_assert_cmpstr(names, ==, "");
    g_free(names);

    g_assert_true(sk_output_write_file("report", out, "whole\n", -1, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(out, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "whole\n");
    names = listing();
    g_assert_cmpstr(names, ==, "out.txt");
    g_free(names);
    g_free(text);
    g_free(out);
}

SK_TEST(test_mode_follows_umask, "/file/mode")
{
    char *out = in_dir("m");
    struct stat st;
    mode_t old = umask(027);
    GError *error = NULL;

    clear_dir();
    g_assert_true(sk_output_write_file("report", out, "x", 1, &error));
    umask(old);
    g_assert_cmpint(stat(out, &st), ==, 0);
    /* The mode is read once per process: 0666 less the umask then. */
    g_assert_cmpint(st.st_mode & 07000, ==, 0);
    g_assert_cmpint(st.st_mode & 0600, ==, 0600);
    g_free(out);
}

SK_TEST(test_output_is_input, "/file/output-is-input")
{
    char *in = in_dir("victim.log"), *alias = in_dir("alias.log");
    char *hard = in_dir("hard.log"), *text = NULL;
    GError *error = NULL;

    clear_dir();
    g_assert_true(g_file_set_contents(in, "precious\n", -1, NULL));
    g_assert_cmpint(symlink("victim.log", alias), ==, 0);
    g_assert_cmpint(link(in, hard), ==, 0);
    sk_input_claim(in);

    const char *targets[] = { in, alias, hard };
    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_assert_false(sk_output_check("trace", targets[i], &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(error->message, targets[i]));
        g_assert_nonnull(strstr(error->message, "input"));
        g_clear_error(&error);
        g_assert_false(sk_output_write_file("trace", targets[i], "x", 1, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_clear_error(&error);
    }
    /* The same path spelled another way. */
    char *odd = g_strdup_printf("%s/./victim.log", dir);
    g_assert_false(sk_output_check("trace", odd, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_free(odd);

    g_assert_true(g_file_get_contents(in, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "precious\n");
    g_free(text);
    g_free(in);
    g_free(alias);
    g_free(hard);
}

SK_TEST(test_special_outputs_refused, "/file/special-outputs")
{
    char *fifo = in_dir("fifo"), *sub = in_dir("sub"), *ln = in_dir("null");
    struct stat st;
    GError *error = NULL;

    clear_dir();
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_assert_cmpint(symlink("/dev/null", ln), ==, 0);
    const char *targets[] = { "/dev/null", fifo, ln };
    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_assert_false(sk_output_write_file("trace", targets[i], "x", 1, &error));
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(error->message, targets[i]));
        g_clear_error(&error);
    }
    g_assert_cmpint(stat("/dev/null", &st), ==, 0);
    g_assert_true(S_ISCHR(st.st_mode));
    g_assert_cmpint(lstat(fifo, &st), ==, 0);
    g_assert_true(S_ISFIFO(st.st_mode));

    g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
    g_assert_false(sk_output_write_file("trace", sub, "x", 1, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_rmdir(sub);
    g_free(fifo);
    g_free(sub);
    g_free(ln);
}

SK_TEST(test_special_inputs_refused, "/file/special-inputs")
{
    char *fifo = in_dir("in.fifo");
    GError *error = NULL;
    int fd;

    clear_dir();
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    /* Would block forever in open() without O_NONBLOCK. */
    const char *inputs[] = { fifo, "/dev/zero", dir };
    for (guint i = 0; i < G_N_ELEMENTS(inputs); i++) {
        g_assert_cmpint(sk_input_open("trace", inputs[i], &error), ==, -1);
        g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
        g_assert_nonnull(strstr(error->message, inputs[i]));
        g_clear_error(&error);
    }
    char *missing = in_dir("missing");
    g_assert_null(sk_input_fopen("config", missing, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_assert_nonnull(strstr(error->message, "config '"));
    g_clear_error(&error);
    g_free(missing);

    char *reg = in_dir("reg");
    g_assert_true(g_file_set_contents(reg, "abc", -1, NULL));
    fd = sk_input_open("trace", reg, &error);
    g_assert_no_error(error);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fcntl(fd, F_GETFL) & O_NONBLOCK, ==, 0);
    char buf[8];
    g_assert_cmpint(sk_read_full(fd, buf, sizeof buf), ==, 3);
    g_assert_cmpint(sk_pread_full(fd, buf, sizeof buf, 1), ==, 2);
    g_assert_cmpint(buf[0], ==, 'b');
    close(fd);
    g_free(reg);
    g_free(fifo);
}

SK_TEST(test_temporary_never_follows_links, "/file/no-link-follow")
{
    char *out = in_dir("o"), *bait = in_dir("bait");
    SkOutput o;
    GError *error = NULL;
    char *text = NULL;

    clear_dir();
    g_assert_true(g_file_set_contents(bait, "keep", -1, NULL));
    /* Whatever link an attacker plants, the temporary is a new file. */
    for (int i = 0; i < 50; i++) {
        g_assert_true(sk_output_open(&o, "report", out, &error));
        struct stat st;
        g_assert_cmpint(lstat(o.tmp, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpint(st.st_nlink, ==, 1);
        sk_output_discard(&o);
    }
    g_assert_true(g_file_get_contents(bait, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "keep");
    g_free(text);
    g_free(out);
    g_free(bait);
}

SK_TEST(test_signal_removes_temporaries, "/file/signal")
{
    char *a = in_dir("a"), *b = in_dir("b"), *names;
    SkOutput oa, ob;
    GError *error = NULL;

    clear_dir();
    g_assert_true(sk_output_open(&oa, "report", a, &error));
    g_assert_true(sk_output_open(&ob, "report", b, &error));
    sk_signal_catch();
    raise(SIGTERM);
    g_assert_cmpint(sk_signal_stop(), ==, SIGTERM);
    names = listing();
    g_assert_cmpstr(names, ==, "");
    g_free(names);
    /* Committing after the handler ran fails rather than invent a file. */
    g_assert_false(sk_output_commit(&oa, &error));
    g_clear_error(&error);
    sk_output_discard(&ob);
    g_assert_false(g_file_test(a, G_FILE_TEST_EXISTS));

    g_assert_false(sk_signal_stopped(&error, "trace-gen"));
    g_assert_error(error, SK_ERROR, SK_ERROR_STOPPED);
    g_assert_cmpint(sk_exit_status(error), ==, 128 + SIGTERM);
    g_assert_nonnull(strstr(error->message, "SIGTERM"));
    g_clear_error(&error);
    g_free(a);
    g_free(b);
}

int main(int argc, char **argv)
{
    sk_test_init(&argc, &argv);
    dir = g_dir_make_tmp("sk-test-file-XXXXXX", NULL);
    int rc = g_test_run();
    clear_dir();
    g_rmdir(dir);
    g_free(dir);
    return rc;
}
