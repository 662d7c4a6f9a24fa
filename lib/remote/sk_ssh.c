/* sk_ssh.c - libssh client for siokit's guests: pinned host keys, key-only
 * login, exec channels that stream stdin, stdout and stderr at once, file
 * transfer over exec channels, a pty login and a readiness wait. */
#include "sk_ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"
#include "sk_free.h"

#define SK_SSH_DEFAULT_TIMEOUT_MS 10000
#define SK_SSH_CHUNK 32768
#define SK_SSH_RETRY_MS 200
/* A file transfer that moves no byte for this long has stalled. */
#define SK_SSH_TRANSFER_IDLE_MS 60000
/* How long a command stopped by SIGTERM gets to end. */
#define SK_SSH_STOP_WAIT_MS 2000

struct SkSsh {
    ssh_session session;
    char *name; /* "[host]:port" for messages */
};

char *sk_ssh_host_port(const char *host, int port)
{
    if (port == 0 || port == 22)
        return g_strdup(host);
    return g_strdup_printf("[%s]:%d", host, port);
}

char *sk_ssh_quote(const char *const *argv)
{
    GString *q = g_string_new(NULL);

    for (gsize i = 0; argv != NULL && argv[i] != NULL; i++) {
        if (i > 0)
            g_string_append_c(q, ' ');
        g_string_append_c(q, '\'');
        for (const char *p = argv[i]; *p != '\0'; p++) {
            if (*p == '\'')
                g_string_append(q, "'\\''");
            else
                g_string_append_c(q, *p);
        }
        g_string_append_c(q, '\'');
    }
    return g_string_free(q, FALSE);
}

/* ---- connecting -------------------------------------------------------- */

/* Compares the server's host key with the pinned one (rule 1). */
static gboolean check_host_key(ssh_session session, const char *name,
                               const char *known_hosts, GError **error)
{
    ssh_key key = NULL;
    unsigned char *hash = NULL;
    size_t hash_len = 0;
    char *fp = NULL;
    gboolean ok = FALSE;

    if (ssh_get_server_publickey(session, &key) != SSH_OK) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "%s sent no host key: %s", name, ssh_get_error(session));
        goto out;
    }
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
                               &hash_len) != 0 ||
        (fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
                                       hash_len)) == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot hash the host key of %s", name);
        goto out;
    }
    if (g_access(known_hosts, R_OK) != 0) {
        /* libssh says UNKNOWN for a missing file: name the real cause */
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "host key of %s cannot be checked: known hosts file "
                    "'%s': %s (%s)", name, known_hosts, g_strerror(errno), fp);
        goto out;
    }
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        ok = TRUE;
        break;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "host key of %s is not the pinned one (%s)", name, fp);
        break;
    case SSH_KNOWN_HOSTS_UNKNOWN:
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "host key of %s is not pinned in '%s' (%s)", name,
                    known_hosts, fp);
        break;
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "host key of %s cannot be checked: no known hosts file "
                    "'%s' (%s)", name, known_hosts, fp);
        break;
    case SSH_KNOWN_HOSTS_ERROR:
    default:
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "host key of %s cannot be checked against '%s': %s (%s)",
                    name, known_hosts, ssh_get_error(session), fp);
        break;
    }
out:
    ssh_string_free_char(fp);
    ssh_clean_pubkey_hash(&hash);
    ssh_key_free(key);
    return ok;
}

/* sk_ssh_connect(); *fatal tells whether trying again cannot help (bad
 * arguments, a host key that is not the pinned one). */
