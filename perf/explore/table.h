/* table.h - the summary table of a sweep on a terminal: one line per
 * series, one column per tenant count; link utilisation, then IOTLB hit
 * rate, in percent ("fail" for a failed point, "-" for none). */
#ifndef TABLE_H
#define TABLE_H

#include <stdio.h>

#include <glib.h>

void sk_table_print(FILE *out, GPtrArray *rows);

#endif
