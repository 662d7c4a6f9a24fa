/* rr_http.h - blob pushes and pulls against registries (HTTP API v2), many at once.
 *
 * The engine runs `lanes` sequences of transfers concurrently on one curl
 * multi handle; each lane keeps one easy handle, so its connection stays
 * alive between its transfers (a lane is a seed client's thread).  The
 * caller's source hands each lane its next transfer and the time it may
 * start, and is told when it ends.
 *
 * A push is the seed's python-dxf push_blob: HEAD /v2/<repo>/blobs/sha256:<hex>
 * (done when 200), else POST /v2/<repo>/blobs/uploads/ and PUT the whole
 * blob to the returned Location with ?digest=sha256:<hex>; it succeeds on
 * 201 with the same Docker-Content-Digest.  A pull is GET of the blob,
 * counting the bytes received.  Registries are "host:port", plain HTTP. */
#ifndef RR_HTTP_H
#define RR_HTTP_H

#include <glib.h>
#include <stdint.h>

#include "rr_blob.h"

#define RR_HTTP_REPO "test_repo"    /* the seed's repository */

typedef enum { RR_PULL, RR_PUSH } RrTransferKind;

typedef struct RrTransfer {
    /* in */
    RrTransferKind kind;
    const char *registry;   /* host:port */
    RrBlob blob;            /* push: the contents */
    char digest[65];        /* pull: the blob's hex digest; push: filled in */
    /* out */
    gboolean ok;
    long status;            /* the last HTTP status, 0 when none */
    uint64_t bytes;         /* pull: bytes received; push: bytes sent */
    int64_t began_us, ended_us;     /* g_get_real_time() */
    char error[256];        /* why it failed, when !ok */
} RrTransfer;

typedef struct RrLaneSource {
    /* Fills *t for the lane's next transfer and *start_us (real time; 0 or
     * past: now).  FALSE: the lane has no more work. */
    gboolean (*next)(void *ctx, guint lane, RrTransfer *t, int64_t *start_us);
    /* t has ended (t->ok says how). */
    void (*done)(void *ctx, guint lane, const RrTransfer *t);
    void *ctx;
} RrLaneSource;

/* Runs until every lane is out of work.  FALSE with an error when curl
 * cannot start, or SK_ERROR_STOPPED when a signal asked to stop
 * (sk_signal_stop()); transfers then in flight are abandoned. */
gboolean rr_http_run(guint lanes, const RrLaneSource *src, GError **error);

/* "host:port" with a host of letters, digits, '.', '-' (or a bracketed
 * IPv6 address) and a port 1..65535: nothing else may reach a URL. */
gboolean rr_http_registry_ok(const char *registry);

#endif