static SkSsh *connect_target(const SkSshTarget *t, gboolean *fatal,
                             GError **error)
{
    ssh_session session = NULL;
    ssh_key key = NULL;
    SkSsh *s = NULL;
    char *name = NULL;
    unsigned int port;
    long timeout_s, timeout_us;
    int strict = 1, rc;
    bool process_config = false;

    *fatal = TRUE;
    if (t == NULL || t->host == NULL || *t->host == '\0' || t->user == NULL ||
        *t->user == '\0' || t->identity == NULL || t->known_hosts == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "ssh target needs a host, a user, a private key and a "
                    "known hosts file");
        goto fail;
    }
    if (t->port < 0 || t->port > 65535 || t->timeout_ms < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "ssh target %s: port %d or timeout %d ms out of range",
                    t->host, t->port, t->timeout_ms);
        goto fail;
    }
    port = t->port ? (unsigned int)t->port : 22;
    name = g_strdup_printf("[%s]:%u", t->host, port);
    if (g_access(t->identity, R_OK) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "private key '%s': %s",
                    t->identity, g_strerror(errno));
        goto fail;
    }
    if (ssh_pki_import_privkey_file(t->identity, NULL, NULL, NULL, &key) !=
        SSH_OK) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "private key '%s' cannot be read (not a private key, or "
                    "protected by a passphrase)", t->identity);
        goto fail;
    }

    session = ssh_new();
    if (session == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot create an ssh session for %s", name);
        goto fail;
    }
    timeout_s = (t->timeout_ms ? t->timeout_ms : SK_SSH_DEFAULT_TIMEOUT_MS) /
                1000;
    timeout_us = (t->timeout_ms ? t->timeout_ms : SK_SSH_DEFAULT_TIMEOUT_MS) %
                 1000 * 1000;
    /* No ~/.ssh/config, no system known_hosts: only the pinned file. */
    if (ssh_options_set(session, SSH_OPTIONS_PROCESS_CONFIG,
                        &process_config) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_HOST, t->host) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_PORT, &port) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_USER, t->user) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_KNOWNHOSTS, t->known_hosts) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS,
                        t->known_hosts) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &timeout_s) < 0 ||
        ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &timeout_us) < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "ssh options for %s: %s",
                    name, ssh_get_error(session));
        goto fail;
    }

    *fatal = FALSE;
    if (ssh_connect(session) != SSH_OK) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot connect to %s: %s", name, ssh_get_error(session));
        goto fail;
    }
    if (!check_host_key(session, name, t->known_hosts, error)) {
        *fatal = TRUE;
        goto fail;
    }
    rc = ssh_userauth_publickey(session, NULL, key);
    if (rc != SSH_AUTH_SUCCESS) {
        if (rc == SSH_AUTH_ERROR)
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "cannot log in to %s: %s", name,
                        ssh_get_error(session));
        else
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s refused the key '%s' for user '%s'", name,
                        t->identity, t->user);
        goto fail;
    }

    s = g_new0(SkSsh, 1);
    s->session = session;
    s->name = name;
    ssh_key_free(key);
    return s;

fail:
    ssh_key_free(key);
    if (session != NULL) {
        ssh_disconnect(session);
        ssh_free(session);
    }
    g_free(name);
    return NULL;
}

SkSsh *sk_ssh_connect(const SkSshTarget *t, GError **error)
{
    gboolean fatal;

    return connect_target(t, &fatal, error);
}

void sk_ssh_free(SkSsh *s)
{
    if (s == NULL)
        return;
    ssh_disconnect(s->session);
    ssh_free(s->session);
    SK_FREE_ALL(s->name, s);
}

/* ---- channel pump -------------------------------------------------------- */

static gboolean write_all(int fd, const void *data, gsize n)
{
    const char *p = data;

    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return FALSE;
        p += w;
        n -= (gsize)w;
    }
    return TRUE;
}

/* Jumps to the function's ssh_failed label, which reports `what` with
 * libssh's own message. */
#define SSH_FAIL(text) do { what = (text); goto ssh_failed; } while (0)

/* Where a remote stream goes. */
typedef struct Sink Sink;
struct Sink {
    gboolean (*put)(Sink *sink, const char *data, gsize n, GError **error);
    GByteArray *buf;
    int fd;
    const char *what;  /* names fd in errors */
    /* download: the first line is the remote file's mode */
    GString *head;
    gboolean head_done;
};

static gboolean put_buf(Sink *sink, const char *data, gsize n, GError **error)
{
    if (sink->buf != NULL)
        g_byte_array_append(sink->buf, (const guint8 *)data, (guint)n);
    return TRUE;
}

static gboolean put_fd(Sink *sink, const char *data, gsize n, GError **error)
{
    if (sink->fd < 0 || write_all(sink->fd, data, n))
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot write %s: %s",
                sink->what, g_strerror(errno));
    return FALSE;
}

static gboolean put_download(Sink *sink, const char *data, gsize n,
                             GError **error)
{
    while (!sink->head_done && n > 0) {
        if (*data == '\n')
            sink->head_done = TRUE;
        else if (sink->head->len < 16)
            g_string_append_c(sink->head, *data);
        data++;
        n--;
    }
    return put_fd(sink, data, n, error);
}

/* What goes to the remote stdin: memory, or a descriptor read to EOF. */
typedef struct {
    const guint8 *data;
    gsize len, pos;
    int fd;              /* -1: memory */
    gboolean must_poll;  /* fd may block (pipe, tty, socket) */
    const char *what;
    guint8 buf[SK_SSH_CHUNK];
} Source;

typedef struct {
    SkSsh *s;
    ssh_channel ch;
    Source *in;          /* NULL: empty stdin */
    Sink *out, *err;
    gint64 deadline;     /* monotonic us, 0: none */
    int idle_ms;         /* fail when nothing moves this long, 0: never */
    int tty;             /* >= 0: forward its window size on SIGWINCH */
    char *signal;        /* the remote command died of this signal */
} Run;

