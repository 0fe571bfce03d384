/* Leaving the guest: the exit port, and panic() for lib/panic.h's ASSERT. */
#ifndef GUESTS_EXIT_H
#define GUESTS_EXIT_H

#include "guest_abi.h"
#include "../../lib/panic.h"

/* Writes code (enum guest_exit_code) to GUEST_EXIT_PORT, then halts with
 * interrupts off for good (the loader may not stop us at once). On vCPU 0
 * that ends the guest; on another vCPU, only that vCPU (guest_abi.h). */
noreturn void guest_exit(int code);

#endif
