/* bal_vm.h - what a balancing policy knows of one VM in one interval.
 *
 * All sizes are KiB, as in xenmm (/proc/meminfo's kB).  A policy reads
 * used, free, total, target and max, and writes only next. */
#ifndef BAL_VM_H
#define BAL_VM_H

#include <glib.h>

typedef struct BalVm {
    gint64 used;    /* memory the guest uses: its size now less what is available */
    gint64 free;    /* memory the guest could give back (available) */
    gint64 total;   /* memory the guest has now (its balloon's "actual") */
    gint64 target;  /* the balloon target set last (the VM's maximum at first) */
    gint64 max;     /* the VM's maximum memory: no target above it */
    gint64 next;    /* out: the target for the next interval */
} BalVm;

#endif