static volatile sig_atomic_t winch_seen;

static void on_winch(int signo)
{
    winch_seen = 1;
}

static void on_exit_signal(ssh_session session, ssh_channel channel,
                           const char *signal, int core, const char *errmsg,
                           const char *lang, void *userdata)
{
    Run *r = userdata;

    g_free(r->signal);
    r->signal = g_strdup(signal ? signal : "?");
}

/* EOF on the remote stdin; not needed any more once the remote side has
 * ended the channel. */
static gboolean send_eof(ssh_channel ch)
{
    return ssh_channel_send_eof(ch) == SSH_OK || ssh_channel_is_closed(ch) ||
           ssh_channel_is_eof(ch);
}

/* Moves stdin to the channel and stdout/stderr to their sinks until the
 * remote side sends EOF, both ways at once: input is written only within
 * the remote window, output is drained as it comes, so neither side can
 * block the other. */
static gboolean pump(Run *r, GError **error)
{
    Source *in = r->in;
    gboolean in_done = (in == NULL);
    gboolean out_eof = FALSE, err_eof = FALSE;
    gboolean in_ready = FALSE;
    const guint8 *pend = NULL;  /* input read but not yet sent */
    gsize pend_len = 0;
    gint64 last_move = g_get_monotonic_time();
    const char *what = NULL;
    char buf[SK_SSH_CHUNK];

    if (in_done && !send_eof(r->ch))
        SSH_FAIL("cannot send EOF");

    while (!(out_eof && err_eof)) {
        gboolean moved = FALSE;

        if (winch_seen && r->tty >= 0) {
            struct winsize ws;
            winch_seen = 0;
            if (ioctl(r->tty, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                ssh_channel_change_pty_size(r->ch, ws.ws_col, ws.ws_row);
        }

        /* stdin: refill from the source, then send what the window allows */
        if (!in_done && pend_len == 0) {
            if (in->fd < 0) {
                pend = in->data + in->pos;
                pend_len = in->len - in->pos;
                in->pos = in->len;
                if (pend_len == 0)
                    in_done = TRUE;
            } else if (!in->must_poll || in_ready) {
                ssize_t n = read(in->fd, in->buf, sizeof in->buf);
                in_ready = FALSE;
                if (n > 0) {
                    pend = in->buf;
                    pend_len = (gsize)n;
                } else if (n == 0) {
                    in_done = TRUE;
                } else if (errno != EINTR && errno != EAGAIN) {
                    g_set_error(error, SK_ERROR, SK_ERROR_IO,
                                "cannot read %s: %s", in->what,
                                g_strerror(errno));
                    return FALSE;
                }
            }
            if (in_done) {
                moved = TRUE;
                if (!send_eof(r->ch))
                    SSH_FAIL("cannot send EOF");
            }
        }
        if (!in_done && pend_len > 0) {
            uint32_t win = ssh_channel_window_size(r->ch);
            if (ssh_channel_is_closed(r->ch) || ssh_channel_is_eof(r->ch)) {
                /* the command ended without reading all of its input */
                in_done = TRUE;
                pend_len = 0;
            } else if (win > 0) {
                uint32_t n = (uint32_t)MIN(MIN(pend_len, (gsize)win),
                                           (gsize)SK_SSH_CHUNK);
                int w = ssh_channel_write(r->ch, pend, n);
                if (w < 0) {
                    if (!ssh_channel_is_closed(r->ch))
                        SSH_FAIL("cannot send input");
                    in_done = TRUE;
                    pend_len = 0;
                } else {
                    pend += w;
                    pend_len -= (gsize)w;
                    moved = TRUE;
                }
            }
        }

        /* stdout and stderr */
        for (int is_err = 0; is_err < 2; is_err++) {
            gboolean *eof = is_err ? &err_eof : &out_eof;
            Sink *sink = is_err ? r->err : r->out;
            int n;
            if (*eof)
                continue;
            n = ssh_channel_read_nonblocking(r->ch, buf, sizeof buf, is_err);
            if (n == SSH_EOF) {
                *eof = TRUE;
                moved = TRUE;
            } else if (n < 0) {
                SSH_FAIL("cannot read output");
            } else if (n > 0) {
                moved = TRUE;
                if (!sink->put(sink, buf, (gsize)n, error))
                    return FALSE;
            }
        }

        gint64 now = g_get_monotonic_time();
        if (r->deadline != 0 && now >= r->deadline) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: remote command timed out", r->s->name);
            return FALSE;
        }
        if (moved) {
            last_move = now;
            continue;
        }
        if (r->idle_ms > 0 && now - last_move >= (gint64)r->idle_ms * 1000) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s: transfer stalled for %d s", r->s->name,
                        r->idle_ms / 1000);
            return FALSE;
        }

        /* Reading one stream handles packets that may have brought data
         * to the other, or window to stdin: look again, last the window. */
        if ((!out_eof && ssh_channel_poll(r->ch, 0) != 0) ||
            (!err_eof && ssh_channel_poll(r->ch, 1) != 0) ||
            (!in_done && pend_len > 0 && ssh_channel_window_size(r->ch) > 0))
            continue;

        /* Nothing to do: every complete packet has been handled, so wait
         * for the socket (data, window, EOF) or for our input. */
        struct pollfd pfd[2] = {
            { .fd = ssh_get_fd(r->s->session), .events = POLLIN },
            { .fd = -1, .events = POLLIN },
        };
        int wait_ms = 1000;
        if (!in_done && pend_len == 0 && in->must_poll)
            pfd[1].fd = in->fd;
        if (r->tty >= 0)
            wait_ms = 250;  /* a SIGWINCH just before poll() waits no longer */
        if (r->deadline != 0)
            wait_ms = (int)MIN((gint64)wait_ms,
                               (r->deadline - now) / 1000 + 1);
        if (poll(pfd, 2, wait_ms) < 0 && errno != EINTR) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: poll: %s",
                        r->s->name, g_strerror(errno));
            return FALSE;
        }
        if (pfd[1].fd >= 0 && pfd[1].revents != 0)
            in_ready = TRUE;
    }
    return TRUE;

