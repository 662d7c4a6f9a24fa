/* rr_replay.c - warmup and run: output checks; the HTTP replay itself is not built yet. */
#include "rr_replay.h"

#include "sk_error.h"
#include "sk_file.h"

gboolean rr_replay_check_outputs(const RrConfig *cfg, RrCommand cmd, GError **error)
{
    if (cmd == RR_CMD_WARMUP)
        return sk_output_check("warmup output", cfg->warmup_output, error);
    if (cmd == RR_CMD_RUN)
        return sk_output_check("results", cfg->output, error);
    return TRUE;
}

static gboolean not_built(const char *what, GError **error)
{
    g_set_error(error, SK_ERROR, SK_ERROR_FAILED, "-c %s: replay against a registry is "
                "not built yet (see docs/registry-replay.md)", what);
    return FALSE;
}

gboolean rr_warmup(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                   GError **error)
{
    return not_built("warmup", error);
}

gboolean rr_run(const RrConfig *cfg, const RrTrace *t, const RrReplayOptions *o,
                GError **error)
{
    return not_built("run", error);
}
