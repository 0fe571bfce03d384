#include "multiboot.h"
#include "boot.h"
#include "exit.h"
#include "../../lib/string.h"
#include "../../lib/x86.h"

/* The two 8259 PICs' interrupt mask registers (OCW1). */
#define PIC_MASTER_IMR 0x21
#define PIC_SLAVE_IMR 0xa1
#define PIC_MASK_ALL 0xff

static struct guest_boot_info bare_boot_info;

static size_t cstring_size(u32 addr)
{
	return strlen(phys_to_ptr(addr)) + 1;
}

/* QEMU puts the command line, loader name and module list in the pages
 * right after the image; zero each such page (a loader's data elsewhere
 * is left alone). */
static void scrub_above_image(u64 addr, u64 size)
{
	u64 start = ALIGN_DOWN(addr, PAGE_SIZE);
	u64 end = ALIGN_UP(addr + size, PAGE_SIZE);

	if (start >= guest_image_end())
		memset(phys_to_ptr(start), 0, end - start);
}

const struct guest_boot_info *multiboot_adopt(u32 info_addr)
{
	const struct multiboot_info *mbi = phys_to_ptr(info_addr);
	struct guest_boot_info *bi = &bare_boot_info;
	u64 mem;

	if (!(mbi->flags & MBI_MEMORY))
		panic("multiboot: the loader gave no memory size (flags 0x%x)", mbi->flags);
	mem = MiB(1) + KiB(mbi->mem_upper);
	bi->magic = GUEST_BOOT_MAGIC;
	bi->mem_size = (u32)MIN(mem, ALIGN_DOWN(UINT32_MAX, PAGE_SIZE));
	bi->cpu_index = 0;
	bi->flags = GUEST_BOOT_BARE;
	bi->nr_cpus = 1;	/* the loader starts the boot CPU only */
	if (mbi->flags & MBI_CMDLINE) {
		const char *cmdline = phys_to_ptr(mbi->cmdline);
		size_t n = MIN(strlen(cmdline), sizeof(bi->cmdline) - 1);

		memcpy(bi->cmdline, cmdline, n);
	}

	if (mbi->flags & MBI_CMDLINE)
		scrub_above_image(mbi->cmdline, cstring_size(mbi->cmdline));
	if (mbi->flags & MBI_LOADER_NAME)
		scrub_above_image(mbi->boot_loader_name, cstring_size(mbi->boot_loader_name));
	if (mbi->flags & MBI_MODS)
		scrub_above_image(mbi->mods_addr, (u64)mbi->mods_count * MULTIBOOT_MOD_SIZE);
	if (mbi->flags & MBI_MMAP)
		scrub_above_image(mbi->mmap_addr, mbi->mmap_length);
	scrub_above_image(info_addr, sizeof(*mbi));	/* last: the fields above live here */

	/* A BIOS leaves the PICs unmasked with the PIT ticking through LINT0
	 * (ExtINT). The guests take interrupts from their local APIC only,
	 * and masking LINT0 (apic_enable()) is not enough on QEMU 7.2 TCG: a
	 * PIC interrupt raised before it stays pending and is then
	 * delivered as vector -1, a #GP(0xfffffffa). */
	outb(PIC_MASTER_IMR, PIC_MASK_ALL);
	outb(PIC_SLAVE_IMR, PIC_MASK_ALL);
	return bi;
}
