/* qmp.c - QMP client over a UNIX socket, one JSON object per line. */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sk_error.h"

struct VmQmp {
    int fd;
    char *path;
    GString *in;        /* bytes read, not yet a whole line */
};

static gint64 deadline_of(int timeout_ms)
{
    return g_get_monotonic_time() + (gint64)timeout_ms * 1000;
}

static int left_ms(gint64 deadline)
{
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    return left > 0 ? (int)left : 0;
}

/* Reads one line (a JSON object) by the deadline; NULL with error. */
static char *read_line(VmQmp *q, gint64 deadline, GError **error)
{
    for (;;) {
        char *nl = memchr(q->in->str, '\n', q->in->len);
        if (nl) {
            char *line = g_strndup(q->in->str, (gsize)(nl - q->in->str));
            g_string_erase(q->in, 0, nl - q->in->str + 1);
            return line;
        }
        struct pollfd p = {.fd = q->fd, .events = POLLIN};
        int r = poll(&p, 1, left_ms(deadline));
        if (r == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "QMP '%s': no answer in time", q->path);
            return NULL;
        }
        if (r < 0 && errno == EINTR)
            continue;
        char buf[4096];
        ssize_t n = r < 0 ? -1 : read(q->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "QMP '%s': connection closed%s%s", q->path,
                        n < 0 ? ": " : "", n < 0 ? g_strerror(errno) : "");
            return NULL;
        }
        g_string_append_len(q->in, buf, n);
        if (q->in->len > (16u << 20)) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "QMP '%s': answer too long", q->path);
            return NULL;
        }
    }
}

static gboolean write_all(VmQmp *q, const char *data, gsize n, GError **error)
{
    while (n > 0) {
        ssize_t w = send(q->fd, data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP '%s': %s",
                        q->path, g_strerror(errno));
            return FALSE;
        }
        data += w;
        n -= (gsize)w;
    }
    return TRUE;
}

/* Reads objects until one that is not an event; returns it parsed. */
static JsonObject *read_reply(VmQmp *q, gint64 deadline, JsonParser *parser,
                              GError **error)
{
    for (;;) {
        char *line = read_line(q, deadline, error);
        if (line == NULL)
            return NULL;
        GError *local = NULL;
        gboolean ok = json_parser_load_from_data(parser, line, -1, &local);
        g_free(line);
        if (!ok) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP '%s': %s",
                        q->path, local->message);
            g_error_free(local);
            return NULL;
        }
        JsonNode *root = json_parser_get_root(parser);
        if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
            continue;
        JsonObject *o = json_node_get_object(root);
        if (!json_object_has_member(o, "event"))
            return o;
    }
}

VmQmp *vm_qmp_connect(const char *path, int timeout_ms, GError **error)
{
    VmQmp *q = g_new0(VmQmp, 1);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    gint64 deadline = deadline_of(timeout_ms);
    JsonParser *parser = json_parser_new();

    q->fd = -1;
    q->path = g_strdup(path);
    q->in = g_string_new(NULL);
    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, SK_ERROR, SK_ERROR_INPUT, "QMP socket path too long: %s", path);
        goto err;
    }
    strcpy(addr.sun_path, path);
    /* QEMU creates the socket as it starts: retry until it is there. */
    for (;;) {
        q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (q->fd >= 0 && connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            break;
        int e = errno;
        if (q->fd >= 0)
            close(q->fd);
        q->fd = -1;
        if (left_ms(deadline) == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP '%s': %s", path,
                        g_strerror(e));
            goto err;
        }
        g_usleep(20000);
    }
    /* The greeting, then capabilities negotiation. */
    if (read_reply(q, deadline, parser, error) == NULL)
        goto err;
    static const char caps[] = "{\"execute\":\"qmp_capabilities\"}\n";
    if (!write_all(q, caps, sizeof(caps) - 1, error) ||
        read_reply(q, deadline, parser, error) == NULL)
        goto err;
    g_object_unref(parser);
    return q;
err:
    g_object_unref(parser);
    vm_qmp_free(q);
    return NULL;
}

JsonNode *vm_qmp_execute(VmQmp *q, const char *command, JsonNode *arguments,
                         int timeout_ms, GError **error)
{
    JsonBuilder *b = json_builder_new();
    JsonGenerator *gen = json_generator_new();
    JsonParser *parser = json_parser_new();
    JsonNode *root, *result = NULL;
    char *text;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, command);
    if (arguments) {
        json_builder_set_member_name(b, "arguments");
        json_builder_add_value(b, json_node_copy(arguments));
    }
    json_builder_end_object(b);
    root = json_builder_get_root(b);
    json_generator_set_root(gen, root);
    text = json_generator_to_data(gen, NULL);
    if (write_all(q, text, strlen(text), error) && write_all(q, "\n", 1, error)) {
        JsonObject *o = read_reply(q, deadline_of(timeout_ms), parser, error);
        if (o && json_object_has_member(o, "return")) {
            result = json_node_copy(json_object_get_member(o, "return"));
        } else if (o) {
            JsonObject *e = json_object_get_object_member(o, "error");
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "QMP %s: %s: %s", command,
                        e ? json_object_get_string_member_with_default(e, "class", "?") : "?",
                        e ? json_object_get_string_member_with_default(e, "desc", "?") : "?");
        }
    }
    g_free(text);
    json_node_unref(root);
    g_object_unref(gen);
    g_object_unref(b);
    g_object_unref(parser);
    return result;
}

void vm_qmp_free(VmQmp *q)
{
    if (q == NULL)
        return;
    if (q->fd >= 0)
        close(q->fd);
    g_string_free(q->in, TRUE);
    g_free(q->path);
    g_free(q);
}
