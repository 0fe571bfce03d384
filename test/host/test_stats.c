/* lib/stats.c: min, median and max of benchmark samples. */
#include "harness.h"
#include "../../lib/stats.h"

static bool ascending(const u64 *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		if (a[i - 1] > a[i])
			return false;
	return true;
}

static void test_odd(void)
{
	u64 s[] = { 50, 10, 40, 30, 20 };
	struct sample_summary r = samples_summarize(s, ARRAY_SIZE(s));

	report(r.min == 10 && r.median == 30 && r.max == 50 && r.n == 5,
	       "5 samples: min 10, median 30, max 50 (got %lu, %lu, %lu, n %u)",
	       r.min, r.median, r.max, r.n);
	report(ascending(s, ARRAY_SIZE(s)), "the samples are left sorted");
}

static void test_even(void)
{
	u64 s[] = { 7, 1, 5, 3 };
	struct sample_summary r = samples_summarize(s, ARRAY_SIZE(s));

	report(r.min == 1 && r.median == 3 && r.max == 7 && r.n == 4,
	       "4 samples: the median is the lower middle sample, 3 (got %lu)", r.median);
}

static void test_one_and_equal(void)
{
	u64 one[] = { 42 };
	u64 same[] = { 9, 9, 9 };
	struct sample_summary a = samples_summarize(one, 1);
	struct sample_summary b = samples_summarize(same, ARRAY_SIZE(same));

	report(a.min == 42 && a.median == 42 && a.max == 42 && a.n == 1,
	       "1 sample: min = median = max = 42");
	report(b.min == 9 && b.median == 9 && b.max == 9, "equal samples: all figures 9");
}

/* An outlier moves max, not the median: why benchmarks print the median. */
static void test_outlier(void)
{
	u64 s[101];
	struct sample_summary r;

	for (unsigned i = 0; i < ARRAY_SIZE(s); i++)
		s[i] = 1000 + (i * 37) % 11;	/* 1000..1010, unordered */
	s[17] = 1u << 30;
	s[60] = 3;
	r = samples_summarize(s, ARRAY_SIZE(s));
	report(r.min == 3 && r.max == 1u << 30 && r.median >= 1000 && r.median <= 1010 &&
	       ascending(s, ARRAY_SIZE(s)),
	       "101 samples with two outliers: min 3, max 2^30, median %lu within 1000..1010",
	       r.median);
}

static void test_misuse(void)
{
	u64 s[1] = { 0 };

	EXPECT_PANIC("no samples", "assertion failed", samples_summarize(s, 0));
}

void run_tests(void)
{
	test_odd();
	test_even();
	test_one_and_equal();
	test_outlier();
	test_misuse();
}