ssh_failed:
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s: %s", r->s->name,
                what, ssh_get_error(r->s->session));
    return FALSE;
}

/* Best effort after a failed pump(): asks the remote command to stop with
 * SIGTERM and lets its channel close (output dropped) for up to
 * SK_SSH_STOP_WAIT_MS before the caller closes ours.  Closing at once right
 * after the signal makes dropbear 2022.83 abort the whole connection
 * (failed assertion `!channel->sent_close'). */
static void stop_remote(SkSsh *s, ssh_channel ch)
{
    gint64 until = g_get_monotonic_time() + SK_SSH_STOP_WAIT_MS * 1000;
    ssh_event ev;
    char buf[4096];

    if (!ssh_channel_is_open(ch) || ssh_channel_is_closed(ch) ||
        ssh_channel_request_send_signal(ch, "TERM") != SSH_OK)
        return;
    ev = ssh_event_new();
    if (ev == NULL)
        return;
    if (ssh_event_add_session(ev, s->session) == SSH_OK) {
        while (!ssh_channel_is_closed(ch) && g_get_monotonic_time() < until) {
            while (ssh_channel_read_nonblocking(ch, buf, sizeof buf, 0) > 0)
                ;
            while (ssh_channel_read_nonblocking(ch, buf, sizeof buf, 1) > 0)
                ;
            if (ssh_event_dopoll(ev, 100) == SSH_ERROR)
                break;
        }
        ssh_event_remove_session(ev, s->session);
    }
    ssh_event_free(ev);
}

/* Opens a session channel and runs cmd (or, with cmd NULL, a login shell
 * on a pty of the tty's size) through pump().  Returns the exit status or
 * -1 with an error. */
static int run_channel(SkSsh *s, const char *cmd, Source *in, Sink *out,
                       Sink *err, int timeout_ms, int idle_ms, int tty,
                       GError **error)
{
    struct ssh_channel_callbacks_struct cb = {
        .channel_exit_signal_function = on_exit_signal,
    };
    Run r = {
        .s = s, .in = in, .out = out, .err = err, .idle_ms = idle_ms,
        .tty = tty,
    };
    const char *what = NULL;
    int status = -1;

    if (timeout_ms > 0)
        r.deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    r.ch = ssh_channel_new(s->session);
    if (r.ch == NULL || ssh_channel_open_session(r.ch) != SSH_OK)
        SSH_FAIL("cannot open a channel");
    cb.userdata = &r;
    ssh_callbacks_init(&cb);
    ssh_set_channel_callbacks(r.ch, &cb);
    if (cmd != NULL) {
        if (ssh_channel_request_exec(r.ch, cmd) != SSH_OK)
            SSH_FAIL("cannot start the command");
    } else {
        struct winsize ws = { .ws_col = 80, .ws_row = 24 };
        const char *term = g_getenv("TERM");
        if (tty >= 0 && (ioctl(tty, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)) {
            ws.ws_col = 80;
            ws.ws_row = 24;
        }
        if (ssh_channel_request_pty_size(r.ch, term ? term : "xterm",
                                         ws.ws_col, ws.ws_row) != SSH_OK ||
            ssh_channel_request_shell(r.ch) != SSH_OK)
            SSH_FAIL("cannot start a shell");
    }
    if (!pump(&r, error)) {
        stop_remote(s, r.ch);
        goto out;
    }
    status = ssh_channel_get_exit_status(r.ch);
    if (r.signal != NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "%s: remote command killed by signal %s", s->name,
                    r.signal);
        status = -1;
    } else if (status < 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "%s: remote command ended without an exit status%s%s",
                    s->name, ssh_get_error_code(s->session) ? ": " : "",
                    ssh_get_error_code(s->session) ?
                        ssh_get_error(s->session) : "");
        status = -1;
    }
    goto out;

