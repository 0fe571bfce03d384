/* Entering a guest and coming back (vmx/vmenter.asm). */
#ifndef VMX_VMENTER_H
#define VMX_VMENTER_H

#include "vmx_ops.h"

/* The guest state the VMCS does not hold: general registers and CR2. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 cr2;
};

/* Loads regs, enters the guest of the current VMCS (VMRESUME if launched,
 * else VMLAUNCH) and returns VMX_SUCCEED after the next VM exit, with regs
 * holding the guest's registers; or the failure of the entry instruction
 * itself (VMfailValid: the reason is in VM_INSTRUCTION_ERROR). */
enum vmx_result vmx_enter(struct guest_regs *regs, bool launched);

#endif
