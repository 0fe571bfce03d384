#include "vmx_detect.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../vmm/console.h"

/* SDM Vol. 3C, 24.6 "Discovering Support for VMX": CPUID.1:ECX.VMX[bit 5]. */
#define CPUID_LEAF_FEATURES 1
#define CPUID_1_ECX_VMX BIT(5)

static u64 read_msr(u32 msr)
{
	return rdmsr(msr);
}

void vmx_detect(struct vmx_cpu_info *info)
{
	u64 fc;

	*info = (struct vmx_cpu_info){ 0 };
	/* Without the CPUID bit every VMX MSR may #GP: read nothing else. */
	if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_VMX)) {
		info->why_not = "CPUID.1:ECX.VMX[bit 5] = 0";
		return;
	}
	/* IA32_FEATURE_CONTROL exists whenever VMX does (SDM Vol. 4, Table 2-2). */
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	info->feature_control = fc;
	vmx_caps_read(&info->caps, read_msr);

	/* SDM Vol. 3C, 24.7: VMXON outside SMX faults unless the lock bit and
	 * "VMX outside SMX" are both set, and a locked MSR stays as it is until
	 * reset. Unlocked is fine: nestvisor sets both bits itself. nestvisor
	 * never enters SMX, so "VMX inside SMX" does not matter. */
	if ((fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		info->why_not = "IA32_FEATURE_CONTROL locked with VMX outside SMX disabled";
		return;
	}
	info->available = true;
}

static void print_feature_control(u64 fc)
{
	if (!(fc & FEATURE_CONTROL_LOCK))
		pr_info("vmx: IA32_FEATURE_CONTROL 0x%lx: unlocked "
			"(nestvisor will lock it with VMX outside SMX enabled)", fc);
	else if (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)
		pr_info("vmx: IA32_FEATURE_CONTROL 0x%lx: locked, VMX outside SMX enabled", fc);
	else
		pr_warn("vmx: IA32_FEATURE_CONTROL 0x%lx: locked with VMX outside SMX "
			"disabled: VMX unusable (enable VT-x in the firmware setup)", fc);
}

static void print_line(void *ctx __unused, const char *text)
{
	pr_info("vmx: %s", text);
}

/* Every MSR value in struct vmx_caps, for the comparison with cpu0. */
static const struct {
	const char *name;
	size_t off;
} caps_msrs[] = {
#define CAPS_MSR(f, name) { name, offsetof(struct vmx_caps, f) }
	CAPS_MSR(basic, "IA32_VMX_BASIC"),
	CAPS_MSR(pinbased, "IA32_VMX_PINBASED_CTLS"),
	CAPS_MSR(procbased, "IA32_VMX_PROCBASED_CTLS"),
	CAPS_MSR(exit, "IA32_VMX_EXIT_CTLS"),
	CAPS_MSR(entry, "IA32_VMX_ENTRY_CTLS"),
	CAPS_MSR(misc, "IA32_VMX_MISC"),
	CAPS_MSR(cr0_fixed0, "IA32_VMX_CR0_FIXED0"),
	CAPS_MSR(cr0_fixed1, "IA32_VMX_CR0_FIXED1"),
	CAPS_MSR(cr4_fixed0, "IA32_VMX_CR4_FIXED0"),
	CAPS_MSR(cr4_fixed1, "IA32_VMX_CR4_FIXED1"),
	CAPS_MSR(vmcs_enum, "IA32_VMX_VMCS_ENUM"),
	CAPS_MSR(true_pinbased, "IA32_VMX_TRUE_PINBASED_CTLS"),
	CAPS_MSR(true_procbased, "IA32_VMX_TRUE_PROCBASED_CTLS"),
	CAPS_MSR(true_exit, "IA32_VMX_TRUE_EXIT_CTLS"),
	CAPS_MSR(true_entry, "IA32_VMX_TRUE_ENTRY_CTLS"),
	CAPS_MSR(procbased2, "IA32_VMX_PROCBASED_CTLS2"),
	CAPS_MSR(ept_vpid, "IA32_VMX_EPT_VPID_CAP"),
	CAPS_MSR(vmfunc, "IA32_VMX_VMFUNC"),
#undef CAPS_MSR
};

/* A new MSR field in struct vmx_caps must be added to the list above. */
_Static_assert(ARRAY_SIZE(caps_msrs) * sizeof(u64) == offsetof(struct vmx_caps, has_true),
	       "caps_msrs[] must list every MSR of struct vmx_caps");

static u64 caps_msr(const struct vmx_caps *c, size_t off)
{
	return *(const u64 *)((const char *)c + off);
}

/* Different capabilities across CPUs would make a VMCS built for one CPU
 * invalid on another, so every difference is shown. */
static void print_differences(const struct vmx_caps *c, const struct vmx_caps *bsp)
{
	bool same = true;

	for (size_t i = 0; i < ARRAY_SIZE(caps_msrs); i++) {
		u64 mine = caps_msr(c, caps_msrs[i].off);
		u64 theirs = caps_msr(bsp, caps_msrs[i].off);

		if (mine == theirs)
			continue;
		pr_warn("vmx: %s 0x%016lx differs from cpu0's 0x%016lx",
			caps_msrs[i].name, mine, theirs);
		same = false;
	}
	if (same)
		pr_info("vmx: capabilities identical to cpu0");
}

void vmx_print(const struct vmx_cpu_info *info, const struct vmx_cpu_info *bsp)
{
	/* IA32_VMX_BASIC is never 0 once read (the VMCS size is not 0). */
	if (!info->caps.basic) {
		pr_warn("vmx: VMX not available: %s", info->why_not);
		return;
	}
	print_feature_control(info->feature_control);
	if (!bsp || !bsp->caps.basic)
		vmx_caps_describe(&info->caps, print_line, NULL);
	else
		print_differences(&info->caps, &bsp->caps);
}
