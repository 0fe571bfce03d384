#include "smp.h"
#include "console.h"
#include "exit.h"
#include "../../lib/x86.h"

/* From start64.asm: GUEST_MAX_CPUS stacks of GUEST_STACK_SIZE bytes. */
extern u8 guest_stacks[];

/* Set once by vCPU 0; start64.asm spins on it (before paging) in every
 * other vCPU. Not static: the assembly reads it by name. */
u32 guest_aps_released;

static unsigned nr_cpus = 1;

/* Stops this vCPU without the console, which needs guest_cpu_index(). */
static noreturn void stack_lost(void)
{
	static const char msg[] = "guest: panic: RSP is on no vCPU's stack\n";

	for (const char *c = msg; *c; c++)
		console_putc(*c);
	guest_exit_silent(0, GUEST_EXIT_PANIC);
}

unsigned guest_cpu_index(void)
{
	u64 rsp, offset;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	offset = rsp - ptr_to_phys(guest_stacks);
	if (offset >= (u64)GUEST_MAX_CPUS * GUEST_STACK_SIZE)
		stack_lost();
	return (unsigned)(offset / GUEST_STACK_SIZE);
}

u8 *guest_stack_base(unsigned index)
{
	return guest_stacks + (u64)index * GUEST_STACK_SIZE;
}

unsigned guest_nr_cpus(void)
{
	return __atomic_load_n(&nr_cpus, __ATOMIC_ACQUIRE);
}

void smp_release_aps(const struct guest_boot_info *bi)
{
	/* A loader from before nr_cpus existed leaves it 0: one vCPU. */
	unsigned n = bi->nr_cpus ? bi->nr_cpus : 1;

	if (n > GUEST_MAX_CPUS)
		panic("boot info: nr_cpus %u is above GUEST_MAX_CPUS %u", n, GUEST_MAX_CPUS);
	__atomic_store_n(&nr_cpus, n, __ATOMIC_RELEASE);
	__atomic_store_n(&guest_aps_released, 1, __ATOMIC_RELEASE);
}
