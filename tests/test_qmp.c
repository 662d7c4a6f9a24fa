/* test_qmp.c - the QMP reply reader (vmwrapper/qmp_reply.c): good replies,
 * errors, events interleaved, garbage, lines cut anywhere. */
#include <glib.h>
#include <string.h>

#include "qmp_reply.h"
#include "sk_error.h"
#include "sk_test.h"

/* Feeds text to the reader until it wants more: the replies' "return"
 * members as JSON text (or "ERROR: message" for command `cmd`), one a
 * line, plus "BAD: message" for lines that are no JSON. */
static char *read_all(GString *in, const char *cmd)
{
    GString *out = g_string_new(NULL);
    for (;;) {
        JsonNode *reply = NULL;
        GError *error = NULL;
        VmQmpLine kind = vm_qmp_next(in, "sock", &reply, &error);
        if (kind == VM_QMP_MORE) {
            g_assert_null(reply);
            g_assert_no_error(error);
            break;
        }
        if (kind == VM_QMP_BAD) {
            g_assert_null(reply);
            g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
            g_string_append_printf(out, "BAD: %s\n", error->message);
            g_clear_error(&error);
        } else if (kind == VM_QMP_REPLY) {
            JsonNode *r = vm_qmp_result(reply, cmd, &error);
            if (r) {
                char *text = json_to_string(r, FALSE);
                g_assert_no_error(error);
                g_string_append_printf(out, "%s\n", text);
                g_free(text);
                json_node_unref(r);
            } else {
                g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
                g_string_append_printf(out, "ERROR: %s\n", error->message);
                g_clear_error(&error);
            }
            json_node_unref(reply);
        } else {
            g_assert_cmpint(kind, ==, VM_QMP_SKIP);
            g_assert_null(reply);
            g_assert_no_error(error);
        }
    }
    return g_string_free(out, FALSE);
}

static void expect(const char *input, const char *want, const char *left)
{
    GString *in = g_string_new(input);
    char *got = read_all(in, "quit");
    g_assert_cmpstr(got, ==, want);
    g_assert_cmpstr(in->str, ==, left);
    g_free(got);
    g_string_free(in, TRUE);
}

SK_TEST(test_good, "/qmp/good")
{
    expect("{\"return\": {}}\n", "{}\n", "");
    expect("{\"return\": {\"status\": \"running\", \"running\": true}}\r\n",
           "{\"status\":\"running\",\"running\":true}\n", "");
    expect("{\"return\": [1, 2]}\n{\"return\": 7}\n", "[1,2]\n7\n", "");
    /* the greeting is a reply too (no "return": an error for a command) */
    expect("{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n",
           "ERROR: QMP quit: ?: ?\n", "");
}

SK_TEST(test_errors, "/qmp/errors")
{
    expect("{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x has "
           "not been found\"}}\n",
           "ERROR: QMP quit: CommandNotFound: The command x has not been found\n", "");
    /* odd shapes of error never crash and say what they can */
    expect("{\"error\": \"oops\"}\n{\"error\": {\"class\": 3, \"desc\": [1]}}\n"
           "{\"error\": {\"desc\": \"only a desc\"}}\n",
           "ERROR: QMP quit: ?: ?\nERROR: QMP quit: ?: ?\nERROR: QMP quit: ?: only a desc\n",
           "");
}

SK_TEST(test_events, "/qmp/events")
{
    expect("{\"event\": \"POWERDOWN\", \"timestamp\": {\"seconds\": 1}}\n"
           "{\"return\": {}}\n"
           "{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": true}}\n"
           "{\"event\": \"STOP\"}\n"
           "{\"return\": 2}\n",
           "{}\n2\n", "");
    /* lines that are JSON but no object are read past */
    expect("[1]\n\"x\"\n42\n{\"return\": 1}\n", "1\n", "");
}

SK_TEST(test_garbage, "/qmp/garbage")
{
    GString *in = g_string_new("not json\n{\"return\": 5}\n{\"return\": \n");
    char *got = read_all(in, "x");
    g_assert_true(g_str_has_prefix(got, "BAD: QMP 'sock': "));
    g_assert_nonnull(strstr(got, "\n5\nBAD: QMP 'sock': "));   /* read on after it */
    g_assert_cmpstr(in->str, ==, "");
    g_free(got);
    g_string_free(in, TRUE);
}

/* A reply cut at every byte arrives whole, once, and nothing is lost. */
SK_TEST(test_truncated, "/qmp/truncated")
{
    const char *stream = "{\"event\": \"RESUME\"}\n{\"return\": {\"a\": \"b\\nc\"}}\n";
    gsize n = strlen(stream);

    for (gsize cut = 0; cut <= n; cut++) {
        GString *in = g_string_new_len(stream, (gssize)cut);
        char *first = read_all(in, "x"), *second;
        g_string_append(in, stream + cut);
        second = read_all(in, "x");
        char *both = g_strconcat(first, second, NULL);
        g_assert_cmpstr(both, ==, "{\"a\":\"b\\nc\"}\n");
        g_assert_cmpstr(in->str, ==, "");
        g_free(first);
        g_free(second);
        g_free(both);
        g_string_free(in, TRUE);
    }
    /* no newline yet: nothing is taken */
    expect("{\"return\": {}}", "", "{\"return\": {}}");
}

SK_TEST(test_too_long, "/qmp/too-long")
{
    GString *in = g_string_sized_new(VM_QMP_LINE_MAX + 2);
    JsonNode *reply = NULL;
    GError *error = NULL;

    g_string_append_c(in, '"');
    while (in->len <= VM_QMP_LINE_MAX)
        g_string_append(in, "aaaaaaaaaaaaaaaa");
    g_assert_cmpint(vm_qmp_next(in, "sock", &reply, &error), ==, VM_QMP_BAD);
    g_assert_error(error, SK_ERROR, SK_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "too long"));
    g_clear_error(&error);
    g_assert_null(reply);
    g_string_free(in, TRUE);
}

SK_TEST_MAIN()
