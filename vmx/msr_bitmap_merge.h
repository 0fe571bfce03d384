/* The MSR bitmap the CPU uses while L2 runs (vmcs02's), merged on every
 * nested entry from nestvisor's policy for L1 and L1's own bitmap (issue 6,
 * item 3). An access reaches L2 without an exit only if both L0 and L1 let
 * it; the rule is written once, in msr_bitmap_merge.c. Pure: host-tested
 * on a truth table by test/host/test_msr_bitmap_merge.c. */
#ifndef VMX_MSR_BITMAP_MERGE_H
#define VMX_MSR_BITMAP_MERGE_H

#include "msr_bitmap.h"

struct msr_merge_inputs {
	/* nestvisor's policy for L1: a set bit is an access L0 itself wants
	 * to see (the bitmap vmcs01 uses). */
	const u8 *l0;
	/* L1's bitmap page as L1 wrote it (vmcs12's MSR-bitmap address, already
	 * checked to lie in L1's memory); only read, never given to the CPU.
	 * NULL when L1 does not use MSR bitmaps: then every access exits to L1
	 * (SDM Vol. 3C, 26.1.3). */
	const u8 *l1;
	/* Whether x2APIC MSRs 0x800-0x8ff are virtualized for L2; if not,
	 * every access to them exits to L0 whatever the bitmaps say. */
	bool x2apic_virtualized;
};

/* Who wants an MSR access of L2 to exit: L0 (nestvisor handles it as L1's
 * access), L1 (reflected to L1 as a VM exit), both, or none (no exit). */
enum msr_exit_owner {
	MSR_EXIT_NONE = 0,
	MSR_EXIT_L0 = 1,
	MSR_EXIT_L1 = 2,
	MSR_EXIT_BOTH = MSR_EXIT_L0 | MSR_EXIT_L1,
};

/* Writes into l02 (a page of its own, neither input) the bitmap under which
 * an access exits if L0 or L1 wants it to; reads only the input pages. */
void msr_bitmap_merge(u8 *l02, const struct msr_merge_inputs *in);
/* Who wants an access of kind (MSR_BITMAP_READ or _WRITE) to msr to exit;
 * an MSR outside both bitmap ranges always exits, for both. */
enum msr_exit_owner msr_merge_owner(const struct msr_merge_inputs *in, u32 msr, unsigned kind);
/* "none", "L0", "L1" or "both". */
const char *msr_exit_owner_name(enum msr_exit_owner owner);

#endif
