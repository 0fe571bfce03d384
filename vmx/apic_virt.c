#include "apic_virt.h"
#include "vmx_controls.h"

/* The allowed-1 half of a control capability MSR (A.3). */
static bool allowed1(u64 cap, u32 control)
{
	return (cap >> 32) & control;
}

unsigned apic_virt_choose(const struct vmx_caps *c)
{
	unsigned features = 0;

	if (!allowed1(c->procbased, CPU_USE_TPR_SHADOW))
		return 0;
	features |= NV_APIC_VIRT_CR8;
	if (!c->has_procbased2 || !allowed1(c->procbased2, CPU2_VIRTUALIZE_X2APIC))
		return features;
	features |= NV_APIC_VIRT_TPR_MSR;
	if (allowed1(c->procbased2, CPU2_APIC_REGISTER_VIRT))
		features |= NV_APIC_VIRT_REG_READS;
	return features;
}

u32 apic_virt_proc_controls(unsigned features)
{
	if (features & NV_APIC_VIRT_CR8)
		return CPU_USE_TPR_SHADOW;
	return CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING;
}

u32 apic_virt_proc2_controls(unsigned features)
{
	return (features & NV_APIC_VIRT_TPR_MSR ? CPU2_VIRTUALIZE_X2APIC : 0) |
	       (features & NV_APIC_VIRT_REG_READS ? CPU2_APIC_REGISTER_VIRT : 0);
}

const char *apic_virt_describe(unsigned features)
{
	if (features & NV_APIC_VIRT_REG_READS)
		return "TPR: CR8 and MSR 0x808 served by the CPU, as are register reads";
	if (features & NV_APIC_VIRT_TPR_MSR)
		return "TPR: CR8 and MSR 0x808 served by the CPU";
	if (features & NV_APIC_VIRT_CR8)
		return "TPR: CR8 served by the CPU, MSR 0x808 by exits";
	return "TPR: CR8 and MSR 0x808 served by exits";
}
