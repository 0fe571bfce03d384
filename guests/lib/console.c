#include "console.h"
#include "guest_abi.h"
#include "../../lib/fmt.h"
#include "../../lib/report.h"
#include "../../lib/x86.h"

#define UART_THR 0		/* transmit holding register (write) */
#define UART_LSR 5		/* line status register */
#define UART_LSR_THRE BIT(5)	/* THR empty: the next byte may be written */

static void serial_putc(char c)
{
	/* A missing UART reads 0xff, THRE included, so this cannot hang. */
	while (!(inb(GUEST_SERIAL_PORT + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(GUEST_SERIAL_PORT + UART_THR, (u8)c);
}

void console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

static void sink(void *ctx __unused, char c)
{
	console_putc(c);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_v(sink, NULL, fmt, ap);
	va_end(ap);
	return n;
}

static void report_line(const char *line)
{
	printf("%s\n", line);
}

void console_init(void)
{
	report_set_sink(report_line);
}
