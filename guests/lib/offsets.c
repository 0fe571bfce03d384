/* Generates build/guests/<mode>/guest_offsets.inc: structure offsets and
 * constants the guest assembly uses, taken from the C definitions so the
 * two cannot drift. Compiled once per mode (the trap frame differs). Each
 * DEFINE() leaves "#asm-define NAME value" in the compiler's assembly
 * output, which guests.mk turns into NASM %defines. */
#include "exit.h"
#include "guest_abi.h"
#include "smp.h"
#include "trap.h"

#include "../../lib/asm_define.h"

void guest_offsets(void);
void guest_offsets(void)
{
#if GUEST_BITS == 64
	TRAP_FRAME_OFFSETS(OFFSET);
	FAULT_RESUME64_OFFSETS(OFFSET);
#else
	TRAP_FRAME32_OFFSETS(OFFSET);
	FAULT_RESUME32_OFFSETS(OFFSET);
#endif
	DEFINE(TRAP_STUB_SIZE, TRAP_STUB_SIZE);

	OFFSET(BI_CPU_INDEX, struct guest_boot_info, cpu_index);
	OFFSET(BI_FLAGS, struct guest_boot_info, flags);
	OFFSET(BI_EXIT_STATUS, struct guest_boot_info, exit_status);
	DEFINE(GUEST_BOOT_MAGIC, GUEST_BOOT_MAGIC);
	DEFINE(GUEST_BOOT_EXIT_MAILBOX, GUEST_BOOT_EXIT_MAILBOX);
	DEFINE(GUEST_EXITED, GUEST_EXITED);
	DEFINE(GUEST_MAX_CPUS, GUEST_MAX_CPUS);
	DEFINE(GUEST_STACK_SIZE, GUEST_STACK_SIZE);
	DEFINE(GUEST_EXIT_PORT, GUEST_EXIT_PORT);
	DEFINE(GUEST_EXIT_PASS, GUEST_EXIT_PASS);
	DEFINE(GUEST_EXIT_PANIC, GUEST_EXIT_PANIC);
	DEFINE(GUEST_EXIT_EXCEPTION, GUEST_EXIT_EXCEPTION);

	DEFINE(GUEST_HEADER_OFFSET, GUEST_HEADER_OFFSET);
	DEFINE(GUEST_HEADER_MAGIC, GUEST_HEADER_MAGIC);
	DEFINE(GUEST_HEADER_SIZE, sizeof(struct guest_header));
	OFFSET(GH_MAGIC, struct guest_header, magic);
	OFFSET(GH_MODE, struct guest_header, mode);
	OFFSET(GH_LOAD_ADDR, struct guest_header, load_addr);
	OFFSET(GH_ENTRY, struct guest_header, entry);
	OFFSET(GH_IMAGE_END, struct guest_header, image_end);
	DEFINE(GUEST_MODE_REAL16, GUEST_MODE_REAL16);
	DEFINE(GUEST_MODE_PROT32, GUEST_MODE_PROT32);
	DEFINE(GUEST_LOAD_ADDR, GUEST_LOAD_ADDR);
	DEFINE(GUEST_REAL_LOAD_MIN, GUEST_REAL_LOAD_MIN);
	DEFINE(GUEST_REAL_END, GUEST_REAL_END);
}
