/* mem-load.c - xenmm's guest test loads: memory that grows, holds or changes fast.
 *
 *   mem-load mono LOW HIGH          hold LOW for 2 s, grow by 20 MiB a second
 *                                   to HIGH, shrink the same way to LOW, end
 *   mem-load static SIZE [SECS]     hold SIZE, rewriting every page each
 *                                   300 ms, until SECS or SIGINT/SIGTERM
 *   mem-load client BASE DELTA MAX  swing between BASE and MAX by DELTA/2 a
 *                                   second (xenmm's mono-client), until a signal
 * Sizes: digits and k, M or G (no suffix: KiB).  Memory is mapped in pieces
 * of at most 1 MiB, written at once (so it is resident) and unmapped when
 * given back.  A line on stdout per second: "tot:T, used:U, free:F" (KiB,
 * from /proc/meminfo).  Plain C without GLib: built statically into the
 * guest images (build-image.sh) and for the host by meson.
 * Exit status: 0 done or stopped by a signal, 1 out of memory, 2 bad usage. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mem_load_size.h"

#define PIECE_KIB 1024ULL
#define MONO_STEP_KIB 20480ULL       /* xenmm: ONE_PAGE * 5 pages a step */

static volatile sig_atomic_t stop;
static void on_signal(int s) { (void)s; stop = 1; }

typedef struct { char *p; unsigned long long kib; } Piece;
static Piece *pieces;
static size_t n_pieces, cap_pieces;
static unsigned long long held;      /* KiB */

static void usage(void)
{
    fprintf(stderr, "usage: mem-load mono LOW HIGH | static SIZE [SECS] | "
                    "client BASE DELTA MAX\n");
    exit(2);
}

static unsigned long long size_arg(const char *what, const char *text)
{
    unsigned long long kib;
    if (mem_load_size(text, &kib) != 0) {
        fprintf(stderr, "mem-load: %s: bad size '%s' (digits, then k, M or G)\n", what, text);
        exit(2);
    }
    return kib;
}

/* Grows or shrinks what is held to kib (rounded up to 4 KiB pages). */
static int hold(unsigned long long kib)
{
    kib = (kib + 3) / 4 * 4;
    while (held < kib) {
        unsigned long long k = kib - held < PIECE_KIB ? kib - held : PIECE_KIB;
        if (n_pieces == cap_pieces) {
            cap_pieces = cap_pieces ? cap_pieces * 2 : 1024;
            Piece *np = realloc(pieces, cap_pieces * sizeof(Piece));
            if (!np)
                return -1;
            pieces = np;
        }
        char *p = mmap(NULL, k * 1024, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return -1;
        memset(p, 0x5a, k * 1024);
        pieces[n_pieces++] = (Piece){p, k};
        held += k;
    }
    while (held > kib) {
        Piece *last = &pieces[n_pieces - 1];
        unsigned long long cut = held - kib < last->kib ? held - kib : last->kib;
        munmap(last->p + (last->kib - cut) * 1024, cut * 1024);
        last->kib -= cut;
        held -= cut;
        if (last->kib == 0)
            n_pieces--;
    }
    return 0;
}

static void rewrite(int pass)
{
    for (size_t i = 0; i < n_pieces && !stop; i++)
        for (unsigned long long off = 0; off < pieces[i].kib * 1024; off += 4096)
            pieces[i].p[off] = (char)pass;
}

static void report(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long long tot = 0, avail = 0, v;
    char key[64];
    while (f && fscanf(f, "%63s %llu kB\n", key, &v) == 2) {
        if (strcmp(key, "MemTotal:") == 0) tot = v;
        if (strcmp(key, "MemAvailable:") == 0) avail = v;
    }
    if (f)
        fclose(f);
    printf("tot:%llu, used:%llu, free:%llu, held:%llu\n", tot, tot - avail, avail, held);
    fflush(stdout);
}

static void nap(double s)
{
    struct timespec t = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    while (!stop && nanosleep(&t, &t) != 0)
        ;
}

static int grow_or_die(unsigned long long kib)
{
    if (hold(kib) != 0) {
        fprintf(stderr, "mem-load: cannot hold %llu KiB\n", kib);
        exit(1);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (argc < 2)
        usage();
    if (strcmp(argv[1], "mono") == 0 && argc == 4) {
        unsigned long long lo = size_arg("LOW", argv[2]), hi = size_arg("HIGH", argv[3]);
        if (lo >= hi) {
            fprintf(stderr, "mem-load: mono: LOW must be below HIGH\n");
            return 2;
        }
        grow_or_die(lo);
        report();
        nap(2);
        for (unsigned long long t = lo; t < hi && !stop;) {
            t = hi - t < MONO_STEP_KIB ? hi : t + MONO_STEP_KIB;
            grow_or_die(t);
            report();
            nap(1);
        }
        for (unsigned long long t = held; t > lo && !stop;) {
            t = t - lo < MONO_STEP_KIB ? lo : t - MONO_STEP_KIB;
            hold(t);
            report();
            nap(1);
        }
        hold(0);
        nap(1);
        return 0;
    }
    if (strcmp(argv[1], "static") == 0 && (argc == 3 || argc == 4)) {
        unsigned long long size = size_arg("SIZE", argv[2]), secs = 0;
        if (argc == 4 && mem_load_size(argv[3], &secs) != 0)  /* plain digits */
            usage();
        time_t end = argc == 4 ? time(NULL) + (time_t)secs : 0;
        grow_or_die(size);
        for (int pass = 0; !stop && (!end || time(NULL) < end); pass++) {
            rewrite(pass);
            if (pass % 3 == 0)
                report();
            nap(0.3);
        }
        return 0;
    }
    if (strcmp(argv[1], "client") == 0 && argc == 5) {
        unsigned long long base = size_arg("BASE", argv[2]), delta = size_arg("DELTA", argv[3]);
        unsigned long long max = size_arg("MAX", argv[4]), speed = delta / 2, used = base;
        int up = 0;
        if (base >= max || speed == 0) {
            fprintf(stderr, "mem-load: client: BASE must be below MAX and DELTA above 1k\n");
            return 2;
        }
        while (!stop) {
            if (!up) {
                if (used >= base + speed && used - speed > base)
                    used -= speed;
                else
                    up = 1;
            } else if (used + speed < max) {
                used += speed;
            } else {
                nap(3);
                up = 0;
                continue;
            }
            grow_or_die(used);
            report();
            nap(1);
        }
        return 0;
    }
    usage();
}
