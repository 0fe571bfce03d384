/* lib/fmt.c: the formatter every console line goes through. */
#include <stdio.h>
#include "harness.h"

static void check(const char *want, const char *fmt, ...)
{
	char got[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	report(strcmp(got, want) == 0 && n == (int)strlen(want),
	       "fmt \"%s\" -> \"%s\" (got \"%s\", %d)", fmt, want, got, n);
}

/* Every conversion of fmt's 64-bit path against the C library's, over
 * values around each power of two (where a carry between the halves of
 * the division shows) and a pseudo-random spread. */
static void check_against_libc(void)
{
	static const char *const convs[] = { "%llu", "%llx", "%llo", "%lld", "%llX" };
	unsigned bad = 0, total = 0;
	u64 seed = 0x9e3779b97f4a7c15ull;
	char want[64], got[64], first[160] = "";

	for (unsigned i = 0; i < 64 * 3 + 1000; i++) {
		u64 v;

		if (i < 64 * 3) {
			v = (1ull << (i / 3)) + (i % 3) - 1;
		} else {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			v = seed >> (seed & 63);
		}
		for (unsigned c = 0; c < ARRAY_SIZE(convs); c++) {
			snprintf(want, sizeof(want), convs[c], v);
			fmt_snprintf(got, sizeof(got), convs[c], v);
			total++;
			if (strcmp(want, got) && !bad++)
				snprintf(first, sizeof(first), "%s of 0x%llx: \"%s\", libc \"%s\"",
					 convs[c], (unsigned long long)v, got, want);
		}
	}
	report(!bad, "fmt matches libc on %u 64-bit conversions (%u differ%s%s)",
	       total, bad, bad ? "; first: " : "", first);
}

void run_tests(void)
{
	char small[4];
	int n;

	check("42", "%d", 42);
	check("-42", "%d", -42);
	check("-9223372036854775808", "%ld", (long)INT64_MIN);
	check("18446744073709551615", "%lu", UINT64_MAX);
	check("ffffffff", "%x", 0xffffffffu);
	check("0x00001000", "0x%08lx", 0x1000ul);
	check("DEADBEEF", "%X", 0xdeadbeefu);
	check("  7|7  |007", "%3d|%-3d|%03d", 7, 7, 7);
	check("-07", "%03d", -7);
	check("ab  |  ab", "%-4s|%4s", "ab", "ab");
	check("(null)", "%s", (char *)NULL);
	check("x%y", "x%%y", 0);
	check("0x1234", "%p", (void *)0x1234);
	check("255 65535", "%hhu %hu", 0x1ff, 0x1ffff);
	check("  5", "%*d", 3, 5);
	check("17", "%o", 15);
	check("%q", "%q", 0);

	/* 64-bit numbers are divided in 32-bit halves (no libgcc in the
	 * 16- and 32-bit guests): values with both halves busy. */
	check("1311768467463790320", "%lu", 0x123456789abcdef0ul);
	check("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
	check("1777777777777777777777", "%lo", UINT64_MAX);
	check("-1234567890123456789", "%lld", -1234567890123456789ll);
	check("4294967296 4294967295", "%llu %u", 1ull << 32, UINT32_MAX);
	check("42 42", "%zu %zx", (size_t)42, (size_t)0x42);
	check_against_libc();

	n = fmt_snprintf(small, sizeof(small), "%s", "truncated");
	report(n == 9 && strcmp(small, "tru") == 0,
	       "snprintf truncates, NUL-terminates, returns the full length");
}
