/* reaper.h - a stopped command exits at once, however big its spill files.
 *
 * Closing the last descriptor of an unlinked spill file makes the kernel
 * free its pages then and there (about 0.7 ms a MB here), which would make
 * a run that spilled gigabytes slow to answer SIGINT.  tg_reaper_start(),
 * called once a stop was asked for, forks a child that shares every open
 * file and does nothing but wait for the command to exit; the command's own
 * closes are then cheap, and the child, holding the last references, frees
 * the files after it.  The child closes stdin, stdout and stderr first, so
 * nobody waiting on the command's output waits for it. */
#ifndef TG_REAPER_H
#define TG_REAPER_H

#include <glib.h>
#include <stdint.h>

/* Starts the reaper (once; later calls do nothing).  A failure to fork is
 * ignored: the command then only exits more slowly. */
void tg_reaper_start(void);

/* sk_phase_progress_update() that starts the reaper once a stop signal
 * has arrived. */
gboolean tg_reaper_progress(const char *phase, uint64_t done, uint64_t total,
                            gpointer phase_progress);

#endif
