/* outdir.c - checking and emptying log-collector's output folder (see
 * outdir.h). */
#include "outdir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sk_error.h"

/* Folders no run may land in, nor replace anything in. */
static const char *const system_dirs[] = {
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64",
    "/libx32", "/media", "/mnt", "/opt", "/proc", "/root", "/run", "/sbin",
    "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/local",
    "/usr/sbin", "/usr/share", "/var", "/var/lib", "/var/tmp", NULL,
};

/* The scratch share of a virtiofs run (removed after it, unless killed). */
#define RUN_SHARE "share"

char *outdir_run_name(const char *test, unsigned tenants, unsigned run)
{
    return g_strdup_printf("%s_%u_%u", test, tenants, run);
}

gboolean outdir_is_run(const char *dir)
{
    char *path = g_build_filename(dir, "manifest.json", NULL);
    JsonParser *p = json_parser_new();
    gboolean ours = FALSE;
    struct stat st;

    if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        json_parser_load_from_file(p, path, NULL)) {
        JsonNode *root = json_parser_get_root(p);
        if (root && JSON_NODE_HOLDS_OBJECT(root)) {
            const char *tool = json_object_get_string_member_with_default(
                json_node_get_object(root), "tool", NULL);
            ours = tool && strcmp(tool, "log-collector") == 0;
        }
    }
    g_object_unref(p);
    g_free(path);
    return ours;
}

/* TRUE when path is a folder (not a link to one) with nothing in it; *empty
 * tells which.  FALSE with an error when it exists and is something else. */
static gboolean folder_state(const char *path, const char *what, gboolean *exists,
                             gboolean *empty, GError **error)
{
    struct stat st;
    GDir *d;

    *exists = *empty = FALSE;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return TRUE;
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s %s: %s", what, path,
                    g_strerror(errno));
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s %s: not a folder", what, path);
        return FALSE;
    }
    if (!(d = g_dir_open(path, 0, NULL))) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "%s %s: cannot be read", what, path);
        return FALSE;
    }
    *exists = TRUE;
    *empty = g_dir_read_name(d) == NULL;
    g_dir_close(d);
    return TRUE;
}

/* Rule 3 for one run folder. */
static gboolean check_run(const char *dir, GError **error)
{
    gboolean exists, empty, ok = TRUE;
    const char *name;
    GDir *d;

    if (!folder_state(dir, "run folder", &exists, &empty, error))
        return FALSE;
    if (!exists || empty)
        return TRUE;
    if (!outdir_is_run(dir)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "%s exists and is not a log-collector run (no manifest.json); "
                    "refusing to empty it", dir);
        return FALSE;
    }
    d = g_dir_open(dir, 0, NULL);
    while (ok && d && (name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(name, RUN_SHARE) != 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                        "%s: run folder holds a folder '%s' log-collector did not make; "
                        "refusing to empty it", dir, name);
            ok = FALSE;
        }
        g_free(path);
    }
    if (d)
        g_dir_close(d);
    return ok;
}

/* Rule 1: path (resolved) is a system folder or the home folder. */
static gboolean is_system(const char *path, const char *home)
{
    char *real = realpath(path, NULL), *rhome = home ? realpath(home, NULL) : NULL;
    const char *p = real ? real : path;
    gboolean system = g_strv_contains(system_dirs, p) ||
                      (home && (strcmp(p, home) == 0 || (rhome && strcmp(p, rhome) == 0)));
    free(real);
    free(rhome);
    return system;
}

gboolean outdir_check(const char *out, const char *home, const char *test,
                      unsigned tenants, unsigned runs, GError **error)
{
    gboolean exists, empty, has_run = FALSE;
    const char *name;
    GDir *d;

    if (home == NULL)
        home = g_get_home_dir();
    if (is_system(out, home)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --output: %s is a system or home folder; "
                    "give a folder of its own for the runs", out);
        return FALSE;
    }
    if (!folder_state(out, "option --output:", &exists, &empty, error))
        return FALSE;
    d = exists && !empty ? g_dir_open(out, 0, NULL) : NULL;
    while (d && !has_run && (name = g_dir_read_name(d))) {
        char *path = g_build_filename(out, name, NULL);
        has_run = outdir_is_run(path);
        g_free(path);
    }
    if (d)
        g_dir_close(d);
    if (exists && !empty && !has_run) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT,
                    "option --output: %s is not empty and holds no log-collector run "
                    "(not a log-collector run folder); refusing it", out);
        return FALSE;
    }
    for (unsigned r = 0; r < runs; r++) {
        char *run = outdir_run_name(test, tenants, r);
        char *dir = g_build_filename(out, run, NULL);
        gboolean ok = check_run(dir, error);
        g_free(run);
        g_free(dir);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

void outdir_remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        char *child = g_build_filename(path, name, NULL);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
            outdir_remove_tree(child);
        else
            g_unlink(child);
        g_free(child);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(path);
}

gboolean outdir_clear_run(const char *dir, GError **error)
{
    GDir *d;
    const char *name;
    gboolean ok = TRUE;

    if (!check_run(dir, error))
        return FALSE;
    if (!(d = g_dir_open(dir, 0, NULL)))
        return TRUE;
    while (ok && (name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        if (strcmp(name, RUN_SHARE) == 0 && g_file_test(path, G_FILE_TEST_IS_DIR) &&
            !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
            outdir_remove_tree(path);
        } else if (g_unlink(path) != 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_IO, "cannot remove %s: %s", path,
                        g_strerror(errno));
            ok = FALSE;
        }
        g_free(path);
    }
    g_dir_close(d);
    return ok;
}
