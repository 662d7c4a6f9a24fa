/* test_ssh.c - sk_ssh against a real dropbear server that the test starts
 * itself on 127.0.0.1: exec (status, streams, stdin, argv byte for byte,
 * timeouts, signals), upload and download of a large binary file, host key
 * pinning and its refusals, key-only login, readiness waits, the
 * known_hosts pin and the pty login.
 *
 * dropbear 2022.83 reads authorized_keys only from the home directory of
 * the user's passwd entry and has no option to change that, so the server
 * runs under nss_wrapper (LD_PRELOAD, package libnss-wrapper) with a passwd
 * file in the test's temporary folder: a user "sktest" with our own uid and
 * a home there.  Nothing outside that folder is read or changed.  Each case
 * starts its own server on a free port and kills it by pid in its teardown;
 * the server also gets PR_SET_PDEATHSIG so that a failing (aborting) test
 * leaves no server behind. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <libssh/libssh.h>

#include "sk_error.h"
#include "sk_ssh.h"
#include "sk_test.h"

#define USER "sktest"

/* Made once in main(): keys, passwd, the tools. */
static struct {
    const char *dir;
    char *home;
    char *host_key;        /* dropbear's host key */
    char *host_pub;        /* its "ssh-ed25519 AAAA..." line */
    char *other_pub;       /* a host key that is not the server's */
    char *client_key;      /* in authorized_keys */
    char *stranger_key;    /* not in authorized_keys */
    char *passwd, *group;
    char *dropbear;
    char *nss_wrapper;
} g;

typedef struct {
    char *dir;             /* per case, inside g.dir */
    char *known_hosts;
    char *log;
    int port;
    GPid pid;              /* 0: no server running */
    SkSshTarget t;
} Fx;

/* ---- helpers ---------------------------------------------------------------- */

static char *run_tool(const char *const *argv)
{
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *error = NULL;

    g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                 &out, &err, &status, &error);
    g_assert_no_error(error);
    if (!g_spawn_check_wait_status(status, NULL))
        g_error("%s failed: %s", argv[0], err);
    g_free(err);
    return out;
}

/* The "type base64" line of a dropbear host key. */
static char *dropbear_pub(const char *key)
{
    const char *argv[] = { "dropbearkey", "-y", "-f", key, NULL };
    char *out = run_tool(argv);
    char **lines = g_strsplit(out, "\n", -1);
    char *line = NULL;

    for (char **l = lines; *l != NULL && line == NULL; l++)
        if (g_str_has_prefix(*l, "ssh-"))
            line = g_strdup(*l);
    g_assert_nonnull(line);
    g_strfreev(lines);
    g_free(out);
    return line;
}

static char *new_host_key(const char *name)
{
    char *path = g_build_filename(g.dir, name, NULL);
    const char *argv[] = { "dropbearkey", "-t", "ed25519", "-f", path, NULL };

    g_free(run_tool(argv));
    return path;
}

static char *new_client_key(const char *name)
{
    char *path = g_build_filename(g.dir, name, NULL);
    const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                           "-C", name, "-f", path, NULL };

    g_free(run_tool(argv));
    return path;
}

/* "SHA256:..." of a "type base64" line, as libssh prints it. */
static char *fingerprint(const char *pub_line)
{
    char **w = g_strsplit(pub_line, " ", 3);
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t len = 0;
    char *fp, *copy;

    g_assert_cmpint(ssh_pki_import_pubkey_base64(w[1],
                        ssh_key_type_from_name(w[0]), &key), ==, SSH_OK);
    g_assert_cmpint(ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256,
                                           &hash, &len), ==, 0);
    fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
    copy = g_strdup(fp);
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
    ssh_key_free(key);
    g_strfreev(w);
    return copy;
}

static int free_port(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &len), ==, 0);
    close(fd);
    return ntohs(a.sin_port);
}

static gboolean port_open(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    gboolean ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;

    close(fd);
    return ok;
}

static void die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static char *read_text(const char *path)
{
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return g_strdup("");
    return text;
}

/* Starts dropbear on fx->port, after delay_s seconds (0: now, and waits
 * until it listens). */
