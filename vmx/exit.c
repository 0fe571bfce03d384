#include "exit.h"
#include "intr_info.h"
#include "nested_run.h"
#include "vmcs_field.h"
#include "vmx_errors.h"
#include "vmx_ops.h"
#include "../lib/x86.h"


/* Names come from vmx/exit_reasons.def (vmx_exit_reason_name), not a second list. */
static const exit_handler_t handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = exit_interrupt_window,	/* the same: the next entry injects */
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_HLT] = exit_hlt,
	[EXIT_REASON_INVD] = exit_cache_flush,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_VMCLEAR] = exit_vmx_instruction,
	[EXIT_REASON_VMLAUNCH] = exit_vmx_instruction,
	[EXIT_REASON_VMPTRLD] = exit_vmx_instruction,
	[EXIT_REASON_VMPTRST] = exit_vmx_instruction,
	[EXIT_REASON_VMREAD] = exit_vmx_instruction,
	[EXIT_REASON_VMRESUME] = exit_vmx_instruction,
	[EXIT_REASON_VMWRITE] = exit_vmx_instruction,
	[EXIT_REASON_VMXOFF] = exit_vmx_instruction,
	[EXIT_REASON_VMXON] = exit_vmx_instruction,
	[EXIT_REASON_INVEPT] = exit_vmx_instruction,
	[EXIT_REASON_INVVPID] = exit_vmx_instruction,
	[EXIT_REASON_CR_ACCESS] = exit_cr_access,
	[EXIT_REASON_PAUSE_INSTRUCTION] = exit_pause,
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = exit_tpr_below_threshold,
	[EXIT_REASON_IO_INSTRUCTION] = exit_io,
	[EXIT_REASON_MSR_READ] = exit_msr_read,
	[EXIT_REASON_MSR_WRITE] = exit_msr_write,
	[EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_REASON_WBINVD] = exit_cache_flush,
	[EXIT_REASON_XSETBV] = exit_xsetbv,
};

/* The general registers by the SDM's numbering (RAX 0 .. R15 15, as in
 * exit qualifications and instruction information); RSP lives in the VMCS. */
#define GPR_RSP 4

static u64 *gpr_slot(struct vcpu *v, unsigned n)
{
	u64 *const regs[] = {
		&v->regs.rax, &v->regs.rcx, &v->regs.rdx, &v->regs.rbx, NULL, &v->regs.rbp,
		&v->regs.rsi, &v->regs.rdi, &v->regs.r8, &v->regs.r9, &v->regs.r10,
		&v->regs.r11, &v->regs.r12, &v->regs.r13, &v->regs.r14, &v->regs.r15,
	};

	return regs[n & 15];
}

u64 exit_gpr(struct vcpu *v, unsigned n)
{
	return (n & 15) == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : *gpr_slot(v, n);
}

void exit_set_gpr(struct vcpu *v, unsigned n, u64 value)
{
	if ((n & 15) == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, value);
	else
		*gpr_slot(v, n) = value;
}

void exit_dispatch(struct vcpu *v, u32 reason)
{
	if (reason < ARRAY_SIZE(handlers) && handlers[reason]) {
		handlers[reason](v);
		return;
	}
	vcpu_stop(v, "no handler for exit reason %u (%s) at RIP 0x%lx", reason,
		  vmx_exit_reason_name(reason), vmcs_read(VMCS_GUEST_RIP));
}

void exit_skip_instruction(struct vcpu *v __unused)
{
	u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) +
				   vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
	if (intr & (INTR_BLOCK_STI | INTR_BLOCK_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(u64)(INTR_BLOCK_STI | INTR_BLOCK_MOV_SS));
}

void exit_inject_exception(struct vcpu *v, u8 vector, bool has_error_code, u32 error_code)
{
	u32 info = intr_info_make(INTR_TYPE_HW_EXCEPTION, vector);

	/* Real mode pushes no error code, and VM entry refuses to deliver one
	 * while CR0.PE = 0 (SDM 27.2.1.3). */
	if (has_error_code && (vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		info |= INTR_INFO_DELIVER_CODE;
	/* An exception of L2's that L1 intercepts goes to L1 instead. */
	if (nested_exception_exit(v, info, error_code))
		return;
	if (info & INTR_INFO_DELIVER_CODE)
		vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error_code);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, info);
}
