/* sk_ssh.h - SSH to siokit's guests over libssh: pinned host keys, key-only
 * login, remote commands without shell injection, file transfer through exec
 * channels (the guests run dropbear, which has no sftp-server), an
 * interactive login and a readiness wait.
 *
 * Rules every function keeps:
 * 1. The server's host key must match the entry of target->known_hosts for
 *    "[host]:port" exactly; an unknown, changed or other-typed key, or a
 *    missing file, is an error naming host:port and the SHA256 fingerprint
 *    seen.  Nothing is ever trusted on first use; ~/.ssh/config, the system
 *    known_hosts and the SSH agent are never consulted.
 * 2. Authentication is by target->identity only (no password, no agent).
 * 3. A remote command line is only ever built by sk_ssh_quote() from argv.
 * 4. Errors are in the SK_ERROR domain: SK_ERROR_INPUT for bad arguments
 *    (missing key file, empty argv), SK_ERROR_IO for local files,
 *    SK_ERROR_FAILED for the connection, the server and remote commands.
 *
 * An SkSsh is one connection; use it from one thread at a time.  Several
 * connections may be used from several threads. */
#ifndef SK_SSH_H
#define SK_SSH_H

#include <glib.h>

typedef struct SkSshTarget {
    const char *host;        /* name or address, e.g. "127.0.0.1" */
    int port;                /* 0 means 22 */
    const char *user;
    const char *identity;    /* private key file, OpenSSH or PEM format,
                              * without a passphrase */
    const char *known_hosts; /* file holding the pinned host key */
    int timeout_ms;          /* connect and each protocol step; 0: 10000 */
} SkSshTarget;

typedef struct SkSsh SkSsh;

/* Connects, checks the host key against the pinned one, logs in with the
 * identity.  NULL with an error on any failure, with nothing left open. */
SkSsh *sk_ssh_connect(const SkSshTarget *t, GError **error);

/* Disconnects and frees; NULL is allowed. */
void sk_ssh_free(SkSsh *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SkSsh, sk_ssh_free)

/* "[host]:port" (or "host" for port 22), the name known_hosts uses. */
char *sk_ssh_host_port(const char *host, int port);

/* The POSIX sh command line for argv: every word in single quotes, each '
 * written as '\'', words joined by one space; "" for an empty argv.  The
 * remote shell sees exactly the bytes of argv, whatever they hold ($, `, ;,
 * newlines, globs, empty words). */
char *sk_ssh_quote(const char *const *argv);

/* Runs argv remotely (through the login shell of the user, as sshd does)
 * with in[0..in_len) on its stdin (then EOF), and appends its stdout and
 * stderr to out and err (NULL: discarded).  Input and output flow at the
 * same time, so any amount of both works; input the command has not read
 * when it ends is dropped.  timeout_ms <= 0: no limit; past it the command
 * gets SIGTERM and up to 2 s to end.
 * Returns the exit status (0..255), or -1 with an error when the command
 * could not run, was killed by a signal, timed out, or the connection
 * failed. */
int sk_ssh_exec(SkSsh *s, const char *const *argv, const void *in,
                gsize in_len, GByteArray *out, GByteArray *err,
                int timeout_ms, GError **error);

/* sk_ssh_exec() streaming through file descriptors: stdin read from in_fd
 * until EOF (-1: empty stdin), stdout and stderr written to out_fd and
 * err_fd as they arrive (-1: discarded).  sk_ssh_exec_fd(s, argv, 0, 1, 2,
 * ...) passes a command through the caller's own stdin, stdout, stderr.
 * The descriptors are neither closed nor changed. */
int sk_ssh_exec_fd(SkSsh *s, const char *const *argv, int in_fd, int out_fd,
                   int err_fd, int timeout_ms, GError **error);

/* Copies the local file to the remote path with permission bits mode (-1:
 * those of the local file) less setuid, setgid and sticky (mode & 0777),
 * streamed in chunks: written to a temporary name beside remote that mktemp
 * creates exclusively, size checked, chmod, renamed onto remote (`mv -T`):
 * a link at remote is replaced, never followed; a folder there is refused.
 * A failed or interrupted upload leaves remote as it was. */
gboolean sk_ssh_upload(SkSsh *s, const char *local, const char *remote,
                       int mode, GError **error);

/* Copies the remote file to the local path with the remote permission bits
 * less setuid, setgid and sticky (mode & 0777, whatever the guest reports),
 * streamed to a temporary file beside local (sk_output: created
 * exclusively, never through a link) and renamed onto local when the remote
 * side reported success: a link at local is replaced, never followed.  On
 * failure no local file is left or changed.
 * Needs `stat -c` and `cat` remotely (busybox and coreutils have both). */
gboolean sk_ssh_download(SkSsh *s, const char *remote, const char *local,
                         GError **error);

/* A login shell on a remote pty bridged to our stdin and stdout.  When
 * stdin is a terminal it is put in raw mode (restored on every return) and
 * its window size, now and on SIGWINCH, goes to the remote pty; TERM is
 * passed on.  Returns the remote shell's exit status, or -1 with an
 * error. */
int sk_ssh_interactive(SkSsh *s, GError **error);

/* Asked between attempts of sk_ssh_wait_ready(): FALSE (with an error, or
 * without one for a generic message) stops the wait at once, e.g. when the
 * VM behind the target has died. */
typedef gboolean (*SkSshAliveFunc)(gpointer data, GError **error);

/* An SkSshAliveFunc for a process id given as GINT_TO_POINTER(pid): FALSE
 * once the process has exited (gone, or a zombie), or once this program
 * caught a stop signal (sk_signal_catch()).  Never reaps it. */
gboolean sk_ssh_alive_pid(gpointer pid, GError **error);

/* Waits until the target answers: connect, host key, login and `true`
 * exiting 0, retried every 200 ms until timeout_ms has passed.  A wrong
 * host key or a bad argument fails at once, as does alive returning FALSE
 * (alive may be NULL).  The timeout error carries the last attempt's
 * error. */
gboolean sk_ssh_wait_ready(const SkSshTarget *t, int timeout_ms,
                           SkSshAliveFunc alive, gpointer alive_data,
                           GError **error);

/* Pins pubkey_line ("type base64 [comment]", as in a .pub file) for
 * host:port in the known_hosts file: every older entry for that name
 * (plain or hashed) is removed, other hosts' entries are kept, and the file
 * is rewritten through a temporary name and rename, mode 0600.  Bad key
 * text is SK_ERROR_INPUT, a file that cannot be written SK_ERROR_IO. */
gboolean sk_known_hosts_pin(const char *known_hosts, const char *host,
                            int port, const char *pubkey_line,
                            GError **error);

#endif
