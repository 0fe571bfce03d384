/* Bare runs under a multiboot1 loader (QEMU -kernel): start64.asm carries
 * a multiboot header, and this turns the loader's information into the
 * guest_abi.h contract. Multiboot Specification 0.6.96, 3.2 and 3.3. */
#ifndef GUESTS_MULTIBOOT_H
#define GUESTS_MULTIBOOT_H

#include "guest_abi.h"

#define MULTIBOOT_BOOT_MAGIC 0x2badb002u	/* in EAX at entry */

struct multiboot_info {
	u32 flags;			/* MBI_* : which fields are valid */
	u32 mem_lower, mem_upper;	/* KiB below 640 KiB; KiB from 1 MiB */
	u32 boot_device;
	u32 cmdline;			/* physical address of a C string */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;		/* physical address of a C string */
};
_Static_assert(__builtin_offsetof(struct multiboot_info, mmap_length) == 44 &&
	       __builtin_offsetof(struct multiboot_info, boot_loader_name) == 64,
	       "multiboot info layout (spec 3.3)");

#define MBI_MEMORY BIT(0)
#define MBI_CMDLINE BIT(2)
#define MBI_MODS BIT(3)
#define MBI_MMAP BIT(6)
#define MBI_LOADER_NAME BIT(9)
#define MULTIBOOT_MOD_SIZE 16		/* bytes per module list entry */

/* Builds the boot info of a bare run from the multiboot info at info_addr:
 * mem_size = 1 MiB + mem_upper (the PC's 640 KiB - 1 MiB hole is not RAM
 * there), cpu 0 of 1, GUEST_BOOT_BARE, the loader's command line. Then zeroes
 * the loader's pages above the image, which nestvisor's contract says are
 * zero. Panics when the loader gave no memory size. */
const struct guest_boot_info *multiboot_adopt(u32 info_addr);

#endif
