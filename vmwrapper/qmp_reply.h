/* qmp_reply.h - reading what QEMU says on its QMP socket: whole lines taken
 * out of the bytes received so far, each a JSON object; asynchronous events
 * are told apart from replies, and a reply becomes its command's result or
 * an error.  Pure: no socket here (qmp.c has it), so that tests and the
 * fuzz target feed it any bytes.
 *
 * Rules:
 * 1. A line is only taken once its newline has arrived; a truncated line
 *    stays in the buffer (VM_QMP_MORE), so bytes may come in any pieces.
 * 2. Every call that returns anything but VM_QMP_MORE has consumed one
 *    whole line, so a caller looping until VM_QMP_MORE always ends.
 * 3. A reply's result is a copy of its "return" member; anything else
 *    (an "error" object, or neither) is an error naming the command, with
 *    QMP's class and description when they are strings. */
#ifndef VM_QMP_REPLY_H
#define VM_QMP_REPLY_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* Longest line accepted without its newline. */
#define VM_QMP_LINE_MAX (16u << 20)

typedef enum {
    VM_QMP_MORE,    /* no whole line yet: read more */
    VM_QMP_SKIP,    /* an event, or a line that is not an object: read on */
    VM_QMP_REPLY,   /* *reply is the object (caller unrefs) */
    VM_QMP_BAD,     /* not JSON, or a line too long: error set */
} VmQmpLine;

/* Takes the first whole line out of in and says what it is; `who` (the
 * socket's path) names the peer in errors. */
VmQmpLine vm_qmp_next(GString *in, const char *who, JsonNode **reply, GError **error);

/* The result of `command` in reply (an object from vm_qmp_next()): a copy
 * of its "return" (caller unrefs), or NULL with an SK_ERROR_FAILED error
 * "QMP COMMAND: CLASS: DESC". */
JsonNode *vm_qmp_result(JsonNode *reply, const char *command, GError **error);

#endif