ssh_failed:
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s: %s", s->name, what,
                ssh_get_error(s->session));
out:
    if (r.ch != NULL) {
        ssh_channel_close(r.ch);
        ssh_channel_free(r.ch);
    }
    g_free(r.signal);
    return status;
}

static gboolean check_argv(SkSsh *s, const char *const *argv, GError **error)
{
    if (s != NULL && argv != NULL && argv[0] != NULL)
        return TRUE;
    g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                s ? "empty remote command" : "no ssh connection");
    return FALSE;
}

int sk_ssh_exec(SkSsh *s, const char *const *argv, const void *in,
                gsize in_len, GByteArray *out, GByteArray *err,
                int timeout_ms, GError **error)
{
    Sink so = { .put = put_buf, .buf = out, .fd = -1 };
    Sink se = { .put = put_buf, .buf = err, .fd = -1 };
    Source *src = NULL;
    char *cmd;
    int status;

    if (!check_argv(s, argv, error))
        return -1;
    if (in != NULL && in_len > 0) {
        src = g_new0(Source, 1);
        src->data = in;
        src->len = in_len;
        src->fd = -1;
    }
    cmd = sk_ssh_quote(argv);
    status = run_channel(s, cmd, src, &so, &se, timeout_ms, 0, -1, error);
    g_free(cmd);
    g_free(src);
    return status;
}

static Source *source_fd(int fd, const char *what)
{
    Source *src = g_new0(Source, 1);
    struct stat st;

    src->fd = fd;
    src->what = what;
    src->must_poll = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
    return src;
}

int sk_ssh_exec_fd(SkSsh *s, const char *const *argv, int in_fd, int out_fd,
                   int err_fd, int timeout_ms, GError **error)
{
    Sink so = { .put = put_fd, .fd = out_fd, .what = "the command's stdout" };
    Sink se = { .put = put_fd, .fd = err_fd, .what = "the command's stderr" };
    Source *src = NULL;
    char *cmd;
    int status;

    if (!check_argv(s, argv, error))
        return -1;
    if (in_fd >= 0)
        src = source_fd(in_fd, "the command's stdin");
    cmd = sk_ssh_quote(argv);
    status = run_channel(s, cmd, src, &so, &se, timeout_ms, 0, -1, error);
    g_free(cmd);
    g_free(src);
    return status;
}

/* The first line of a remote command's stderr, or its exit status. */
static char *remote_reason(GByteArray *err, int status)
{
    const char *p = (const char *)err->data;
    const char *nl = err->len ? memchr(p, '\n', err->len) : NULL;
    gsize n = nl ? (gsize)(nl - p) : err->len;

    if (n == 0)
        return g_strdup_printf("exit status %d", status);
    return g_strndup(p, n);
}

/* ---- file transfer --------------------------------------------------------- */

/* $1 remote path, $2 mode, $3 size.  The data lands in a temporary name
 * that mktemp creates exclusively (never through a link), and only a
 * complete copy is renamed over the target: `mv -T` renames onto the name
 * itself, so a link there is replaced, never followed (nor a folder it
 * points to entered), and a folder there is refused. */
static const char upload_script[] =
    "t=$(mktemp \"$1.sk-tmp.XXXXXX\") && "
    "cat > \"$t\" && n=$(wc -c < \"$t\") && [ $n -eq \"$3\" ] && "
    "chmod \"$2\" \"$t\" && mv -fT \"$t\" \"$1\" || "
    "{ [ -z \"$t\" ] || rm -f \"$t\"; exit 1; }";

/* Permission bits a copy may carry, either way: never setuid, setgid or
 * sticky, whatever the source (or a hostile guest) says. */
#define SK_SSH_COPY_MODE_MASK 0777

/* $1 remote path: its mode in octal on a line, then its bytes. */
static const char download_script[] =
    "stat -c %a -- \"$1\" && exec cat -- \"$1\"";

