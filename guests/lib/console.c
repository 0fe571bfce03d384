#include "console.h"
#include "guest_abi.h"
#include "smp.h"
#include "../../lib/fmt.h"
#include "../../lib/report.h"
#include "../../lib/spinlock.h"
#include "../../lib/x86.h"

#define UART_THR 0		/* transmit holding register (write) */
#define UART_LSR 5		/* line status register */
#define UART_LSR_THRE BIT(5)	/* THR empty: the next byte may be written */
#define UART_LSR_TEMT BIT(6)	/* transmitter empty: the last byte is out */
#define UART_DRAIN_POLLS 100000u	/* about 10 bytes at 115200 baud, and more */

static void serial_putc(char c)
{
	/* A missing UART reads 0xff, THRE included, so this cannot hang. */
	while (!(inb(GUEST_SERIAL_PORT + UART_LSR) & UART_LSR_THRE))
		cpu_relax();
	outb(GUEST_SERIAL_PORT + UART_THR, (u8)c);
}

void console_drain(void)
{
	/* Bounded: a UART that never drains must not keep the guest alive. */
	for (unsigned i = 0; i < UART_DRAIN_POLLS; i++)
		if (inb(GUEST_SERIAL_PORT + UART_LSR) & UART_LSR_TEMT)
			return;
}

void console_putc(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

/* One printf() at a time, so the vCPUs' lines do not mix. Interrupts stay
 * off while a vCPU holds it, so no handler of its own can wait for it;
 * an exception in the middle of a printf() (which prints too) takes it
 * again instead. */
static struct {
	struct spinlock lock;
	unsigned owner;		/* cpu index + 1 of the holder; 0: free */
	unsigned depth;
} console;

/* Returns the RFLAGS to give back to console_unlock(). */
static u64 console_lock(void)
{
	u64 rflags = read_rflags();
	unsigned me = guest_cpu_index() + 1;

	irq_disable();
	/* Only this vCPU ever writes its own number into owner. */
	if (__atomic_load_n(&console.owner, __ATOMIC_RELAXED) == me) {
		console.depth++;
		return rflags;
	}
	spin_lock(&console.lock);
	__atomic_store_n(&console.owner, me, __ATOMIC_RELAXED);
	console.depth = 1;
	return rflags;
}

static void console_unlock(u64 rflags)
{
	if (!--console.depth) {
		__atomic_store_n(&console.owner, 0, __ATOMIC_RELAXED);
		spin_unlock(&console.lock);
	}
	if (rflags & RFLAGS_IF)
		irq_enable();
}

static void sink(void *ctx __unused, char c)
{
	console_putc(c);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	u64 rflags;
	int n;

	rflags = console_lock();
	va_start(ap, fmt);
	n = fmt_v(sink, NULL, fmt, ap);
	va_end(ap);
	console_unlock(rflags);
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
