/* iperf3.c - the iperf3 test (see iperf3.h). */
#include "iperf3.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "remote.h"
#include "sk_cli.h"
#include "sk_error.h"
#include "sk_file.h"

/* In the tenant's VM: `sh -c SCRIPT x ADDR K`: a one-shot server on
 * ADDR:5201, daemonized, then wait (10 s at most) until it listens. */
static const char server_script[] =
    "addr=$1 k=$2\n"
    "iperf3 -s -1 -D -B \"$addr\" -p 5201 --logfile \"/run/iperf3-$k.log\" || exit 1\n"
    "i=0\n"
    "while [ $i -lt 100 ]; do\n"
    "  netstat -ltn 2>/dev/null | grep -q \" $addr:5201 \" && exit 0\n"
    "  usleep 100000; i=$((i + 1))\n"
    "done\n"
    "echo \"iperf3 is not listening on $addr:5201\" >&2\n"
    "exit 1\n";

static const char *const direction_names[] = {"rx", "tx", "both"};

SK_ENUM_NAMES(iperf3_direction, Iperf3Direction, direction_names)

typedef struct Client {
    GSubprocess *proc;
    SkOutput report;   /* the client's JSON report, as it writes it */
    gboolean done;
} Client;

/* Throughput of an iperf3 client's JSON report, in MB/s (what the
 * receiving side got, summed over directions). */
static gboolean report_rate(const char *file, double *mbytes, GError **error)
{
    JsonParser *p = json_parser_new();
    gboolean ok = FALSE;
    if (json_parser_load_from_file(p, file, error)) {
        JsonObject *root = json_node_get_object(json_parser_get_root(p));
        JsonObject *end = root && json_object_has_member(root, "end")
                              ? json_object_get_object_member(root, "end") : NULL;
        if (root && json_object_has_member(root, "error")) {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "iperf3: %s",
                        json_object_get_string_member(root, "error"));
        } else if (end && json_object_has_member(end, "sum_received")) {
            JsonObject *sum = json_object_get_object_member(end, "sum_received");
            double bits = json_object_get_double_member(sum, "bits_per_second");
            if (json_object_has_member(end, "sum_received_bidir_reverse")) {
                JsonObject *rev = json_object_get_object_member(end, "sum_received_bidir_reverse");
                bits += json_object_get_double_member(rev, "bits_per_second");
            }
            *mbytes = bits / 8e6;
            ok = TRUE;
        } else {
            g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: no end.sum_received", file);
        }
    }
    g_object_unref(p);
    return ok;
}

gboolean iperf3_run(const Topology *topo, unsigned duration, Iperf3Direction dir,
                    const char *run_dir, Board *board, JsonArray *results, GError **error)
{
    guint n = topo->tenants->len;
    Client *c = g_new0(Client, n);
    gboolean ok = TRUE;

    for (guint k = 0; k < n; k++)
        c[k].report.slot = -1;     /* not open: discarding it is a no-op */

    /* Servers, one tenant after another. */
    for (guint k = 0; k < n && ok; k++) {
        const Tenant *t = topo->tenants->pdata[k];
        char *idx = g_strdup_printf("%u", t->index);
        const char *args[] = {t->addr, idx, NULL};
        board_step(board, t->name, "iperf3 -s");
        char *out = remote_script(t->vm, server_script, args, 30000, error);
        if (out == NULL) {
            g_prefix_error(error, "%s: starting the iperf3 server: ", t->name);
            board_done(board, t->name, FALSE, (*error)->message);
            ok = FALSE;
        }
        g_free(out);
        g_free(idx);
    }
    /* Clients, all at once. */
    for (guint k = 0; k < n && ok; k++) {
        const Tenant *t = topo->tenants->pdata[k];
        char *port = g_strdup_printf("%d", t->host_port);
        char *secs = g_strdup_printf("%u", duration);
        const char *argv[] = {"iperf3", "--client", "127.0.0.1", "--port", port, "--time",
                              secs, "--json", "--connect-timeout", "10000", NULL, NULL};
        if (dir == IPERF3_TX)
            argv[10] = "--reverse";
        else if (dir == IPERF3_BOTH)
            argv[10] = "--bidir";
        char *file = g_strdup_printf("%s/iperf3-%s.json", run_dir, t->name);
        gboolean opened = sk_output_open(&c[k].report, "iperf3 report", file, error);
        g_free(file);
        GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
        if (opened)
            g_subprocess_launcher_take_stdout_fd(l, dup(fileno(c[k].report.f)));
        board_step(board, t->name, "traffic");
        c[k].proc = opened ? g_subprocess_launcher_spawnv(l, argv, error) : NULL;
        g_object_unref(l);
        g_free(port);
        g_free(secs);
        if (c[k].proc == NULL) {
            g_prefix_error(error, "cannot run iperf3 on the host: ");
            board_done(board, t->name, FALSE, (*error)->message);
            ok = FALSE;
        }
    }
    /* Wait: the duration, plus connection and report time. */
    gint64 deadline = g_get_monotonic_time() + (duration + 60) * G_USEC_PER_SEC;
    for (guint left = ok ? n : 0; left > 0;) {
        for (guint k = 0; k < n; k++) {
            /* The identifier is NULL once GLib has reaped the process. */
            if (c[k].done || c[k].proc == NULL || g_subprocess_get_identifier(c[k].proc))
                continue;
            c[k].done = TRUE;
            left--;
        }
        if (left == 0)
            break;
        if (sk_signal_stop() || g_get_monotonic_time() > deadline) {
            if (ok)
                g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s",
                            sk_signal_stop() ? "interrupted during traffic"
                                                 : "iperf3 clients did not finish in time");
            ok = FALSE;
            break;
        }
        board_tick(board);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(100000);
    }
    /* Reports. */
    for (guint k = 0; k < n; k++) {
        const Tenant *t = topo->tenants->pdata[k];
        JsonObject *o = json_object_new();
        GError *local = NULL;
        double rate = 0;

        json_object_set_string_member(o, "tenant", t->name);
        if (c[k].proc && !c[k].done) {
            g_subprocess_force_exit(c[k].proc);
            g_subprocess_wait(c[k].proc, NULL, NULL);
        }
        if (c[k].done && report_rate(c[k].report.tmp, &rate, &local) &&
            sk_output_commit(&c[k].report, &local)) {
            char *base = g_strdup_printf("iperf3-%s.json", t->name);
            json_object_set_string_member(o, "file", base);
            json_object_set_double_member(o, "mbytes_per_s", rate);
            board_done(board, t->name, TRUE, NULL);
            g_free(base);
        } else {
            if (local == NULL)
                g_set_error(&local, SK_ERROR, SK_ERROR_FAILED, "%s",
                            c[k].done ? "iperf3 failed" : "iperf3 did not finish");
            json_object_set_string_member(o, "error", local->message);
            if (c[k].proc)
                board_done(board, t->name, FALSE, local->message);
            if (ok) {
                g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "%s: %s", t->name,
                            local->message);
                ok = FALSE;
            }
        }
        sk_output_discard(&c[k].report);   /* unless committed */
        g_clear_error(&local);
        json_array_add_object_element(results, o);
        g_clear_object(&c[k].proc);
    }
    g_free(c);
    return ok;
}