gboolean sk_ssh_upload(SkSsh *s, const char *local, const char *remote,
                       int mode, GError **error)
{
    GByteArray *err = g_byte_array_new();
    Sink so = { .put = put_buf, .fd = -1 };
    Sink se = { .put = put_buf, .buf = err, .fd = -1 };
    Source *src = NULL;
    char *cmd = NULL, *mode_text = NULL, *size_text = NULL;
    struct stat st;
    gboolean ok = FALSE;
    int fd = -1, status;

    if (s == NULL || local == NULL || remote == NULL || *remote == '\0' ||
        mode > 07777) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "upload needs a connection, a local file, a remote path "
                    "and a mode within 0..07777");
        goto out;
    }
    fd = open(local, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "cannot open '%s': %s",
                    local, g_strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "'%s' is not a regular file", local);
        goto out;
    }
    mode_text = g_strdup_printf("%04o", (mode < 0 ? (unsigned)st.st_mode : (unsigned)mode) &
                                            SK_SSH_COPY_MODE_MASK);
    size_text = g_strdup_printf("%jd", (intmax_t)st.st_size);
    {
        const char *argv[] = { "sh", "-c", upload_script, "sk-upload", remote,
                               mode_text, size_text, NULL };
        cmd = sk_ssh_quote(argv);
    }
    src = source_fd(fd, local);
    src->what = local;
    status = run_channel(s, cmd, src, &so, &se, 0, SK_SSH_TRANSFER_IDLE_MS,
                         -1, error);
    if (status < 0) {
        g_prefix_error(error, "cannot upload '%s' to '%s': ", local, remote);
        goto out;
    }
    if (status != 0) {
        char *why = remote_reason(err, status);
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot upload '%s' to '%s' on %s: %s", local, remote,
                    s->name, why);
        g_free(why);
        goto out;
    }
    ok = TRUE;
out:
    if (fd >= 0)
        close(fd);
    SK_FREE_ALL(src, cmd, mode_text, size_text);
    g_byte_array_unref(err);
    return ok;
}

gboolean sk_ssh_download(SkSsh *s, const char *remote, const char *local,
                         GError **error)
{
    const char *argv[] = { "sh", "-c", download_script, "sk-download", remote,
                           NULL };
    GByteArray *err = g_byte_array_new();
    Sink so = { .put = put_download, .fd = -1, .head = g_string_new(NULL) };
    Sink se = { .put = put_buf, .buf = err, .fd = -1 };
    SkOutput out = { .slot = -1 };
    char *cmd = NULL, *end = NULL;
    gboolean ok = FALSE;
    long mode;
    int status;

    if (s == NULL || remote == NULL || *remote == '\0' || local == NULL ||
        *local == '\0') {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "download needs a connection, a remote file and a local "
                    "path");
        goto out;
    }
    /* Host side: a temporary created exclusively beside local, renamed
     * over it when whole; a link at local is replaced, never followed. */
    if (!sk_output_open(&out, "download", local, error))
        goto out;
    so.fd = fileno(out.f);     /* written with write(2) only, never stdio */
    so.what = out.tmp;
    cmd = sk_ssh_quote(argv);
    status = run_channel(s, cmd, NULL, &so, &se, 0, SK_SSH_TRANSFER_IDLE_MS,
                         -1, error);
    if (status < 0) {
        g_prefix_error(error, "cannot download '%s' to '%s': ", remote, local);
        goto out;
    }
    if (status != 0) {
        char *why = remote_reason(err, status);
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot download '%s' from %s: %s", remote, s->name, why);
        g_free(why);
        goto out;
    }
    mode = strtol(so.head->str, &end, 8);
    if (!so.head_done || so.head->len == 0 || *end != '\0' || mode < 0 ||
        mode > 07777) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                    "cannot download '%s' from %s: no file mode in the reply",
                    remote, s->name);
        goto out;
    }
    if (fchmod(so.fd, (mode_t)mode & SK_SSH_COPY_MODE_MASK) != 0) {
        sk_file_set_io_error(error, "download", local, "cannot set its mode", errno);
        goto out;
    }
    ok = sk_output_commit(&out, error);
out:
    sk_output_discard(&out);   /* unless committed */
    g_string_free(so.head, TRUE);
    g_free(cmd);
    g_byte_array_unref(err);
    return ok;
}

/* ---- interactive login ------------------------------------------------------ */

