/* vmcs02: the VMCS the CPU runs L2 with, rebuilt on every nested entry from
 * nestvisor's policy and L1's vmcs12, one rule per field group (below, in
 * the order they are applied). The policy: nestvisor keeps what it needs
 * from any guest (external interrupts and NMIs, the preemption timer for
 * its watchdog and virtual timer, HLT and PAUSE, its EPT, a VPID of its
 * own, the host state); L1 adds the exits it asked for. L2 runs with
 * paging and without "unrestricted guest" (L1 is offered no EPT, and
 * unrestricted guest needs it: SDM 25.6.2), and without APIC
 * virtualization, so MOV CR8 exits and reaches L1's virtual APIC. */
#include "nested.h"
#include "nested_run.h"
#include "msr_bitmap_merge.h"
#include "vmcs.h"
#include "vmx_controls.h"
#include "vmx_ops.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../vmm/console.h"
#include "../vmm/percpu.h"
#include "../vmm/vcpu.h"

#define VPID_L2_BASE 0x8000	/* L2's VPIDs: CPU n's L1 uses n + 1 (vmm/vcpu.c) */
#define VMCS_LINK_NONE (~0ull)

/* What L2 inherits from L1 where vmcs12 does not load it (SDM 26.3.2.1):
 * read from vmcs01 before vmcs02 becomes current. */
struct l1_regs {
	u64 efer, pat, debugctl, dr7;
};

static u64 r12(const struct vcpu *v, u32 field)
{
	u64 value = 0;

	vmcs12_read(v->nested->current, field, &value);
	return value;
}

/* Adds the bits the CPU forces to want, whose bits are all allowed: L0's
 * are those vmcs01 runs with, L1's lie within the virtual capabilities. */
static bool fit(u32 field, u64 cap, u32 want, u32 optional)
{
	u32 value, missing;

	if (!vmx_adjust_controls(cap, want, optional, &value, &missing)) {
		pr_err("nested: vmcs02 control 0x%x: the CPU refuses bits 0x%x", field, missing);
		return false;
	}
	vmcs_write(field, value);
	return true;
}

/* Rule 1, the five control words (SDM 25.6.1-25.6.2, 25.7.1, 25.8.1):
 * nestvisor's exits OR L1's. I/O always exits (L1's I/O bitmaps are read
 * in software when the exit is decided), and MSR accesses through the
 * merged bitmap. vmcs02 takes nothing from vmcs01's APIC virtualization or
 * unrestricted guest. Exits save EFER, PAT and the debug controls so they
 * can go back into vmcs12. */
static bool rule_controls(const struct vcpu *v, const struct vmx_caps *c)
{
	u32 pin12 = (u32)r12(v, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	u32 proc12 = (u32)r12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL);
	u32 proc2_12 = proc12 & CPU_ACTIVATE_SECONDARY ? (u32)r12(v, VMCS_SECONDARY_VM_EXEC_CONTROL) : 0;
	u32 entry12 = (u32)r12(v, VMCS_VM_ENTRY_CONTROLS);

	/* Without NMI exiting in vmcs12, L1's NMIs go into L2 and L2's IRET
	 * must unblock them: virtual NMIs (26.3, IRET). With it, vmcs12's. */
	return fit(VMCS_PIN_BASED_VM_EXEC_CONTROL, c->has_true ? c->true_pinbased : c->pinbased,
		   pin12 | PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_PREEMPTION_TIMER,
		   pin12 & PIN_NMI_EXITING ? 0 : PIN_VIRTUAL_NMIS) &&
	       fit(VMCS_CPU_BASED_VM_EXEC_CONTROL, c->has_true ? c->true_procbased : c->procbased,
		   (proc12 & ~(u32)CPU_USE_IO_BITMAPS) | CPU_HLT_EXITING |
		   CPU_UNCONDITIONAL_IO_EXITING | CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY |
		   CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING, CPU_PAUSE_EXITING) &&
	       fit(VMCS_SECONDARY_VM_EXEC_CONTROL, c->procbased2,
		   (proc2_12 & ~(u32)CPU2_ENABLE_VPID) | CPU2_ENABLE_EPT |
		   (v->nested->vpid02 ? CPU2_ENABLE_VPID : 0), 0) &&
	       fit(VMCS_VM_EXIT_CONTROLS, c->has_true ? c->true_exit : c->exit,
		   EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER |
		   EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT, EXIT_SAVE_DEBUG_CONTROLS) &&
	       fit(VMCS_VM_ENTRY_CONTROLS, c->has_true ? c->true_entry : c->entry,
		   (entry12 & ENTRY_IA32E_MODE_GUEST) | ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT,
		   ENTRY_LOAD_DEBUG_CONTROLS);
}

