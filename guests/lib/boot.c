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
	exit_set_boot_info(bi);
	guest_main_ap(bi);
	guest_exit(report_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}

/* The linker script cannot include guest_abi.h, and the start code writes
 * the image header from link symbols: catch either drifting from the
 * contract. */
static void check_image(void)
{
	const struct guest_header *h = guest_image_header();
	u64 start = guest_image_start(), end = guest_image_end();

	if (h->magic != GUEST_HEADER_MAGIC || h->load_addr != start || h->image_end != end)
		panic("image header at 0x%llx: magic 0x%x, load_addr 0x%x, image_end 0x%x; "
		      "the image is [0x%llx, 0x%llx)", (unsigned long long)ptr_to_phys(h),
		      h->magic, h->load_addr, h->image_end, (unsigned long long)start,
		      (unsigned long long)end);
	if (h->mode == GUEST_MODE_REAL16 ?
	    start < GUEST_REAL_LOAD_MIN || end > GUEST_REAL_END : start != GUEST_LOAD_ADDR)
		panic("image [0x%llx, 0x%llx) is not where mode %u images go",
		      (unsigned long long)start, (unsigned long long)end, h->mode);
}

noreturn void guest_boot(u32 magic, u32 info)
{
	const struct guest_boot_info *bi;

	if (guest_cpu_index() != 0)
		ap_boot(info);

	trap_init();
	trap_load();
	console_init();
	check_image();

	if (magic == GUEST_BOOT_MAGIC)
		bi = phys_to_ptr(info);
	else if (magic == MULTIBOOT_BOOT_MAGIC)
		bi = multiboot_adopt(info);
	else
		panic("unknown boot magic 0x%x in EAX (EBX 0x%x)", magic, info);
	if (bi->magic != GUEST_BOOT_MAGIC)
		panic("boot info at 0x%x has magic 0x%x, not 0x%x",
		      info, bi->magic, GUEST_BOOT_MAGIC);
	exit_set_boot_info(bi);
	smp_release_aps(bi);

	guest_main(bi);
	guest_exit(report_failures() ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