int sk_ssh_interactive(SkSsh *s, GError **error)
{
    Sink so = { .put = put_fd, .fd = STDOUT_FILENO, .what = "stdout" };
    Source *src = NULL;
    struct termios saved, raw;
    struct sigaction sa = { .sa_handler = on_winch }, old_sa;
    gboolean is_tty = isatty(STDIN_FILENO);
    gboolean restore_tty = FALSE, restore_sa = FALSE;
    int status = -1;

    if (s == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "no ssh connection");
        return -1;
    }
    src = source_fd(STDIN_FILENO, "stdin");
    if (is_tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        /* TCSADRAIN: keys typed ahead stay queued for the remote shell */
        if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
            restore_tty = TRUE;
        sigemptyset(&sa.sa_mask);
        winch_seen = 0;
        restore_sa = sigaction(SIGWINCH, &sa, &old_sa) == 0;
    }
    /* stderr of a pty session is merged into its output by the server */
    status = run_channel(s, NULL, src, &so, &so, 0, 0,
                         is_tty ? STDIN_FILENO : -1, error);
    if (restore_tty)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
    if (restore_sa)
        sigaction(SIGWINCH, &old_sa, NULL);
    g_free(src);
    return status;
}

/* ---- readiness ------------------------------------------------------------- */

gboolean sk_ssh_alive_pid(gpointer pid, GError **error)
{
    int p = GPOINTER_TO_INT(pid);
    char *path, *text = NULL;
    gboolean alive = FALSE;

    if (sk_signal_stop()) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "interrupted");
        return FALSE;
    }
    path = g_strdup_printf("/proc/%d/stat", p);

    if (g_file_get_contents(path, &text, NULL, NULL)) {
        const char *rp = strrchr(text, ')');  /* after the command name */
        alive = rp != NULL && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
    }
    if (!alive)
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "process %d has exited",
                    p);
    g_free(text);
    g_free(path);
    return alive;
}

gboolean sk_ssh_wait_ready(const SkSshTarget *t, int timeout_ms,
                           SkSshAliveFunc alive, gpointer alive_data,
                           GError **error)
{
    static const char *const true_argv[] = { "true", NULL };
    gint64 deadline = g_get_monotonic_time() + (gint64)MAX(timeout_ms, 0) *
                      1000;
    GError *last = NULL;

    for (;;) {
        GError *local = NULL;
        gboolean fatal = FALSE;
        gint64 left_ms;
        SkSshTarget attempt;
        SkSsh *s;

        if (alive != NULL && !alive(alive_data, &local)) {
            if (local == NULL)
                local = g_error_new(SK_ERROR, SK_ERROR_FAILED,
                                    "the target stopped");
            g_prefix_error(&local, "gave up waiting for %s: ",
                           t && t->host ? t->host : "ssh");
            g_propagate_error(error, local);
            g_clear_error(&last);
            return FALSE;
        }
        left_ms = (deadline - g_get_monotonic_time()) / 1000;
        if (left_ms <= 0) {
            char *name = t && t->host ?
                g_strdup_printf("[%s]:%d", t->host, t->port ? t->port : 22) :
                g_strdup("ssh");
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "%s not ready after %d ms: %s", name, timeout_ms,
                        last ? last->message : "no attempt made");
            g_free(name);
            g_clear_error(&last);
            return FALSE;
        }

        attempt = t ? *t : (SkSshTarget){ 0 };
        if (attempt.timeout_ms == 0 || attempt.timeout_ms > left_ms)
            attempt.timeout_ms = (int)MIN(left_ms, SK_SSH_DEFAULT_TIMEOUT_MS);
        s = connect_target(&attempt, &fatal, &local);
        if (s != NULL) {
            int status = sk_ssh_exec(s, true_argv, NULL, 0, NULL, NULL,
                                     attempt.timeout_ms, &local);
            sk_ssh_free(s);
            if (status == 0) {
                g_clear_error(&last);
                return TRUE;
            }
            if (status > 0)
                local = g_error_new(SK_ERROR, SK_ERROR_FAILED,
                                    "`true` exited with status %d", status);
        }
        if (fatal) {
            g_propagate_error(error, local);
            g_clear_error(&last);
            return FALSE;
        }
        g_clear_error(&last);
        last = local;
        left_ms = (deadline - g_get_monotonic_time()) / 1000;
        if (left_ms > 0)
            g_usleep((gulong)MIN(left_ms, SK_SSH_RETRY_MS) * 1000);
    }
}

/* ---- known_hosts --------------------------------------------------------- */

/* Whether a hashed known_hosts name "|1|salt|hash" stands for name. */
static gboolean hashed_name_matches(const char *field, const char *name)
{
    char **parts = g_strsplit(field, "|", -1);
    gboolean match = FALSE;

    if (g_strv_length(parts) == 4 && strcmp(parts[1], "1") == 0) {
        gsize salt_len = 0, hash_len = 0;
        guchar *salt = g_base64_decode(parts[2], &salt_len);
        guchar *hash = g_base64_decode(parts[3], &hash_len);
        guint8 digest[20];
        gsize digest_len = sizeof digest;
        GHmac *h = g_hmac_new(G_CHECKSUM_SHA1, salt, salt_len);

        g_hmac_update(h, (const guchar *)name, (gssize)strlen(name));
        g_hmac_get_digest(h, digest, &digest_len);
        match = hash_len == digest_len && memcmp(hash, digest, hash_len) == 0;
        g_hmac_unref(h);
        g_free(salt);
        g_free(hash);
    }
    g_strfreev(parts);
    return match;
}

