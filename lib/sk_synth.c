/* sk_synth.c - placeholder until written. */
