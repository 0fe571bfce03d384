/* The 8254 PIT, channel 2: a fixed-frequency reference for calibration. */
#ifndef APIC_PIT_H
#define APIC_PIT_H

#include "../lib/types.h"

#define PIT_HZ 1193182u
#define PIT_MAX_WAIT_US 50000u	/* the 16-bit counter lasts 54.9 ms */

/* Busy-waits us microseconds (at most PIT_MAX_WAIT_US) on channel 2. */
void pit_wait_us(u32 us);

/* Masks both 8259 PICs: nestvisor takes interrupts through the LAPIC only. */
void pic_disable(void);

#endif
