/* 32-bit memory-mapped registers at a physical address, in every build:
 * a plain access where the guest's memory is flat (32-bit protected mode,
 * paging off) or identity-mapped (64-bit); in real mode a 32-bit offset
 * through GS after unreal_enter() (start16.asm) gave GS a 4 GiB limit. */
#ifndef GUESTS_MMIO_H
#define GUESTS_MMIO_H

#include "../../lib/types.h"

#if GUEST_BITS == 16
void unreal_enter(void);

/* Makes mmio_read32()/mmio_write32() work; once before the first. */
static inline void mmio_init(void)
{
	unreal_enter();
}

static inline u32 mmio_read32(u64 pa)
{
	u32 v;

	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"((u32)pa) : "memory");
	return v;
}

static inline void mmio_write32(u64 pa, u32 v)
{
	__asm__ volatile("movl %0, %%gs:(%1)" ::"r"(v), "r"((u32)pa) : "memory");
}
#else
static inline void mmio_init(void)
{
}

static inline u32 mmio_read32(u64 pa)
{
	return *(volatile u32 *)phys_to_ptr(pa);
}

static inline void mmio_write32(u64 pa, u32 v)
{
	*(volatile u32 *)phys_to_ptr(pa) = v;
}
#endif

#endif
