/* A deterministic pseudo-random sequence for garbage-input guests, so a
 * failure repeats: xorshift64 (Marsaglia 2003). */
#ifndef GUESTS_LIB_PRNG_H
#define GUESTS_LIB_PRNG_H

#include "../../lib/types.h"

/* Advances *state (never 0) and returns the next value. */
static inline u64 prng_next(u64 *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