/* Rule 2, exceptions (25.6.3): nestvisor intercepts none in its guests, so
 * vmcs02's bitmap and #PF error-code mask/match are L1's: the #PF rule
 * (bit 14 decides together with mask and match) carries over unchanged. */
static void rule_exceptions(const struct vcpu *v)
{
	vmcs_write(VMCS_EXCEPTION_BITMAP, r12(v, VMCS_EXCEPTION_BITMAP));
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, r12(v, VMCS_PAGE_FAULT_ERROR_CODE_MASK));
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, r12(v, VMCS_PAGE_FAULT_ERROR_CODE_MATCH));
}

/* Rule 3, CR0 and CR4 (25.6.6): the masks are unioned with the bits
 * nestvisor forces (CR0.NE, CR4.VMXE: vmcs01's masks); the read shadows
 * show L1's shadow where L1 owns a bit and L2's own value elsewhere; the
 * real registers are vmcs12's with the forced bits set. vmcs12's guest
 * CR0/CR4 already hold every fixed bit (the entry checks saw to it). */
static void rule_control_registers(const struct vcpu *v, const struct vmx_caps *c)
{
	static const struct {
		u32 guest, mask, shadow;
	} crs[] = {
		{ VMCS_GUEST_CR0, VMCS_CR0_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW },
		{ VMCS_GUEST_CR4, VMCS_CR4_GUEST_HOST_MASK, VMCS_CR4_READ_SHADOW },
	};
	const u64 forced[] = { c->cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG), c->cr4_fixed0 };
	const u64 fixed1[] = { c->cr0_fixed1, c->cr4_fixed1 };

	for (unsigned i = 0; i < ARRAY_SIZE(crs); i++) {
		u64 real = r12(v, crs[i].guest), mask = r12(v, crs[i].mask);

		vmcs_write(crs[i].guest, (real | forced[i]) & fixed1[i]);
		vmcs_write(crs[i].mask, mask | forced[i]);
		vmcs_write(crs[i].shadow, (r12(v, crs[i].shadow) & mask) | (real & ~mask));
	}
}

/* Rule 4, CR3 targets (25.6.7): nestvisor never exits on MOV to CR3, so
 * L1's targets and count decide alone. */
static void rule_cr3_targets(const struct vcpu *v)
{
	static const u32 targets[] = {
		VMCS_CR3_TARGET_VALUE0, VMCS_CR3_TARGET_VALUE1,
		VMCS_CR3_TARGET_VALUE2, VMCS_CR3_TARGET_VALUE3,
	};

	vmcs_write(VMCS_CR3_TARGET_COUNT, r12(v, VMCS_CR3_TARGET_COUNT));
	for (unsigned i = 0; i < ARRAY_SIZE(targets); i++)
		vmcs_write(targets[i], r12(v, targets[i]));
}

/* Rule 5, the TSC offset (25.6.5): nestvisor offsets no guest's TSC, so
 * L2's offset is L1's when L1 uses TSC offsetting (0 + vmcs12's). */
static void rule_tsc(const struct vcpu *v)
{
	bool offsetting = r12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL) & CPU_TSC_OFFSETTING;

	vmcs_write(VMCS_TSC_OFFSET, offsetting ? r12(v, VMCS_TSC_OFFSET) : 0);
}

/* Rule 6, the MSR bitmap (25.6.9; issue 6 item 3): merged again on every
 * entry, since L1 may have edited its page; L1's page itself is never
 * given to the CPU. The entry checks made sure it lies in L1's memory. */
static void rule_msr_bitmap(struct vcpu *v)
{
	struct nested *n = v->nested;
	bool bitmap12 = r12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL) & CPU_USE_MSR_BITMAPS;
	struct msr_merge_inputs in = {
		.l0 = v->msr_bitmap,
		.l1 = bitmap12 ? guest_ptr(v->guest, r12(v, VMCS_MSR_BITMAP), PAGE_SIZE) : NULL,
		.x2apic_virtualized = false,
	};

	msr_bitmap_merge(n->msr_bitmap02, &in);
	vmcs_write(VMCS_MSR_BITMAP, ptr_to_phys(n->msr_bitmap02));
}

