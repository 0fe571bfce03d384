/* Leaving the guest: the exit port or the boot info's exit mailbox, and
 * panic() for lib/panic.h's ASSERT. */
#ifndef GUESTS_EXIT_H
#define GUESTS_EXIT_H

#include "guest_abi.h"
#include "../../lib/panic.h"

/* Remembers this vCPU's boot info (guest_boot() does), whose flags say how
 * the guest exits and whose exit_status may be the mailbox. */
void exit_set_boot_info(const struct guest_boot_info *bi);

/* Prints the exit code, then hands code (enum guest_exit_code) to the
 * loader and halts with interrupts off for good (the loader may not stop
 * us at once). Bare with GUEST_BOOT_EXIT_MAILBOX, the code goes to the
 * boot info's exit_status as GUEST_EXITED | code, after the UART has sent
 * the last line; otherwise to GUEST_EXIT_PORT. On vCPU 0 that ends the
 * guest; on another vCPU, only that vCPU (guest_abi.h). */
noreturn void guest_exit(int code);

/* The same without a word on the console, for when there is none. */
noreturn void guest_exit_silent(unsigned cpu, int code);

#endif
