/* Bringing every CPU nestvisor may use online. */
#ifndef VMM_CPUS_H
#define VMM_CPUS_H

#include "percpu.h"
#include "../boot/boot_info.h"

/* What an AP runs once in long mode on its own stack (vmm/main.c). */
typedef void (*ap_main_t)(struct percpu *cpu);	/* must not return */

/* Enumerates the CPUs and starts every AP, up to max_cpus in all, one after
 * another, each with ap_main; an AP that does not report in within
 * AP_START_TIMEOUT_MS is reported and skipped. Prints
 * "smp: N of M CPUs online". Returns the number online (the BSP included). */
unsigned cpus_start_aps(const struct boot_info *bi, unsigned max_cpus, ap_main_t ap_main);

#endif
