/* rr_warmup.h - warmup: push one blob per layer the trace GETs; the uri -> digest map.
 *
 * Every distinct uri of a GET request, in trace order, is pushed once to
 * the first registry (rr_http.h), warmup.threads at a time, as a blob of
 * the size of its first GET: zeros, or random bytes seeded by the uri with
 * warmup.random (rr_blob.h).  The map file (warmup.output) is the seed's:
 * a JSON object {"<trace uri>": "<hex sha256>" | "bad"}; "bad" marks a push
 * that failed (run then drops the uri's requests). */
#ifndef RR_WARMUP_H
#define RR_WARMUP_H

#include <glib.h>
#include <stdio.h>

#include "rr_config.h"
#include "rr_trace.h"

typedef struct RrWarmupStats {
    guint64 layers, pushed, bad, bytes;
    double seconds;
    char *first_error;      /* the first failed push's reason, or NULL */
} RrWarmupStats;

/* Pushes and writes warmup.output.  Each layer's "<uri> <digest>" line goes
 * to lines (may be NULL).  FALSE with an error when no layer could be
 * pushed (nothing written), or SK_ERROR_STOPPED. */
gboolean rr_warmup_push(const RrConfig *cfg, const RrTrace *t, FILE *lines,
                        RrWarmupStats *stats, GError **error);
void rr_warmup_stats_clear(RrWarmupStats *s);

/* The blob seed of a uri (FNV-1a, 64 bits). */
guint64 rr_warmup_seed(const char *uri);

/* Reads a map file: uri -> "bad" or 64 lowercase hex digits (owned by the
 * table).  SK_ERROR_INPUT naming the file and the uri when it is not one. */
GHashTable *rr_warmup_map_read(const char *path, GError **error);
GHashTable *rr_warmup_map_parse(const char *name, const char *data, gsize len,
                                GError **error);

#endif
