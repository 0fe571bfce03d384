/* nestvisor's own console UART: the 16550 at COM1 (0x3f8), 115200 8N1. */
#ifndef VMM_SERIAL_H
#define VMM_SERIAL_H

#include "../lib/types.h"

void serial_init(void);
void serial_putc(char c);
/* Waits until the transmitter is empty (LSR.TEMT): call before power-off,
 * or the last line is lost (platform.md). */
void serial_drain(void);

#endif
