/* Generates build/guests/guest_offsets.inc: structure offsets and constants
 * the guest assembly uses, taken from the C definitions so the two cannot
 * drift. Each DEFINE() leaves "#asm-define NAME value" in the compiler's
 * assembly output, which guests.mk turns into NASM %defines. */
#include "guest_abi.h"
#include "smp.h"
#include "trap.h"

#include "../../lib/asm_define.h"

void guest_offsets(void);
void guest_offsets(void)
{
	TRAP_FRAME_OFFSETS(OFFSET);
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
