/* report.h - a model result as JSON (one object) or as text for a terminal. */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>

#include "model.h"

/* One JSON object (see docs/sioperf.md for its fields); g_free() it. */
char *sk_report_json(const SkModelResult *r, const SkModelOptions *o,
                     const char *trace, gboolean pretty);
/* The same at a glance. */
void sk_report_text(FILE *out, const SkModelResult *r, const SkModelOptions *o,
                    const char *trace);

#endif
