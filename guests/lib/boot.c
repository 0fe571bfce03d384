#include "boot.h"
#include "console.h"
#include "exit.h"
#include "multiboot.h"
#include "smp.h"
#include "trap.h"
#include "../../lib/report.h"

/* A guest that does not define it lets its other vCPUs go at once. */
__attribute__((weak)) void guest_main_ap(const struct guest_boot_info *bi __unused)
{
	guest_exit(GUEST_EXIT_PASS);
}

/* A vCPU other than 0: start64.asm held it until vCPU 0 had the IDT and
 * the console ready; it only loads the IDT. */
static noreturn void ap_boot(u32 info)
{
	const struct guest_boot_info *bi = phys_to_ptr(info);
	unsigned cpu = guest_cpu_index();

	trap_load();
	if (bi->magic != GUEST_BOOT_MAGIC || bi->cpu_index != cpu || cpu >= guest_nr_cpus())
		panic("vCPU %u: boot info at 0x%x has magic 0x%x, cpu_index %u (of %u vCPUs)",
		      cpu, info, bi->magic, bi->cpu_index, guest_nr_cpus());
	guest_main_ap(bi);
	guest_exit(report_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}

noreturn void guest_boot(u32 magic, u32 info)
{
	const struct guest_boot_info *bi;

	if (guest_cpu_index() != 0)
		ap_boot(info);

	trap_init();
	trap_load();
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
	guest_exit_use_mailbox(bi);
	smp_release_aps(bi);

	guest_main(bi);
	guest_exit(report_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
