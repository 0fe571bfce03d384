/* Powering off: the end of every nestvisor run. */
#ifndef VMM_SHUTDOWN_H
#define VMM_SHUTDOWN_H

#include "../lib/types.h"

#define EXIT_SUCCESS_CODE 0
#define EXIT_FAILURE_CODE 1

/* Prints "nestvisor: power off (exit code N)", drains the UART, then tries
 * QEMU's isa-debug-exit port (QEMU exits with (code << 1) | 1), UEFI
 * ResetSystem (ACPI power-off), and Bochs' shutdown port, in that order. */
noreturn void power_off(int code);

#endif
