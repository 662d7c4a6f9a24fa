/* sk_record.c - what a trace writer refuses: a batch of records it cannot
 * hold, a trace it cannot keep (see sk_record.h). */
#include "sk_record.h"

#include <inttypes.h>

#include "sk_error.h"

gboolean sk_records_check(const char *path, gboolean failed, const SkRecord *records,
                          gsize n, uint64_t first, gboolean hypersio, GError **error)
{
    if (failed) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "trace '%s': write after an earlier error", path);
        return FALSE;
    }
    for (gsize i = 0; i < n; i++) {
        const SkRecord *rec = &records[i];
        uint64_t index = first + i;
        if (rec->level < SK_LEVEL_MIN || rec->level > SK_LEVEL_MAX) {
            sk_error_in_file(error, "trace", path, "record %" PRIu64 ": level %u "
                             "outside 1..3", index, rec->level);
            return FALSE;
        }
        if (hypersio && rec->sid > 0xffff) {
            sk_error_in_file(error, "trace", path, "record %" PRIu64 ": sid 0x%"
                             PRIx32 " does not fit 16 bits", index, rec->sid);
            return FALSE;
        }
        if (hypersio && rec->tenant > 0xffff) {
            sk_error_in_file(error, "trace", path, "record %" PRIu64 ": tenant (did) "
                             "0x%" PRIx32 " does not fit 16 bits", index, rec->tenant);
            return FALSE;
        }
        if (!hypersio && rec->mask != sk_level_mask(rec->level)) {
            sk_error_in_file(error, "trace", path, "record %" PRIu64 ": mask 0x%"
                             PRIx64 " is not the mask of level %u (siokit traces "
                             "derive it from the level)", index, rec->mask, rec->level);
            return FALSE;
        }
        if (!hypersio && rec->kind > SK_KIND_WALK) {
            sk_error_in_file(error, "trace", path, "record %" PRIu64 ": unknown kind "
                             "%u", index, rec->kind);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean sk_records_check_whole(const char *path, gboolean failed, uint64_t n_records,
                                GError **error)
{
    if (failed) {
        g_set_error(error, SK_ERROR, SK_ERROR_IO,
                    "trace '%s': not written after an earlier error", path);
        return FALSE;
    }
    if (n_records == 0) {
        sk_error_in_file(error, "trace", path, "no records written (an empty trace "
                         "cannot be read)");
        return FALSE;
    }
    return TRUE;
}
