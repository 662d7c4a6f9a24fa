/* sk_nat.c - placeholder until written. */
