#include "msr_bitmap.h"
#include "../lib/string.h"

#define QUARTER 1024
#define LOW_MSRS_END 0x2000u
#define HIGH_MSRS_BASE 0xc0000000u
#define HIGH_MSRS_END 0xc0002000u
#define WRITE_HALF (2 * QUARTER)

/* Byte offset of msr's bit in the read half; -1 if outside both ranges. */
static int bit_index(u32 msr)
{
	if (msr < LOW_MSRS_END)
		return (int)msr;
	if (msr >= HIGH_MSRS_BASE && msr < HIGH_MSRS_END)
		return (int)(QUARTER * 8 + (msr - HIGH_MSRS_BASE));
	return -1;
}

void msr_bitmap_intercept_all(u8 *bitmap)
{
	memset(bitmap, 0xff, PAGE_SIZE);
}

/* Sets (exit) or clears msr's bit in the halves kinds names. */
static bool set_exits(u8 *bitmap, u32 msr, unsigned kinds, bool exit)
{
	int bit = bit_index(msr);
	u8 mask;

	if (bit < 0)
		return false;
	mask = (u8)(1u << (bit % 8));
	for (unsigned kind = MSR_BITMAP_READ; kind <= MSR_BITMAP_WRITE; kind <<= 1) {
		u8 *byte = &bitmap[(kind == MSR_BITMAP_WRITE ? WRITE_HALF : 0) + bit / 8];

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
	int bit = bit_index(msr);
	size_t half = kind == MSR_BITMAP_WRITE ? WRITE_HALF : 0;

	return bit < 0 || (bitmap[half + bit / 8] >> (bit % 8) & 1);
}
