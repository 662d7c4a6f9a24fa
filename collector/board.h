/* board.h - the collector's progress: one line per VM, its current step.
 *
 * On a terminal (stderr, and not --quiet) the board is redrawn in place:
 *
 *     l1-0   traffic     12.3 s
 *     l2-0   ready        4.1 s  ok
 *     l2-1   boot        17.9 s
 *
 * Elsewhere it prints nothing: the manifest records every step and its
 * duration, so piped or scheduled runs stay quiet.  Every step's start and
 * end are also kept for the manifest. */
#ifndef COLLECTOR_BOARD_H
#define COLLECTOR_BOARD_H

#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct Board Board;

Board *board_new(gboolean quiet);
/* Row `who` (created on first use) starts `step`; ends its previous step. */
void board_step(Board *b, const char *who, const char *step);
/* Row `who`'s current step ends: ok, or failed with a reason. */
void board_done(Board *b, const char *who, gboolean ok, const char *why);
/* Redraws when the last drawing is older than a quarter of a second. */
void board_tick(Board *b);
/* The steps as a JSON array: {"vm", "step", "seconds", "ok"[, "error"]}. */
JsonNode *board_steps_json(const Board *b);
/* Final drawing (on a terminal) and free. */
void board_free(Board *b);

#endif
