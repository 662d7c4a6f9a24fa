/* board.c - per-VM, per-step progress of a collection (see board.h). */
#include "board.h"
#include "sk_free.h"

#include <stdio.h>
#include <unistd.h>

typedef struct Step {
    char *who, *name, *error;
    gint64 start, end;        /* monotonic µs; end 0 while running */
    gboolean ok;
} Step;

typedef struct Row {
    char *who;
    Step *current;            /* in steps; NULL when idle */
    Step *last;
} Row;

struct Board {
    gboolean draw;
    GPtrArray *rows;          /* Row* in order of first use */
    GPtrArray *steps;         /* Step* in order of start */
    guint drawn;              /* lines on screen */
    gint64 last_draw;
};

Board *board_new(gboolean quiet)
{
    Board *b = g_new0(Board, 1);
    b->draw = !quiet && isatty(STDERR_FILENO);
    b->rows = g_ptr_array_new();
    b->steps = g_ptr_array_new();
    return b;
}

static Row *row(Board *b, const char *who)
{
    for (guint i = 0; i < b->rows->len; i++) {
        Row *r = b->rows->pdata[i];
        if (g_strcmp0(r->who, who) == 0)
            return r;
    }
    Row *r = g_new0(Row, 1);
    r->who = g_strdup(who);
    g_ptr_array_add(b->rows, r);
    return r;
}

static void redraw(Board *b)
{
    if (!b->draw)
        return;
    gint64 now = g_get_monotonic_time();
    if (b->drawn)
        fprintf(stderr, "\033[%uA", b->drawn);
    for (guint i = 0; i < b->rows->len; i++) {
        Row *r = b->rows->pdata[i];
        Step *s = r->current ? r->current : r->last;
        double secs = s ? ((s->end ? s->end : now) - s->start) / 1e6 : 0;
        fprintf(stderr, "\r\033[K  %-8s %-12s %7.1f s  %s\n", r->who, s ? s->name : "",
                secs, !s || !s->end ? "" : s->ok ? "ok" : "FAILED");
    }
    b->drawn = b->rows->len;
    b->last_draw = now;
    fflush(stderr);
}

void board_done(Board *b, const char *who, gboolean ok, const char *why)
{
    Row *r = row(b, who);
    if (r->current) {
        r->current->end = g_get_monotonic_time();
        r->current->ok = ok;
        r->current->error = g_strdup(why);
        r->last = r->current;
        r->current = NULL;
    }
    redraw(b);
}

void board_step(Board *b, const char *who, const char *step)
{
    Row *r = row(b, who);
    if (r->current)
        board_done(b, who, TRUE, NULL);
    Step *s = g_new0(Step, 1);
    s->who = g_strdup(who);
    s->name = g_strdup(step);
    s->start = g_get_monotonic_time();
    g_ptr_array_add(b->steps, s);
    r->current = s;
    redraw(b);
}

void board_tick(Board *b)
{
    if (b->draw && g_get_monotonic_time() - b->last_draw > 250000)
        redraw(b);
}

JsonNode *board_steps_json(const Board *b)
{
    JsonArray *a = json_array_new();
    gint64 now = g_get_monotonic_time();
    for (guint i = 0; i < b->steps->len; i++) {
        const Step *s = b->steps->pdata[i];
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "vm", s->who);
        json_object_set_string_member(o, "step", s->name);
        json_object_set_double_member(o, "seconds",
                                      ((s->end ? s->end : now) - s->start) / 1e6);
        json_object_set_boolean_member(o, "ok", s->end && s->ok);
        if (s->error)
            json_object_set_string_member(o, "error", s->error);
        json_array_add_object_element(a, o);
    }
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);
    json_node_take_array(n, a);
    return n;
}

void board_free(Board *b)
{
    if (b == NULL)
        return;
    redraw(b);
    for (guint i = 0; i < b->steps->len; i++) {
        Step *s = b->steps->pdata[i];
        SK_FREE_ALL(s->who, s->name, s->error, s);
    }
    for (guint i = 0; i < b->rows->len; i++) {
        Row *r = b->rows->pdata[i];
        g_free(r->who);
        g_free(r);
    }
    g_ptr_array_free(b->steps, TRUE);
    g_ptr_array_free(b->rows, TRUE);
    g_free(b);
}
