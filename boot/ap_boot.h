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

/* The bare-guest trampoline boot/bare_start.asm (vmm/bare.c) uses the same
 * page and offset: it enters a test guest in real or protected mode with
 * the registers of guests/lib/guest_abi.h. */
struct bare_boot_params {
	u32 mode;		/* enum guest_mode: 16 real mode, 32 protected mode */
	u32 entry;		/* below 64 KiB in real mode */
	u32 eax, ebx;		/* GUEST_BOOT_MAGIC and the boot info's address */
	volatile u32 started;	/* the AP writes 1 on its first instructions */
	u16 far_ip, far_cs;	/* scratch: the real-mode far jump's target */
};

/* The trampoline images, from boot/ap_blob.asm. */
extern const u8 ap_trampoline_start[], ap_trampoline_end[];
extern const u8 bare_trampoline_start[], bare_trampoline_end[];

#endif
