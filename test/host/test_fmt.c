/* lib/fmt.c: the formatter every console line goes through. */
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

	n = fmt_snprintf(small, sizeof(small), "%s", "truncated");
	report(n == 9 && strcmp(small, "tru") == 0,
	       "snprintf truncates, NUL-terminates, returns the full length");
}
