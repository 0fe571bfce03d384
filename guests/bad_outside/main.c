/* bad_outside: a guest that writes beyond its RAM. The start code's
 * identity map covers 4 GiB, so the write passes the guest's own paging
 * and reaches guest-physical memory nestvisor has no EPT entry for; it must
 * stop the guest with an EPT violation. nestvisor gives a guest at most
 * 1 GiB (guest_mem = 1024), so OUTSIDE_ADDR is outside every guest. */
#include "../lib/guest.h"

#define OUTSIDE_ADDR GiB(1)
#define POISON 0x6261645f6f757421ull	/* "!tuo_dab" */

void guest_main(const struct guest_boot_info *bi)
{
	printf("bad_outside: writing to guest-physical 0x%lx, beyond its %u MiB of RAM: "
	       "expect an EPT violation\n", OUTSIDE_ADDR, bi->mem_size >> 20);
	*(volatile u64 *)phys_to_ptr(OUTSIDE_ADDR) = POISON;
	report(false, "bad_outside: still running after a write to 0x%lx", OUTSIDE_ADDR);
}
