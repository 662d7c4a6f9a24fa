/* sk_hstrace.c - placeholder until written. */
