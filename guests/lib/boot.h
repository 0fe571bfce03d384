/* How a guest starts: the mode's start code (start16.asm, start32.asm,
 * start64.asm) calls guest_boot(), which calls the guest's guest_main().
 * The image's extent comes from guests/lib/guest.ld, its header from
 * guests/lib/start.inc. */
#ifndef GUESTS_BOOT_H
#define GUESTS_BOOT_H

#include "guest_abi.h"

/* Every guest defines this; vCPU 0 runs it. Returning from it exits with
 * GUEST_EXIT_PASS or, if any report() failed, GUEST_EXIT_FAIL. */
void guest_main(const struct guest_boot_info *bi);

/* What the other vCPUs of a multi-vCPU guest run (bi: their own boot info),
 * at the same time as guest_main(). Returning exits that vCPU as
 * guest_main() would; nestvisor then ends only that vCPU. The library's
 * weak default exits with GUEST_EXIT_PASS at once. An AP should not call
 * report_summary(): vCPU 0's summary counts every vCPU's reports. */
void guest_main_ap(const struct guest_boot_info *bi);

/* Called by the start code, in the build's mode, with the EAX and EBX the
 * image was entered with. vCPU 0 installs the IDT (IVT) and the console,
 * checks the image header, finds the boot info (panics on an unknown
 * magic), gives it to guest_exit(), releases the other vCPUs (smp.h),
 * runs guest_main() and exits; another vCPU loads the IDT, checks its boot
 * info and runs guest_main_ap(). */
noreturn void guest_boot(u32 magic, u32 info);

/* The image in guest-physical memory: [start, end) holds code, data and
 * .bss (page tables and stack included); end is page aligned. */
extern u8 __image_start[], __image_end[];
static inline u64 guest_image_start(void) { return ptr_to_phys(__image_start); }
static inline u64 guest_image_end(void) { return ptr_to_phys(__image_end); }

/* The image's own header (guest_abi.h), at GUEST_HEADER_OFFSET. */
static inline const struct guest_header *guest_image_header(void)
{
	return (const struct guest_header *)(__image_start + GUEST_HEADER_OFFSET);
}

#endif