/* Rule 7, address translation (25.6.11-25.6.12): L2's guest-physical
 * addresses are L1's, so vmcs02 uses L1's EPT; L2 has a VPID of its own.
 * When L1 gives L2 no VPID, or changes it, L2's translations are flushed:
 * L1 expects a new address space on each entry then (SDM 29.4.3.3). */
static void rule_translation(struct vcpu *v)
{
	struct nested *n = v->nested;
	bool vpid12_on = (r12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL) & CPU_ACTIVATE_SECONDARY) &&
			 (r12(v, VMCS_SECONDARY_VM_EXEC_CONTROL) & CPU2_ENABLE_VPID);
	u64 vpid12 = vpid12_on ? r12(v, VMCS_VIRTUAL_PROCESSOR_ID) : 0;

	vmcs_write(VMCS_EPT_POINTER, ept_pointer(&v->guest->ept));
	if (!n->vpid02)
		return;
	vmcs_write(VMCS_VIRTUAL_PROCESSOR_ID, n->vpid02);
	if (!vpid12 || vpid12 != n->vpid12_last)
		nested_flush_vpid(n->vpid02);
	n->vpid12_last = vpid12;
}

/* Rule 8, event injection (25.8.3): L1's, carried into vmcs02 as it is;
 * nestvisor injects nothing of its own into this first entry. */
static void rule_event_injection(const struct vcpu *v)
{
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, r12(v, VMCS_VM_ENTRY_INTR_INFO_FIELD));
	vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, r12(v, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE));
	vmcs_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, r12(v, VMCS_VM_ENTRY_INSTRUCTION_LEN));
}

/* Rule 9, the MSR lists (25.7.2, 25.8.2): none in vmcs02. nestvisor
 * processes vmcs12's in software (vmx/nested_msr.c). */
static void rule_msr_lists(void)
{
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
}

/* Guest-state fields with a rule of their own (rule 11); every other
 * guest-state field is vmcs12's (rule 10). */
static const u32 guest_by_rule[] = {
	VMCS_GUEST_CR0, VMCS_GUEST_CR4, VMCS_GUEST_IA32_EFER, VMCS_GUEST_IA32_PAT,
	VMCS_GUEST_IA32_DEBUGCTL, VMCS_GUEST_DR7, VMCS_VMCS_LINK_POINTER,
	VMCS_VMX_PREEMPTION_TIMER_VALUE, VMCS_GUEST_PDPTR0, VMCS_GUEST_PDPTR1,
	VMCS_GUEST_PDPTR2, VMCS_GUEST_PDPTR3,
};

bool nested_guest_field_by_rule(u32 field)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guest_by_rule); i++)
		if (guest_by_rule[i] == field)
			return true;
	return false;
}

/* Rule 10, guest state (25.4): vmcs12's, field by field, for every field
 * the CPU has. */
static void rule_guest_state(const struct vcpu *v)
{
	const struct vmcs_field_info *f;

	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (vmcs_field_type(f->encoding) == VMCS_TYPE_GUEST &&
		    nested_field_ok(v->nested, i) && !nested_guest_field_by_rule(f->encoding))
			vmcs_write(f->encoding, vmcs12_row(v->nested->current, i));
}

/* Rule 11, guest state that vmcs12 loads only if its VM-entry controls say
 * so (26.3.2.1), else L2 keeps L1's: EFER (LMA and LME then follow "IA-32e
 * mode guest"), PAT, DEBUGCTL and DR7; no VMCS link (L1 has no shadowing);
 * and the PDPTEs, which with EPT the CPU takes from vmcs02 (26.3.2.4), as
 * L1's CPU would have read them from memory at CR3. */
static void rule_guest_inherited(const struct vcpu *v, const struct l1_regs *l1)
{
	u64 entry12 = r12(v, VMCS_VM_ENTRY_CONTROLS);
	bool ia32e = entry12 & ENTRY_IA32E_MODE_GUEST;
	u64 efer = (l1->efer & ~(u64)(EFER_LMA | EFER_LME)) | (ia32e ? EFER_LMA | EFER_LME : 0);
	u64 cr0 = r12(v, VMCS_GUEST_CR0), cr4 = r12(v, VMCS_GUEST_CR4);
	bool debug12 = entry12 & ENTRY_LOAD_DEBUG_CONTROLS;

	vmcs_write(VMCS_GUEST_IA32_EFER, entry12 & ENTRY_LOAD_IA32_EFER ?
					 r12(v, VMCS_GUEST_IA32_EFER) : efer);
	vmcs_write(VMCS_GUEST_IA32_PAT, entry12 & ENTRY_LOAD_IA32_PAT ?
					r12(v, VMCS_GUEST_IA32_PAT) : l1->pat);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, debug12 ? r12(v, VMCS_GUEST_IA32_DEBUGCTL) : l1->debugctl);
	vmcs_write(VMCS_GUEST_DR7, debug12 ? r12(v, VMCS_GUEST_DR7) : l1->dr7);
	vmcs_write(VMCS_VMCS_LINK_POINTER, VMCS_LINK_NONE);
	if ((cr0 & CR0_PG) && (cr4 & CR4_PAE) && !ia32e)
		nested_load_pdptes(v, r12(v, VMCS_GUEST_CR3));
}

