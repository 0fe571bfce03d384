/* Generates build/asm_offsets.inc: structure offsets and constants the
 * assembly uses, taken from the C definitions so the two cannot drift.
 * Each DEFINE() leaves "#asm-define NAME value" in the compiler's output. */
#include <stddef.h>
#include "trap.h"
#include "ap_boot.h"
#include "../guests/lib/guest_abi.h"
#include "../vmx/vmenter.h"
#include "../vmx/vmcs_field.h"

#include "../lib/asm_define.h"

void asm_offsets(void);
void asm_offsets(void)
{
	TRAP_FRAME_OFFSETS(OFFSET);

	DEFINE(AP_PARAMS_OFFSET, AP_PARAMS_OFFSET);
	OFFSET(AP_CR3, struct ap_boot_params, cr3);
	OFFSET(AP_CR4, struct ap_boot_params, cr4);
	OFFSET(AP_EFER, struct ap_boot_params, efer);
	OFFSET(AP_ENTRY, struct ap_boot_params, entry);
	OFFSET(AP_STACK_TOP, struct ap_boot_params, stack_top);
	OFFSET(AP_PERCPU, struct ap_boot_params, percpu);
	OFFSET(AP_STARTED, struct ap_boot_params, started);
	DEFINE(AP_PARAMS_SIZE, sizeof(struct ap_boot_params));
	OFFSET(BARE_MODE, struct bare_boot_params, mode);
	OFFSET(BARE_ENTRY, struct bare_boot_params, entry);
	OFFSET(BARE_EAX, struct bare_boot_params, eax);
	OFFSET(BARE_EBX, struct bare_boot_params, ebx);
	OFFSET(BARE_STARTED, struct bare_boot_params, started);
	OFFSET(BARE_FAR_IP, struct bare_boot_params, far_ip);
	OFFSET(BARE_FAR_CS, struct bare_boot_params, far_cs);
	DEFINE(BARE_PARAMS_SIZE, sizeof(struct bare_boot_params));
	DEFINE(GUEST_MODE_REAL16, GUEST_MODE_REAL16);

	OFFSET(GR_RAX, struct guest_regs, rax);
	OFFSET(GR_RBX, struct guest_regs, rbx);
	OFFSET(GR_RCX, struct guest_regs, rcx);
	OFFSET(GR_RDX, struct guest_regs, rdx);
	OFFSET(GR_RSI, struct guest_regs, rsi);
	OFFSET(GR_RDI, struct guest_regs, rdi);
	OFFSET(GR_RBP, struct guest_regs, rbp);
	OFFSET(GR_R8, struct guest_regs, r8);
	OFFSET(GR_R9, struct guest_regs, r9);
	OFFSET(GR_R10, struct guest_regs, r10);
	OFFSET(GR_R11, struct guest_regs, r11);
	OFFSET(GR_R12, struct guest_regs, r12);
	OFFSET(GR_R13, struct guest_regs, r13);
	OFFSET(GR_R14, struct guest_regs, r14);
	OFFSET(GR_R15, struct guest_regs, r15);
	OFFSET(GR_CR2, struct guest_regs, cr2);
	DEFINE(VMCS_HOST_RSP, VMCS_HOST_RSP);
}
