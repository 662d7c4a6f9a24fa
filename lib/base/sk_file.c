/* sk_file.c - inputs opened without blocking, outputs written whole (see sk_file.h). */
#include "sk_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sk_error.h"

/* ---- inputs ------------------------------------------------------------ */

typedef struct Claimed {
    dev_t dev;
    ino_t ino;
    char *real;     /* realpath() of the input */
} Claimed;

static GArray *claimed;     /* of Claimed */
static GMutex claimed_lock;

static void claim(const struct stat *st, const char *path)
{
    Claimed c = { st->st_dev, st->st_ino, realpath(path, NULL) };

    g_mutex_lock(&claimed_lock);
    if (claimed == NULL)
        claimed = g_array_new(FALSE, FALSE, sizeof(Claimed));
    g_array_append_val(claimed, c);
    g_mutex_unlock(&claimed_lock);
}

void sk_input_claim(const char *path)
{
    struct stat st;
    if (path != NULL && stat(path, &st) == 0)
        claim(&st, path);
}

void sk_input_forget_all(void)
{
    g_mutex_lock(&claimed_lock);
    if (claimed != NULL) {
        for (guint i = 0; i < claimed->len; i++)
            free(g_array_index(claimed, Claimed, i).real);
        g_array_set_size(claimed, 0);
    }
    g_mutex_unlock(&claimed_lock);
}

/* TRUE when st (or the resolved path) is one of the claimed inputs. */
static gboolean is_claimed(const struct stat *st, const char *real)
{
    gboolean hit = FALSE;

    g_mutex_lock(&claimed_lock);
    for (guint i = 0; claimed != NULL && i < claimed->len && !hit; i++) {
        const Claimed *c = &g_array_index(claimed, Claimed, i);
        hit = (st != NULL && c->dev == st->st_dev && c->ino == st->st_ino) ||
              (real != NULL && c->real != NULL && strcmp(real, c->real) == 0);
    }
    g_mutex_unlock(&claimed_lock);
    return hit;
}

static const char *type_name(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

void sk_file_set_io_error(GError **error, const char *what, const char *path,
                          const char *doing, int errnum)
{
    g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s '%s': %s: %s", what, path,
                doing, g_strerror(errnum));
}

int sk_input_open(const char *what, const char *path, GError **error)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    if (fd < 0) {
        int e = errno;
        /* Not there or not readable: bad input (exit 2). */
        gboolean input = e == ENOENT || e == ENOTDIR || e == EACCES ||
                         e == EISDIR || e == ENAMETOOLONG || e == ELOOP ||
                         e == ENXIO || e == EPERM;
        g_set_error(error, SK_ERROR, input ? SK_ERROR_INPUT : SK_ERROR_IO,
                    "%s '%s': cannot open: %s", what, path, g_strerror(e));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        sk_file_set_io_error(error, what, path, "cannot stat", errno);
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s '%s': %s, not a regular file", what, path,
                    type_name(st.st_mode));
        close(fd);
        return -1;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

FILE *sk_input_fopen(const char *what, const char *path, GError **error)
{
    int fd = sk_input_open(what, path, error);
    FILE *f;

    if (fd < 0)
        return NULL;
    if ((f = fdopen(fd, "rb")) == NULL) {
        sk_file_set_io_error(error, what, path, "cannot open stream", errno);
        close(fd);
    }
    return f;
}

char *sk_input_read(const char *what, const char *path, gsize *len,
                    GError **error)
{
    FILE *f = sk_input_fopen(what, path, error);
    GString *s;
    char buf[65536];
    size_t n;

    if (f == NULL)
        return NULL;
    s = g_string_new(NULL);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        g_string_append_len(s, buf, (gssize)n);
    if (ferror(f)) {
        sk_file_set_io_error(error, what, path, "cannot read", errno);
        fclose(f);
        g_string_free(s, TRUE);
        return NULL;
    }
    fclose(f);
    if (len != NULL)
        *len = s->len;
    return g_string_free(s, FALSE);
}

/* A read loop: offset off, or the file position when off is -1. */
static gssize read_loop(int fd, void *buf, gsize n, gint64 off)
{
    gsize done = 0;

    while (done < n) {
        ssize_t k = off < 0 ? read(fd, (guint8 *)buf + done, n - done)
                            : pread(fd, (guint8 *)buf + done, n - done,
                                    (off_t)off + (off_t)done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        done += (gsize)k;
    }
    return (gssize)done;
}

gssize sk_read_full(int fd, void *buf, gsize n)
{
    return read_loop(fd, buf, n, -1);
}

gssize sk_pread_full(int fd, void *buf, gsize n, guint64 off)
{
    return read_loop(fd, buf, n, (gint64)off);
}

/* ---- outputs ----------------------------------------------------------- */

gboolean sk_output_check(const char *what, const char *path, GError **error)
{
    struct stat lst, st;
    gboolean exists = lstat(path, &lst) == 0;
    gboolean target = stat(path, &st) == 0;    /* through a link */
    char *real = realpath(path, NULL);
    gboolean same;

    if (real == NULL) {
        /* A new file: compare its folder's resolved path and its name. */
        char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
        char *rdir = realpath(dir, NULL);
        if (rdir != NULL)
            real = (char *)g_build_filename(rdir, base, NULL);
        free(rdir);
        g_free(dir);
        g_free(base);
        same = is_claimed(NULL, real);
        g_free(real);
    } else {
        same = is_claimed(target ? &st : NULL, real);
        free(real);
    }
    if (same) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s '%s': is also an input of this command; refusing to "
                    "replace it", what, path);
        return FALSE;
    }
    if (exists && !S_ISREG(lst.st_mode) && !S_ISLNK(lst.st_mode)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s '%s': %s; refusing to replace it", what, path,
                    type_name(lst.st_mode));
        return FALSE;
    }
    if (exists && S_ISLNK(lst.st_mode) && target && !S_ISREG(st.st_mode)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s '%s': a link to %s; refusing to replace it", what,
                    path, type_name(st.st_mode));
        return FALSE;
    }
    return TRUE;
}

