/* Order statistics of a set of samples: what a benchmark prints for N
 * measurements of one operation. Pure: host-tested. */
#ifndef LIB_STATS_H
#define LIB_STATS_H

#include "types.h"

struct sample_summary {
	u64 min;
	u64 median;	/* the middle sample; the lower middle one for an even count */
	u64 max;
	unsigned n;
};

/* Sorts samples[0..n) in place (ascending) and summarises them. n >= 1
 * (asserted). The median of an even count is the lower of the two middle
 * samples, so it is always one of the measurements. */
struct sample_summary samples_summarize(u64 *samples, unsigned n);

#endif
