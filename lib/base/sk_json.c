/* sk_json.c - a JSON document as text (see sk_json.h). */
#include "sk_json.h"

char *sk_json_node_text(JsonNode *node, gboolean pretty)
{
    JsonGenerator *gen = json_generator_new();
    char *text;

    json_generator_set_pretty(gen, pretty);
    json_generator_set_root(gen, node);
    text = json_generator_to_data(gen, NULL);
    g_object_unref(gen);
    return text;
}

char *sk_json_builder_finish(JsonBuilder *b, gboolean pretty)
{
    JsonNode *root = json_builder_get_root(b);
    char *text = sk_json_node_text(root, pretty);

    json_node_unref(root);
    g_object_unref(b);
    return text;
}

void sk_json_member_int(JsonBuilder *b, const char *name, gint64 value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_int_value(b, value);
}

void sk_json_member_double(JsonBuilder *b, const char *name, double value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_double_value(b, value);
}

void sk_json_member_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_string_value(b, value);
}

void sk_json_member_bool(JsonBuilder *b, const char *name, gboolean value)
{
    json_builder_set_member_name(b, name);
    json_builder_add_boolean_value(b, value);
}
