#include "stats.h"
#include "panic.h"

/* Insertion sort: benchmarks take about a hundred samples, and the sort
 * must run freestanding in the guests without an allocator. */
static void sort_u64(u64 *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		u64 v = a[i];
		unsigned j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

struct sample_summary samples_summarize(u64 *samples, unsigned n)
{
	ASSERT(samples && n >= 1);
	sort_u64(samples, n);
	return (struct sample_summary){
		.min = samples[0],
		.median = samples[(n - 1) / 2],
		.max = samples[n - 1],
		.n = n,
	};
}
