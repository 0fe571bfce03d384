#include <stdio.h>
#include <stdlib.h>
#include "harness.h"

jmp_buf *harness_panic_jmp;
char harness_panic_msg[256];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(harness_panic_msg, sizeof(harness_panic_msg), fmt, ap);
	va_end(ap);
	if (harness_panic_jmp)
		longjmp(*harness_panic_jmp, 1);
	printf("FAIL: unexpected panic: %s\n", harness_panic_msg);
	exit(2);
}

static void stdout_sink(const char *line)
{
	printf("%s\n", line);
}

int main(int argc __unused, char **argv)
{
	const char *name = strrchr(argv[0], '/');

	report_set_sink(stdout_sink);
	run_tests();
	return report_summary(name ? name + 1 : argv[0]) ? 1 : 0;
}
