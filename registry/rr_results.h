/* rr_results.h - run's results: the seed's results file, its statistics, a summary.
 *
 * The results file (trace.output) is the seed's: a JSON array with one
 * object per replayed request, sorted by time,
 *     {"time": <unix s>, "duration": <s>, "onTime": "yes"|"no"|"failed",
 *      "size": <bytes>, "method": "GET"|"PUT", "status": <HTTP status, 0 none>}
 * (method and status are siokit's additions).  time is when the request
 * started; onTime is "yes" when it started at its recorded time (the
 * client was early and waited), "no" when it started late or without
 * waiting, "failed" when it did not succeed.  Workers write the same
 * format for their share, and the master merges them with rr_results_read. */
#ifndef RR_RESULTS_H
#define RR_RESULTS_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { RR_ON_TIME_NO, RR_ON_TIME_YES, RR_FAILED } RrOnTime;

typedef struct RrResult {
    double time, duration;
    uint64_t size;
    RrOnTime on_time;
    int status;
    gboolean put;
} RrResult;

/* Sorts by time, stably. */
void rr_results_sort(GArray *results);

/* Sorts by time (stable) and writes the file through sk_output. */
gboolean rr_results_write(const char *path, GArray *results, GError **error);

/* Appends the file's results to `into`.  SK_ERROR_INPUT naming the file
 * and the record (1-based) when it is not such an array. */
gboolean rr_results_read(const char *path, GArray *into, GError **error);
gboolean rr_results_parse(const char *name, const char *data, gsize len, GArray *into,
                          GError **error);

typedef struct RrStats {
    guint64 total, failed, on_time, bytes, gets, puts;
    double start, end;          /* first time; max time + duration of successes */
    double latency_sum;         /* seconds, successes */
    double p50, p90, p99, max;  /* latency percentiles of successes (nearest rank) */
} RrStats;

/* results must be sorted by time. */
void rr_stats_compute(GArray *results, RrStats *s);

/* The seed's seven lines after "Statistics", floats as Python 2 prints them. */
void rr_stats_print(FILE *f, const RrStats *s);

/* The members of a JSON summary object under construction. */
void rr_stats_json(JsonBuilder *b, const RrStats *s);

#define RR_RESULTS_MAX_SECONDS 1e6      /* about 12 days */

/* A CSV of requests per whole second since the first (second, requests,
 * failed, bytes), sorted results in; NULL when they span
 * RR_RESULTS_MAX_SECONDS or more. */
char *rr_results_per_second_csv(GArray *results);

#endif
