/* outdir.h - the output folder of log-collector: what it may write and
 * what it may replace.
 *
 * log-collector writes run r of N tenants to OUT/<test>_<N>_<r>/ and empties
 * an earlier run of the same name first.  Before any work (and before
 * anything is deleted) the whole of OUT is checked:
 *   1. OUT is never a system folder (/, /usr, /etc, /bin, /lib, /var, /home,
 *      ... , the home folder itself), whatever it holds;
 *   2. OUT is missing, empty, or already a folder of log-collector runs (it
 *      holds at least one run);
 *   3. each run folder this command will write is missing, empty, or a
 *      log-collector run (a manifest.json whose "tool" is "log-collector")
 *      holding only files (and the scratch share of a virtiofs run).
 * A refusal is SK_ERROR_INPUT (exit 2) naming the folder. */
#ifndef COLLECTOR_OUTDIR_H
#define COLLECTOR_OUTDIR_H

#include <glib.h>

/* The name of run `run` of `tenants` tenants of `test`: "<test>_<N>_<r>". */
char *outdir_run_name(const char *test, unsigned tenants, unsigned run);

/* TRUE when dir is a folder holding a log-collector run's manifest. */
gboolean outdir_is_run(const char *dir);

/* Rules 1 to 3 for the runs 0..runs-1 of test with tenants in out (an
 * absolute path); home is the home folder (NULL: g_get_home_dir()). */
gboolean outdir_check(const char *out, const char *home, const char *test,
                      unsigned tenants, unsigned runs, GError **error);

/* Empties the run folder dir (rule 3 is checked again first; nothing is
 * deleted unless all of it may be).  A missing folder is fine. */
gboolean outdir_clear_run(const char *dir, GError **error);

/* Removes a folder and everything in it, never following a link. */
void outdir_remove_tree(const char *path);

#endif
