/* qmp_reply.c - QMP lines and replies out of received bytes (see
 * qmp_reply.h). */
#include "qmp_reply.h"

#include <string.h>

#include "sk_error.h"

VmQmpLine vm_qmp_next(GString *in, const char *who, JsonNode **reply, GError **error)
{
    char *nl = memchr(in->str, '\n', in->len);
    JsonParser *parser;
    GError *local = NULL;
    VmQmpLine kind = VM_QMP_SKIP;

    *reply = NULL;
    if (nl == NULL) {
        if (in->len <= VM_QMP_LINE_MAX)
            return VM_QMP_MORE;
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP '%s': answer too long", who);
        g_string_truncate(in, 0);
        return VM_QMP_BAD;
    }
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, in->str, nl - in->str, &local)) {
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP '%s': %s", who, local->message);
        g_error_free(local);
        kind = VM_QMP_BAD;
    } else {
        JsonNode *root = json_parser_get_root(parser);
        if (root && JSON_NODE_HOLDS_OBJECT(root) &&
            !json_object_has_member(json_node_get_object(root), "event")) {
            *reply = json_node_copy(root);
            kind = VM_QMP_REPLY;
        }
    }
    g_object_unref(parser);
    g_string_erase(in, 0, nl - in->str + 1);
    return kind;
}

/* o's member `name` when it is a string, else "?". */
static const char *string_or_unknown(JsonObject *o, const char *name)
{
    JsonNode *n = o ? json_object_get_member(o, name) : NULL;
    return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n) : "?";
}

JsonNode *vm_qmp_result(JsonNode *reply, const char *command, GError **error)
{
    JsonObject *o = json_node_get_object(reply);
    JsonNode *e;

    if (json_object_has_member(o, "return"))
        return json_node_copy(json_object_get_member(o, "return"));
    e = json_object_get_member(o, "error");
    o = e && JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP %s: %s: %s", command,
                string_or_unknown(o, "class"), string_or_unknown(o, "desc"));
    return NULL;
}
