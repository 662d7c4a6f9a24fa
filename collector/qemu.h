/* qemu.h - which QEMU runs the L1 guest, and how it records IOMMU events.
 *
 * `--qemu patched` is siokit's build (build/qemu/, made by qemu-patches/),
 * `stock` Debian's qemu-system-x86_64, `auto` (the default) the patched
 * build when it exists, else stock; anything else is a path to a binary.
 * The choice, the binary's version line and (patched) its build-info.json
 * go into the run's manifest, so every log says which QEMU wrote it. */
#ifndef COLLECTOR_QEMU_H
#define COLLECTOR_QEMU_H

#include <glib.h>

/* How the L1's QEMU records its vIOMMU's events. */
typedef enum {
    RECORD_AUTO,      /* binary with the patched build, else text */
    RECORD_TEXT,      /* vtd_* events, log backend: vtd_0.txt */
    RECORD_BINARY,    /* the patched build's x-siokit-log: vtd_0.bin */
} RecordMode;

typedef struct CollectorQemu {
    char *kind;          /* "patched", "stock" or "path" */
    char *binary;
    char *version;       /* first line of `binary --version` */
    char *build_info;    /* patched: the text of build/qemu/build-info.json */
    char *trace_events;  /* patched: its trace-events-all, else NULL */
    gboolean hypersio_events;  /* knows HyperSIO's vtd_* event texts */
    gboolean siokit_log;       /* has x-siokit-log (the patched build) */
    char *virtiofsd;           /* the virtiofsd of the same build */
} CollectorQemu;

/* Resolves `what` (auto, patched, stock or a path) with the checkout at
 * root; FALSE with an SK_ERROR_INPUT error naming --qemu. */
gboolean collector_qemu_resolve(const char *root, const char *what, CollectorQemu *q,
                                GError **error);

/* Resolves RECORD_AUTO for q; FALSE with an SK_ERROR_INPUT error naming
 * --record when q cannot record that way. */
gboolean collector_qemu_record_mode(const CollectorQemu *q, RecordMode *mode, GError **error);

/* Appends to args the QEMU arguments that make it record the vIOMMU's
 * events into the run folder dir the way mode says (firmware folders too
 * for a build that has none), and returns the log's name in dir. */
char *collector_qemu_recording(const CollectorQemu *q, RecordMode mode, const char *dir,
                               GPtrArray *args);

void collector_qemu_clear(CollectorQemu *q);

#endif
