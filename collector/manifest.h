/* manifest.h - manifest.json, the description of one collection run.
 *
 * Written when the run starts (status "incomplete") and rewritten as it
 * goes; only a run that finished every step is rewritten with status
 * "complete".  Always written to a temporary name and renamed, so a reader
 * never sees half a manifest.  docs/log-collector.md lists the members. */
#ifndef COLLECTOR_MANIFEST_H
#define COLLECTOR_MANIFEST_H

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct Manifest {
    char *path;
    JsonObject *root;
} Manifest;

Manifest *manifest_new(const char *dir);
gboolean manifest_write(const Manifest *m, GError **error);
void manifest_free(Manifest *m);

#endif
