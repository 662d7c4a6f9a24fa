/* qmp.c - QMP client over a UNIX socket, one JSON object per line (the
 * lines are read by qmp_reply.c). */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "qmp_reply.h"
#include "sk_error.h"
#include "sk_free.h"
#include "sk_json.h"

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

/* Reads until a whole line is in q->in, by the deadline. */
static gboolean read_more(VmQmp *q, gint64 deadline, GError **error)
{
    for (;;) {
        struct pollfd p = {.fd = q->fd, .events = POLLIN};
        int r = poll(&p, 1, left_ms(deadline));
        if (r == 0) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED,
                        "QMP '%s': no answer in time", q->path);
            return FALSE;
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
            return FALSE;
        }
        g_string_append_len(q->in, buf, n);
        return TRUE;
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

/* Reads lines until a reply (events are dropped); returns it (caller
 * unrefs) or NULL with error. */
static JsonNode *read_reply(VmQmp *q, gint64 deadline, GError **error)
{
    for (;;) {
        JsonNode *reply = NULL;
        switch (vm_qmp_next(q->in, q->path, &reply, error)) {
        case VM_QMP_REPLY:
            return reply;
        case VM_QMP_BAD:
            return NULL;
        case VM_QMP_SKIP:
            break;
        case VM_QMP_MORE:
            if (!read_more(q, deadline, error))
                return NULL;
            break;
        }
    }
}

VmQmp *vm_qmp_connect(const char *path, int timeout_ms, GError **error)
{
    VmQmp *q = g_new0(VmQmp, 1);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    gint64 deadline = deadline_of(timeout_ms);
    JsonNode *reply;

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
    if (!(reply = read_reply(q, deadline, error)))
        goto err;
    json_node_unref(reply);
    static const char caps[] = "{\"execute\":\"qmp_capabilities\"}\n";
    if (!write_all(q, caps, sizeof(caps) - 1, error) ||
        !(reply = read_reply(q, deadline, error)))
        goto err;
    json_node_unref(reply);
    return q;
err:
    vm_qmp_free(q);
    return NULL;
}

JsonNode *vm_qmp_execute(VmQmp *q, const char *command, JsonNode *arguments,
                         int timeout_ms, GError **error)
{
    JsonBuilder *b = json_builder_new();
    JsonNode *result = NULL;
    char *text;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, command);
    if (arguments) {
        json_builder_set_member_name(b, "arguments");
        json_builder_add_value(b, json_node_copy(arguments));
    }
    json_builder_end_object(b);
    text = sk_json_builder_finish(b, FALSE);
    if (write_all(q, text, strlen(text), error) && write_all(q, "\n", 1, error)) {
        JsonNode *reply = read_reply(q, deadline_of(timeout_ms), error);
        if (reply) {
            result = vm_qmp_result(reply, command, error);
            json_node_unref(reply);
        }
    }
    g_free(text);
    return result;
}

void vm_qmp_free(VmQmp *q)
{
    if (q == NULL)
        return;
    if (q->fd >= 0)
        close(q->fd);
    g_string_free(q->in, TRUE);
    SK_FREE_ALL(q->path, q);
}
