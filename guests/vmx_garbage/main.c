/* vmx_garbage: an L1 hypervisor that feeds the VMX instructions garbage.
 * After VMXON it runs VMXON, VMXOFF, VMCLEAR, VMPTRLD, VMPTRST, VMREAD,
 * VMWRITE, INVEPT and INVVPID ROUNDS times with pseudo-random operands,
 * some at CPL 3, catching every exception, and checks that each ended in
 * one of the ways the SDM allows that instruction (Vol. 3C 31.2-31.4): the
 * status flags of VMsucceed, VMfailInvalid or VMfailValid with an error
 * number it can give, or #UD, #GP(0), #SS(0), #PF. Virtualized, it is a
 * guest that must neither crash nor hang nestvisor.
 *
 * The garbage never reaches memory outside the guest's own pages: memory
 * operands are in a data page, on a page not present, non-canonical or
 * above 4 GiB (not mapped); pointers name pool pages, the VMXON region or
 * addresses no memory or no valid pointer is at. So VMCLEAR, VMPTRLD and
 * VMWRITE can only touch the pool. VMLAUNCH and VMRESUME are left out: with
 * a garbage VMCS that happened to pass the entry checks, the CPU would
 * leave for a garbage guest. The sequence is fixed (PRNG_SEED), so a
 * failure repeats. */
#include "../lib/guest.h"
#include "../lib/prng.h"
#include "../lib/user.h"
#include "../lib/vmx.h"

#define ROUNDS 2000
#define PRNG_SEED 0x766d785f67617262ull		/* "vmx_garb" */
#define POOL_PAGES 4
#define USER_ONE_IN 16			/* share of attempts made at CPL 3 */
#define VMXOFF_ONE_IN 64		/* share of VMXOFF among the attempts */
#define NO_VMCS_ONE_IN 8		/* rounds started with no current VMCS */
#define MAX_FAIL_LINES 10
#define DESC_BYTES 16
#define VMCS_SHADOW_BIT BIT(31)
#define HIGH_ADDRESS_BIT BIT(33)	/* 8 GiB: beyond the guest's 4 GiB map */
#define CANONICAL_LOW_MASK 0x00007fffffffffffull

enum {
	PAGE_VMXON,
	PAGE_DATA,
	PAGE_HOLE,
	PAGE_POOL,
	PAGE_COUNT = PAGE_POOL + POOL_PAGES,
};

static u8 pages[PAGE_COUNT][PAGE_SIZE] __aligned(PAGE_SIZE);
static struct vmx_features features;
static u64 prng = PRNG_SEED;

static u64 rnd(u64 n)
{
	return prng_next(&prng) % n;
}

static u64 pa(unsigned page)
{
	return ptr_to_phys(pages[page]);
}

/* The instructions drawn from; VMXOFF is drawn apart (VMXOFF_ONE_IN). */
static const enum vmx_insn drawn[] = {
	VMX_INSN_VMXON, VMX_INSN_VMCLEAR, VMX_INSN_VMPTRLD, VMX_INSN_VMPTRST,
	VMX_INSN_VMREAD, VMX_INSN_VMWRITE, VMX_INSN_INVEPT, VMX_INSN_INVVPID,
};

/* A physical address for VMXON, VMCLEAR or VMPTRLD to name. */
static u64 random_pointer(void)
{
	u64 width = BIT(features.pa_width);

	switch (rnd(6)) {
	case 0:
		return pa(PAGE_POOL + rnd(POOL_PAGES));
	case 1:
		return pa(PAGE_POOL + rnd(POOL_PAGES)) + 1 + rnd(PAGE_SIZE - 1);
	case 2:
		return pa(PAGE_VMXON);
	case 3:
		return width | prng_next(&prng);		/* beyond the width */
	case 4:
		return width - PAGE_SIZE;			/* no memory there */
	default:
		return prng_next(&prng) | BIT(63);
	}
}

/* The address of a memory operand; the data page's operand gets contents. */
static u64 *random_operand(void)
{
	u8 *data = pages[PAGE_DATA];
	u64 *op;

	switch (rnd(5)) {
	case 0:
		return (u64 *)(pages[PAGE_HOLE] + rnd(PAGE_SIZE));
	case 1:
		return (u64 *)(prng_next(&prng) | BIT(47 + rnd(16)));	/* mostly non-canonical */
	case 2:		/* canonical, not mapped */
		return (u64 *)((prng_next(&prng) & CANONICAL_LOW_MASK) | HIGH_ADDRESS_BIT);
	default:
		op = (u64 *)(data + rnd(PAGE_SIZE - DESC_BYTES));
		op[0] = rnd(2) ? random_pointer() : prng_next(&prng);
		op[1] = prng_next(&prng);
		return op;
	}
}

static u64 random_field(void)
{
	const struct vmcs_field_info *f;

	switch (rnd(4)) {
	case 0:
		f = vmcs_field_at((unsigned)rnd(VMCS_FIELD_COUNT));
		return f->encoding | (f->name_high ? rnd(2) : 0);
	case 1:
		return rnd(0x10000);
	case 2:
		return (u32)prng_next(&prng);
	default:
		return prng_next(&prng);
	}
}

