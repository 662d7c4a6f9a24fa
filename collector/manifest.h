/* manifest.h - manifest.json, the description of one collection run.
 *
 * Written when the run starts (status "incomplete") and rewritten as it
 * goes; only a run that finished every step is rewritten with status
 * "complete".  The members are sk_manifest.h's (docs/run-manifest.md), and
 * the library writes them whole (a temporary name, renamed), so a reader
 * never sees half a manifest.  Every path in it is relative to the run
 * folder: files from elsewhere that a reader needs are copied in. */
#ifndef COLLECTOR_MANIFEST_H
#define COLLECTOR_MANIFEST_H

#include <glib.h>

#include "sk_manifest.h"

typedef struct Manifest {
    char *dir;          /* the run folder */
    char *path;         /* dir/manifest.json */
    SkManifest *m;
} Manifest;

Manifest *manifest_new(const char *dir);
gboolean manifest_write(const Manifest *m, GError **error);
/* Copies the file src into the run folder as name; returns name (g_free)
 * to record in the manifest, or NULL with an error. */
char *manifest_copy_in(const Manifest *m, const char *src, const char *name, GError **error);
void manifest_free(Manifest *m);

#endif
