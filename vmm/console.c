#include "console.h"
#include "percpu.h"
#include "serial.h"
#include "../lib/report.h"
#include "../lib/spinlock.h"

/* Bounds how long a crashing CPU waits for a console lock whose holder may
 * be the very code that crashed. */
#define CRASH_LOCK_SPINS 10000000

static struct spinlock console_lock;
static enum log_level console_level = LOG_INFO;

static void sink(void *ctx __unused, char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

static void vline(const char *fmt, va_list ap)
{
	char prefix[16];
	int n = fmt_snprintf(prefix, sizeof(prefix), "[cpu%u] ", this_cpu_id());

	for (int i = 0; i < n; i++)
		sink(NULL, prefix[i]);
	fmt_v(sink, NULL, fmt, ap);
	sink(NULL, '\n');
}

static void report_line(const char *line)
{
	pr(LOG_ERR, "%s", line); /* test results are shown at every level */
}

void console_init(void)
{
	serial_init();
	report_set_sink(report_line);
}

void console_set_level(enum log_level level)
{
	console_level = level;
}

void pr(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > console_level)
		return;
	spin_lock(&console_lock);
	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
	spin_unlock(&console_lock);
}

void console_crash_begin(void)
{
	for (unsigned i = 0; i < CRASH_LOCK_SPINS; i++)
		if (spin_trylock(&console_lock))
			return;
	/* The holder is not coming back: print over it. */
}

void console_crash_end(void)
{
	spin_unlock(&console_lock);
}

void console_crash_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap);
	va_end(ap);
}
