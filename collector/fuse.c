/* fuse.c - counting virtiofsd's FUSE request events (see fuse.h). */
#include "fuse.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sk_error.h"

#define EVENT "virtiofsd_fuse_request "

/* Parses the fields after the event name; FALSE if they are not all there. */
static gboolean parse_request(const char *p, char name[32], guint64 *size, gint64 *result,
                              guint64 *latency)
{
    unsigned opcode;
    unsigned long long unique, nodeid, offset, sz, out, lat;
    long long res;
    int used = 0;
    if (sscanf(p, "opcode %u %31s unique %llu nodeid 0x%llx offset 0x%llx size %llu "
                  "result %lld out %llu latency_ns %llu%n",
               &opcode, name, &unique, &nodeid, &offset, &sz, &res, &out, &lat, &used) != 9 ||
        used == 0)
        return FALSE;
    *size = sz;
    *result = res;
    *latency = lat;
    return TRUE;
}

JsonObject *fuse_count(const char *log, GError **error)
{
    FILE *f = fopen(log, "re");
    if (f == NULL) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO, "%s: %s", log, g_strerror(errno));
        return NULL;
    }
    GHashTable *by_op = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint64 requests = 0, errors = 0, malformed = 0, rbytes = 0, wbytes = 0, latency = 0;
    char *line = NULL;
    size_t cap = 0;

    while (getline(&line, &cap, f) > 0) {
        const char *p = strstr(line, EVENT);
        char name[32];
        guint64 size, lat;
        gint64 result;
        if (p == NULL)
            continue;
        if (!parse_request(p + strlen(EVENT), name, &size, &result, &lat)) {
            malformed++;
            continue;
        }
        requests++;
        errors += result < 0;
        latency += lat;
        if (result >= 0 && strcmp(name, "READ") == 0)
            rbytes += size;
        if (result >= 0 && strcmp(name, "WRITE") == 0)
            wbytes += size;
        gpointer n = g_hash_table_lookup(by_op, name);
        g_hash_table_replace(by_op, g_strdup(name), GSIZE_TO_POINTER(GPOINTER_TO_SIZE(n) + 1));
    }
    free(line);
    fclose(f);

    JsonObject *o = json_object_new(), *ops = json_object_new();
    json_object_set_int_member(o, "requests", (gint64)requests);
    json_object_set_int_member(o, "errors", (gint64)errors);
    json_object_set_int_member(o, "malformed", (gint64)malformed);
    json_object_set_int_member(o, "read_bytes", (gint64)rbytes);
    json_object_set_int_member(o, "write_bytes", (gint64)wbytes);
    json_object_set_double_member(o, "mean_latency_ns",
                                  requests ? (double)latency / (double)requests : 0);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, by_op);
    while (g_hash_table_iter_next(&it, &key, &value))
        json_object_set_int_member(ops, key, (gint64)GPOINTER_TO_SIZE(value));
    json_object_set_object_member(o, "by_opcode", ops);
    g_hash_table_destroy(by_op);
    return o;
}
