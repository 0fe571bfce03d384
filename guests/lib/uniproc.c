/* smp.h for the 16- and 32-bit builds: one vCPU, on one stack. */
#include "smp.h"
#include "exit.h"

unsigned guest_cpu_index(void)
{
	return 0;
}

unsigned guest_nr_cpus(void)
{
	return 1;
}

void smp_release_aps(const struct guest_boot_info *bi)
{
	if (bi->nr_cpus > 1)
		panic("boot info: %u vCPUs, but the %u-bit guest library runs one",
		      bi->nr_cpus, GUEST_BITS);
}
