/* basic64: the first 64-bit guest (guests/lib/start64.asm): basic64_checks()
 * with the 1 MiB above its image as the memory that must read zero. */
#include "checks.h"
#include "../lib/guest.h"

#define ZERO_CHECK_SIZE MiB(1)

void guest_main(const struct guest_boot_info *bi)
{
	u64 start = guest_image_end();

	basic64_checks(bi, "basic64", start, MIN(start + ZERO_CHECK_SIZE, (u64)bi->mem_size));
	guest_exit(report_summary("basic64") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
