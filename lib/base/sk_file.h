/* sk_file.h - the one way siokit opens its inputs and writes its outputs.
 *
 * Inputs.  sk_input_open() opens without blocking (a FIFO given as a trace
 * cannot hang the command), checks the type before anything is read and
 * refuses FIFOs, devices and directories with the path named (exit 2).
 * A command claims its inputs (sk_input_claim()) before any work, so that
 * no output of the same command can replace one of them; libraries never
 * claim (a long-lived process may read a file and later remake it).
 *
 * Outputs.  A file is written under a temporary name created exclusively
 * beside its target (never following a link), flushed, synced and renamed
 * over the target only when whole; an interrupted command leaves no file
 * that looks whole.  Refused before any work, exit 2, the path named:
 *   - an output that is one of the command's inputs (same device and inode,
 *     or the same path once resolved);
 *   - an existing output that is not a regular file (a device, a FIFO, a
 *     directory): it is never replaced.
 * Live temporaries are listed so that a command stopped by a signal removes
 * them all (sk_output_discard_all(), async-signal-safe). */
#ifndef SK_FILE_H
#define SK_FILE_H

#include <glib.h>
#include <stdio.h>

/* Opens path for reading.  `what` names the kind of file in errors ("trace",
 * "config", "log").  Returns the descriptor (blocking again, O_CLOEXEC) or -1
 * with an error: SK_ERROR_INPUT when the file is missing, unreadable or not
 * a regular file, SK_ERROR_IO otherwise. */
int sk_input_open(const char *what, const char *path, GError **error);
/* sk_input_open() as a stdio stream ("rb"). */
FILE *sk_input_fopen(const char *what, const char *path, GError **error);
/* The whole of a small input file opened with sk_input_fopen(): its bytes,
 * NUL-terminated, and their number in *len (len may be NULL).  NULL with
 * the error of sk_input_open(), or SK_ERROR_IO when reading fails. */
char *sk_input_read(const char *what, const char *path, gsize *len,
                    GError **error);
/* Remembers path (when it exists: its device, inode and resolved path) as
 * an input of this command, so that sk_output_check() refuses it. */
void sk_input_claim(const char *path);
/* Forgets every input claimed so far (a long-lived process between jobs). */
void sk_input_forget_all(void);

/* Checks that path may be written as an output: not one of the inputs, and
 * a regular file when it exists.  Commands call it for each output before
 * any work; sk_output_open() calls it again. */
gboolean sk_output_check(const char *what, const char *path, GError **error);

typedef struct SkOutput {
    char *what;     /* the kind of file, for errors */
    char *path;     /* the target */
    char *tmp;      /* "<path>.tmp.XXXXXX", created exclusively */
    FILE *f;        /* writes go here */
    int slot;       /* in the list of live temporaries, or -1 */
} SkOutput;

/* Creates the temporary file of an output (mode 0666 less the umask).  FALSE
 * with an error naming the path. */
gboolean sk_output_open(SkOutput *o, const char *what, const char *path,
                        GError **error);
/* Flushes, syncs, closes and renames into place, then syncs the folder.  On
 * failure the temporary file is removed.  Frees the names in both cases. */
gboolean sk_output_commit(SkOutput *o, GError **error);
/* Closes and removes the temporary file; frees the names.  Safe on an
 * output that was never opened (zeroed) or already committed. */
void sk_output_discard(SkOutput *o);
/* Writes len bytes (len -1: a NUL-terminated string) as a whole file. */
gboolean sk_output_write_file(const char *what, const char *path,
                              const void *data, gssize len, GError **error);
/* Removes every live temporary of this process.  Async-signal-safe. */
void sk_output_discard_all(void);

/* Reads until n bytes are at buf or the file ends, retrying on EINTR; the
 * bytes read, or -1 with errno set.  sk_pread_full() reads at offset off. */
gssize sk_read_full(int fd, void *buf, gsize n);
gssize sk_pread_full(int fd, void *buf, gsize n, guint64 off);

/* Sets an SK_ERROR_IO error "<what> '<path>': <doing>: <strerror>". */
void sk_file_set_io_error(GError **error, const char *what, const char *path,
                          const char *doing, int errnum);

#endif
