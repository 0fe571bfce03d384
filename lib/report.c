#include "report.h"

static report_sink_t report_sink;
static unsigned passed, failed;

void report_set_sink(report_sink_t sink)
{
	report_sink = sink;
}

static void emit(const char *tag, const char *fmt, va_list ap)
{
	char line[256];
	int n = fmt_snprintf(line, sizeof(line), "%s", tag);

	fmt_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (report_sink)
		report_sink(line);
}

bool report(bool pass, const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(pass ? &passed : &failed, 1, __ATOMIC_RELAXED);
	va_start(ap, fmt);
	emit(pass ? "PASS: " : "FAIL: ", fmt, ap);
	va_end(ap);
	return pass;
}

void report_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("INFO: ", fmt, ap);
	va_end(ap);
}

void report_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("SKIP: ", fmt, ap);
	va_end(ap);
}

unsigned report_failures(void)
{
	return __atomic_load_n(&failed, __ATOMIC_RELAXED);
}

unsigned report_summary(const char *prefix)
{
	char line[128];
	unsigned p = __atomic_load_n(&passed, __ATOMIC_RELAXED);
	unsigned f = report_failures();

	fmt_snprintf(line, sizeof(line), "SUMMARY: %s: %u passed, %u failed",
		     prefix, p, f);
	if (report_sink)
		report_sink(line);
	return f;
}
