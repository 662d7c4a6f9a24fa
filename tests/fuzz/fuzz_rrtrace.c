/* fuzz_rrtrace.c - fuzz target: any bytes as an IBM registry trace file.
 * A result is either requests sorted by delay, starting at 0, with sizes
 * > 0 and GET or PUT of a manifest or blob, or an SK_ERROR_INPUT error;
 * never a crash.  The same bytes under --strict either give the same
 * requests (no malformed record) or an error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rr_trace.h"
#include "sk_error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *names[] = {"fuzz.json"};
    const char *texts[] = {(const char *)data};
    gsize lens[] = {size};
    RrTraceLimit limit = {RR_LIMIT_SECONDS, 5.0, 0};
    GError *error = NULL;
    RrTrace *t = rr_trace_read_data(names, texts, lens, 1, size % 2 ? &limit : NULL, FALSE,
                                    &error);
    RrTrace *s;

    if (t == NULL) {
        if (error == NULL || error->domain != SK_ERROR || error->code != SK_ERROR_INPUT)
            abort();
        g_error_free(error);
        return 0;
    }
    for (gsize i = 0; i < t->n; i++) {
        const RrRequest *r = &t->requests[i];

        if (r->size == 0 || (i == 0 && r->delay != 0) || (i && r->delay < t->requests[i - 1].delay))
            abort();
        if (!strstr(r->uri, "manifest") && !strstr(r->uri, "blobs"))
            abort();
        if (r->uri_id >= t->n_uris || strcmp(t->uris[r->uri_id], r->uri) != 0)
            abort();
        if (size % 2 && r->delay > 5.0)
            abort();
    }
    if (t->reports->len > RR_TRACE_REPORTED || t->malformed > t->records)
        abort();
    s = rr_trace_read_data(names, texts, lens, 1, size % 2 ? &limit : NULL, TRUE, &error);
    if ((s == NULL) != (t->malformed > 0))
        abort();
    if (s) {
        if (s->n != t->n)
            abort();
        rr_trace_free(s);
    } else {
        g_clear_error(&error);
    }
    rr_trace_free(t);
    return 0;
}
