#include "serial.h"
#include "../lib/x86.h"

#define COM1 0x3f8
#define UART_THR 0	/* transmit holding register (DLAB = 0) */
#define UART_DLL 0	/* divisor latch low (DLAB = 1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define   LCR_8N1 0x03
#define   LCR_DLAB 0x80
#define UART_MCR 4
#define   MCR_DTR_RTS 0x03
#define UART_LSR 5
#define   LSR_THRE 0x20	/* holding register empty: may write a byte */
#define   LSR_TEMT 0x40	/* transmitter empty: everything is on the wire */

#define UART_CLOCK 115200
#define UART_BAUD 115200
/* Bounds the wait for a UART that is absent (reads 0xff) or stuck. */
#define UART_SPIN_LIMIT 1000000

void serial_init(void)
{
	u16 div = UART_CLOCK / UART_BAUD;

	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, div & 0xff);
	outb(COM1 + UART_DLM, div >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0x07); /* enable and clear the FIFOs */
	outb(COM1 + UART_MCR, MCR_DTR_RTS);
}

static void wait_lsr(u8 bit)
{
	for (unsigned i = 0; i < UART_SPIN_LIMIT; i++)
		if (inb(COM1 + UART_LSR) & bit)
			return;
}

void serial_putc(char c)
{
	wait_lsr(LSR_THRE);
	outb(COM1 + UART_THR, (u8)c);
}

void serial_drain(void)
{
	wait_lsr(LSR_TEMT);
}