static void server_start(Fx *fx, const char *delay_s)
{
    char *pidfile = g_build_filename(fx->dir, "dropbear.pid", NULL);
    char *listen = g_strdup_printf("127.0.0.1:%d", fx->port);
    const char *argv[] = { "/bin/sh", "-c", "sleep \"$1\"; shift; exec \"$@\"",
                           "sh", delay_s ? delay_s : "0", g.dropbear, "-F",
                           "-E", "-s", "-p", listen, "-r", g.host_key, "-P",
                           pidfile, NULL };
    char **env = g_get_environ();
    GError *error = NULL;
    int log_fd;

    env = g_environ_setenv(env, "LD_PRELOAD", g.nss_wrapper, TRUE);
    env = g_environ_setenv(env, "NSS_WRAPPER_PASSWD", g.passwd, TRUE);
    env = g_environ_setenv(env, "NSS_WRAPPER_GROUP", g.group, TRUE);
    log_fd = open(fx->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    g_assert_cmpint(log_fd, >=, 0);
    g_spawn_async_with_fds(NULL, (char **)argv, env,
                           G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL,
                           &fx->pid, -1, log_fd, log_fd, &error);
    g_assert_no_error(error);
    close(log_fd);
    g_strfreev(env);

    if (delay_s == NULL) {
        gint64 give_up = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        while (!port_open(fx->port)) {
            int status;
            if (waitpid(fx->pid, &status, WNOHANG) == fx->pid) {
                char *log = read_text(fx->log);
                fx->pid = 0;
                g_error("dropbear exited: %s", log);
            }
            if (g_get_monotonic_time() > give_up)
                g_error("dropbear does not listen on %d", fx->port);
            g_usleep(10000);
        }
    }
    g_free(listen);
    g_free(pidfile);
}

static void server_stop(Fx *fx)
{
    int status;

    if (fx->pid == 0)
        return;
    /* not SIGTERM: dropbear's main loop can miss it (flag set just before
     * it blocks in select) and then never exits */
    kill(fx->pid, SIGKILL);
    while (waitpid(fx->pid, &status, 0) < 0 && errno == EINTR)
        ;
    fx->pid = 0;
}

static void rm_rf(const char *path)
{
    sk_test_rm_rf(path);
}

static void pin(const char *known_hosts, int port, const char *pub)
{
    GError *error = NULL;

    g_assert_true(sk_known_hosts_pin(known_hosts, "127.0.0.1", port, pub,
                                     &error));
    g_assert_no_error(error);
}

/* user_data: "late" starts no server, the case does; otherwise one is
 * started and its key pinned. */
static void fx_setup(Fx *fx, gconstpointer data)
{
    fx->dir = sk_test_new_dir("case");
    fx->known_hosts = g_build_filename(fx->dir, "known_hosts", NULL);
    fx->log = g_build_filename(fx->dir, "dropbear.log", NULL);
    fx->port = free_port();
    fx->t = (SkSshTarget){ .host = "127.0.0.1", .port = fx->port,
                           .user = USER, .identity = g.client_key,
                           .known_hosts = fx->known_hosts,
                           .timeout_ms = 10000 };
    pin(fx->known_hosts, fx->port, g.host_pub);
    if (data == NULL)
        server_start(fx, NULL);
}

static void fx_teardown(Fx *fx, gconstpointer data)
{
    server_stop(fx);
    rm_rf(fx->dir);
    g_free(fx->dir);
    g_free(fx->known_hosts);
    g_free(fx->log);
}

static SkSsh *connect_ok(Fx *fx)
{
    GError *error = NULL;
    SkSsh *s = sk_ssh_connect(&fx->t, &error);

    if (s == NULL) {
        char *log = read_text(fx->log);
        g_printerr("dropbear log:\n%s", log);
        g_free(log);
    }
    g_assert_no_error(error);
    g_assert_nonnull(s);
    return s;
}

static int exec_ok(SkSsh *s, const char *const *argv, const char *in,
                   gsize in_len, GByteArray *out, GByteArray *err)
{
    GError *error = NULL;
    int status = sk_ssh_exec(s, argv, in, in_len, out, err, 30000, &error);

    g_assert_no_error(error);
    return status;
}

static void assert_bytes(GByteArray *a, const void *data, gsize n)
{
    g_assert_cmpmem(a->data, a->len, data, n);
}

static int count_entries(const char *dir)
{
    return (int)sk_test_entries(dir);
}

static gboolean has_entry_with_prefix(const char *dir, const char *prefix)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    gboolean found = FALSE;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL)
        found = found || g_str_has_prefix(name, prefix);
    g_dir_close(d);
    return found;
}

/* ---- cases ------------------------------------------------------------------ */

static void test_quote(void)
{
    const char *const a[] = { "a b", "it's", "", "$x", NULL };
    const char *const none[] = { NULL };
    char *q = sk_ssh_quote(a);

    g_assert_cmpstr(q, ==, "'a b' 'it'\\''s' '' '$x'");
    g_free(q);
    q = sk_ssh_quote(none);
    g_assert_cmpstr(q, ==, "");
    g_free(q);
}

static void test_exec_true(Fx *fx, gconstpointer data)
{
    const char *const argv[] = { "true", NULL };
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(exec_ok(s, argv, NULL, 0, NULL, NULL), ==, 0);
    /* the connection serves many commands */
    g_assert_cmpint(exec_ok(s, argv, NULL, 0, NULL, NULL), ==, 0);
    sk_ssh_free(s);
}

static void test_exec_status(Fx *fx, gconstpointer data)
{
    const char *const exit3[] = { "sh", "-c", "exit 3", NULL };
    const char *const f[] = { "false", NULL };
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(exec_ok(s, exit3, NULL, 0, NULL, NULL), ==, 3);
    g_assert_cmpint(exec_ok(s, f, NULL, 0, NULL, NULL), ==, 1);
    sk_ssh_free(s);
}

static void test_exec_streams(Fx *fx, gconstpointer data)
{
    const char *const argv[] = {
        "sh", "-c", "printf out1; printf err1 >&2; printf out2; "
        "printf err2 >&2; exit 4", NULL };
    GByteArray *out = g_byte_array_new(), *err = g_byte_array_new();
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(exec_ok(s, argv, NULL, 0, out, err), ==, 4);
    assert_bytes(out, "out1out2", 8);
    assert_bytes(err, "err1err2", 8);
    g_byte_array_unref(out);
    g_byte_array_unref(err);
    sk_ssh_free(s);
}