/* Live temporaries: a fixed table a signal handler can walk. */
#define MAX_LIVE 256
static char *volatile live_path[MAX_LIVE];
static volatile pid_t live_pid[MAX_LIVE];
static GMutex live_lock;

static int live_add(char *tmp)
{
    int slot = -1;

    g_mutex_lock(&live_lock);
    for (int i = 0; i < MAX_LIVE && slot < 0; i++)
        if (live_path[i] == NULL) {
            live_pid[i] = getpid();
            live_path[i] = tmp;
            slot = i;
        }
    g_mutex_unlock(&live_lock);
    return slot;
}

static void live_remove(int slot)
{
    if (slot < 0)
        return;
    g_mutex_lock(&live_lock);
    live_path[slot] = NULL;
    g_mutex_unlock(&live_lock);
}

void sk_output_discard_all(void)
{
    pid_t self = getpid();
    for (int i = 0; i < MAX_LIVE; i++) {
        char *p = live_path[i];
        if (p != NULL && live_pid[i] == self)
            unlink(p);
    }
}

static mode_t file_mode(void)
{
    static mode_t mask = (mode_t)-1;
    if (mask == (mode_t)-1) {
        mask = umask(022);
        umask(mask);
    }
    return 0666 & ~mask;
}

gboolean sk_output_open(SkOutput *o, const char *what, const char *path,
                        GError **error)
{
    int fd;

    memset(o, 0, sizeof *o);
    o->slot = -1;
    if (!sk_output_check(what, path, error))
        return FALSE;
    (void)file_mode();      /* read the umask before any thread needs it */
    o->what = g_strdup(what);
    o->path = g_strdup(path);
    o->tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
    /* g_mkstemp_full creates with O_CREAT | O_EXCL: never through a link. */
    fd = g_mkstemp_full(o->tmp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "%s '%s': cannot create a temporary file beside it: %s",
                    what, path, g_strerror(e));
        goto err;
    }
    o->slot = live_add(o->tmp);
    (void)fchmod(fd, file_mode());
    if ((o->f = fdopen(fd, "wb")) == NULL) {
        sk_file_set_io_error(error, what, path, "cannot open stream", errno);
        close(fd);
        goto err;
    }
    setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    return TRUE;
err:
    sk_output_discard(o);
    return FALSE;
}

/* fsyncs the folder holding path so the rename is durable; best effort
 * (some file systems refuse fsync on folders). */
static void sync_parent_dir(const char *path)
{
    char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    g_free(dir);
}

gboolean sk_output_commit(SkOutput *o, GError **error)
{
    FILE *f = o->f;
    const char *doing = NULL;
    int e = 0;

    g_return_val_if_fail(o->tmp != NULL && f != NULL, FALSE);
    o->f = NULL;
    if (fflush(f) != 0)
        doing = "cannot write", e = errno;
    else if (fsync(fileno(f)) != 0 && errno != EINVAL)
        doing = "cannot sync", e = errno;
    if (fclose(f) != 0 && doing == NULL)
        doing = "cannot close", e = errno;
    if (doing == NULL && !sk_output_check(o->what, o->path, error))
        goto fail;
    if (doing == NULL && rename(o->tmp, o->path) != 0)
        doing = "cannot rename the temporary file", e = errno;
    if (doing != NULL) {
        sk_file_set_io_error(error, o->what, o->path, doing, e);
        goto fail;
    }
    live_remove(o->slot);
    o->slot = -1;
    sync_parent_dir(o->path);
    g_clear_pointer(&o->tmp, g_free);
    sk_output_discard(o);
    return TRUE;
fail:
    sk_output_discard(o);
    return FALSE;
}

void sk_output_discard(SkOutput *o)
{
    if (o->f != NULL)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp != NULL) {       /* a zeroed output holds no slot */
        unlink(o->tmp);
        live_remove(o->slot);
    }
    o->slot = -1;
    g_clear_pointer(&o->tmp, g_free);
    g_clear_pointer(&o->path, g_free);
    g_clear_pointer(&o->what, g_free);
}

gboolean sk_output_write_file(const char *what, const char *path,
                              const void *data, gssize len, GError **error)
{
    SkOutput o;
    size_t n = len < 0 ? strlen(data) : (size_t)len;

    if (!sk_output_open(&o, what, path, error))
        return FALSE;
    if (n > 0 && fwrite(data, n, 1, o.f) != 1) {
        sk_file_set_io_error(error, what, path, "cannot write", errno);
        sk_output_discard(&o);
        return FALSE;
    }
    return sk_output_commit(&o, error);
}
