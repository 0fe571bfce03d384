#include "msr_bitmap_merge.h"
#include "../lib/msr.h"
#include "../lib/panic.h"

/* The x2APIC range fills whole bytes of the page, so the merge can force
 * it byte by byte. */
_Static_assert(MSR_X2APIC_BASE % 8 == 0 && (MSR_X2APIC_LAST + 1) % 8 == 0,
	       "the x2APIC MSR range is byte-aligned in an MSR bitmap");

static bool x2apic_forced(const struct msr_merge_inputs *in, u32 msr)
{
	return !in->x2apic_virtualized && msr >= MSR_X2APIC_BASE && msr <= MSR_X2APIC_LAST;
}

/* The exits L0 wants among the eight accesses byte describes: its policy's,
 * and x2APIC MSRs not virtualized for L2, since otherwise RDMSR/WRMSR would
 * reach the real x2APIC (SDM Vol. 3C, 30.5). */
static u8 l0_exits(const struct msr_merge_inputs *in, size_t byte)
{
	return in->l0[byte] | (x2apic_forced(in, msr_bitmap_byte_msr(byte)) ? 0xff : 0);
}

/* The exits L1 asked for: with "use MSR bitmaps" 0 in vmcs12, all of them
 * (SDM Vol. 3C, 26.1.3). */
static u8 l1_exits(const struct msr_merge_inputs *in, size_t byte)
{
	return in->l1 ? in->l1[byte] : 0xff;
}

/* THE merge rule: an access exits if L0 or L1 wants it to. A clear bit in
 * the result is a promise made for both of them. */
static u64 merge_rule64(u64 l0, u64 l1)
{
#ifdef FAULT_MSR_MERGE
	/* Deliberate defect (make FAULT=msr-merge): L1's exits count only
	 * where L0 wants the exit too, so L2 reaches MSRs L1 intercepts. */
	return l0 & l1;
#else
	return l0 | l1;
#endif
}

static u8 merge_rule(u8 l0, u8 l1)
{
	return (u8)merge_rule64(l0, l1);
}

/* Whether the eight bytes from byte on hold the bits of x2APIC MSRs that
 * must exit: its 256 MSRs fill whole words of each half of the page. */
_Static_assert(MSR_X2APIC_BASE % 64 == 0 && (MSR_X2APIC_LAST + 1) % 64 == 0,
	       "the x2APIC MSR range fills whole 64-bit words of an MSR bitmap");
static bool word_has_x2apic(const struct msr_merge_inputs *in, size_t byte)
{
	static const unsigned kinds[] = { MSR_BITMAP_READ, MSR_BITMAP_WRITE };

	if (in->x2apic_virtualized)
		return false;
	for (unsigned k = 0; k < ARRAY_SIZE(kinds); k++)
		if ((int)byte >= msr_bitmap_byte(MSR_X2APIC_BASE, kinds[k]) &&
		    (int)byte <= msr_bitmap_byte(MSR_X2APIC_LAST, kinds[k]))
			return true;
	return false;
}

/* Eight bytes at a time where no x2APIC MSR forces an exit, since this
 * runs on every nested entry; the rule itself is merge_rule() either way. */
void msr_bitmap_merge(u8 *l02, const struct msr_merge_inputs *in)
{
	ASSERT(l02 != in->l0 && l02 != in->l1);
	for (size_t byte = 0; byte < PAGE_SIZE; byte += sizeof(u64)) {
		if (word_has_x2apic(in, byte)) {
			for (size_t b = byte; b < byte + sizeof(u64); b++)
				l02[b] = merge_rule(l0_exits(in, b), l1_exits(in, b));
			continue;
		}
		u64 l0, l1 = ~0ull, out;

		__builtin_memcpy(&l0, in->l0 + byte, sizeof(l0));
		if (in->l1)
			__builtin_memcpy(&l1, in->l1 + byte, sizeof(l1));
		out = merge_rule64(l0, l1);
		__builtin_memcpy(l02 + byte, &out, sizeof(out));
	}
}

enum msr_exit_owner msr_merge_owner(const struct msr_merge_inputs *in, u32 msr, unsigned kind)
{
	int byte = msr_bitmap_byte(msr, kind);
	u8 mask = MSR_BITMAP_MASK(msr);
	unsigned owner = 0;

	/* Outside both ranges RDMSR and WRMSR exit unconditionally (26.1.3),
	 * under vmcs01 as under vmcs12. */
	if (byte < 0)
		return MSR_EXIT_BOTH;
	if (l0_exits(in, (size_t)byte) & mask)
		owner |= MSR_EXIT_L0;
	if (l1_exits(in, (size_t)byte) & mask)
		owner |= MSR_EXIT_L1;
	return (enum msr_exit_owner)owner;
}

const char *msr_exit_owner_name(enum msr_exit_owner owner)
{
	static const char *const names[] = {
		[MSR_EXIT_NONE] = "none",
		[MSR_EXIT_L0] = "L0",
		[MSR_EXIT_L1] = "L1",
		[MSR_EXIT_BOTH] = "both",
	};

	ASSERT((unsigned)owner < ARRAY_SIZE(names));
	return names[owner];
}
