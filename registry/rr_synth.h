/* rr_synth.h - synthetic traces in the IBM registry format (registry-synth).
 *
 * The model, every choice drawn from one seeded generator (splitmix64):
 *   - repos repositories "v2/<user>/<repo>", each with 1..10 layers (uniform)
 *     of log-normal sizes (median layer_median, default 2 MiB, sigma 1.5,
 *     clamped to 100 B..2 GiB)
 *     and a manifest of 1..10 KiB (uniform);
 *   - repository popularity Zipf with exponent zipf (rank 1 the most
 *     popular; 0 is uniform);
 *   - events arrive as a Poisson process (mean gap 50 ms); an event is, with
 *     probability put_fraction, a push (PUT of each layer, new layer ids and
 *     sizes, then PUT of the manifest), else a pull (GET of the manifest,
 *     then GET of each layer), by one of `clients` client addresses
 *     (uniform); the requests of an event are 1..20 ms apart;
 *   - each request's duration is 5 ms + size / (100 MB/s), jittered ±50%.
 * Records are written in time order with every field of the real traces
 * (host, useragent, status and id too), exactly `requests` of them. */
#ifndef RR_SYNTH_H
#define RR_SYNTH_H

#include <glib.h>
#include <stdint.h>
#include <stdio.h>

typedef struct RrSynthParams {
    uint64_t requests;
    guint repos, clients;
    double zipf, put_fraction;
    uint64_t seed;
    uint64_t layer_median;      /* bytes */
} RrSynthParams;

void rr_synth_params_init(RrSynthParams *p);

/* Writes the trace to f; FALSE with an SK_ERROR_IO error naming path when a
 * write fails, SK_ERROR_STOPPED when a stop signal arrived. */
gboolean rr_synth_write(const RrSynthParams *p, FILE *f, const char *path, GError **error);

#endif
