/* L2's exits (vmx/nested_run.h): whose each is (vmx/nested_exit_owner.h),
 * and the VM exit to L1 for those that are L1's, in the SDM's order (Vol.
 * 3C ch. 28): record the exit information (28.2), save L2's state into
 * vmcs12 (28.3) and the MSR-store list (28.4), load L1's host state (28.5)
 * and the VM-exit MSR-load list (28.6, nested_exit.c); a failure of either
 * list is a VMX abort (28.7). */
#include "nested.h"
#include "nested_exit_owner.h"
#include "nested_msr.h"
#include "nested_run.h"
#include "nested_entry.h"
#include "exit.h"
#include "intr_info.h"
#include "vmx_controls.h"
#include "vmx_ops.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/vcpu.h"

#define NMI_VECTOR 2

static u64 r12(const struct vcpu *v, u32 field)
{
	u64 value = 0;

	vmcs12_read(v->nested->current, field, &value);
	return value;
}

static void w12(struct vcpu *v, u32 field, u64 value)
{
	vmcs12_write(v->nested->current, field, value);
}

static u64 query_read12(const void *ctx, u32 field)
{
	return r12(ctx, field);
}

static const u8 *query_l1_page(const void *ctx, u64 gpa)
{
	const struct vcpu *v = ctx;

	return guest_ptr(v->guest, gpa, PAGE_SIZE);
}

/* 28.2: what vmcs02's exit recorded, as L1's exit records it. */
static void exit_info_from_vmcs02(struct nested_exit_info *e)
{
	*e = (struct nested_exit_info){
		.reason = (u32)vmcs_read(VMCS_VM_EXIT_REASON),
		.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION),
		.guest_linear = vmcs_read(VMCS_GUEST_LINEAR_ADDRESS),
		.guest_physical = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS),
		.intr_info = (u32)vmcs_read(VMCS_VM_EXIT_INTR_INFO),
		.intr_error = (u32)vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE),
		.idt_info = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO_FIELD),
		.idt_error = (u32)vmcs_read(VMCS_IDT_VECTORING_ERROR_CODE),
		.insn_len = (u32)vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN),
		.insn_info = (u32)vmcs_read(VMCS_VMX_INSTRUCTION_INFO),
	};
}

/* 28.3: L2's state into vmcs12. Fields vmcs02 got by a rule of their own
 * come back by the inverse rule: CR0/CR4 bits L1 owns keep vmcs12's value
 * (L2 cannot change them without an exit to L1); EFER, PAT and the debug
 * controls only where vmcs12's exit controls save them; "IA-32e mode guest"
 * follows EFER.LMA. The link pointer and PDPTEs stay as L1 wrote them. */
static void save_l2_state(struct vcpu *v)
{
	const struct vmcs_field_info *f;
	u64 exit12 = r12(v, VMCS_VM_EXIT_CONTROLS), entry12 = r12(v, VMCS_VM_ENTRY_CONTROLS);
	u64 efer = vmcs_read(VMCS_GUEST_IA32_EFER);

	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (vmcs_field_type(f->encoding) == VMCS_TYPE_GUEST &&
		    nested_field_ok(v->nested, i) && !nested_guest_field_by_rule(f->encoding))
			vmcs12_set_row(v->nested->current, i, vmcs_read(f->encoding));
	w12(v, VMCS_GUEST_CR0, (vmcs_read(VMCS_GUEST_CR0) & ~r12(v, VMCS_CR0_GUEST_HOST_MASK)) |
			       (r12(v, VMCS_GUEST_CR0) & r12(v, VMCS_CR0_GUEST_HOST_MASK)));
	w12(v, VMCS_GUEST_CR4, (vmcs_read(VMCS_GUEST_CR4) & ~r12(v, VMCS_CR4_GUEST_HOST_MASK)) |
			       (r12(v, VMCS_GUEST_CR4) & r12(v, VMCS_CR4_GUEST_HOST_MASK)));
	if (exit12 & EXIT_SAVE_IA32_EFER)
		w12(v, VMCS_GUEST_IA32_EFER, efer);
	if (exit12 & EXIT_SAVE_IA32_PAT)
		w12(v, VMCS_GUEST_IA32_PAT, vmcs_read(VMCS_GUEST_IA32_PAT));
	if (exit12 & EXIT_SAVE_DEBUG_CONTROLS) {
		w12(v, VMCS_GUEST_IA32_DEBUGCTL, vmcs_read(VMCS_GUEST_IA32_DEBUGCTL));
		w12(v, VMCS_GUEST_DR7, vmcs_read(VMCS_GUEST_DR7));
	}
	w12(v, VMCS_VM_ENTRY_CONTROLS, efer & EFER_LMA ? entry12 | ENTRY_IA32E_MODE_GUEST
						       : entry12 & ~(u64)ENTRY_IA32E_MODE_GUEST);
	/* 28.2: every VM exit clears the valid bit of the entry's event. */
	w12(v, VMCS_VM_ENTRY_INTR_INFO_FIELD,
	    r12(v, VMCS_VM_ENTRY_INTR_INFO_FIELD) & ~(u64)INTR_INFO_VALID);
}

