/* Guests with several vCPUs (guest_abi.h): nestvisor enters every vCPU at
 * the image's entry at once. In the 64-bit build (smp.c) start64.asm gives
 * each its own stack,
 * picked by the cpu_index of its boot info, and holds all but vCPU 0 until
 * vCPU 0 has built the page tables, the IDT and the console; guest_boot()
 * then runs guest_main() on vCPU 0 and guest_main_ap() on the others. The 16- and
 * 32-bit builds run one vCPU (uniproc.c): their start code sends any other
 * vCPU away with GUEST_EXIT_PANIC, and smp_release_aps() panics on vCPU 0
 * when the boot info says there are more. */
#ifndef GUESTS_SMP_H
#define GUESTS_SMP_H

#include "guest_abi.h"

/* Each vCPU's stack, in start64.asm's .bss (GUEST_MAX_CPUS of them). The
 * stack a vCPU runs on tells which vCPU it is; interrupts and exceptions
 * arrive on the running stack (no IST, no privilege change). Real mode's
 * one stack is smaller: the whole image must fit below 64 KiB. */
#if GUEST_BITS == 16
#define GUEST_STACK_SIZE 8192
#else
#define GUEST_STACK_SIZE 16384
#endif

/* The running vCPU's cpu_index, 0 for the one that runs guest_main(). */
unsigned guest_cpu_index(void);

/* The lowest address of vCPU index's stack (64-bit build only). */
u8 *guest_stack_base(unsigned index);

/* The guest's vCPUs: the boot info's nr_cpus (1 when running bare). */
unsigned guest_nr_cpus(void);

/* vCPU 0, from guest_boot(): takes the guest's vCPU count from its boot
 * info (panics if it is above GUEST_MAX_CPUS) and lets the other vCPUs
 * leave start64.asm. The page tables, IDT and console must be ready. */
void smp_release_aps(const struct guest_boot_info *bi);

#endif