static void random_try(struct vmx_try *t)
{
	*t = (struct vmx_try){
		.insn = rnd(VMXOFF_ONE_IN) ? drawn[rnd(ARRAY_SIZE(drawn))] : VMX_INSN_VMXOFF,
		.user = !rnd(USER_ONE_IN),
		.reg = rnd(2),
		.mem = random_operand(),
		.field = random_field(),
		.value = prng_next(&prng),
		.type = rnd(2) ? rnd(8) : prng_next(&prng),
	};
}

/* The VM-instruction errors each instruction may leave (SDM Vol. 3C
 * 31.3 "Operation", numbers from 31.4). */
static u32 errors_allowed(enum vmx_insn insn)
{
	switch (insn) {
	case VMX_INSN_VMXON:
		return BIT(VMXERR_VMXON_IN_ROOT);
	case VMX_INSN_VMCLEAR:
		return BIT(VMXERR_VMCLEAR_INVALID_ADDR) | BIT(VMXERR_VMCLEAR_VMXON_PTR);
	case VMX_INSN_VMPTRLD:
		return BIT(VMXERR_VMPTRLD_INVALID_ADDR) | BIT(VMXERR_VMPTRLD_VMXON_PTR) |
		       BIT(VMXERR_VMPTRLD_BAD_REVISION);
	case VMX_INSN_VMREAD:
		return BIT(VMXERR_UNSUPPORTED_COMPONENT);
	case VMX_INSN_VMWRITE:
		return BIT(VMXERR_UNSUPPORTED_COMPONENT) | BIT(VMXERR_VMWRITE_READ_ONLY);
	case VMX_INSN_INVEPT:
	case VMX_INSN_INVVPID:
		return BIT(VMXERR_INVEPT_INVVPID_OPERAND);
	default:
		return 0;
	}
}

static bool has_memory_operand(const struct vmx_try *t)
{
	switch (t->insn) {
	case VMX_INSN_VMREAD:
	case VMX_INSN_VMWRITE:
		return !t->reg;
	case VMX_INSN_VMXOFF:
	case VMX_INSN_VMLAUNCH:
	case VMX_INSN_VMRESUME:
		return false;
	default:
		return true;
	}
}

/* Whether the instruction exists here: INVEPT and INVVPID are #UD if not
 * advertised. In VMX root operation everything else does. */
static bool insn_exists(enum vmx_insn insn)
{
	return (insn != VMX_INSN_INVEPT || features.invept) &&
	       (insn != VMX_INSN_INVVPID || features.invvpid);
}

/* Whether t ended in a way the SDM allows it. */
static bool well_formed(const struct vmx_try *t)
{
	switch (t->outcome) {
	case VMX_SUCCEED:
	case VMX_FAIL_INVALID:
		return !t->user && insn_exists(t->insn);
	case VMX_FAIL_VALID:
		return !t->user && insn_exists(t->insn) && t->error < 32 &&
		       (errors_allowed(t->insn) & BIT(t->error));
	case VMX_FAULT:
		if (t->fault.vector == VEC_UD)
			return !insn_exists(t->insn);
		if (t->fault.vector == VEC_GP || t->fault.vector == VEC_SS)
			return t->fault.error_code == 0 && insn_exists(t->insn) &&
			       (t->user || has_memory_operand(t));
		if (t->fault.vector == VEC_PF)
			return !t->user && has_memory_operand(t);
		return false;
	default:
		return false;
	}
}

/* A successful VMPTRLD made a pool page with an acceptable revision id
 * current; anything else would mean garbage became a VMCS. */
static bool vmptrld_sound(const struct vmx_try *t)
{
	u64 current = ~0ull;
	u32 rev;

	if (t->insn != VMX_INSN_VMPTRLD || t->outcome != VMX_SUCCEED)
		return true;
	vmx_vmptrst(&current);
	if (current < pa(PAGE_POOL) || current >= pa(PAGE_COUNT) || current % PAGE_SIZE)
		return false;
	rev = *(u32 *)phys_to_ptr(current);
	return rev == features.revision ||
	       (features.shadowing && rev == (features.revision | VMCS_SHADOW_BIT));
}

static void report_attempt(unsigned round, const struct vmx_try *t)
{
	char got[96];

	vmx_outcome_words(got, sizeof(got), t->outcome, t->error, t->fault.vector,
			  t->fault.error_code, t->rflags);
	report(false, "garbage: round %u: %s%s (%s, operand 0x%lx, field 0x%lx, type 0x%lx): %s",
	       round, vmx_insn_name(t->insn), t->user ? " at CPL 3" : "",
	       t->reg ? "register form" : "memory form", (u64)t->mem, t->field, t->type, got);
}

