/* bal_size.h - memory sizes as users write them: "512M", "2G", "100k", "4096".
 *
 * Digits, then at most one suffix: k or K (KiB), m or M (MiB), g or G (GiB);
 * no suffix is KiB, as in xenmm (whose lowercase g meant KiB: here it is GiB).
 * Nothing else: no sign, spaces, fraction, hex or second suffix. */
#ifndef BAL_SIZE_H
#define BAL_SIZE_H

#include <glib.h>

/* Largest size accepted: 2^50 KiB (1 EiB). */
#define BAL_SIZE_MAX ((gint64)1 << 50)

/* Parses text for option `name` into KiB, at most BAL_SIZE_MAX.  FALSE with
 * an SK_ERROR_INPUT error "option NAME: bad size 'TEXT' ..." otherwise. */
gboolean bal_size_parse(const char *name, const char *text, gint64 *kib, GError **error);

#endif
