#include "smp.h"
#include "lapic.h"
#include "../lib/panic.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/param.h"

unsigned smp_enumerate(const struct boot_info *bi, struct madt_cpu *out, unsigned cap,
		       const char **source, const char **no_madt)
{
	unsigned n = 0;
	const char *why = "no RSDP";
	int found = bi->rsdp ? madt_find_cpus(bi->rsdp, out, cap, NULL, &why) : -1;

	if (found >= 0) {
		/* Keep the enabled ones; online-capable CPUs were not started
		 * by the firmware and may not exist. */
		for (int i = 0; i < found; i++)
			if (out[i].enabled)
				out[n++] = out[i];
		*source = "ACPI MADT";
		*no_madt = NULL;
		return n;
	}
	for (unsigned i = 0; i < bi->nr_mp_cpus && n < cap; i++) {
		if (!bi->mp_cpus[i].enabled)
			continue;
		out[n].apic_id = bi->mp_cpus[i].apic_id;
		out[n++].enabled = true;
	}
	*source = n ? "UEFI MP Services" : "nothing: assuming one CPU";
	*no_madt = why;
	return n;
}

static bool wait_for(const volatile u32 *flag, u64 timeout_us)
{
	u64 end = rdtsc() + tsc_hz() * timeout_us / 1000000;

	while (!*flag) {
		if ((s64)(rdtsc() - end) > 0)
			return false;
		cpu_relax();
	}
	return true;
}

void smp_init_sipi_sipi(u32 apic_id, phys_addr_t page, const volatile u32 *started)
{
	/* The second SIPI is for a first one that was lost. */
	lapic_send_init(apic_id);
	udelay(AP_INIT_DELAY_US);
	lapic_send_sipi(apic_id, page);
	udelay(AP_SIPI_DELAY_US);
	if (!*started)
		lapic_send_sipi(apic_id, page);
}

enum ap_start_result smp_start_ap(phys_addr_t page, u32 apic_id,
				  const struct ap_boot_params *params,
				  const volatile u32 *online, u64 timeout_us)
{
	size_t size = ap_trampoline_end - ap_trampoline_start;
	struct ap_boot_params *p = phys_to_ptr(page + AP_PARAMS_OFFSET);

	ASSERT(size == AP_PARAMS_OFFSET + sizeof(*p) && page < MiB(1));
	memcpy(phys_to_ptr(page), ap_trampoline_start, size);
	*p = *params;
	p->started = 0;
	barrier();

	smp_init_sipi_sipi(apic_id, page, &p->started);
	if (wait_for(online, timeout_us))
		return AP_ONLINE;
	return p->started ? AP_STUCK : AP_SILENT;
}
