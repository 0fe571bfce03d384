/* The contract between apic/smp.c and the real-mode trampoline
 * boot/ap_start.asm: the C side copies the trampoline to a page below 1 MiB
 * and fills this block at AP_PARAMS_OFFSET inside that page. */
#ifndef BOOT_AP_BOOT_H
#define BOOT_AP_BOOT_H

#include "../lib/types.h"

#define AP_PARAMS_OFFSET 0xf00

struct ap_boot_params {
	u64 cr3;		/* host page-table root; below 4 GiB (loaded in 32-bit mode) */
	u64 cr4;		/* at least PAE */
	u64 efer;		/* LME, and NXE since the host tables use XD */
	u64 entry;		/* noreturn void entry(struct percpu *) */
	u64 stack_top;
	u64 percpu;
	volatile u32 started;	/* the AP writes 1 on its first instruction in long mode */
};

/* The trampoline image, from boot/ap_blob.asm. */
extern const u8 ap_trampoline_start[], ap_trampoline_end[];

#endif