static void test_exec_stdin(Fx *fx, gconstpointer data)
{
    const char *const cat[] = { "cat", NULL };
    const char *const wc[] = { "wc", "-c", NULL };
    const char *const t[] = { "true", NULL };
    static const char small[] = "line 1\n\0binary\xff\x01 no newline";
    gsize big_len = 3 * 1024 * 1024 + 17;
    guint8 *big = g_malloc(big_len);
    GByteArray *out = g_byte_array_new();
    GRand *rand = g_rand_new_with_seed(7);
    SkSsh *s = connect_ok(fx);

    for (gsize i = 0; i < big_len; i++)
        big[i] = (guint8)g_rand_int(rand);
    g_assert_cmpint(exec_ok(s, cat, small, sizeof small, out, NULL), ==, 0);
    assert_bytes(out, small, sizeof small);

    /* megabytes in and out at the same time: neither side may block */
    g_byte_array_set_size(out, 0);
    g_assert_cmpint(exec_ok(s, cat, (char *)big, big_len, out, NULL), ==, 0);
    assert_bytes(out, big, big_len);

    g_byte_array_set_size(out, 0);
    g_assert_cmpint(exec_ok(s, wc, (char *)big, big_len, out, NULL), ==, 0);
    g_assert_cmpint(g_ascii_strtoull((char *)out->data, NULL, 10), ==,
                    big_len);

    /* a command that never reads its input */
    g_assert_cmpint(exec_ok(s, t, (char *)big, big_len, NULL, NULL), ==, 0);

    g_rand_free(rand);
    g_free(big);
    g_byte_array_unref(out);
    sk_ssh_free(s);
}

static void test_exec_argv(Fx *fx, gconstpointer data)
{
    const char *const args[] = {
        "plain", "two words", "it's", "\"double\"", "$(echo injected)",
        "`echo injected`", "a; echo injected", "line1\nline2", "*", "?",
        "[a-z]*", "", "$HOME", "${PATH}", "back\\slash", "-n", "tab\there",
        "  lead and trail  ", "'", "''", "\\'", "!bang", "&& echo x | cat >",
        "caf\xc3\xa9", "~", "#comment", NULL };
    GPtrArray *argv = g_ptr_array_new();
    GString *want = g_string_new(NULL);
    GByteArray *out = g_byte_array_new();
    SkSsh *s = connect_ok(fx);

    g_ptr_array_add(argv, "printf");
    g_ptr_array_add(argv, "%s|\n");
    for (const char *const *a = args; *a != NULL; a++) {
        g_ptr_array_add(argv, (gpointer)*a);
        g_string_append_printf(want, "%s|\n", *a);
    }
    g_ptr_array_add(argv, NULL);
    g_assert_cmpint(exec_ok(s, (const char *const *)argv->pdata, NULL, 0, out,
                            NULL), ==, 0);
    assert_bytes(out, want->str, want->len);

    /* the same words through sh -c "$@": a second round of parsing */
    {
        const char *const argv2[] = { "sh", "-c", "printf '%s|' \"$@\"", "sh",
                                      "$(id)", "", "a b", NULL };
        g_byte_array_set_size(out, 0);
        g_assert_cmpint(exec_ok(s, argv2, NULL, 0, out, NULL), ==, 0);
        assert_bytes(out, "$(id)||a b|", 11);
    }
    g_ptr_array_free(argv, TRUE);
    g_string_free(want, TRUE);
    g_byte_array_unref(out);
    sk_ssh_free(s);
}

static void test_exec_bad_args(Fx *fx, gconstpointer data)
{
    const char *const empty[] = { NULL };
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(sk_ssh_exec(s, empty, NULL, 0, NULL, NULL, 0, &error), ==,
                    -1);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_assert_cmpint(sk_ssh_exec(s, NULL, NULL, 0, NULL, NULL, 0, &error), ==,
                    -1);
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    sk_ssh_free(s);
}

static void test_exec_fd(Fx *fx, gconstpointer data)
{
    const char *const argv[] = { "sh", "-c", "tr a-z A-Z; echo done >&2",
                                 NULL };
    char *in_path = g_build_filename(fx->dir, "in.txt", NULL);
    char *out_path = g_build_filename(fx->dir, "out.txt", NULL);
    char *text;
    int in_fd, out_fd, pipe_fd[2];
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_true(g_file_set_contents(in_path, "hello\n", -1, NULL));
    in_fd = open(in_path, O_RDONLY);
    out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert_cmpint(pipe(pipe_fd), ==, 0);
    g_assert_cmpint(sk_ssh_exec_fd(s, argv, in_fd, out_fd, pipe_fd[1], 30000,
                                   &error), ==, 0);
    g_assert_no_error(error);
    close(pipe_fd[1]);
    close(out_fd);
    close(in_fd);
    text = read_text(out_path);
    g_assert_cmpstr(text, ==, "HELLO\n");
    g_free(text);
    {
        char buf[64] = "";
        g_assert_cmpint(read(pipe_fd[0], buf, sizeof buf - 1), ==, 5);
        g_assert_cmpstr(buf, ==, "done\n");
    }
    close(pipe_fd[0]);

    /* stdin from a pipe that must be polled, closed by the writer */
    g_assert_cmpint(pipe(pipe_fd), ==, 0);
    g_assert_cmpint(write(pipe_fd[1], "abc", 3), ==, 3);
    close(pipe_fd[1]);
    out_fd = open(out_path, O_WRONLY | O_TRUNC);
    g_assert_cmpint(sk_ssh_exec_fd(s, argv, pipe_fd[0], out_fd, -1, 30000,
                                   &error), ==, 0);
    g_assert_no_error(error);
    close(out_fd);
    close(pipe_fd[0]);
    text = read_text(out_path);
    g_assert_cmpstr(text, ==, "ABC");
    g_free(text);

    g_free(in_path);
    g_free(out_path);
    sk_ssh_free(s);
}

