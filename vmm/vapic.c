/* A vCPU's APIC virtualization: the TPR shadow, x2APIC mode and APIC-register
 * virtualization (SDM Vol. 3C, chapter 30).
 *
 * The virtual x2APIC is emulated in software (vmm/vlapic.c) behind RDMSR/
 * WRMSR exits. Its TPR is the register guests touch most (kernels raise and
 * lower it around critical sections through CR8 or MSR 0x808), so where the
 * CPU can, it serves the TPR itself, and reads of the other registers:
 *   - "use TPR shadow" with a virtual-APIC page per vCPU (4 KiB, zeroed):
 *     64-bit MOV to and from CR8 write and read VTPR, byte 80H of the page,
 *     without a VM exit (30.3);
 *   - "virtualize x2APIC mode": RDMSR/WRMSR of MSR 0x808 do the same (30.5)
 *     once the vCPU's MSR bitmap lets them through;
 *   - "APIC-register virtualization": RDMSR of the registers the vlapic
 *     holds as they are read (vlapic_msr_on_page(): ID, VERSION, LDR, SPIV,
 *     ISR, TMR, IRR, ESR, ICR, LVTs, timer initial count and divide) reads
 *     the page (30.5). PPR and TIMER_CUR are computed, so they still exit.
 * Only those MSR-bitmap bits are cleared: any other x2APIC access that did
 * not exit would reach the real x2APIC (30.5), and every write but the
 * TPR's still exits. While the virtual APIC is not in x2APIC mode they all
 * exit again, so that the accesses fault as the architecture says.
 * "Virtual-interrupt delivery" is not used: nestvisor injects interrupts.
 * One copy of the registers: vlapic_use_page() moves them onto the page, so
 * the CPU and nestvisor read (and for VTPR, write) the same words and
 * nothing is synced; IRR bits other vCPUs set land there too, seen by the
 * guest before the kick's exit delivers them, as an IRR bit is on hardware.
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
		v->virtual_apic = page_alloc(0, 0);	/* zeroed: the CPU reads 64 bits a register */
	if (!v->msr_bitmap || ((v->apic_virt & NV_APIC_VIRT_CR8) && !v->virtual_apic)) {
		pr_err("%s: out of memory for the vCPU's MSR bitmap or virtual-APIC page",
		       v->guest->name);
		return false;
	}
	memcpy(v->msr_bitmap, v->guest->msr_bitmap, PAGE_SIZE);
	if (v->virtual_apic)
		vlapic_use_page(&v->apic, (u32 *)v->virtual_apic);
	vapic_apic_mode_changed(v);
	return true;
}

void vapic_before_entry(struct vcpu *v)
{
	if (v->apic_virt & NV_APIC_VIRT_CR8)
		vmcs_write(VMCS_TPR_THRESHOLD, vlapic_tpr_threshold(&v->apic));
}

/* Which accesses of x2APIC MSR msr the CPU serves (MSR_BITMAP_*). */
static unsigned served_by_cpu(const struct vcpu *v, u32 msr)
{
	unsigned kinds = 0;

	if ((v->apic_virt & NV_APIC_VIRT_TPR_MSR) && msr == x2apic_msr(APIC_TPR))
		kinds |= MSR_BITMAP_READ | MSR_BITMAP_WRITE;
	if ((v->apic_virt & NV_APIC_VIRT_REG_READS) && vlapic_msr_on_page(msr))
		kinds |= MSR_BITMAP_READ;
	return kinds;
}

void vapic_apic_mode_changed(struct vcpu *v)
{
	bool x2apic = vlapic_x2apic_mode(&v->apic);

	for (u32 msr = VLAPIC_MSR_FIRST; msr <= VLAPIC_MSR_LAST; msr++) {
		unsigned kinds = served_by_cpu(v, msr);

		if (x2apic)
			msr_bitmap_allow(v->msr_bitmap, msr, kinds);
		else
			msr_bitmap_intercept(v->msr_bitmap, msr, kinds);
	}
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
