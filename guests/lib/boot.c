#include "boot.h"
#include "console.h"
#include "exit.h"
#include "multiboot.h"
#include "trap.h"
#include "../../lib/report.h"

noreturn void guest_boot(u32 magic, u32 info)
{
	const struct guest_boot_info *bi;

	trap_init();
	console_init();
	/* guest.ld cannot include the header; catch the two drifting apart. */
	if (guest_image_start() != GUEST_LOAD_ADDR)
		panic("image linked at 0x%lx, not GUEST_LOAD_ADDR 0x%x",
		      guest_image_start(), GUEST_LOAD_ADDR);

	if (magic == GUEST_BOOT_MAGIC)
		bi = phys_to_ptr(info);
	else if (magic == MULTIBOOT_BOOT_MAGIC)
		bi = multiboot_adopt(info);
	else
		panic("unknown boot magic 0x%x in EAX (EBX 0x%x)", magic, info);
	if (bi->magic != GUEST_BOOT_MAGIC)
		panic("boot info at 0x%x has magic 0x%x, not 0x%x",
		      info, bi->magic, GUEST_BOOT_MAGIC);

	guest_main(bi);
	guest_exit(report_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