static void test_exec_timeout(Fx *fx, gconstpointer data)
{
    const char *const argv[] = { "sleep", "5", NULL };
    const char *const t[] = { "true", NULL };
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(sk_ssh_exec(s, argv, NULL, 0, NULL, NULL, 300, &error),
                    ==, -1);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "timed out");
    /* the connection is still usable */
    g_assert_cmpint(exec_ok(s, t, NULL, 0, NULL, NULL), ==, 0);
    sk_ssh_free(s);
}

static void test_exec_signal(Fx *fx, gconstpointer data)
{
    /* exec: the login shell that runs the command is the one killed */
    const char *const argv[] = { "exec", "sh", "-c", "kill -TERM $$", NULL };
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(sk_ssh_exec(s, argv, NULL, 0, NULL, NULL, 30000, &error),
                    ==, -1);
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "signal TERM");
    sk_ssh_free(s);
}

static void test_transfer_roundtrip(Fx *fx, gconstpointer data)
{
    gsize len = 5 * 1024 * 1024 + 3;
    guint8 *bytes = g_malloc(len);
    GRand *rand = g_rand_new_with_seed(42);
    char *local = g_build_filename(fx->dir, "local.bin", NULL);
    char *rdir = g_build_filename(fx->dir, "remote", NULL);
    char *remote = g_build_filename(rdir, "a file 'with' $pecial name", NULL);
    char *back = g_build_filename(fx->dir, "back.bin", NULL);
    char *got = NULL;
    gsize got_len = 0;
    struct stat st;
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    for (gsize i = 0; i < len; i++)
        bytes[i] = (guint8)g_rand_int(rand);
    g_assert_true(g_file_set_contents(local, (char *)bytes, (gssize)len,
                                      NULL));
    g_assert_cmpint(g_mkdir(rdir, 0700), ==, 0);

    g_assert_true(sk_ssh_upload(s, local, remote, 0750, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(remote, &got, &got_len, NULL));
    g_assert_cmpmem(got, got_len, bytes, len);
    g_free(got);
    g_assert_cmpint(g_stat(remote, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0750);
    g_assert_cmpint(count_entries(rdir), ==, 1);  /* no temporary left */

    g_assert_true(sk_ssh_download(s, remote, back, &error));
    g_assert_no_error(error);
    g_assert_true(g_file_get_contents(back, &got, &got_len, NULL));
    g_assert_cmpmem(got, got_len, bytes, len);
    g_free(got);
    g_assert_cmpint(g_stat(back, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0750);

    /* mode -1 keeps the local file's mode; an upload replaces the file */
    g_assert_cmpint(g_chmod(local, 0604), ==, 0);
    g_assert_true(g_file_set_contents(local, "short", 5, NULL));
    g_assert_cmpint(g_chmod(local, 0604), ==, 0);
    g_assert_true(sk_ssh_upload(s, local, remote, -1, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_stat(remote, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0604);
    g_assert_cmpint(st.st_size, ==, 5);

    /* an empty file */
    g_assert_true(g_file_set_contents(local, "", 0, NULL));
    g_assert_true(sk_ssh_upload(s, local, remote, 0600, &error));
    g_assert_no_error(error);
    g_assert_true(sk_ssh_download(s, remote, back, &error));
    g_assert_no_error(error);
    g_assert_cmpint(g_stat(back, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 0);

    g_rand_free(rand);
    g_free(bytes);
    g_free(local);
    g_free(rdir);
    g_free(remote);
    g_free(back);
    sk_ssh_free(s);
}

/* The permission bits of path (not following a link), or -1. */
static int mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static gboolean is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static void assert_text(const char *path, const char *want)
{
    char *got = read_text(path);
    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

/* A hostile guest's file modes never bring setuid, setgid or sticky bits
 * to the host, nor does an upload carry them to the guest. */
static void test_transfer_modes(Fx *fx, gconstpointer data)
{
    static const int hostile[] = {06755, 07777, 04700, 01777};
    char *remote = g_build_filename(fx->dir, "guest-file", NULL);
    char *local = g_build_filename(fx->dir, "host-file", NULL);
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    for (guint i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_assert_true(g_file_set_contents(remote, "payload", -1, NULL));
        g_assert_cmpint(chmod(remote, (mode_t)hostile[i]), ==, 0);
        g_assert_cmpint(mode_of(remote), ==, hostile[i]);   /* really set */
        g_assert_true(sk_ssh_download(s, remote, local, &error));
        g_assert_no_error(error);
        g_assert_cmpint(mode_of(local), ==, hostile[i] & 0777);
        assert_text(local, "payload");

        /* the other way: the mode given, and the local file's (-1) */
        g_assert_true(sk_ssh_upload(s, local, remote, hostile[i], &error));
        g_assert_no_error(error);
        g_assert_cmpint(mode_of(remote), ==, hostile[i] & 0777);
        g_assert_cmpint(chmod(local, (mode_t)hostile[i]), ==, 0);
        g_assert_true(sk_ssh_upload(s, local, remote, -1, &error));
        g_assert_no_error(error);
        g_assert_cmpint(mode_of(remote), ==, hostile[i] & 0777);
    }
    g_free(remote);
    g_free(local);
    sk_ssh_free(s);
}

/* A link at the target of a copy is replaced, never written through: on
 * the host (download) and in the guest (upload), to a file or a folder. */
static void test_transfer_links(Fx *fx, gconstpointer data)
{
    char *src = g_build_filename(fx->dir, "src", NULL);
    char *victim = g_build_filename(fx->dir, "victim", NULL);
    char *vdir = g_build_filename(fx->dir, "victim-dir", NULL);
    char *link = g_build_filename(fx->dir, "link", NULL);
    char *dlink = g_build_filename(fx->dir, "dir-link", NULL);
    char *folder = g_build_filename(fx->dir, "a-folder", NULL);
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_true(g_file_set_contents(src, "new bytes", -1, NULL));
    g_assert_cmpint(g_mkdir(vdir, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(folder, 0700), ==, 0);

    /* host side: download onto a link to a file */
    g_assert_true(g_file_set_contents(victim, "keep", -1, NULL));
    g_assert_cmpint(symlink(victim, link), ==, 0);
    g_assert_true(sk_ssh_download(s, src, link, &error));
    g_assert_no_error(error);
    assert_text(victim, "keep");
    g_assert_false(is_link(link));
    assert_text(link, "new bytes");
    g_assert_cmpint(g_unlink(link), ==, 0);

    /* guest side: upload onto a link to a file, and to a folder */
    g_assert_cmpint(symlink(victim, link), ==, 0);
    g_assert_true(sk_ssh_upload(s, src, link, 0644, &error));
    g_assert_no_error(error);
    assert_text(victim, "keep");
    g_assert_false(is_link(link));
    assert_text(link, "new bytes");
    g_assert_cmpint(symlink(vdir, dlink), ==, 0);
    g_assert_true(sk_ssh_upload(s, src, dlink, 0644, &error));
    g_assert_no_error(error);
    g_assert_cmpint(count_entries(vdir), ==, 0);
    g_assert_false(is_link(dlink));
    assert_text(dlink, "new bytes");

    /* a folder at the target is refused, and left as it was */
    g_assert_false(sk_ssh_upload(s, src, folder, 0644, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_clear_error(&error);
    g_assert_true(g_file_test(folder, G_FILE_TEST_IS_DIR));
    g_assert_cmpint(count_entries(folder), ==, 0);
    g_assert_false(has_entry_with_prefix(fx->dir, "a-folder.sk-tmp"));

    g_free(src);
    g_free(victim);
    g_free(vdir);
    g_free(link);
    g_free(dlink);
    g_free(folder);
    sk_ssh_free(s);
}

static void test_transfer_failures(Fx *fx, gconstpointer data)
{
    char *ldir = g_build_filename(fx->dir, "local", NULL);
    char *local = g_build_filename(ldir, "got", NULL);
    char *missing = g_build_filename(fx->dir, "no such file", NULL);
    char *nodir = g_build_filename(fx->dir, "no-dir", "file", NULL);
    char *src = g_build_filename(ldir, "src", NULL);
    GError *error = NULL;
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(g_mkdir(ldir, 0700), ==, 0);
    g_assert_false(sk_ssh_download(s, missing, local, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, missing);
    g_assert_cmpint(count_entries(ldir), ==, 0);  /* nothing left locally */

    /* a directory is not a file */
    g_assert_false(sk_ssh_download(s, fx->dir, local, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_clear_error(&error);
    g_assert_cmpint(count_entries(ldir), ==, 0);

    /* upload into a missing remote directory */
    g_assert_true(g_file_set_contents(src, "data", 4, NULL));
    g_assert_false(sk_ssh_upload(s, src, nodir, 0644, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_clear_error(&error);

    /* a missing local file is bad input */
    g_assert_false(sk_ssh_upload(s, missing, nodir, 0644, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);

    g_free(ldir);
    g_free(local);
    g_free(missing);
    g_free(nodir);
    g_free(src);
    sk_ssh_free(s);
}

static void test_hostkey_wrong(Fx *fx, gconstpointer data)
{
    GError *error = NULL;
    char *want_name = g_strdup_printf("[127.0.0.1]:%d", fx->port);
    char *seen = fingerprint(g.host_pub);
    char *want = g_strdup_printf("host key of %s is not the pinned one (%s)",
                                 want_name, seen);

    pin(fx->known_hosts, fx->port, g.other_pub);
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_assert_cmpstr(error->message, ==, want);
    g_clear_error(&error);
    g_free(want_name);
    g_free(seen);
    g_free(want);
}

static void test_hostkey_unpinned(Fx *fx, gconstpointer data)
{
    GError *error = NULL;
    char *other = g_build_filename(fx->dir, "other_known_hosts", NULL);
    char *missing = g_build_filename(fx->dir, "missing_known_hosts", NULL);

    /* pinned for another port only */
    pin(other, fx->port + 1, g.host_pub);
    fx->t.known_hosts = other;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "is not pinned in"));
    g_assert_nonnull(strstr(error->message, "SHA256:"));
    g_clear_error(&error);

    /* no known_hosts file at all */
    fx->t.known_hosts = missing;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "cannot be checked: known hosts "
                                            "file"));
    g_assert_nonnull(strstr(error->message, "No such file"));
    g_clear_error(&error);
    g_assert_false(g_file_test(missing, G_FILE_TEST_EXISTS));

    fx->t.known_hosts = fx->known_hosts;
    g_free(other);
    g_free(missing);
}

static void test_auth(Fx *fx, gconstpointer data)
{
    GError *error = NULL;
    char *missing = g_build_filename(fx->dir, "no-key", NULL);

    fx->t.identity = g.stranger_key;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "refused the key");

    fx->t.identity = missing;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_INPUT, missing);

    /* a public key is not a private key */
    fx->t.identity = fx->known_hosts;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);

    fx->t.identity = g.client_key;
    fx->t.user = NULL;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    fx->t.user = USER;
    g_free(missing);
}

static void test_closed_port(Fx *fx, gconstpointer data)
{
    GError *error = NULL;
    gint64 start = g_get_monotonic_time();

    fx->t.timeout_ms = 60000;
    g_assert_null(sk_ssh_connect(&fx->t, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "cannot connect");
    /* refused at once, not after the 60 s timeout */
    g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
}

static void test_ready_late(Fx *fx, gconstpointer data)
{
    GError *error = NULL;

    server_start(fx, "1");
    g_assert_false(port_open(fx->port));
    g_assert_true(sk_ssh_wait_ready(&fx->t, 30000, sk_ssh_alive_pid,
                                    GINT_TO_POINTER(fx->pid), &error));
    g_assert_no_error(error);
}

static void test_ready_never(Fx *fx, gconstpointer data)
{
    GError *error = NULL;

    g_assert_false(sk_ssh_wait_ready(&fx->t, 1500, NULL, NULL, &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "not ready after 1500 ms"));
    g_assert_nonnull(strstr(error->message, "cannot connect"));
    g_clear_error(&error);
}

static void test_ready_died(Fx *fx, gconstpointer data)
{
    const char *argv[] = { "/bin/sh", "-c", "exit 0", NULL };
    GError *error = NULL;
    gint64 start;
    GPid pid;
    int status;

    /* the "VM" dies at once and the port never opens */
    g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                  NULL, &pid, &error);
    g_assert_no_error(error);
    start = g_get_monotonic_time();
    g_assert_false(sk_ssh_wait_ready(&fx->t, 60000, sk_ssh_alive_pid,
                                     GINT_TO_POINTER(pid), &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "has exited");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
    /* never reaped by the library */
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
}

static void test_ready_wrong_key(Fx *fx, gconstpointer data)
{
    GError *error = NULL;
    gint64 start = g_get_monotonic_time();

    pin(fx->known_hosts, fx->port, g.other_pub);
    g_assert_false(sk_ssh_wait_ready(&fx->t, 60000, NULL, NULL, &error));
    sk_assert_error(&error, SK_ERROR, SK_ERROR_FAILED, "is not the pinned one");
    g_assert_cmpint(g_get_monotonic_time() - start, <, 30 * G_USEC_PER_SEC);
}

static void test_pin(Fx *fx, gconstpointer data)
{
    char *name = g_strdup_printf("[127.0.0.1]:%d", fx->port);
    char *hashed_file = g_build_filename(fx->dir, "hashed", NULL);
    char *text, *hashed, *want;
    char **old = g_strsplit(g.other_pub, " ", 3);
    char **cur = g_strsplit(g.host_pub, " ", 3);
    struct stat st;
    GError *error = NULL;
    SkSsh *s;

    /* a hashed entry for our name, made by ssh-keygen -H */
    text = g_strdup_printf("%s %s %s\n", name, old[0], old[1]);
    g_assert_true(g_file_set_contents(hashed_file, text, -1, NULL));
    g_free(text);
    {
        const char *argv[] = { "ssh-keygen", "-q", "-H", "-f", hashed_file,
                               NULL };
        g_free(run_tool(argv));
    }
    hashed = read_text(hashed_file);
    g_assert_true(g_str_has_prefix(hashed, "|1|"));

    text = g_strdup_printf("# siokit pins\n"
                           "other.example %s %s\n"
                           "%s %s %s\n"
                           "@revoked %s %s %s\n"
                           "foo,%s,bar %s %s comment\n"
                           "%s"
                           "[127.0.0.1]:1 %s %s\n",
                           old[0], old[1], name, old[0], old[1], name, old[0],
                           old[1], name, old[0], old[1], hashed, old[0],
                           old[1]);
    g_assert_true(g_file_set_contents(fx->known_hosts, text, -1, NULL));
    g_free(text);
    g_assert_cmpint(g_chmod(fx->known_hosts, 0644), ==, 0);

    pin(fx->known_hosts, fx->port, g.host_pub);
    text = read_text(fx->known_hosts);
    want = g_strdup_printf("# siokit pins\n"
                           "other.example %s %s\n"
                           "@revoked %s %s %s\n"
                           "foo,bar %s %s comment\n"
                           "[127.0.0.1]:1 %s %s\n"
                           "%s %s %s\n",
                           old[0], old[1], name, old[0], old[1], old[0],
                           old[1], old[0], old[1], name, cur[0], cur[1]);
    g_assert_cmpstr(text, ==, want);
    g_free(text);
    g_free(want);
    g_assert_cmpint(g_stat(fx->known_hosts, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    /* pinning again changes nothing; no temporary is left beside it */
    text = read_text(fx->known_hosts);
    pin(fx->known_hosts, fx->port, g.host_pub);
    want = read_text(fx->known_hosts);
    g_assert_cmpstr(text, ==, want);
    g_free(text);
    g_free(want);
    g_assert_false(has_entry_with_prefix(fx->dir, ".known_hosts."));

    /* the revoked line names an old key, not the server's: we connect */
    s = connect_ok(fx);
    sk_ssh_free(s);

    g_assert_false(sk_known_hosts_pin(fx->known_hosts, "127.0.0.1", fx->port,
                                      "ssh-ed25519 not-base64!", &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);
    g_assert_false(sk_known_hosts_pin(fx->known_hosts, "127.0.0.1", fx->port,
                                      "", &error));
    g_assert_error(error, SK_ERROR, SK_ERROR_INPUT);
    g_clear_error(&error);

    g_free(hashed);
    g_free(hashed_file);
    g_free(name);
    g_strfreev(old);
    g_strfreev(cur);
}

typedef struct {
    int master;
    GString *seen;
} PtyReader;

/* Reads the pty until the shell has shown both sizes; after the first,
 * resizes the terminal and signals SIGWINCH as a terminal would. */
static gpointer pty_reader(gpointer data)
{
    PtyReader *r = data;
    gboolean resized = FALSE;
    gint64 give_up = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < give_up) {
        struct pollfd p = { .fd = r->master, .events = POLLIN };
        char buf[4096];
        ssize_t n;

        if (poll(&p, 1, 100) <= 0)
            continue;
        n = read(r->master, buf, sizeof buf);
        if (n <= 0)
            break;
        g_string_append_len(r->seen, buf, n);
        if (!resized && strstr(r->seen->str, "size=33x101") != NULL) {
            struct winsize ws = { .ws_row = 40, .ws_col = 120 };
            ioctl(r->master, TIOCSWINSZ, &ws);
            kill(getpid(), SIGWINCH);
            resized = TRUE;
        }
        if (strstr(r->seen->str, "size=40x120") != NULL)
            break;
    }
    return NULL;
}

static void test_interactive(Fx *fx, gconstpointer data)
{
    static const char script[] =
        "echo size=$(stty size | tr ' ' x); i=0; "
        "while [ \"$(stty size)\" = '33 101' ] && [ $i -lt 200 ]; "
        "do sleep 0.1; i=$((i+1)); done; "
        "echo size=$(stty size | tr ' ' x); exit 7\n";
    struct winsize ws = { .ws_row = 33, .ws_col = 101 };
    struct termios before, after;
    PtyReader r = { .seen = g_string_new(NULL) };
    GError *error = NULL;
    GThread *thread;
    int slave, saved_in, saved_out, status;
    SkSsh *s = connect_ok(fx);

    g_assert_cmpint(openpty(&r.master, &slave, NULL, NULL, &ws), ==, 0);
    /* typed ahead, before the session starts */
    g_assert_cmpint(write(r.master, script, strlen(script)), ==,
                    (ssize_t)strlen(script));
    g_assert_cmpint(tcgetattr(slave, &before), ==, 0);
    thread = g_thread_new("pty", pty_reader, &r);
    saved_in = dup(STDIN_FILENO);
    saved_out = dup(STDOUT_FILENO);
    dup2(slave, STDIN_FILENO);
    dup2(slave, STDOUT_FILENO);
    status = sk_ssh_interactive(s, &error);
    dup2(saved_in, STDIN_FILENO);
    dup2(saved_out, STDOUT_FILENO);
    close(saved_in);
    close(saved_out);
    g_assert_cmpint(tcgetattr(slave, &after), ==, 0);
    g_thread_join(thread);

    g_assert_no_error(error);
    g_assert_cmpint(status, ==, 7);
    g_assert_nonnull(strstr(r.seen->str, "size=33x101"));
    g_assert_nonnull(strstr(r.seen->str, "size=40x120"));
    /* the terminal is back as it was */
    g_assert_cmpint(before.c_lflag, ==, after.c_lflag);
    g_assert_cmpint(before.c_iflag, ==, after.c_iflag);
    g_assert_cmpint(before.c_oflag, ==, after.c_oflag);
    close(slave);
    close(r.master);
    g_string_free(r.seen, TRUE);
    sk_ssh_free(s);
}

/* ---- main ------------------------------------------------------------------- */

static char *find_nss_wrapper(void)
{
    const char *pats[] = { "/usr/lib/*/libnss_wrapper.so",
                           "/usr/lib64/libnss_wrapper.so",
                           "/usr/lib/libnss_wrapper.so", NULL };
    char *found = NULL;

    for (const char **p = pats; *p != NULL && found == NULL; p++) {
        glob_t gl;
        if (glob(*p, 0, NULL, &gl) == 0 && gl.gl_pathc > 0)
            found = g_strdup(gl.gl_pathv[0]);
        globfree(&gl);
    }
    return found;
}

static void setup_world(void)
{
    char *ssh_dir, *auth, *pub, *text, *pubfile;
    int tools_found = 0;

    g.dropbear = g_find_program_in_path("dropbear");
    if (g.dropbear == NULL && g_file_test("/usr/sbin/dropbear",
                                          G_FILE_TEST_IS_EXECUTABLE))
        g.dropbear = g_strdup("/usr/sbin/dropbear");
    g.nss_wrapper = find_nss_wrapper();
    for (int i = 0; i < 2; i++) {
        char *path = g_find_program_in_path(i ? "ssh-keygen" : "dropbearkey");
        tools_found += path != NULL;
        g_free(path);
    }
    if (g.dropbear == NULL || g.nss_wrapper == NULL || tools_found != 2)
        g_error("test-ssh needs dropbear-bin, openssh-client and "
                "libnss-wrapper (scripts/install-deps)");

    g.dir = sk_test_dir();
    g.home = g_build_filename(g.dir, "home", NULL);
    ssh_dir = g_build_filename(g.home, ".ssh", NULL);
    g_assert_cmpint(g_mkdir_with_parents(ssh_dir, 0700), ==, 0);
    g_assert_cmpint(g_chmod(g.home, 0700), ==, 0);

    g.host_key = new_host_key("host_ed25519");
    g.host_pub = dropbear_pub(g.host_key);
    {
        char *other = new_host_key("other_ed25519");
        g.other_pub = dropbear_pub(other);
        g_free(other);
    }
    g.client_key = new_client_key("client_ed25519");
    g.stranger_key = new_client_key("stranger_ed25519");
    pubfile = g_strconcat(g.client_key, ".pub", NULL);
    g_assert_true(g_file_get_contents(pubfile, &pub, NULL, NULL));
    auth = g_build_filename(ssh_dir, "authorized_keys", NULL);
    g_assert_true(g_file_set_contents(auth, pub, -1, NULL));
    g_assert_cmpint(g_chmod(auth, 0600), ==, 0);

    g.passwd = g_build_filename(g.dir, "passwd", NULL);
    g.group = g_build_filename(g.dir, "group", NULL);
    text = g_strdup_printf(USER ":x:%u:%u:siokit test:%s:/bin/sh\n",
                           (unsigned)getuid(), (unsigned)getgid(), g.home);
    g_assert_true(g_file_set_contents(g.passwd, text, -1, NULL));
    g_free(text);
    text = g_strdup_printf(USER ":x:%u:\n", (unsigned)getgid());
    g_assert_true(g_file_set_contents(g.group, text, -1, NULL));
    g_free(text);

    g_free(pub);
    g_free(pubfile);
    g_free(auth);
    g_free(ssh_dir);
}

#define ADD(path, fn, data) \
    g_test_add(path, Fx, data, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    setup_world();

    g_test_add_func("/ssh/quote", test_quote);
    ADD("/ssh/exec/true", test_exec_true, NULL);
    ADD("/ssh/exec/status", test_exec_status, NULL);
    ADD("/ssh/exec/streams", test_exec_streams, NULL);
    ADD("/ssh/exec/stdin", test_exec_stdin, NULL);
    ADD("/ssh/exec/argv", test_exec_argv, NULL);
    ADD("/ssh/exec/bad-args", test_exec_bad_args, NULL);
    ADD("/ssh/exec/fd", test_exec_fd, NULL);
    ADD("/ssh/exec/timeout", test_exec_timeout, NULL);
    ADD("/ssh/exec/signal", test_exec_signal, NULL);
    ADD("/ssh/transfer/roundtrip", test_transfer_roundtrip, NULL);
    ADD("/ssh/transfer/failures", test_transfer_failures, NULL);
    ADD("/ssh/transfer/modes", test_transfer_modes, NULL);
    ADD("/ssh/transfer/links", test_transfer_links, NULL);
    ADD("/ssh/hostkey/wrong", test_hostkey_wrong, NULL);
    ADD("/ssh/hostkey/unpinned", test_hostkey_unpinned, NULL);
    ADD("/ssh/auth", test_auth, NULL);
    ADD("/ssh/connect/closed-port", test_closed_port, "no server");
    ADD("/ssh/ready/late", test_ready_late, "no server");
    ADD("/ssh/ready/never", test_ready_never, "no server");
    ADD("/ssh/ready/died", test_ready_died, "no server");
    ADD("/ssh/ready/wrong-key", test_ready_wrong_key, NULL);
    ADD("/ssh/pin", test_pin, NULL);
    ADD("/ssh/interactive", test_interactive, NULL);
    ret = g_test_run();
    return ret;
}
