#include "exit.h"
#include "console.h"
#include "smp.h"
#include "../../lib/fmt.h"
#include "../../lib/x86.h"

/* Each vCPU's boot info, once guest_boot() has checked it. */
static struct guest_boot_info *boot_infos[GUEST_MAX_CPUS];

void exit_set_boot_info(const struct guest_boot_info *bi)
{
	/* exit_status is the one field the guest writes. */
	boot_infos[guest_cpu_index()] = (struct guest_boot_info *)bi;
}

noreturn void guest_exit_silent(unsigned cpu, int code)
{
	struct guest_boot_info *bi = cpu < GUEST_MAX_CPUS ? boot_infos[cpu] : NULL;

	/* Bare under nestvisor the exit port may be QEMU's isa-debug-exit,
	 * which would end the whole machine: nestvisor watches the mailbox. */
	if (bi && (bi->flags & GUEST_BOOT_EXIT_MAILBOX)) {
		console_drain();
		__atomic_store_n(&bi->exit_status, GUEST_EXITED | (u8)code, __ATOMIC_RELEASE);
	} else {
		outb(GUEST_EXIT_PORT, (u8)code);
	}
	cpu_halt_forever();
}

noreturn void guest_exit(int code)
{
	unsigned cpu = guest_cpu_index();

	if (cpu)
		printf("guest: vCPU %u: exit code %d\n", cpu, code);
	else
		printf("guest: exit code %d\n", code);
	guest_exit_silent(cpu, code);
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
