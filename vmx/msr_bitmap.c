#include "msr_bitmap.h"
#include "../lib/string.h"

#define QUARTER 1024
#define LOW_MSRS_END 0x2000u
#define HIGH_MSRS_BASE 0xc0000000u
#define HIGH_MSRS_END 0xc0002000u
#define WRITE_HALF (2 * QUARTER)

/* Bit index of msr in the read half; -1 if outside both ranges. */
static int bit_index(u32 msr)
{
	if (msr < LOW_MSRS_END)
		return (int)msr;
	if (msr >= HIGH_MSRS_BASE && msr < HIGH_MSRS_END)
		return (int)(QUARTER * 8 + (msr - HIGH_MSRS_BASE));
	return -1;
}

int msr_bitmap_byte(u32 msr, unsigned kind)
{
	int bit = bit_index(msr);

	if (bit < 0)
		return -1;
	return (kind == MSR_BITMAP_WRITE ? WRITE_HALF : 0) + bit / 8;
}

u32 msr_bitmap_byte_msr(size_t byte)
{
	size_t in_half = byte % WRITE_HALF;

	if (in_half < QUARTER)
		return (u32)(in_half * 8);
	return HIGH_MSRS_BASE + (u32)((in_half - QUARTER) * 8);
}

void msr_bitmap_intercept_all(u8 *bitmap)
{
	memset(bitmap, 0xff, PAGE_SIZE);
}

/* Sets (exit) or clears msr's bit in the halves kinds names. */
static bool set_exits(u8 *bitmap, u32 msr, unsigned kinds, bool exit)
{
	u8 mask = MSR_BITMAP_MASK(msr);

	if (msr_bitmap_byte(msr, MSR_BITMAP_READ) < 0)
		return false;
	for (unsigned kind = MSR_BITMAP_READ; kind <= MSR_BITMAP_WRITE; kind <<= 1) {
		u8 *byte = &bitmap[msr_bitmap_byte(msr, kind)];

		if (kinds & kind)
			*byte = exit ? *byte | mask : *byte & (u8)~mask;
	}
	return true;
}

bool msr_bitmap_allow(u8 *bitmap, u32 msr, unsigned kinds)
{
	return set_exits(bitmap, msr, kinds, false);
}

bool msr_bitmap_intercept(u8 *bitmap, u32 msr, unsigned kinds)
{
	return set_exits(bitmap, msr, kinds, true);
}

bool msr_bitmap_exits(const u8 *bitmap, u32 msr, unsigned kind)
{
	int byte = msr_bitmap_byte(msr, kind);

	return byte < 0 || (bitmap[byte] & MSR_BITMAP_MASK(msr));
}
