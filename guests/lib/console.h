/* The guest console: the 16550 at GUEST_SERIAL_PORT, output only. */
#ifndef GUESTS_CONSOLE_H
#define GUESTS_CONSOLE_H

#include "../../lib/types.h"

/* Sends report() lines to the console; call before the first report(). */
void console_init(void);

/* Writes c once the transmitter is free; '\n' becomes "\r\n". */
void console_putc(char c);

/* Waits (bounded) until the UART has sent every byte written so far. */
void console_drain(void);

/* lib/fmt.c formatting to the console; returns the characters written.
 * Each call is written whole: the vCPUs take turns (a report() line is one
 * call). */
int printf(const char *fmt, ...) __printf(1, 2);

#endif
