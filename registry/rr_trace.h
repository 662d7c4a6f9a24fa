/* rr_trace.h - the IBM registry trace: records in, the seed's requests out.
 *
 * A record is kept, as the seed's master does, when http.request.method is
 * "GET" or "PUT", http.request.uri contains "manifest" or "blobs", and
 * http.response.written is > 0; it becomes a request {delay, uri, size,
 * method, duration, client}.  The requests of every file are merged by
 * timestamp (ties keep file order, then record order: a stable sort) and
 * delay is the seconds since the earliest kept request.  A limit then keeps
 * the prefix with delay <= amount (stopping at the first request past it),
 * or the first amount requests.  Memory grows with the requests kept, never
 * with the size of the files (rr_jsonarray.h streams them).
 *
 * Malformed records (not an object; method or uri missing or not strings;
 * for a record that passes the filter: written not a whole number,
 * timestamp not "%Y-%m-%dT%H:%M:%S.%fZ", duration not a number, remoteaddr
 * not a string) are counted and skipped; the first RR_TRACE_REPORTED are
 * kept as messages naming the file and record number (1-based).  With
 * strict, the first one is an SK_ERROR_INPUT error. */
#ifndef RR_TRACE_H
#define RR_TRACE_H

#include <glib.h>
#include <stdint.h>

#include "rr_config.h"

#define RR_TRACE_REPORTED 5

typedef enum { RR_GET, RR_PUT } RrMethod;

typedef struct RrRequest {
    double delay;       /* seconds since the earliest kept request */
    int64_t time_us;    /* the timestamp, microseconds since 1970 (UTC) */
    const char *uri;    /* "v2/<user>/<repo>/{blobs|manifests}/<id>" */
    const char *client; /* http.request.remoteaddr */
    uint64_t size;      /* http.response.written */
    double duration;    /* http.request.duration, seconds */
    uint32_t uri_id;    /* the same for equal uris, 0..n_uris-1 */
    RrMethod method;
} RrRequest;

typedef struct RrTrace {
    RrRequest *requests;    /* sorted by delay */
    gsize n;
    guint32 n_uris;         /* distinct uris among the kept requests */
    const char **uris;      /* uri of each uri_id */
    guint64 records;        /* records read in all files */
    guint64 malformed;      /* records counted as malformed */
    GPtrArray *reports;     /* the first RR_TRACE_REPORTED messages */
    GStringChunk *strings;  /* uri and client texts, interned: equal texts, one pointer */
} RrTrace;

typedef struct RrTraceLimit {
    RrLimitType type;
    double seconds;
    guint64 requests;
} RrTraceLimit;

/* Reads the files (NULL-terminated paths), merges and limits their requests.
 * NULL with an error: a file that cannot be read or is not a JSON array
 * (SK_ERROR_INPUT naming the file and byte), a malformed record under
 * strict, or no request kept at all. */
RrTrace *rr_trace_read(char *const *paths, const RrTraceLimit *limit,
                       gboolean strict, GError **error);

/* The same over texts in memory (names for messages), for tests and fuzzing. */
RrTrace *rr_trace_read_data(const char *const *names, const char *const *data,
                            const gsize *lens, guint n_files, const RrTraceLimit *limit,
                            gboolean strict, GError **error);

/* Parses "%Y-%m-%dT%H:%M:%S.%fZ" (1-6 fraction digits) into *us.  FALSE when
 * the text is anything else or not a real date. */
gboolean rr_trace_parse_time(const char *text, int64_t *us);

void rr_trace_free(RrTrace *t);

#endif