/* The VM exit to L1, from vmcs02 being current to vmcs01 being current
 * with L1 at its HOST_RIP. */
static void exit_to_l1(struct vcpu *v, const struct nested_exit_info *e)
{
	u64 efer, pat;
	u32 failed;
	const char *why;
	bool stored;

	save_l2_state(v);
	stored = nested_msr_store_list(v, r12(v, VMCS_VM_EXIT_MSR_STORE_ADDR),
				       r12(v, VMCS_VM_EXIT_MSR_STORE_COUNT), &failed, &why);
	/* EFER and PAT are what L2 left where the exit does not load L1's. */
	efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	pat = vmcs_read(VMCS_GUEST_IA32_PAT);
	nested_leave_l2(v);
	if (v->stopped)
		return;
	if (!stored) {
		nested_vmx_abort(v, NESTED_ABORT_SAVING_GUEST_MSRS, "VM-exit MSR-store", failed, why);
		return;
	}
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_GUEST_IA32_PAT, pat);
	nested_exit_to_l1(v, e);
	/* With "enable VPID" 0 a VM exit flushes the linear mappings of VPID
	 * 0, which are L1's own as well (SDM 29.4.3.1): L1 runs on its VPID. */
	if (!v->nested->vpid12_last)
		nested_flush_vpid((u16)vmcs_read(VMCS_VIRTUAL_PROCESSOR_ID));
}

bool nested_reflect_exit(struct vcpu *v, u32 reason)
{
	struct nested_exit_info e;
	struct nested_exit_query q = {
		.reason = reason,
		.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION),
		.intr_info = (u32)vmcs_read(VMCS_VM_EXIT_INTR_INFO),
		.intr_error = (u32)vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE),
		.msr = (u32)v->regs.rcx,
		.read12 = query_read12, .l1_page = query_l1_page, .ctx = v,
	};

	if (reason == EXIT_REASON_CR_ACCESS)
		q.cr_source = exit_gpr(v, (q.qualification >> 8) & 0xf);
	if (nested_exit_owner(&q) == NESTED_OWNER_L0)
		return false;
	exit_info_from_vmcs02(&e);
	exit_to_l1(v, &e);
	return true;
}

/* 26.2: an exception an instruction of L2 raises exits to L1 when L1's
 * exception bitmap says so. nestvisor raises some itself, for L2's
 * instructions it emulates as it would L1's (a MOV to CR0/CR4 clearing a
 * bit fixed in VMX operation, an MSR its policy refuses): the CPU would
 * have consulted vmcs12's bitmap before delivering them, and an injection
 * into vmcs02 would not (27.6.1), so nestvisor consults it here. L2 raises
 * no #PF through nestvisor (its VMX instructions, whose operands could
 * fault, all exit to L1), so no qualification (CR2) is needed. */
