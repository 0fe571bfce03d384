/* MSR bitmaps (SDM Vol. 3C, 25.6.9): one 4 KiB page, a set bit makes the
 * access exit. Four 1 KiB quarters: reads of MSRs 0-0x1fff, reads of
 * 0xc0000000-0xc0001fff, then writes of the same two ranges. MSRs outside
 * both ranges always exit. Pure: host-tested. */
#ifndef VMX_MSR_BITMAP_H
#define VMX_MSR_BITMAP_H

#include "../lib/types.h"

#define MSR_BITMAP_READ BIT(0)
#define MSR_BITMAP_WRITE BIT(1)
/* msr's bit within its byte: both ranges start at a multiple of 8. */
#define MSR_BITMAP_MASK(msr) ((u8)(1u << ((msr) % 8)))

/* Makes every access exit. */
void msr_bitmap_intercept_all(u8 *bitmap);
/* Lets the guest access msr directly for the given MSR_BITMAP_* kinds;
 * returns false for an MSR the bitmap cannot describe (it always exits). */
bool msr_bitmap_allow(u8 *bitmap, u32 msr, unsigned kinds);
/* Makes those accesses of msr exit again; false as for msr_bitmap_allow(). */
bool msr_bitmap_intercept(u8 *bitmap, u32 msr, unsigned kinds);
/* The byte of the page holding msr's bit for an access of kind
 * (MSR_BITMAP_READ or _WRITE), or -1 for an MSR outside both ranges. */
int msr_bitmap_byte(u32 msr, unsigned kind);
/* The first of the eight consecutive MSRs whose bits share byte (0 to
 * PAGE_SIZE - 1); the inverse of msr_bitmap_byte() up to the kind. */
u32 msr_bitmap_byte_msr(size_t byte);
/* Whether an access of that kind (MSR_BITMAP_READ or _WRITE) exits. */
bool msr_bitmap_exits(const u8 *bitmap, u32 msr, unsigned kind);

#endif
