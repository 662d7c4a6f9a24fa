/* models.h - private to libsiokitperf: the run and option-check functions
 * of each model, which the table of models (models.c) lists.  Callers use
 * model.h (sk_model_find, sk_model_run), never these. */
#ifndef MODELS_H
#define MODELS_H

#include "model.h"

/* model_siokit.c: the corrected model. */
gboolean siokit_run(const SkModelOptions *options, SkTraceReader *reader,
                    SkModelResult *result, GError **error);

/* model_hypersio.c: HyperSIO 1.0, exactly. */
gboolean hypersio_run(const SkModelOptions *options, SkTraceReader *reader,
                      SkModelResult *result, GError **error);
gboolean hypersio_check(const SkModelOptions *options, GError **error);
/* hypersio_fixed.c: FALSE unless the device is HyperSIO's fixed one. */
gboolean hypersio_check_fixed(const SkModelOptions *options, GError **error);

#endif
