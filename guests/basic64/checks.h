/* basic64's checks, which switch64 runs too once it is in long mode. */
#ifndef GUESTS_BASIC64_CHECKS_H
#define GUESTS_BASIC64_CHECKS_H

#include "../lib/guest_abi.h"

/* The boot info, CPUID (leaves 0, 1, 0x80000001 LM), physical
 * [zero_start, zero_end) zero, the guest's own #UD handler,
 * guest_expect_fault() with no fault and with #GP(0), #PF on an unmapped
 * page and the write after remapping, the UART. guest names the lines. */
void basic64_checks(const struct guest_boot_info *bi, const char *guest, u64 zero_start,
		    u64 zero_end);

#endif
