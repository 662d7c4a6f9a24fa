/* rr_synth.c - writes synthetic IBM-format registry traces (the model is in rr_synth.h). */
#include "rr_synth.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "sk_error.h"
#include "sk_file.h"
#include "sk_signal.h"

#define RR_SYNTH_START_US INT64_C(1497916800000000)   /* 2017-06-20T00:00:00Z */

typedef struct {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(Rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static uint64_t rng_below(Rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

static double rng_normal(Rng *r)
{
    double u = 1.0 - rng_unit(r), v = rng_unit(r);

    return sqrt(-2.0 * log(u)) * cos(2.0 * G_PI * v);
}

typedef struct {
    uint32_t user, name, manifest;
    guint n_layers;
    uint32_t layer[10];
    uint64_t size[10];
    uint64_t manifest_size;
} Repo;

static uint64_t layer_size(Rng *r, uint64_t median)
{
    double s = exp(log((double)median) + 1.5 * rng_normal(r));

    return (uint64_t)CLAMP(s, 100.0, 2147483648.0);
}

static void new_layers(Repo *p, Rng *r, uint64_t median)
{
    p->n_layers = 1 + (guint)rng_below(r, 10);
    for (guint i = 0; i < p->n_layers; i++) {
        p->layer[i] = (uint32_t)rng_next(r);
        p->size[i] = layer_size(r, median);
    }
    p->manifest = (uint32_t)rng_next(r);
    p->manifest_size = 1024 + rng_below(r, 9 * 1024 + 1);
}

void rr_synth_params_init(RrSynthParams *p)
{
    p->requests = 0;
    p->repos = 100;
    p->clients = 10;
    p->zipf = 1.0;
    p->put_fraction = 0.05;
    p->seed = 1;
    p->layer_median = 2 * 1048576;
}

static void format_time(int64_t us, char *buf, gsize len)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;

    gmtime_r(&s, &tm);
    g_snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
               (int)(us % 1000000 / 1000));
}

gboolean rr_synth_write(const RrSynthParams *p, FILE *f, const char *path, GError **error)
{
    Rng rng = {p->seed};
    Repo *repos = g_new0(Repo, p->repos);
    double *cdf = g_new(double, p->repos);
    uint32_t *clients = g_new(uint32_t, p->clients);
    double total = 0;
    int64_t now = RR_SYNTH_START_US;
    uint64_t written = 0;
    gboolean ok = TRUE;

    for (guint i = 0; i < p->repos; i++) {
        repos[i].user = (uint32_t)rng_next(&rng);
        repos[i].name = (uint32_t)rng_next(&rng);
        new_layers(&repos[i], &rng, p->layer_median);
        total += 1.0 / pow((double)(i + 1), p->zipf);
        cdf[i] = total;
    }
    for (guint i = 0; i < p->clients; i++)
        clients[i] = (uint32_t)rng_next(&rng);
    fputs("[", f);
    while (written < p->requests) {
        double u = rng_unit(&rng) * total;
        guint lo = 0, hi = p->repos - 1;
        gboolean push = rng_unit(&rng) < p->put_fraction;
        uint32_t client = clients[rng_below(&rng, p->clients)];
        Repo *repo;

        if ((written & 0xfff) == 0 && sk_signal_stop()) {
            ok = sk_signal_stopped(error, "registry-synth");
            break;
        }
        while (lo < hi) {
            guint mid = (lo + hi) / 2;

            if (cdf[mid] <= u)
                lo = mid + 1;
            else
                hi = mid;
        }
        repo = &repos[lo];
        now += (int64_t)(-log(1.0 - rng_unit(&rng)) * 50000.0);
        if (push)
            new_layers(repo, &rng, p->layer_median);
        for (guint k = 0; k <= repo->n_layers && written < p->requests; k++) {
            /* pull: manifest first, then the layers; push: layers, then the manifest */
            gboolean manifest = push ? k == repo->n_layers : k == 0;
            guint li = push ? k : k - 1;
            uint64_t size = manifest ? repo->manifest_size : repo->size[li];
            double duration = (0.005 + (double)size / 1e8) * (0.5 + rng_unit(&rng));
            char ts[40];

            format_time(now, ts, sizeof(ts));
            fprintf(f, "%s\n{\"timestamp\": \"%s\", \"http.response.status\": %d, "
                    "\"http.request.method\": \"%s\", \"http.request.duration\": %.9f, "
                    "\"http.request.uri\": \"v2/%08x/%08x/%s/%08x\", \"host\": \"%08x\", "
                    "\"http.request.useragent\": \"docker/17.03.1-ce go/go1.7.5 (registry-synth)\", "
                    "\"http.response.written\": %" G_GUINT64_FORMAT ", "
                    "\"http.request.remoteaddr\": \"%08x\", \"id\": \"%010" G_GINT64_MODIFIER "x\"}",
                    written ? "," : "", ts, push ? 201 : 200, push ? "PUT" : "GET", duration,
                    repo->user, repo->name, manifest ? "manifests" : "blobs",
                    manifest ? repo->manifest : repo->layer[li], (uint32_t)rng_next(&rng),
                    size, client, (gint64)(rng_next(&rng) & 0xffffffffffull));
            written++;
            now += 1000 + (int64_t)rng_below(&rng, 19001);
        }
    }
    if (ok)
        fputs("\n]\n", f);
    if (ok && ferror(f)) {
        sk_file_set_io_error(error, "trace", path, "writing", errno ? errno : EIO);
        ok = FALSE;
    }
    g_free(repos);
    g_free(cdf);
    g_free(clients);
    return ok;
}