void nested_load_pdptes(const struct vcpu *v, u64 cr3)
{
	const u64 *pdpte = guest_ptr(v->guest, cr3 & PAE_CR3_MASK, PAE_PDPTE_COUNT * sizeof(u64));

	for (unsigned i = 0; i < PAE_PDPTE_COUNT; i++)
		vmcs_write(VMCS_GUEST_PDPTR0 + 2 * i, pdpte ? pdpte[i] : 0);
}

static bool build(struct vcpu *v, const struct l1_regs *l1)
{
	struct percpu *cpu = this_cpu();
	const struct vmx_caps *c = &cpu->vmx.caps;

	if (!rule_controls(v, c))
		return false;
	rule_exceptions(v);
	rule_control_registers(v, c);
	rule_cr3_targets(v);
	rule_tsc(v);
	rule_msr_bitmap(v);
	rule_translation(v);
	rule_event_injection(v);
	rule_msr_lists();
	vmcs_setup_host(&cpu->desc);
	rule_guest_state(v);
	rule_guest_inherited(v, l1);
	return true;
}

/* The first nested entry of a vCPU makes its vmcs02 and merge page. */
static bool allocate(struct vcpu *v)
{
	struct nested *n = v->nested;
	const struct vmx_caps *c = &this_cpu()->vmx.caps;

	if (!n->msr_bitmap02)
		n->msr_bitmap02 = page_alloc(0, 0);
	if (!n->vmcs02)
		n->vmcs02 = vmcs_create(c);	/* VMCLEARs it and makes it current */
	else if (__vmptrld(n->vmcs02) != VMX_SUCCEED)
		return false;
	n->vpid02 = c->has_procbased2 && ((c->procbased2 >> 32) & CPU2_ENABLE_VPID) ?
		    (u16)(VPID_L2_BASE + this_cpu()->cpu_id + 1) : 0;
	return n->vmcs02 && n->msr_bitmap02;
}

bool nested_vmcs02_enter(struct vcpu *v)
{
	struct nested *n = v->nested;
	struct l1_regs l1 = {
		.efer = vmcs_read(VMCS_GUEST_IA32_EFER), .pat = vmcs_read(VMCS_GUEST_IA32_PAT),
		.debugctl = vmcs_read(VMCS_GUEST_IA32_DEBUGCTL), .dr7 = vmcs_read(VMCS_GUEST_DR7),
	};

	if (!allocate(v) || !build(v, &l1)) {
		nested_leave_l2(v);
		vcpu_stop(v, "nested entry: vmcs02 could not be made (out of memory, or see above)");
		return false;
	}
	n->in_l2 = true;
	n->run_pending = true;
	n->switched = true;
	return true;
}

void nested_leave_l2(struct vcpu *v)
{
	struct nested *n = v->nested;

	n->in_l2 = false;
	n->run_pending = false;
	n->switched = true;
	if (__vmptrld(v->vmcs) != VMX_SUCCEED)
		vcpu_stop(v, "VMPTRLD of L1's VMCS failed");
}

void nested_flush_vpid(u16 vpid)
{
	const struct vmx_caps *c = &this_cpu()->vmx.caps;

	/* Single-context where the CPU has it (A.10), else all contexts. */
	if (!vpid || !(c->ept_vpid & VMX_VPID_CAP_INVVPID))
		return;
	if (c->ept_vpid & VMX_VPID_CAP_INVVPID_SINGLE)
		__invvpid(VMX_INVVPID_SINGLE_CONTEXT, vpid, 0);
	else if (c->ept_vpid & VMX_VPID_CAP_INVVPID_ALL)
		__invvpid(VMX_INVVPID_ALL_CONTEXT, 0, 0);
}
