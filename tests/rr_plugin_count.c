/* rr_plugin_count.c - an example simulation plugin (a shared object) for registry-replay:
 * counts GETs, PUTs and bytes, optionally only of uris holding args.match. */
#include <string.h>

#include <gmodule.h>

#include "rr_sim.h"

static gboolean count_init(const RrSimRun *run, GError **error)
{
    const char *match = rr_sim_args_get(run->args, "match");
    guint64 gets = 0, puts = 0, bytes = 0;

    for (gsize i = 0; i < run->n; i++) {
        const RrRequest *r = &run->requests[i];

        if (match && strstr(r->uri, match) == NULL)
            continue;
        if (r->method == RR_GET)
            gets++;
        else
            puts++;
        bytes += r->size;
    }
    if (run->text)
        fprintf(run->text, "gets %" G_GUINT64_FORMAT " puts %" G_GUINT64_FORMAT
                " bytes %" G_GUINT64_FORMAT "\n", gets, puts, bytes);
    if (run->json) {
        json_builder_set_member_name(run->json, "gets");
        json_builder_add_int_value(run->json, (gint64)gets);
        json_builder_set_member_name(run->json, "puts");
        json_builder_add_int_value(run->json, (gint64)puts);
        json_builder_set_member_name(run->json, "bytes");
        json_builder_add_int_value(run->json, (gint64)bytes);
    }
    return TRUE;
}

G_MODULE_EXPORT const RrSimPlugin rr_sim_plugin = {RR_SIM_ABI, "count", count_init};
