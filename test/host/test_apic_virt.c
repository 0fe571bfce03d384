/* vmx/apic_virt.c: the APIC-virtualization features chosen from the
 * capability MSRs, and the controls that carry them out: every choice must
 * fit the caps it came from (vmx_adjust_controls), and a missing control
 * must fall back to exits, never leave MOV CR8 to reach the real TPR, and
 * register virtualization (x2APIC: 30.5) comes only with x2APIC
 * virtualization; virtual-interrupt delivery is never used. */
#include "harness.h"
#include "../../vmx/apic_virt.h"
#include "../../vmx/vmx_controls.h"

/* Bochs tigerlake's primary and secondary processor-based controls. */
#define TIGERLAKE_PROC 0xfff9fffe0401e172ull
#define TIGERLAKE_TRUE_PROC 0xfff9fffe04006172ull
#define TIGERLAKE_PROC2 0x02977fff00000000ull

static struct vmx_caps caps(u64 proc_allowed_off, u64 proc2_allowed_off, bool proc2)
{
	return (struct vmx_caps){
		.procbased = TIGERLAKE_PROC & ~(proc_allowed_off << 32),
		.true_procbased = TIGERLAKE_TRUE_PROC & ~(proc_allowed_off << 32),
		.procbased2 = proc2 ? TIGERLAKE_PROC2 & ~(proc2_allowed_off << 32) : 0,
		.has_true = true,
		.has_procbased2 = proc2,
	};
}

static const struct {
	const char *what;
	u64 proc_off, proc2_off;
	bool proc2;
	unsigned want;
} cases[] = {
	{ "Bochs tigerlake: TPR shadow, virtualize x2APIC mode, APIC-register virtualization", 0, 0,
	  true, NV_APIC_VIRT_CR8 | NV_APIC_VIRT_TPR_MSR | NV_APIC_VIRT_REG_READS },
	{ "Bochs corei3_cnl-like, no APIC-register virtualization: the TPR only", 0,
	  CPU2_APIC_REGISTER_VIRT | CPU2_VIRTUAL_INTR_DELIVERY, true,
	  NV_APIC_VIRT_CR8 | NV_APIC_VIRT_TPR_MSR },
	{ "no \"virtualize x2APIC mode\": CR8 only, though register virtualization is offered", 0,
	  CPU2_VIRTUALIZE_X2APIC, true, NV_APIC_VIRT_CR8 },
	{ "no secondary controls: CR8 only", 0, 0, false, NV_APIC_VIRT_CR8 },
	{ "no \"use TPR shadow\": nothing, though x2APIC virtualization is offered",
	  CPU_USE_TPR_SHADOW, 0, true, 0 },
};

void run_tests(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vmx_caps c = caps(cases[i].proc_off, cases[i].proc2_off, cases[i].proc2);
		unsigned f = apic_virt_choose(&c);
		u32 proc = apic_virt_proc_controls(f), proc2 = apic_virt_proc2_controls(f);
		u32 out, missing_proc, missing_proc2 = 0;
		bool fits = vmx_adjust_controls(c.true_procbased, proc, 0, &out, &missing_proc) &&
			    (!proc2 || vmx_adjust_controls(c.procbased2, proc2, 0, &out, &missing_proc2));
		bool shadow = proc & CPU_USE_TPR_SHADOW;
		bool cr8_exits = (proc & (CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING)) ==
				 (CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING);

		report(f == cases[i].want && fits && shadow != cr8_exits &&
		       (!(proc2 & CPU2_VIRTUALIZE_X2APIC) || shadow) &&
		       (!(proc2 & CPU2_APIC_REGISTER_VIRT) || (proc2 & CPU2_VIRTUALIZE_X2APIC)) &&
		       !(proc2 & CPU2_VIRTUAL_INTR_DELIVERY),
		       "%s (features 0x%x, primary 0x%x, secondary 0x%x): %s", cases[i].what, f,
		       proc, proc2, apic_virt_describe(f));
	}
}
