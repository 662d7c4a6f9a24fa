/* fuzz_files.h - the temporary files of fuzz targets whose input is a file.
 *
 * fuzz_file_new() makes an empty file in the temporary folder (removed at
 * exit); fuzz_file_write() replaces its contents with an input;
 * fuzz_file_store() does both, making the file on first use.  A broken
 * harness must not pass for a quiet target, so both abort on failure.  The
 * contents go to a new file each time rather than a truncated one: ext4
 * flushes a file truncated and rewritten, which costs milliseconds an
 * input. */
#ifndef FUZZ_FILES_H
#define FUZZ_FILES_H

#include <fcntl.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define FUZZ_MAX_FILES 4

static char *fuzz_files[FUZZ_MAX_FILES];

static void fuzz_files_remove(void)
{
    for (int i = 0; i < FUZZ_MAX_FILES; i++) {
        if (fuzz_files[i] != NULL)
            unlink(fuzz_files[i]);
        g_free(fuzz_files[i]);
        fuzz_files[i] = NULL;
    }
}

static inline const char *fuzz_file_new(const char *tag)
{
    int i;
    for (i = 0; i < FUZZ_MAX_FILES && fuzz_files[i] != NULL; i++)
        ;
    if (i == FUZZ_MAX_FILES)
        abort();
    char *name = g_strdup_printf("sk-fuzz-%s-XXXXXX", tag);
    char *path = g_build_filename(g_get_tmp_dir(), name, NULL);
    int fd = g_mkstemp(path);
    g_free(name);
    if (fd < 0)
        abort();
    close(fd);
    if (i == 0)
        atexit(fuzz_files_remove);
    fuzz_files[i] = path;
    return path;
}

static inline void fuzz_file_write(const char *path, const void *data,
                                   size_t size)
{
    int fd;

    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    for (size_t done = 0; done < size;) {
        ssize_t k = write(fd, (const uint8_t *)data + done, size - done);
        if (k <= 0)
            abort();
        done += (size_t)k;
    }
    close(fd);
}

/* The input as the file *path (made, with tag in its name, on first use). */
static inline void fuzz_file_store(const char **path, const char *tag,
                                   const void *data, size_t size)
{
    if (*path == NULL)
        *path = fuzz_file_new(tag);
    fuzz_file_write(*path, data, size);
}

#endif
