#include "cpus.h"
#include "console.h"
#include "../apic/lapic.h"
#include "../apic/smp.h"
#include "../lib/msr.h"
#include "../lib/report.h"
#include "../lib/x86.h"
#include "../mm/paging.h"

#define CR4_PCIDE BIT(17)	/* cannot be set outside IA-32e mode */
#define CR4_LA57 BIT(12)	/* the host tables are 4-level */

unsigned cpus_start_aps(const struct boot_info *bi, unsigned max_cpus, ap_main_t ap_main)
{
	static struct madt_cpu found[MAX_CPUS];
	const char *source, *no_madt;
	unsigned n = smp_enumerate(bi, found, MAX_CPUS, &source, &no_madt);
	unsigned want = MIN(MAX(n, 1u), max_cpus), online = 1;
	u32 bsp_id = lapic_id();

	if (no_madt)
		pr_info("smp: no usable MADT (%s)", no_madt);
	pr_info("smp: %u CPU%s from %s; using up to %u", n, n == 1 ? "" : "s", source, want);
	for (unsigned i = 0; i < n && online < want; i++) {
		struct percpu *cpu;
		struct ap_boot_params params;
		enum ap_start_result r;

		if (found[i].apic_id == bsp_id)
			continue;
		cpu = percpu_alloc(found[i].apic_id);
		params = (struct ap_boot_params){
			.cr3 = paging_root(),
			.cr4 = (read_cr4() | CR4_PAE) & ~(CR4_PCIDE | CR4_LA57),
			.efer = EFER_LME | EFER_NXE,
			.entry = (u64)(uintptr_t)ap_main,
			.stack_top = cpu->stacks[STACK_MAIN].top,
			.percpu = ptr_to_phys(cpu),
		};
		cpu->state = CPU_STARTING;
		r = smp_start_ap(bi->ap_trampoline, cpu->apic_id, &params,
				 &cpu->reported_in,
				 AP_START_TIMEOUT_MS * 1000ull);
		if (r == AP_ONLINE) {
			online++;
			continue;
		}
		report(false, "smp: cpu%u (APIC ID %u) did not start within %u ms: %s",
		       cpu->cpu_id, cpu->apic_id, AP_START_TIMEOUT_MS,
		       r == AP_SILENT ? "it never reached long mode"
				      : "it reached long mode but never reported in");
		cpu->state = CPU_ABSENT;
	}
	pr_info("smp: %u of %u CPUs online (%s mode)", online, want, lapic_mode_name());
	return online;
}
