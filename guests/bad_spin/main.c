/* bad_spin: a guest that spins with interrupts off and never exits again.
 * Nothing it does causes a VM exit, so only nestvisor's watchdog (the
 * VMX-preemption timer, SDM Vol. 3, 26.5.1) can take the CPU back. */
#include "../lib/guest.h"

void guest_main(const struct guest_boot_info *bi __unused)
{
	printf("bad_spin: cli; jmp $: spinning with interrupts off, expect the watchdog\n");
	__asm__ volatile("cli\n\t"
			 "1: jmp 1b" ::: "memory");
	__builtin_unreachable();
}