bool nested_exception_exit(struct vcpu *v, u32 intr_info, u32 error_code)
{
	struct nested_exit_query q = {
		.reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = intr_info,
		.intr_error = error_code,
		.read12 = query_read12, .l1_page = query_l1_page, .ctx = v,
	};
	struct nested_exit_info e = {
		.reason = EXIT_REASON_EXCEPTION_NMI, .intr_info = intr_info,
		.intr_error = intr_info & INTR_INFO_DELIVER_CODE ? error_code : 0,
	};

	if (!v->nested || !v->nested->in_l2 || nested_exit_owner(&q) != NESTED_OWNER_L1)
		return false;
	exit_to_l1(v, &e);
	return true;
}

bool nested_l1_takes_interrupts(const struct vcpu *v)
{
	return v->nested && v->nested->in_l2 &&
	       (r12(v, VMCS_PIN_BASED_VM_EXEC_CONTROL) & PIN_EXTERNAL_INTERRUPT_EXITING);
}

u32 nested_l1_window_controls(const struct vcpu *v)
{
	if (!v->nested || !v->nested->in_l2)
		return 0;
	return (u32)r12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL) &
	       (CPU_INTERRUPT_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING);
}

/* An exit nestvisor makes for an event of L1's: an event nestvisor was
 * about to deliver again to L2 is the one being delivered, as IDT-vectoring
 * information (28.2.4). */
static void exit_with_pending_event(struct vcpu *v, struct nested_exit_info *e)
{
	u32 pending = (u32)vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD);

	if (pending & INTR_INFO_VALID) {
		e->idt_info = pending;
		e->idt_error = (u32)vmcs_read(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);
		e->insn_len = (u32)vmcs_read(VMCS_VM_ENTRY_INSTRUCTION_LEN);
		vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	}
	exit_to_l1(v, e);
}

/* 26.2, 28.2.2: an interrupt of L1's exits with reason 1; with "acknowledge
 * interrupt on exit" the exit takes it from the APIC (IRR to ISR) and
 * reports its vector. */
bool nested_interrupt_exit(struct vcpu *v, int vector)
{
	struct nested_exit_info e = { .reason = EXIT_REASON_EXTERNAL_INTERRUPT };

	if (vector < 0 || !nested_l1_takes_interrupts(v) || v->nested->run_pending)
		return false;
	if (r12(v, VMCS_VM_EXIT_CONTROLS) & EXIT_ACK_INTR_ON_EXIT) {
		vlapic_accept(&v->apic, (u8)vector);
		e.intr_info = intr_info_make(INTR_TYPE_EXT_INTR, (u8)vector);
	}
	exit_with_pending_event(v, &e);
	return true;
}

/* 26.2, 28.2.2: with "NMI exiting", an NMI exits with reason 0 and the
 * interruption information of an NMI (vector 2), once NMIs are not blocked. */
bool nested_nmi_exit(struct vcpu *v)
{
	struct nested_exit_info e = {
		.reason = EXIT_REASON_EXCEPTION_NMI,
		.intr_info = intr_info_make(INTR_TYPE_NMI, NMI_VECTOR),
	};

	u64 pin12, intr;

	if (!v->nested || !v->nested->in_l2 || v->nested->run_pending)
		return false;
	pin12 = r12(v, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);
	/* With vmcs12's "virtual NMIs", bit 3 is L2's virtual-NMI blocking,
	 * which holds back no real NMI (26.6.1). */
	if (!(pin12 & PIN_NMI_EXITING) || (intr & INTR_BLOCK_MOV_SS) ||
	    (!(pin12 & PIN_VIRTUAL_NMIS) && (intr & INTR_BLOCK_NMI)))
		return false;
	vlapic_take_nmi(&v->apic);
	exit_with_pending_event(v, &e);
	/* NMIs stay blocked in L1 after an exit an NMI caused, until its IRET. */
	if (!v->stopped && (vmcs_read(VMCS_PIN_BASED_VM_EXEC_CONTROL) & PIN_VIRTUAL_NMIS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_NMI);
	return true;
}
