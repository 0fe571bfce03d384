/* vmx/msr_bitmap.c: the layout of the MSR bitmap page. */
#include "harness.h"
#include "../../vmx/msr_bitmap.h"

static u8 bitmap[4096];

/* msr_bitmap_byte() and msr_bitmap_byte_msr() are inverses over both
 * ranges and kinds, and every byte of the page is some MSRs' byte. */
static void test_byte_layout(void)
{
	static const u32 starts[] = { 0, 0xc0000000 };
	static const unsigned kinds[] = { MSR_BITMAP_READ, MSR_BITMAP_WRITE };
	static u8 hits[4096];
	unsigned bad = 0, unhit = 0;

	for (unsigned r = 0; r < ARRAY_SIZE(starts); r++)
		for (u32 msr = starts[r]; msr < starts[r] + 0x2000; msr++)
			for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
				int byte = msr_bitmap_byte(msr, kinds[k]);

				bad += byte < 0 || msr_bitmap_byte_msr(byte) != (msr & ~7u);
				hits[byte < 0 ? 0 : byte]++;
			}
	for (unsigned i = 0; i < sizeof(hits); i++)
		unhit += hits[i] != 8;
	report(!bad && !unhit && msr_bitmap_byte(0xc0000100, MSR_BITMAP_WRITE) == 3072 + 0x20 &&
	       msr_bitmap_byte(0x2000, MSR_BITMAP_READ) < 0,
	       "byte <-> first MSR: inverses for all 32768 accesses, each byte holds 8 (%u wrong, "
	       "%u bytes not), FS_BASE write at 3104, 0x2000 nowhere", bad, unhit);
}

void run_tests(void)
{
	test_byte_layout();

	msr_bitmap_intercept_all(bitmap);
	report(msr_bitmap_exits(bitmap, 0x10, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0xc0000080, MSR_BITMAP_WRITE),
	       "intercept-all: reads and writes exit");

	report(msr_bitmap_allow(bitmap, 0xc0000080, MSR_BITMAP_READ | MSR_BITMAP_WRITE),
	       "EFER can be passed through");
	/* SDM 25.6.9: high reads at byte 1024, low writes at 2048, high writes at 3072. */
	report(!(bitmap[1024 + 0x80 / 8] & 1) && !(bitmap[3072 + 0x80 / 8] & 1),
	       "EFER's bits sit in the high read and high write quarters");
	report(!msr_bitmap_exits(bitmap, 0xc0000080, MSR_BITMAP_READ) &&
	       !msr_bitmap_exits(bitmap, 0xc0000080, MSR_BITMAP_WRITE) &&
	       msr_bitmap_exits(bitmap, 0xc0000081, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0x80, MSR_BITMAP_READ),
	       "only EFER stopped exiting (not its neighbour, not low MSR 0x80)");

	report(msr_bitmap_allow(bitmap, 0x1b, MSR_BITMAP_READ) &&
	       !msr_bitmap_exits(bitmap, 0x1b, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0x1b, MSR_BITMAP_WRITE) && !(bitmap[3] & 0x08),
	       "read-only pass-through of a low MSR (bit 0x1b in byte 3)");
	report(msr_bitmap_allow(bitmap, 0x808, MSR_BITMAP_READ | MSR_BITMAP_WRITE) &&
	       msr_bitmap_intercept(bitmap, 0x808, MSR_BITMAP_WRITE) &&
	       !msr_bitmap_exits(bitmap, 0x808, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0x808, MSR_BITMAP_WRITE) && (bitmap[2048 + 0x101] & 1) &&
	       msr_bitmap_exits(bitmap, 0x809, MSR_BITMAP_READ),
	       "intercept: the write of x2APIC TPR 0x808 exits again, its read still not");
	report(msr_bitmap_intercept(bitmap, 0x808, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0x808, MSR_BITMAP_READ) &&
	       !msr_bitmap_intercept(bitmap, 0x2000, MSR_BITMAP_READ),
	       "intercept: then its read too; MSRs outside both ranges report false");
	report(!msr_bitmap_allow(bitmap, 0x2000, MSR_BITMAP_READ) &&
	       !msr_bitmap_allow(bitmap, 0xc0002000, MSR_BITMAP_READ) &&
	       msr_bitmap_exits(bitmap, 0x40000000, MSR_BITMAP_READ),
	       "MSRs outside both ranges cannot be passed through and always exit");
}
