/* sk_cacheconfig.c - placeholder until written. */
