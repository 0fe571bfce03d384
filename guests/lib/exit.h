/* Leaving the guest: the exit port (or, bare under nestvisor, the boot
 * info's exit mailbox), and panic() for lib/panic.h's ASSERT. */
#ifndef GUESTS_EXIT_H
#define GUESTS_EXIT_H

#include "guest_abi.h"
#include "../../lib/panic.h"

/* Writes code (enum guest_exit_code) to GUEST_EXIT_PORT, or GUEST_EXITED |
 * code to the exit mailbox if guest_exit_use_mailbox() named one, then
 * halts with interrupts off for good (the loader may not stop us at once).
 * On vCPU 0 that ends the guest; on another vCPU, only that vCPU
 * (guest_abi.h). */
noreturn void guest_exit(int code);

/* vCPU 0's boot info: if its flags have GUEST_BOOT_EXIT_MAILBOX (a bare run
 * under nestvisor, where port GUEST_EXIT_PORT may be a real device),
 * guest_exit() on vCPU 0 reports through its exit_status instead. */
void guest_exit_use_mailbox(const struct guest_boot_info *bi);

#endif
