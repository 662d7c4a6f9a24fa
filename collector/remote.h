/* remote.h - running commands in a guest over SSH, for the collector.
 *
 * Thin helpers over sk_ssh: a connection to a vmwrapper Vm (its pinned
 * known_hosts, its identity) and "run this argv, give me its output or a
 * one-line error".  Commands are argv arrays, quoted by sk_ssh_quote(): no
 * shell injection, whatever the arguments hold. */
#ifndef COLLECTOR_REMOTE_H
#define COLLECTOR_REMOTE_H

#include <glib.h>

#include "sk_ssh.h"
#include "vm.h"

/* Connects to vm's SSH with its pinned host key. */
SkSsh *remote_connect(const Vm *vm, GError **error);

/* Runs argv in vm; returns its stdout (trailing blanks kept) when it exits
 * 0, else NULL with an error "VM: ARGV0 exited N: STDERR" (first line of
 * stderr).  timeout_ms <= 0: no limit. */
char *remote_run(const Vm *vm, const char *const *argv, int timeout_ms, GError **error);

/* remote_run() of `sh -c SCRIPT NAME ARGS...`: the script is a constant,
 * its arguments arrive as $1, $2 ... */
char *remote_script(const Vm *vm, const char *script, const char *const *args,
                    int timeout_ms, GError **error);

#endif
