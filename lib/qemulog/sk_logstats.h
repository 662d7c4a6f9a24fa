/* sk_logstats.h - counters and dialect names shared by the QEMU log readers.
 *
 * Kept apart from sk_logreader.h so that each dialect's reader (sk_qemulog
 * for text logs, sk_simpletrace for the binary "simple" backend) can fill
 * them without seeing the public reader. */
#ifndef SK_LOGSTATS_H
#define SK_LOGSTATS_H

#include <stdint.h>

/* The kind of log a file holds, detected from its content. */
typedef enum {
    SK_LOG_DIALECT_UNKNOWN = 0,  /* no recognised event seen (yet) */
    SK_LOG_DIALECT_HYPERSIO10,   /* HyperSIO 1.0's patched QEMU 3.0, log backend */
    SK_LOG_DIALECT_QEMU72,       /* stock QEMU 7.2, log backend */
    SK_LOG_DIALECT_SIMPLE,       /* QEMU's binary "simple" trace backend */
    SK_LOG_DIALECT_SIOKIT,       /* siokit's binary VT-d log (x-siokit-log) */
} SkLogDialect;

/* What a reader has seen so far.  Every line (text) or record (simple) is
 * counted in lines and in exactly one of events, skipped, malformed. */
typedef struct SkLogStats {
    uint64_t lines;      /* lines or records read */
    uint64_t events;     /* turned into an SkLogEvent and returned */
    uint64_t skipped;    /* not an IOMMU event, or one trace-gen does not use */
    uint64_t malformed;  /* a known event whose fields do not parse */
} SkLogStats;

#endif
