/* remote.c - running commands in a guest over SSH (see remote.h). */
#include "remote.h"

#include <string.h>

#include "sk_error.h"

SkSsh *remote_connect(const Vm *vm, GError **error)
{
    SkSshTarget t = {.host = "127.0.0.1", .port = vm->ssh_port, .user = "root",
                     .identity = vm->identity, .known_hosts = vm->known_hosts,
                     .timeout_ms = 10000};
    SkSsh *s = sk_ssh_connect(&t, error);
    if (s == NULL)
        g_prefix_error(error, "%s: ", vm->name);
    return s;
}

/* The first line of a command's stderr, for an error message. */
static char *first_line(GByteArray *err)
{
    char *text = g_strndup((const char *)err->data, err->len);
    char *nl = strchr(g_strstrip(text), '\n');
    if (nl)
        *nl = '\0';
    return text;
}

char *remote_run(const Vm *vm, const char *const *argv, int timeout_ms, GError **error)
{
    SkSsh *s = remote_connect(vm, error);
    if (s == NULL)
        return NULL;
    GByteArray *out = g_byte_array_new(), *err = g_byte_array_new();
    int status = sk_ssh_exec(s, argv, NULL, 0, out, err, timeout_ms, error);
    char *result = NULL;

    if (status < 0) {
        g_prefix_error(error, "%s: %s: ", vm->name, argv[0]);
    } else if (status > 0) {
        char *line = first_line(err);
        g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s exited %d%s%s", vm->name,
                    argv[0], status, *line ? ": " : "", line);
        g_free(line);
    } else {
        g_byte_array_append(out, (const guint8 *)"", 1);
        result = (char *)g_byte_array_free(out, FALSE);
        out = NULL;
    }
    if (out)
        g_byte_array_free(out, TRUE);
    g_byte_array_free(err, TRUE);
    sk_ssh_free(s);
    return result;
}

char *remote_script(const Vm *vm, const char *script, const char *const *args,
                    int timeout_ms, GError **error)
{
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer) "sh");
    g_ptr_array_add(argv, (gpointer) "-c");
    g_ptr_array_add(argv, (gpointer)script);
    g_ptr_array_add(argv, (gpointer) "collector");
    for (const char *const *a = args; a && *a; a++)
        g_ptr_array_add(argv, (gpointer)*a);
    g_ptr_array_add(argv, NULL);
    char *out = remote_run(vm, (const char *const *)argv->pdata, timeout_ms, error);
    g_ptr_array_free(argv, TRUE);
    return out;
}
