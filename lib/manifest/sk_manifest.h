/* sk_manifest.h - the run manifest (a collection run's manifest.json), typed.
 *
 * One run of log-collector leaves a folder build/logs/<test>_<N>_<run>/
 * whose manifest.json says what ran, with which QEMU, on which tenants, and
 * which files of the folder hold the results.  Every tool reads and writes
 * it through this module; docs/run-manifest.md lists every member, its type,
 * range and meaning.
 *
 * Rules the reader enforces (a violation is an SK_ERROR_INPUT error naming
 * the manifest and the member: "manifest 'x/manifest.json': member
 * 'tenant_list[2].sid': not a number in 0..65535"):
 *   1. "format" is 1 (SK_MANIFEST_FORMAT); absent means format 0, the shape
 *      written before formats existed, which is normalised on reading (see
 *      the document); any other value is refused.
 *   2. Every member has its type; integers are integers (no fraction), in
 *      range; strings of a closed set are one of it; in format 1 a member
 *      the format does not define is refused.
 *   3. Every path naming a file of the run is relative to the run folder,
 *      with no ".." component: a manifest never points outside its run.
 *   4. Required: status, test, tenants, logs.  A complete run has at least
 *      one log, and sk_manifest_read() checks that every file it names
 *      exists (sk_manifest_parse() alone does not look at the disk).
 *
 * Absent optional members: NULL pointers, -1 integers, NAN numbers, or a
 * has_ flag FALSE where null is a value of its own. */
#ifndef SK_MANIFEST_H
#define SK_MANIFEST_H

#include <glib.h>
#include <json-glib/json-glib.h>

#define SK_MANIFEST_FORMAT 1

typedef enum {
    SK_MANIFEST_INCOMPLETE,    /* from the moment the run starts */
    SK_MANIFEST_COMPLETE,      /* every step succeeded and the log was read */
} SkManifestStatus;

typedef struct SkManifestQemu {
    char *kind;                /* "patched", "stock" or "path", or NULL */
    char *binary;              /* the program that ran (not a run file) */
    char *version;             /* first line of `binary --version` */
    JsonObject *build_info;    /* patched: build-info.json, carried as is */
    char *trace_events;        /* run-relative trace-events file, or NULL */
} SkManifestQemu;

typedef struct SkManifestL1 {
    char *name;
    gint64 pid;                /* 1..2^31-1 */
} SkManifestL1;

/* A tenant's events in the log (the counts of events.h). */
typedef struct SkManifestEvents {
    gint64 translations, iotlb_hits, walks, slpte_fetches, context,
        invalidations, faults;
} SkManifestEvents;

typedef struct SkManifestNic {
    char *interface;           /* in the VM that uses it */
    char *address;             /* IPv4, dotted */
    gint64 host_port;          /* 1..65535, or -1 */
    char *bdf;                 /* PCI address in L1, "0000:00:03.0" */
    gint64 sid;                /* source id 0..65535, or -1 */
} SkManifestNic;

typedef struct SkManifestDisk {
    char *device;              /* "/dev/nvme0n1" in that VM */
    char *bdf;
    gint64 sid;
} SkManifestDisk;

/* The tenant's test result: the member named after the test ("iperf3",
 * "storage", "virtiofs").  Numbers NAN when absent. */
typedef struct SkManifestResult {
    char *tenant;
    char *file;                /* run-relative report, or NULL */
    double mbytes_per_s, read_iops, write_iops;
    /* registry: requests replayed, of them failed, bytes moved, warmup
     * layers pushed (-1 when absent); latency percentiles, ms (NAN). */
    gint64 requests, failed, bytes, warmup_layers;
    double p50_ms, p99_ms;
    char *error;               /* why it failed, or NULL */
} SkManifestResult;

typedef struct SkManifestTenant {
    gint64 index;              /* 0.., or -1 */
    char *name, *vm;
    char *device;              /* "nic", "disk" or "share", or NULL */
    char *bdf;                 /* of the tested device, or NULL */
    gint64 sid;                /* of the tested device, or -1 */
    gboolean has_domain;
    gint64 domain;             /* 0..65535, -1: null (none seen in the log) */
    gboolean has_events;
    SkManifestEvents events;
    SkManifestNic *nic;
    SkManifestDisk *disk;
    SkManifestResult *result;
} SkManifestTenant;

