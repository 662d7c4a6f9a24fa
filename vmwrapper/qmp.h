/* qmp.h - a QEMU Machine Protocol client: one VM's control socket.
 *
 * Connects to the UNIX socket QEMU opened with -qmp unix:PATH,server=on,
 * wait=off, negotiates capabilities and runs commands one at a time;
 * asynchronous events in between are read and dropped. */
#ifndef VM_QMP_H
#define VM_QMP_H

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct VmQmp VmQmp;

/* Connects and negotiates, waiting up to timeout_ms for the socket. */
VmQmp *vm_qmp_connect(const char *path, int timeout_ms, GError **error);
/* Runs `command` (arguments may be NULL); returns its "return" value
 * (caller unrefs) or NULL with error (QMP error class and description,
 * or the connection's). */
JsonNode *vm_qmp_execute(VmQmp *q, const char *command, JsonNode *arguments,
                         int timeout_ms, GError **error);
void vm_qmp_free(VmQmp *q);

#endif
