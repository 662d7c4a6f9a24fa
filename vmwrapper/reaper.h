/* reaper.h - stops what a launcher started when the launcher itself is
 * killed without a chance to clean up (SIGKILL).
 *
 * The reaper is a small process forked from the launcher.  It holds the
 * read end of a pipe whose write end only the launcher holds, and learns
 * from it the pids to watch.  When the pipe reaches end of file without a
 * "stand down" first (the launcher died), it kills the watched VMs at once
 * (SIGKILL), then stops the watched daemons, newest first (SIGTERM, SIGKILL
 * after 10 s), and exits.  A pid is only signalled while it is the same
 * process (same start time), never a reused pid.  Its name (comm) is
 * VM_REAPER_NAME. */
#ifndef VM_REAPER_H
#define VM_REAPER_H

#include <glib.h>

#define VM_REAPER_NAME "vmwrapper-reap"

/* Forks the reaper (once per process; later calls do nothing). */
gboolean vm_reaper_start(GError **error);
/* Adds pid to the watch: a VM's QEMU (is_vm: SIGKILL first) or a daemon. */
void vm_reaper_watch(GPid pid, gboolean is_vm);
/* The launcher cleaned up itself: the reaper exits without a signal. */
void vm_reaper_stand_down(void);

#endif
