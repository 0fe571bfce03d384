/* vmx/msr_bitmap_merge.c: the merged MSR bitmap for L2 and who wants an
 * MSR exit, on a truth table. The three pages sit between inaccessible
 * guard pages, so a read or write beyond them crashes the test. */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>
#include "harness.h"
#include "../../lib/fmt.h"
#include "../../lib/msr.h"
#include "../../vmx/msr_bitmap_merge.h"

/* The truth table, written out rather than computed: who wants the exit
 * for each setting of L0's and L1's bits, as the bits say, with the x2APIC
 * range not virtualized for L2 (L0 always wants it), without an L1 bitmap
 * (L1 always wants it), and with both. */
enum column { AS_BITS, X2APIC_FORCED, NO_L1_BITMAP, BOTH_FORCED, NR_COLUMNS };
static const struct {
	bool l0_exit, l1_exit;
	enum msr_exit_owner owner[NR_COLUMNS];
} rows[] = {
	{ false, false, { MSR_EXIT_NONE, MSR_EXIT_L0, MSR_EXIT_L1, MSR_EXIT_BOTH } },
	{ true, false, { MSR_EXIT_L0, MSR_EXIT_L0, MSR_EXIT_BOTH, MSR_EXIT_BOTH } },
	{ false, true, { MSR_EXIT_L1, MSR_EXIT_BOTH, MSR_EXIT_L1, MSR_EXIT_BOTH } },
	{ true, true, { MSR_EXIT_BOTH, MSR_EXIT_BOTH, MSR_EXIT_BOTH, MSR_EXIT_BOTH } },
};

static const struct {
	u32 msr;
	const char *name;
} msrs[] = {
	{ 0x0, "first low MSR" },
	{ 0x10, "IA32_TIME_STAMP_COUNTER" },
	{ MSR_IA32_APIC_BASE, "IA32_APIC_BASE" },
	{ 0x7ff, "below x2APIC" },
	{ MSR_X2APIC_BASE, "first x2APIC" },
	{ 0x808, "x2APIC TPR" },
	{ 0x80b, "x2APIC EOI" },
	{ MSR_X2APIC_LAST, "last x2APIC" },
	{ 0x900, "above x2APIC" },
	{ 0x1fff, "last low MSR" },
	{ 0xc0000000, "first high MSR" },
	{ MSR_IA32_EFER, "IA32_EFER" },
	{ MSR_FS_BASE, "FS_BASE" },
	{ MSR_GS_BASE, "GS_BASE" },
	{ MSR_KERNEL_GS_BASE, "KERNEL_GS_BASE" },
	{ 0xc0001fff, "last high MSR" },
};

static const unsigned kinds[] = { MSR_BITMAP_READ, MSR_BITMAP_WRITE };
/* The two ranges a bitmap describes (SDM Vol. 3C, 25.6.9). */
static const u32 range_starts[] = { 0, 0xc0000000 };
#define RANGE_MSRS 0x2000u

static u8 *l0, *l1, *l02;
static u8 l0_copy[PAGE_SIZE], l1_copy[PAGE_SIZE];

/* A page with an inaccessible page on either side. */
static u8 *guarded_page(void)
{
	u8 *m = mmap(NULL, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || mprotect(m, PAGE_SIZE, PROT_NONE) ||
	    mprotect(m + 2 * PAGE_SIZE, PAGE_SIZE, PROT_NONE))
		panic("cannot map a guarded page");
	return m + PAGE_SIZE;
}

/* Whether touching p kills a process (a child, its stderr silenced). */
static bool touching_crashes(const volatile u8 *p)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);
		(void)*p;
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static bool in_x2apic(u32 msr)
{
	return msr >= MSR_X2APIC_BASE && msr <= MSR_X2APIC_LAST;
}

static const char *kind_name(unsigned kind)
{
	return kind == MSR_BITMAP_READ ? "read" : "write";
}

/* Sets bitmap so that every access exits as background says, except the
 * one access (msr, kind), which exits as bit says. */
static void fill(u8 *bitmap, bool background, u32 msr, unsigned kind, bool bit)
{
	memset(bitmap, background ? 0xff : 0, PAGE_SIZE);
	if (bit)
		msr_bitmap_intercept(bitmap, msr, kind);
	else
		msr_bitmap_allow(bitmap, msr, kind);
}

/* Every access of the merged page and msr_merge_owner() against the table:
 * (msr, kind) with row r, every other access with the opposite row (the
 * bitmaps' background). Returns whether all match; describes the first
 * mismatch in why. */
static bool check_page(const struct msr_merge_inputs *in, u32 msr, unsigned kind, unsigned r,
		       char *why, size_t why_size)
{
	for (unsigned i = 0; i < ARRAY_SIZE(range_starts); i++)
	for (u32 m = range_starts[i]; m < range_starts[i] + RANGE_MSRS; m++)
	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++) {
		bool tested = m == msr && kinds[k] == kind;
		unsigned row = tested ? r : ARRAY_SIZE(rows) - 1 - r;
		enum column col = (in_x2apic(m) && !in->x2apic_virtualized) + 2 * !in->l1;
		enum msr_exit_owner want = rows[row].owner[col];
		enum msr_exit_owner got = msr_merge_owner(in, m, kinds[k]);
		bool exits = msr_bitmap_exits(l02, m, kinds[k]);

		if (got == want && exits == (want != MSR_EXIT_NONE))
			continue;
		fmt_snprintf(why, why_size, "%s of 0x%x%s: owner %s, %s; the table: %s",
			     kind_name(kinds[k]), m, tested ? "" : " (a background bit)",
			     msr_exit_owner_name(got), exits ? "exits" : "passes",
			     msr_exit_owner_name(want));
		return false;
	}
	return true;
}