/* The line without the names that are `name`, or NULL when none is left;
 * the line itself when it does not mention name. */
static char *drop_name(const char *line, const char *name)
{
    const char *p = line;
    gsize field_len = strcspn(p, " \t");
    char *field = g_strndup(p, field_len);
    char **names;
    GString *kept = g_string_new(NULL);
    gboolean dropped = FALSE;
    char *result;

    if (field[0] == '|') {
        dropped = hashed_name_matches(field, name);
    } else {
        names = g_strsplit(field, ",", -1);
        for (char **n = names; *n != NULL; n++) {
            if (g_ascii_strcasecmp(*n, name) == 0) {
                dropped = TRUE;
                continue;
            }
            if (kept->len > 0)
                g_string_append_c(kept, ',');
            g_string_append(kept, *n);
        }
        g_strfreev(names);
    }
    if (!dropped)
        result = g_strdup(line);
    else if (field[0] == '|' || kept->len == 0)
        result = NULL;
    else
        result = g_strconcat(kept->str, line + field_len, NULL);
    g_string_free(kept, TRUE);
    g_free(field);
    return result;
}

gboolean sk_known_hosts_pin(const char *known_hosts, const char *host,
                            int port, const char *pubkey_line, GError **error)
{
    char **words = NULL, **lines = NULL;
    char *name = NULL, *text = NULL;
    GString *out = NULL;
    SkOutput file = { .slot = -1 };
    ssh_key key = NULL;
    GError *local = NULL;
    gboolean ok = FALSE;

    if (known_hosts == NULL || host == NULL || *host == '\0' ||
        strpbrk(host, " \t\r\n,[]") != NULL || port < 0 || port > 65535 ||
        pubkey_line == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "pinning a host key needs a known hosts file, a host "
                    "name and a port within 0..65535");
        goto out;
    }
    name = sk_ssh_host_port(host, port);
    {
        char *lower = g_ascii_strdown(name, -1);
        g_free(name);
        name = lower;
    }
    {
        /* "type base64 [comment]": the first two words */
        char **all = g_strsplit_set(pubkey_line, " \t\r\n", -1);
        GPtrArray *w = g_ptr_array_new();
        for (char **a = all; *a != NULL && w->len < 2; a++)
            if (**a != '\0')
                g_ptr_array_add(w, g_strdup(*a));
        g_ptr_array_add(w, NULL);
        words = (char **)g_ptr_array_free(w, FALSE);
        g_strfreev(all);
    }
    if (g_strv_length(words) < 2 ||
        ssh_key_type_from_name(words[0]) == SSH_KEYTYPE_UNKNOWN ||
        ssh_pki_import_pubkey_base64(words[1],
                                     ssh_key_type_from_name(words[0]),
                                     &key) != SSH_OK) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "host key for %s: not a public key line \"type base64\"",
                    name);
        goto out;
    }

    if (!g_file_get_contents(known_hosts, &text, NULL, &local)) {
        if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s", local->message);
            goto out;
        }
        g_clear_error(&local);
        text = g_strdup("");
    }
    out = g_string_new(NULL);
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
        const char *p = *l + strspn(*l, " \t");
        char *kept;
        if (l[1] == NULL && **l == '\0')
            break;  /* after the last newline */
        if (*p == '\0' || *p == '#' || *p == '@') {
            g_string_append_printf(out, "%s\n", *l);
            continue;
        }
        kept = drop_name(p, name);
        if (kept != NULL)
            g_string_append_printf(out, "%s\n", kept);
        g_free(kept);
    }
    g_string_append_printf(out, "%s %s %s\n", name, words[0], words[1]);

    if (!sk_output_open(&file, "known hosts", known_hosts, error))
        goto out;
    if (fchmod(fileno(file.f), 0600) != 0 ||
        (out->len > 0 && fwrite(out->str, out->len, 1, file.f) != 1)) {
        sk_file_set_io_error(error, "known hosts", known_hosts, "cannot write", errno);
        goto out;
    }
    ok = sk_output_commit(&file, error);
out:
    sk_output_discard(&file);   /* unless committed */
    ssh_key_free(key);
    g_strfreev(words);
    g_strfreev(lines);
    if (out != NULL)
        g_string_free(out, TRUE);
    g_free(name);
    g_free(text);
    return ok;
}
