/* sk_json.h - a JSON document as text, the one way siokit's writers make
 * it (json-glib does the encoding: strings are always valid JSON). */
#ifndef SK_JSON_H
#define SK_JSON_H

#include <json-glib/json-glib.h>

/* The document node holds, indented when pretty; free with g_free(). */
char *sk_json_node_text(JsonNode *node, gboolean pretty);
/* The document builder b has built, as text; b is freed. */
char *sk_json_builder_finish(JsonBuilder *b, gboolean pretty);

/* One member of the object b is building: its name, then its value. */
void sk_json_member_int(JsonBuilder *b, const char *name, gint64 value);
void sk_json_member_double(JsonBuilder *b, const char *name, double value);
void sk_json_member_string(JsonBuilder *b, const char *name, const char *value);
void sk_json_member_bool(JsonBuilder *b, const char *name, gboolean value);

#endif
