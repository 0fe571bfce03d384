/* Generates build/guests/guest_offsets.inc: structure offsets and constants
 * the guest assembly uses, taken from the C definitions so the two cannot
 * drift. Each DEFINE() leaves "#asm-define NAME value" in the compiler's
 * assembly output, which guests.mk turns into NASM %defines. */
#include "guest_abi.h"
#include "smp.h"
#include "trap.h"

#define DEFINE(sym, val) __asm__ volatile("\n#asm-define " #sym " %c0" ::"i"(val))
#define OFFSET(sym, type, member) DEFINE(sym, __builtin_offsetof(type, member))

void guest_offsets(void);
void guest_offsets(void)
{
	OFFSET(TF_RAX, struct trap_frame, rax);
	OFFSET(TF_RBX, struct trap_frame, rbx);
	OFFSET(TF_RCX, struct trap_frame, rcx);
	OFFSET(TF_RDX, struct trap_frame, rdx);
	OFFSET(TF_RSI, struct trap_frame, rsi);
	OFFSET(TF_RDI, struct trap_frame, rdi);
	OFFSET(TF_RBP, struct trap_frame, rbp);
	OFFSET(TF_R8, struct trap_frame, r8);
	OFFSET(TF_R9, struct trap_frame, r9);
	OFFSET(TF_R10, struct trap_frame, r10);
	OFFSET(TF_R11, struct trap_frame, r11);
	OFFSET(TF_R12, struct trap_frame, r12);
	OFFSET(TF_R13, struct trap_frame, r13);
	OFFSET(TF_R14, struct trap_frame, r14);
	OFFSET(TF_R15, struct trap_frame, r15);
	OFFSET(TF_VECTOR, struct trap_frame, vector);
	DEFINE(TRAP_STUB_SIZE, TRAP_STUB_SIZE);

	OFFSET(FR_RBX, struct fault_resume, rbx);
	OFFSET(FR_RBP, struct fault_resume, rbp);
	OFFSET(FR_R12, struct fault_resume, r12);
	OFFSET(FR_R13, struct fault_resume, r13);
	OFFSET(FR_R14, struct fault_resume, r14);
	OFFSET(FR_R15, struct fault_resume, r15);
	OFFSET(FR_RSP, struct fault_resume, rsp);
	OFFSET(FR_RIP, struct fault_resume, rip);

	OFFSET(BI_CPU_INDEX, struct guest_boot_info, cpu_index);
	DEFINE(GUEST_BOOT_MAGIC, GUEST_BOOT_MAGIC);
	DEFINE(GUEST_MAX_CPUS, GUEST_MAX_CPUS);
	DEFINE(GUEST_STACK_SIZE, GUEST_STACK_SIZE);
	DEFINE(GUEST_EXIT_PORT, GUEST_EXIT_PORT);
	DEFINE(GUEST_EXIT_PANIC, GUEST_EXIT_PANIC);
}