/* Every row of the table for one MSR, both kinds, with and without an L1
 * bitmap, the x2APIC range virtualized or not: 32 combinations. */
static void test_msr(u32 msr, const char *name)
{
	unsigned combos = 0, bad = 0, changed = 0;
	char first[160] = "", why[96];

	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
	for (unsigned r = 0; r < ARRAY_SIZE(rows); r++)
	for (unsigned uses_l1 = 0; uses_l1 < 2; uses_l1++)
	for (unsigned virt = 0; virt < 2; virt++) {
		struct msr_merge_inputs in = { l0, uses_l1 ? l1 : NULL, virt };

		fill(l0, !rows[r].l0_exit, msr, kinds[k], rows[r].l0_exit);
		fill(l1, !rows[r].l1_exit, msr, kinds[k], rows[r].l1_exit);
		memcpy(l0_copy, l0, PAGE_SIZE);
		memcpy(l1_copy, l1, PAGE_SIZE);
		memset(l02, 0x5a, PAGE_SIZE);	/* last entry's leftovers */
		msr_bitmap_merge(l02, &in);
		changed += memcmp(l0, l0_copy, PAGE_SIZE) || memcmp(l1, l1_copy, PAGE_SIZE);
		combos++;
		if (check_page(&in, msr, kinds[k], r, why, sizeof(why)) || bad++)
			continue;
		fmt_snprintf(first, sizeof(first), "; first: L0 %s, L1 %s%s: %s",
			     rows[r].l0_exit ? "exit" : "pass",
			     uses_l1 ? (rows[r].l1_exit ? "exit" : "pass") : "uses no bitmap",
			     virt ? ", x2APIC virtualized" : "", why);
	}
	report(!bad && !changed, "0x%x %s: %u combinations as the table says, every other bit "
	       "too (%u wrong, %u changed an input)%s", msr, name, combos, bad, changed, first);
}

static void test_outside_ranges(void)
{
	static const u32 outside[] = { 0x2000, 0x40000000, 0xbfffffff, 0xc0002000, 0xffffffff };
	struct msr_merge_inputs in = { l0, l1, true };
	unsigned bad = 0;

	memset(l0, 0, PAGE_SIZE);
	memset(l1, 0, PAGE_SIZE);
	msr_bitmap_merge(l02, &in);
	for (unsigned i = 0; i < ARRAY_SIZE(outside); i++)
		for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
			bad += msr_merge_owner(&in, outside[i], kinds[k]) != MSR_EXIT_BOTH ||
			       !msr_bitmap_exits(l02, outside[i], kinds[k]);
	report(!bad && !msr_bitmap_exits(l02, 0x1fff, MSR_BITMAP_READ) &&
	       !msr_bitmap_exits(l02, 0xc0001fff, MSR_BITMAP_WRITE),
	       "MSRs outside both ranges exit for both even when both bitmaps pass everything "
	       "(%u wrong), the ranges' last MSRs pass", bad);
}

/* L1 may edit its bitmap between entries: the next merge follows it. */
static void test_remerge(void)
{
	struct msr_merge_inputs in = { l0, l1, false };
	bool before, after_intercept, after_allow;

	memset(l0, 0, PAGE_SIZE);
	memset(l1, 0, PAGE_SIZE);
	msr_bitmap_merge(l02, &in);
	before = msr_bitmap_exits(l02, MSR_FS_BASE, MSR_BITMAP_WRITE);
	msr_bitmap_intercept(l1, MSR_FS_BASE, MSR_BITMAP_WRITE);
	msr_bitmap_merge(l02, &in);
	after_intercept = msr_bitmap_exits(l02, MSR_FS_BASE, MSR_BITMAP_WRITE);
	msr_bitmap_allow(l1, MSR_FS_BASE, MSR_BITMAP_WRITE);
	msr_bitmap_merge(l02, &in);
	after_allow = msr_bitmap_exits(l02, MSR_FS_BASE, MSR_BITMAP_WRITE);
	report(!before && after_intercept && !after_allow &&
	       msr_bitmap_exits(l02, 0x808, MSR_BITMAP_READ) &&
	       !msr_bitmap_exits(l02, 0x7ff, MSR_BITMAP_READ) &&
	       !msr_bitmap_exits(l02, 0x900, MSR_BITMAP_WRITE),
	       "re-merge follows L1's edits (FS_BASE write: %d, %d, %d); x2APIC TPR exits, 0x7ff and 0x900 do not",
	       before, after_intercept, after_allow);
}

static void test_names(void)
{
	report(!strcmp(msr_exit_owner_name(MSR_EXIT_NONE), "none") &&
	       !strcmp(msr_exit_owner_name(MSR_EXIT_L0), "L0") &&
	       !strcmp(msr_exit_owner_name(MSR_EXIT_L1), "L1") &&
	       !strcmp(msr_exit_owner_name(MSR_EXIT_BOTH), "both"),
	       "owner names: none, L0, L1, both");
	EXPECT_PANIC("merge into L1's page", "assertion failed",
		     msr_bitmap_merge(l1, &(struct msr_merge_inputs){ l0, l1, true }));
}

void run_tests(void)
{
	l0 = guarded_page();
	l1 = guarded_page();
	l02 = guarded_page();
	report(touching_crashes(l02 - 1) && touching_crashes(l02 + PAGE_SIZE) &&
	       touching_crashes(l1 + PAGE_SIZE) && touching_crashes(l0 - 1),
	       "the guard pages around the three bitmap pages trap");

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++)
		test_msr(msrs[i].msr, msrs[i].name);
	test_outside_ranges();
	test_remerge();
	test_names();
}
