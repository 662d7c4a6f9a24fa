/* fuzz_qmp.c - fuzz target for vmwrapper's QMP reply reader: any bytes as
 * what QEMU sent on its socket, read whole and in two pieces cut where the
 * first byte says.  Errors are expected; crashes, leaks, GLib criticals and
 * these broken properties are not:
 *   - every call but VM_QMP_MORE consumes at least a byte (the loop ends),
 *     and VM_QMP_MORE leaves no newline in the buffer;
 *   - a reply comes with no error, a bad line with one and no reply;
 *   - vm_qmp_result() gives a result or an error, never both or neither;
 *   - the replies, results and errors are the same however the bytes were
 *     cut. */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp_reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads what in holds, appending a summary of each line to log. */
static void drain(GString *in, GString *log)
{
    for (;;) {
        JsonNode *reply = NULL;
        GError *error = NULL;
        gsize before = in->len;
        VmQmpLine kind = vm_qmp_next(in, "fuzz", &reply, &error);

        if (kind == VM_QMP_MORE) {
            if (reply || error || memchr(in->str, '\n', in->len) || in->len != before)
                abort();
            return;
        }
        if (in->len >= before)
            abort();
        if (kind == VM_QMP_BAD) {
            if (reply || !error)
                abort();
            g_string_append(log, "bad\n");
        } else if (kind == VM_QMP_SKIP) {
            if (reply || error)
                abort();
            g_string_append(log, "skip\n");
        } else {
            if (!reply || error || !JSON_NODE_HOLDS_OBJECT(reply))
                abort();
            JsonNode *r = vm_qmp_result(reply, "cmd", &error);
            if ((r == NULL) == (error == NULL))
                abort();
            if (r) {
                char *text = json_to_string(r, FALSE);
                g_string_append_printf(log, "return %s\n", text);
                g_free(text);
                json_node_unref(r);
            } else {
                g_string_append_printf(log, "error %s\n", error->message);
            }
            json_node_unref(reply);
        }
        g_clear_error(&error);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GString *whole = g_string_new_len((const char *)data, (gssize)size);
    GString *parts = g_string_new(NULL);
    GString *log1 = g_string_new(NULL), *log2 = g_string_new(NULL);
    size_t cut = size ? data[0] % (size + 1) : 0;

    drain(whole, log1);
    g_string_append_len(parts, (const char *)data, (gssize)cut);
    drain(parts, log2);
    g_string_append_len(parts, (const char *)data + cut, (gssize)(size - cut));
    drain(parts, log2);
    if (strcmp(log1->str, log2->str) != 0 || strcmp(whole->str, parts->str) != 0)
        abort();
    g_string_free(whole, TRUE);
    g_string_free(parts, TRUE);
    g_string_free(log1, TRUE);
    g_string_free(log2, TRUE);
    return 0;
}
