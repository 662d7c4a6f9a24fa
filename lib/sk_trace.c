/* sk_trace.c - placeholder until written. */
