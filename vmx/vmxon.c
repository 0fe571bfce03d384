#include "vmxon.h"
#include "vmx_ops.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../vmm/console.h"

const char *vmx_result_name(enum vmx_result r)
{
	switch (r) {
	case VMX_SUCCEED: return "VMsucceed";
	case VMX_FAIL_INVALID: return "VMfailInvalid";
	case VMX_FAIL_VALID: return "VMfailValid";
	}
	return "?";
}

/* IA32_FEATURE_CONTROL: OVMF on Bochs leaves it 0 (unlocked); a locked MSR
 * is the firmware's final word (SDM 24.7). Returns false if VMXON would #GP. */
static bool feature_control_allow(u64 fc)
{
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		return true;
	}
	return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
}

/* CR0 and CR4 in VMX operation: bits set in FIXED0 must be 1, bits clear in
 * FIXED1 must be 0 (SDM Appendix A.7, A.8). */
static u64 apply_fixed(u64 v, u64 fixed0, u64 fixed1)
{
	return (v | fixed0) & fixed1;
}

bool vmx_root_enter(struct vmx_root *root, const struct vmx_cpu_info *info)
{
	const struct vmx_caps *c = &info->caps;
	enum vmx_result r;
	u32 *region;

	if (!info->available)
		return false;	/* vmx_print() has said why */
	if (!feature_control_allow(rdmsr(MSR_IA32_FEATURE_CONTROL))) {
		pr_err("vmx: IA32_FEATURE_CONTROL is locked with VMX outside SMX disabled");
		return false;
	}
	write_cr0(apply_fixed(read_cr0(), c->cr0_fixed0, c->cr0_fixed1));
	write_cr4(apply_fixed(read_cr4() | CR4_VMXE, c->cr4_fixed0, c->cr4_fixed1));

	/* The VMXON region: VMCS-sized, 4 KiB aligned, revision id first. */
	region = page_alloc_or_panic(0, 0, "a VMXON region");
	region[0] = vmx_basic_revision(c->basic);
	root->vmxon_region = ptr_to_phys(region);
	r = __vmxon(root->vmxon_region);
	if (r != VMX_SUCCEED) {
		pr_err("vmx: VMXON failed: %s", vmx_result_name(r));
		page_free(region);
		write_cr4(read_cr4() & ~CR4_VMXE);
		return false;
	}
	root->on = true;
	pr_info("vmx: in VMX root operation (VMXON region 0x%lx, IA32_FEATURE_CONTROL 0x%lx)",
		root->vmxon_region, rdmsr(MSR_IA32_FEATURE_CONTROL));
	return true;
}

void vmx_root_leave(struct vmx_root *root)
{
	if (!root->on)
		return;
	__vmxoff();
	write_cr4(read_cr4() & ~CR4_VMXE);
	page_free(phys_to_ptr(root->vmxon_region));
	root->on = false;
}