/* The whole log's counts. */
typedef struct SkManifestLogCounts {
    gint64 lines, events, malformed, unattributed;
    char *dialect;             /* or NULL */
} SkManifestLogCounts;

typedef struct SkManifestStep {
    char *vm, *step;
    double seconds;            /* >= 0 */
    gboolean ok;
    char *error;               /* or NULL */
} SkManifestStep;

/* What virtiofsd served (fuse.h). */
typedef struct SkManifestFuse {
    gint64 requests, errors, malformed, read_bytes, write_bytes;
    double mean_latency_ns;
    JsonObject *by_opcode;     /* NAME: count (integers >= 0) */
} SkManifestFuse;

typedef struct SkManifest {
    int format;                /* as read (0 or 1); always written as 1 */
    SkManifestStatus status;
    char *reason;              /* why incomplete, or NULL */
    char *tool;
    char **command;            /* argv, NULL-terminated, or NULL */
    char *test;                /* required, not empty */
    gint64 tenants;            /* required, 1..1000000 */
    gint64 run;                /* 0.., or -1 */
    char *topology;            /* "nested" or "flat", or NULL */
    gint64 duration;           /* seconds 1..86400, or -1 */
    char *direction;           /* iperf3: "rx", "tx" or "both", or NULL */
    SkManifestQemu *qemu;
    char **logs;               /* required; run-relative, NULL-terminated */
    char *record;              /* "binary" or "text", or NULL */
    char *started, *finished;  /* ISO 8601, or NULL */
    double seconds;            /* >= 0, or NAN */
    SkManifestL1 *l1;
    GPtrArray *tenant_list;    /* SkManifestTenant *, or NULL */
    SkManifestLogCounts *events;
    GPtrArray *steps;          /* SkManifestStep *, or NULL */
    char **tenant_logs;        /* run-relative, NULL-terminated, or NULL */
    gboolean has_fuse;
    SkManifestFuse *fuse;      /* NULL with has_fuse: null (no events) */
    char *fuse_note;           /* why fuse is null */
} SkManifest;

/* An incomplete manifest of format 1 with no optional member, logs empty;
 * test and tenants are the caller's to set. */
SkManifest *sk_manifest_new(void);
SkManifestTenant *sk_manifest_tenant_new(void);
SkManifestResult *sk_manifest_result_new(void);
SkManifestStep *sk_manifest_step_new(void);
SkManifestFuse *sk_manifest_fuse_new(void);
void sk_manifest_tenant_free(SkManifestTenant *t);
void sk_manifest_result_free(SkManifestResult *r);
void sk_manifest_step_free(SkManifestStep *s);
void sk_manifest_fuse_free(SkManifestFuse *f);
void sk_manifest_free(SkManifest *m);

/* Parses a manifest from memory (rules 1-4 above, files not looked at);
 * name is the manifest's path: it names it in errors, and its folder is the
 * run folder an old absolute path is made relative to.  NULL with an
 * SK_ERROR_INPUT error. */
SkManifest *sk_manifest_parse(const char *text, gsize len, const char *name,
                              GError **error);
/* Reads path (a regular file, sk_input_open) and parses it; for a complete
 * run also checks that every file it names exists in path's folder. */
SkManifest *sk_manifest_read(const char *path, GError **error);
/* FALSE with an error naming the member unless every file m names exists
 * as a regular file in run_dir; name names the manifest in errors. */
gboolean sk_manifest_check_files(const SkManifest *m, const char *run_dir,
                                 const char *name, GError **error);

/* The JSON text of m (format 1, pretty, newline-terminated); g_free() it. */
char *sk_manifest_to_data(const SkManifest *m);
/* Writes m to path whole (sk_output_write_file). */
gboolean sk_manifest_write(const SkManifest *m, const char *path, GError **error);

/* Parts other writers build as JSON, read by the rules of the manifest:
 * a tenant's test result, the steps array, the fuse object.  member names
 * the part in errors ("tenant_list[0].iperf3").  NULL with an error. */
SkManifestResult *sk_manifest_result_from_json(JsonNode *node, const char *member,
                                               GError **error);
GPtrArray *sk_manifest_steps_from_json(JsonNode *node, const char *member,
                                       GError **error);
SkManifestFuse *sk_manifest_fuse_from_json(JsonNode *node, const char *member,
                                           GError **error);

#endif
