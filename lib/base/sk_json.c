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
