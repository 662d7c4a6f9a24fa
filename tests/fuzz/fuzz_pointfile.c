/* fuzz_pointfile.c - fuzz target: any bytes as a perf-explore point file
 * (the file a Slurm task runs with --run-point).  A result is either a
 * point whose every field is in range, which writes back to a file that
 * reads as the same point, or an SK_ERROR_INPUT error; never a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "designs.h"
#include "fuzz_check.h"
#include "point.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const SkPoint *a, const SkPoint *b)
{
    return strcmp(a->id, b->id) == 0 && strcmp(a->benchmark, b->benchmark) == 0 &&
           strcmp(a->source, b->source) == 0 && a->tenants == b->tenants &&
           strcmp(a->order, b->order) == 0 && a->burst == b->burst &&
           a->translations == b->translations && strcmp(a->design, b->design) == 0 &&
           a->iotlb_size == b->iotlb_size && a->tqueue == b->tqueue &&
           a->link_gbps == b->link_gbps && strcmp(a->model, b->model) == 0 &&
           strcmp(a->trace, b->trace) == 0 && strcmp(a->output, b->output) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SkPoint p, q;
    SkModelOptions o;
    GError *error = NULL;
    char *text;

    if (!sk_point_parse("fuzz.point", (const char *)data, size, &p, &error)) {
        fuzz_refused(error, TRUE);
        return 0;
    }
    if (p.tenants < 1 || p.burst < 1 || sk_design_find(p.design) == NULL ||
        !(p.link_gbps >= 0.001 && p.link_gbps <= 1e6) || !*p.trace || !*p.output ||
        strchr(p.id, '/'))
        abort();
    if (!sk_point_options(&p, &o, &error)) {
        if (error == NULL || error->code != SK_ERROR_INPUT)
            abort();
        g_clear_error(&error);
    }
    text = sk_point_to_data(&p);
    if (!sk_point_parse("again.point", text, strlen(text), &q, NULL) || !same(&p, &q))
        abort();
    sk_point_clear(&q);
    g_free(text);
    sk_point_clear(&p);
    return 0;
}
