/* rr_jsonarray.c - an incremental scanner over one top-level JSON array.
 *
 * The story of one element: skip white space; at depth 0 a ',' separates,
 * a ']' ends the array; anything else starts an element, whose bytes are
 * copied until the depth of its brackets (outside strings, minding '\'
 * escapes) is back to 0 and, for a bare scalar, until the next ',' or ']'
 * or white space.  Only the outer structure is checked here. */
#include "rr_jsonarray.h"

#include <errno.h>

#include "sk_error.h"
#include "sk_file.h"

struct RrJsonArray {
    FILE *f;
    char *name;
    GString *buf;
    guint64 index;      /* elements returned so far */
    guint64 offset;     /* bytes read */
    int state;          /* 0 before '[', 1 after '[' or ',', 2 after an element, 3 ended */
    gboolean first;     /* no element yet (a ']' right after '[' is fine) */
};

RrJsonArray *rr_json_array_new(FILE *f, const char *name)
{
    RrJsonArray *a = g_new0(RrJsonArray, 1);

    a->f = f;
    a->name = g_strdup(name);
    a->buf = g_string_sized_new(1024);
    a->first = TRUE;
    return a;
}

static int next_char(RrJsonArray *a)
{
    int ch = getc_unlocked(a->f);

    if (ch != EOF)
        a->offset++;
    return ch;
}

static gboolean is_ws(int ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static RrJsonStep broken(RrJsonArray *a, GError **error, const char *what)
{
    if (ferror(a->f))
        sk_file_set_io_error(error, "trace", a->name, "reading", errno ? errno : EIO);
    else
        sk_error_in_file(error, "trace", a->name, "byte %" G_GUINT64_FORMAT ": %s",
                         a->offset, what);
    a->state = 3;
    return RR_JSON_ERROR;
}

static int skip_ws(RrJsonArray *a)
{
    int ch;

    do
        ch = next_char(a);
    while (is_ws(ch));
    return ch;
}

RrJsonStep rr_json_array_next(RrJsonArray *a, const char **text, gsize *len,
                              GError **error)
{
    int ch, depth = 0;
    gboolean in_string = FALSE, escape = FALSE, too_long = FALSE, scalar;

    if (a->state == 3)
        return RR_JSON_END;
    if (a->state == 0) {
        ch = skip_ws(a);
        if (ch == 0xEF) {   /* a UTF-8 byte order mark */
            if (next_char(a) != 0xBB || next_char(a) != 0xBF)
                return broken(a, error, "not a JSON array");
            ch = skip_ws(a);
        }
        if (ch != '[')
            return broken(a, error, ch == EOF ? "empty, not a JSON array" : "not a JSON array");
        a->state = 1;
    }
    ch = skip_ws(a);
    if (a->state == 2) {
        if (ch == ']')
            goto end;
        if (ch != ',')
            return broken(a, error, ch == EOF ? "the array is cut short" :
                          "expected ',' or ']' between records");
        a->state = 1;
        ch = skip_ws(a);
    } else if (ch == ']' && a->first) {
        goto end;
    }
    if (ch == EOF)
        return broken(a, error, "the array is cut short");
    if (ch == ']' || ch == ',')
        return broken(a, error, "a record is missing between commas");
    g_string_truncate(a->buf, 0);
    scalar = ch != '{' && ch != '[' && ch != '"';
    for (;;) {
        if (!too_long) {
            if (a->buf->len < RR_JSON_ELEMENT_MAX)
                g_string_append_c(a->buf, (char)ch);
            else
                too_long = TRUE;
        }
        if (in_string) {
            if (escape)
                escape = FALSE;
            else if (ch == '\\')
                escape = TRUE;
            else if (ch == '"')
                in_string = FALSE;
        } else if (ch == '"') {
            in_string = TRUE;
        } else if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (--depth < 0)
                return broken(a, error, "unbalanced brackets");
        }
        if (!in_string && depth == 0 && !scalar)
            break;
        ch = next_char(a);
        if (ch == EOF)
            return broken(a, error, "the array is cut short");
        if (scalar && !in_string && depth == 0 && (ch == ',' || ch == ']' || is_ws(ch))) {
            ungetc(ch, a->f);
            a->offset--;
            break;
        }
    }
    a->state = 2;
    a->first = FALSE;
    a->index++;
    if (too_long)
        return RR_JSON_TOO_LONG;
    *text = a->buf->str;
    *len = a->buf->len;
    return RR_JSON_ELEMENT;
end:
    ch = skip_ws(a);
    if (ch != EOF)
        return broken(a, error, "text after the end of the array");
    if (ferror(a->f))
        return broken(a, error, "");
    a->state = 3;
    return RR_JSON_END;
}

guint64 rr_json_array_index(const RrJsonArray *a)
{
    return a->index;
}

void rr_json_array_free(RrJsonArray *a)
{
    if (a == NULL)
        return;
    g_string_free(a->buf, TRUE);
    g_free(a->name);
    g_free(a);
}