static void set_up_pool(void)
{
	/* Two pages a VMCS may be, one a shadow VMCS, one neither. */
	static const u32 rev_flip[POOL_PAGES] = { 0, 0, VMCS_SHADOW_BIT, 0x5a5a };

	*(u32 *)pages[PAGE_VMXON] = features.revision;
	for (unsigned i = 0; i < POOL_PAGES; i++)
		*(u32 *)pages[PAGE_POOL + i] = features.revision ^ rev_flip[i];
	paging_unmap_4k(pa(PAGE_HOLE));
}

static bool enter_vmx(void)
{
	const struct vmx_caps *c = &features.caps;
	u64 vmxon = pa(PAGE_VMXON);

	write_cr0((read_cr0() | c->cr0_fixed0) & c->cr0_fixed1);
	write_cr4((read_cr4() | c->cr4_fixed0 | CR4_VMXE) & c->cr4_fixed1);
	return vmx_outcome_of(vmx_vmxon(&vmxon)) == VMX_SUCCEED;
}

/* Most rounds start with a current VMCS (a pool page with the right
 * revision id), so the checks that need one are reached, which garbage
 * alone seldom gives; some start without, for the VMfailInvalid paths.
 * Returns whether this round has one. */
static bool set_current_vmcs(void)
{
	u64 current = ~0ull, vmcs = pa(PAGE_POOL + rnd(2));

	vmx_vmptrst(&current);
	if (!rnd(NO_VMCS_ONE_IN)) {
		if (current != ~0ull)
			vmx_vmclear(&current);
		return false;
	}
	return current != ~0ull || vmx_outcome_of(vmx_vmptrld(&vmcs)) == VMX_SUCCEED;
}

static void run_rounds(void)
{
	unsigned counts[VMX_FAULT + 1] = { 0 }, bad = 0, unsound = 0, with_vmcs = 0;

	for (unsigned round = 0; round < ROUNDS; round++) {
		struct vmx_try t;

		with_vmcs += set_current_vmcs();
		random_try(&t);
		vmx_try_run(&t);
		counts[t.outcome]++;
		if (!well_formed(&t) && ++bad <= MAX_FAIL_LINES)
			report_attempt(round, &t);
		if (!vmptrld_sound(&t) && ++unsound <= MAX_FAIL_LINES)
			report(false, "garbage: round %u: VMPTRLD made a page current that is no "
			       "VMCS of the pool", round);
		/* Leaving VMX operation was the garbage's doing: come back. */
		if (t.insn == VMX_INSN_VMXOFF && t.outcome == VMX_SUCCEED && !enter_vmx())
			panic("garbage: round %u: VMXON after VMXOFF failed", round);
	}
	report_info("garbage: %u rounds (%u with a current VMCS): %u VMsucceed, "
		    "%u VMfailInvalid, %u VMfailValid, %u faults", ROUNDS, with_vmcs,
		    counts[VMX_SUCCEED], counts[VMX_FAIL_INVALID], counts[VMX_FAIL_VALID],
		    counts[VMX_FAULT]);
	report(!bad, "garbage: %u VMX instructions with pseudo-random operands each ended as "
	       "the SDM allows (status flags, error numbers, #UD/#GP(0)/#SS(0)/#PF)", ROUNDS);
	report(!unsound, "garbage: VMPTRLD made only pool pages with a valid revision id current");
}

/* After the garbage: VMX still works as it should. */
static void check_still_sound(void)
{
	u64 vmcs = pa(PAGE_POOL), rip = 0;
	bool ok;

	ok = vmx_outcome_of(vmx_vmclear(&vmcs)) == VMX_SUCCEED &&
	     vmx_outcome_of(vmx_vmptrld(&vmcs)) == VMX_SUCCEED &&
	     vmx_outcome_of(vmx_vmwrite(VMCS_GUEST_RIP, PRNG_SEED)) == VMX_SUCCEED &&
	     vmx_outcome_of(vmx_vmread(VMCS_GUEST_RIP, &rip)) == VMX_SUCCEED && rip == PRNG_SEED;
	report(ok, "garbage: afterwards VMCLEAR, VMPTRLD, VMWRITE and VMREAD of a pool VMCS work");
	report(vmx_outcome_of(vmx_vmxoff()) == VMX_SUCCEED, "garbage: VMXOFF: VMsucceed");
	write_cr4(read_cr4() & ~CR4_VMXE);
}

void guest_main(const struct guest_boot_info *bi)
{
	printf("vmx_garbage: %s, %u VMX instructions with pseudo-random operands\n",
	       bi->flags & GUEST_BOOT_BARE ? "bare" : "virtualized", ROUNDS);
	if (!vmx_features_read(&features)) {
		report_info("vmx_garbage: CPUID.1:ECX.VMX is 0: nothing to test");
		report_summary("vmx_garbage");
		return;
	}
	user_init();
	set_up_pool();
	if (report(enter_vmx(), "garbage: VMXON: VMsucceed")) {
		run_rounds();
		check_still_sound();
	}
	report_summary("vmx_garbage");
}
