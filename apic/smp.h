/* Finding the CPUs and starting an AP with INIT-SIPI-SIPI (SDM Vol. 3,
 * 9.4.4.1). Policy — which CPUs, their per-CPU state — is vmm/cpus.c's. */
#ifndef APIC_SMP_H
#define APIC_SMP_H

#include "madt.h"
#include "../boot/ap_boot.h"
#include "../boot/boot_info.h"

/* The CPUs to run on: from the ACPI MADT when there is one, else from what
 * UEFI MP Services reported before ExitBootServices (Bochs + OVMF publish no
 * ACPI tables: platform.md). Only enabled CPUs are listed. *source names the
 * origin for the log, *no_madt why the MADT was not used (NULL if it was).
 * Returns the count. */
unsigned smp_enumerate(const struct boot_info *bi, struct madt_cpu *out, unsigned cap,
		       const char **source, const char **no_madt);

enum ap_start_result {
	AP_ONLINE,	/* ran the trampoline and reported in */
	AP_SILENT,	/* never reached the trampoline's long-mode code */
	AP_STUCK,	/* reached it, but did not report in */
};

/* Copies the trampoline to page (below 1 MiB), fills its parameters, sends
 * INIT-SIPI-SIPI to apic_id, and waits up to timeout_us for *online to
 * become non-zero. One AP at a time: the parameters are shared. */
enum ap_start_result smp_start_ap(phys_addr_t page, u32 apic_id,
				  const struct ap_boot_params *params,
				  const volatile u32 *online, u64 timeout_us);

/* INIT, 10 ms, SIPI to the real-mode code at page (below 1 MiB), 200 us,
 * and a second SIPI unless *started shows the first arrived (SDM 9.4.4.1). */
void smp_init_sipi_sipi(u32 apic_id, phys_addr_t page, const volatile u32 *started);

#endif
