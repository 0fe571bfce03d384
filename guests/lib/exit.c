#include "exit.h"
#include "console.h"
#include "smp.h"
#include "../../lib/fmt.h"
#include "../../lib/x86.h"

/* vCPU 0's exit_status when the loader watches it (guest_abi.h). */
static u32 *exit_mailbox;

void guest_exit_use_mailbox(const struct guest_boot_info *bi)
{
	if (bi->flags & GUEST_BOOT_EXIT_MAILBOX)
		exit_mailbox = phys_to_ptr(ptr_to_phys(&bi->exit_status));
}

noreturn void guest_exit(int code)
{
	unsigned cpu = guest_cpu_index();

	if (cpu)
		printf("guest: vCPU %u: exit code %d\n", cpu, code);
	else
		printf("guest: exit code %d\n", code);
	if (!cpu && exit_mailbox)
		__atomic_store_n(exit_mailbox, GUEST_EXITED | (u8)code, __ATOMIC_RELEASE);
	else
		outb(GUEST_EXIT_PORT, (u8)code);
	cpu_halt_forever();
}

/* A guest library misuse or a boot it cannot run in: a test cannot
 * continue, so the guest stops with its own exit code. */
noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	char msg[160];

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("guest: panic: %s\n", msg);
	guest_exit(GUEST_EXIT_PANIC);
}
