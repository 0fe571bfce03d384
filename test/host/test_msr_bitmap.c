/* vmx/msr_bitmap.c: the layout of the MSR bitmap page. */
#include "harness.h"
#include "../../vmx/msr_bitmap.h"

static u8 bitmap[4096];

void run_tests(void)
{
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
