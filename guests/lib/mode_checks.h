/* Checks that the guests of every mode run alike (real16, prot32,
 * switch64's 64-bit part through basic64's checks): CPUID, the UART, the
 * guest's own exception handling and INT n. Their PASS lines are the same
 * in every mode and wherever the guest runs; what differs (vendor, leaf
 * counts, addresses) goes on INFO lines. */
#ifndef GUESTS_MODE_CHECKS_H
#define GUESTS_MODE_CHECKS_H

#include "trap.h"

/* CPUID leaf 0: a 12-character printable vendor; leaf 1: a family. */
void check_cpuid(void);

/* After a line of output, the UART's LSR shows a transmitter that is
 * there and idle. */
void check_serial(const char *guest);

/* ud2 reaches the guest's own #UD handler, which skips it. */
void check_ud(void);

/* DIV by zero raises #DE at the DIV (no error code: 0 in the frame). */
void check_de(void);

/* INT 0x30 enters that vector's handler, with the return address after
 * the INT, and comes back. */
void check_int_n(void);

/* Whether physical [start, end) (4-byte aligned) reads zero, in every
 * mode (real mode: through FS, 64 KiB at a time); *first gets the address
 * of the first non-zero dword. */
bool memory_is_zero(u64 start, u64 end, u64 *first);

#endif
