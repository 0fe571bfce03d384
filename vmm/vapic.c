/* A vCPU's TPR shadow and x2APIC virtualization (SDM Vol. 3C, chapter 30).
 *
 * The virtual x2APIC is emulated in software (vmm/vlapic.c) behind RDMSR/
 * WRMSR exits. Its TPR is the register guests touch most (kernels raise and
 * lower it around critical sections through CR8 or MSR 0x808), so where the
 * CPU can, it serves the TPR itself:
 *   - "use TPR shadow" with a virtual-APIC page per vCPU (4 KiB, zeroed):
 *     64-bit MOV to and from CR8 write and read VTPR, byte 80H of the page,
 *     without a VM exit (30.3);
 *   - "virtualize x2APIC mode": RDMSR/WRMSR of MSR 0x808 do the same (30.5)
 *     once the vCPU's MSR bitmap lets them through. Only 0x808's bits are
 *     cleared: without APIC-register virtualization, any other x2APIC MSR
 *     access that did not exit would reach the real x2APIC. While the
 *     virtual APIC is not in x2APIC mode, 0x808 exits again, so that the
 *     access faults as the architecture says.
 * One copy of the TPR: vlapic_share_tpr() makes VTPR the vlapic's TPR, so
 * the CPU and nestvisor read and write the same word and nothing is synced.
 * An interrupt the TPR holds back must come as soon as the guest lowers the
 * TPR, exit or not: before each entry the TPR threshold is set to its class
 * (vlapic_tpr_threshold()); lowering VTPR below it ends in a trap-like "TPR
 * below threshold" exit (reason 43, 30.1.2), after which the next entry
 * injects the interrupt.
 * Without "use TPR shadow", CR8-load and CR8-store exiting are set instead
 * and MOV CR8 exits to vmx/exit_msr_cr.c; without "virtualize x2APIC mode",
 * 0x808 keeps exiting (vmx/apic_virt.c chooses). The MSR bitmap is the
 * vCPU's own copy of its guest's: its bits must match this VMCS's controls,
 * and a guest's vCPUs may run on CPUs whose capabilities differ.
 */
#include "vapic.h"
#include "console.h"
#include "vcpu.h"
#include "../apic/apic_regs.h"
#include "../apic/lapic_decode.h"
#include "../lib/string.h"
#include "../mm/page_alloc.h"
#include "../vmx/apic_virt.h"
#include "../vmx/msr_bitmap.h"
#include "../vmx/vmcs_field.h"
#include "../vmx/vmx_ops.h"

bool vapic_prepare(struct vcpu *v, const struct vmx_caps *c)
{
	v->apic_virt = v->apic_virt_off ? 0 : apic_virt_choose(c);
	v->msr_bitmap = page_alloc(0, 0);
	if (v->apic_virt & NV_APIC_VIRT_CR8)
		v->virtual_apic = page_alloc(0, 0);	/* zeroed, as VTPR must start */
	if (!v->msr_bitmap || ((v->apic_virt & NV_APIC_VIRT_CR8) && !v->virtual_apic)) {
		pr_err("%s: out of memory for the vCPU's MSR bitmap or virtual-APIC page",
		       v->guest->name);
		return false;
	}
	memcpy(v->msr_bitmap, v->guest->msr_bitmap, PAGE_SIZE);
	if (v->virtual_apic)
		vlapic_share_tpr(&v->apic, (u32 *)(v->virtual_apic + APIC_TPR));
	vapic_apic_mode_changed(v);
	return true;
}

void vapic_before_entry(struct vcpu *v)
{
	if (v->apic_virt & NV_APIC_VIRT_CR8)
		vmcs_write(VMCS_TPR_THRESHOLD, vlapic_tpr_threshold(&v->apic));
}

void vapic_apic_mode_changed(struct vcpu *v)
{
	u32 msr = x2apic_msr(APIC_TPR);

	if (!(v->apic_virt & NV_APIC_VIRT_TPR_MSR))
		return;
	if (vlapic_x2apic_mode(&v->apic))
		msr_bitmap_allow(v->msr_bitmap, msr, MSR_BITMAP_READ | MSR_BITMAP_WRITE);
	else
		msr_bitmap_intercept(v->msr_bitmap, msr, MSR_BITMAP_READ | MSR_BITMAP_WRITE);
}

void vapic_release(struct vcpu *v)
{
	if (v->virtual_apic)
		page_free(v->virtual_apic);
	if (v->msr_bitmap)
		page_free(v->msr_bitmap);
	v->virtual_apic = NULL;
	v->msr_bitmap = NULL;
}
