/* VMCS pointers in VMX root operation: VMCLEAR, VMPTRLD, VMPTRST, VMXON
 * again, the current-VMCS pointer and the launch state (SDM Vol. 3C 31.3,
 * each instruction's "Operation"; 25.1 for the launch state). VMfail is
 * VMfailValid with a current VMCS and VMfailInvalid without one (31.2). */
#include "check.h"

#define NO_CURRENT_VMCS (~0ull)		/* what VMPTRST stores then */
#define UNSUPPORTED_FIELD 0x6ffeull	/* natural-width host field, index 0x1ff */
#define RIP_IN_A 0x1234567890abcdefull
#define RIP_IN_B 0x0fedcba987654321ull

void test_no_current_vmcs(struct l1 *l1)
{
	u64 *hole_op = (u64 *)(l1->hole + HOLE_OPERAND_OFFSET);
	u64 *stored = cell(0);
	struct vmx_try t = { .insn = VMX_INSN_VMPTRST, .mem = stored };

	if (check(&t, SUCCEED, "VMPTRST with no current VMCS"))
		report(*stored == NO_CURRENT_VMCS,
		       "VMPTRST with no current VMCS: stores FFFFFFFF_FFFFFFFF");

	t = try_vmread(VMCS_GUEST_RIP);
	check(&t, FAIL_INVALID, "VMREAD with no current VMCS");
	t = try_vmread(UNSUPPORTED_FIELD);
	check(&t, FAIL_INVALID, "VMREAD of an unsupported field with no current VMCS "
	      "(the current-VMCS check comes first)");
	t = try_vmwrite(VMCS_GUEST_RIP, 0);
	check(&t, FAIL_INVALID, "VMWRITE with no current VMCS");
	/* The current-VMCS check comes before the memory operand is used. */
	t = (struct vmx_try){ .insn = VMX_INSN_VMREAD, .mem = hole_op, .field = VMCS_GUEST_RIP };
	check(&t, FAIL_INVALID, "VMREAD with no current VMCS to a page not present (no #PF)");
	t = (struct vmx_try){ .insn = VMX_INSN_VMWRITE, .mem = hole_op, .field = VMCS_GUEST_RIP };
	check(&t, FAIL_INVALID, "VMWRITE with no current VMCS from a page not present (no #PF)");
	t = try_plain(l1, VMX_INSN_VMLAUNCH);
	check(&t, FAIL_INVALID, "VMLAUNCH with no current VMCS");
	t = try_plain(l1, VMX_INSN_VMRESUME);
	check(&t, FAIL_INVALID, "VMRESUME with no current VMCS");
	t = try_plain(l1, VMX_INSN_VMXON);
	check(&t, FAIL_INVALID, "VMXON in VMX root operation with no current VMCS");

	/* Each of these is a VMfailValid case with a current VMCS. */
	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmxon);
	check(&t, FAIL_INVALID, "VMCLEAR of the VMXON pointer with no current VMCS");
	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmcs_a + 8);
	check(&t, FAIL_INVALID, "VMCLEAR of an unaligned pointer with no current VMCS");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a + 8);
	check(&t, FAIL_INVALID, "VMPTRLD of an unaligned pointer with no current VMCS");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmxon);
	check(&t, FAIL_INVALID, "VMPTRLD of the VMXON pointer with no current VMCS");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->bad_rev);
	check(&t, FAIL_INVALID, "VMPTRLD with a wrong revision id and no current VMCS");
	report(current_vmcs() == NO_CURRENT_VMCS,
	       "after the failed VMPTRLDs: still no current VMCS");
}

/* A pointer VMCLEAR or VMPTRLD must refuse, and the error number. */
struct bad_pointer {
	u64 pointer;
	u32 error;
	const char *what;
};

static void check_bad_pointers(enum vmx_insn insn, const struct bad_pointer *bad, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct vmx_try t = try_pointer(insn, bad[i].pointer);

		check(&t, FAIL_VALID(bad[i].error), "%s: %s", vmx_insn_name(insn), bad[i].what);
	}
}

static void test_refused_pointers(const struct l1 *l1)
{
	const struct bad_pointer vmclear_bad[] = {
		{ l1->vmcs_b + 8, VMXERR_VMCLEAR_INVALID_ADDR, "pointer not 4 KiB aligned" },
		{ l1->beyond, VMXERR_VMCLEAR_INVALID_ADDR,
		  "pointer beyond the physical-address width" },
		{ l1->vmcs_b | BIT(63), VMXERR_VMCLEAR_INVALID_ADDR, "pointer with bit 63 set" },
		{ l1->vmxon, VMXERR_VMCLEAR_VMXON_PTR, "the VMXON pointer" },
	};
	const struct bad_pointer vmptrld_bad[] = {
		{ l1->vmcs_b + 0x10, VMXERR_VMPTRLD_INVALID_ADDR, "pointer not 4 KiB aligned" },
		{ l1->beyond, VMXERR_VMPTRLD_INVALID_ADDR,
		  "pointer beyond the physical-address width" },
		{ l1->vmcs_b | BIT(63), VMXERR_VMPTRLD_INVALID_ADDR, "pointer with bit 63 set" },
		{ l1->vmxon, VMXERR_VMPTRLD_VMXON_PTR, "the VMXON pointer" },
		{ l1->bad_rev, VMXERR_VMPTRLD_BAD_REVISION, "region with a wrong revision id" },
		{ l1->absent, VMXERR_VMPTRLD_BAD_REVISION,
		  "region where there is no memory (revision reads all ones)" },
	};
	struct vmx_try t;

	check_bad_pointers(VMX_INSN_VMCLEAR, vmclear_bad, ARRAY_SIZE(vmclear_bad));
	check_bad_pointers(VMX_INSN_VMPTRLD, vmptrld_bad, ARRAY_SIZE(vmptrld_bad));
	report(current_vmcs() == l1->vmcs_a,
	       "after the failed VMCLEARs and VMPTRLDs: VMCS A is still current");

	/* Bit 31 of the revision id marks a shadow VMCS: VMPTRLD takes it
	 * only if the processor offers VMCS shadowing (VMPTRLD "Operation"). */
	t = try_pointer(VMX_INSN_VMPTRLD, l1->shadow);
	check_advertised(&t, l1->f.shadowing ? SUCCEED : FAIL_VALID(VMXERR_VMPTRLD_BAD_REVISION),
			 "VMPTRLD: region with revision id bit 31 set (shadow VMCS)");
	t = try_pointer(VMX_INSN_VMCLEAR, l1->shadow);
	check(&t, SUCCEED, "VMCLEAR of the shadow-VMCS region (current or not)");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a);
	check(&t, SUCCEED, "VMPTRLD of VMCS A again");

	t = try_plain(l1, VMX_INSN_VMXON);
	check(&t, FAIL_VALID(VMXERR_VMXON_IN_ROOT), "VMXON in VMX root operation");
}

/* Two VMCSs, each with its own GUEST_RIP, and VMCLEAR of the current one. */
static void test_two_vmcs(const struct l1 *l1)
{
	struct vmx_try t;
	bool own;

	write_field(VMCS_GUEST_RIP, RIP_IN_A);
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_b);
	check(&t, SUCCEED, "VMPTRLD of VMCS B");
	write_field(VMCS_GUEST_RIP, RIP_IN_B);
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a);
	check(&t, SUCCEED, "VMPTRLD of VMCS A");
	own = read_field(VMCS_GUEST_RIP) == RIP_IN_A;
	vmx_vmptrld(cell(l1->vmcs_b));
	own &= read_field(VMCS_GUEST_RIP) == RIP_IN_B;
	vmx_vmptrld(cell(l1->vmcs_a));
	report(own, "VMCS A and VMCS B each keep their own GUEST_RIP");

	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmcs_b);
	check(&t, SUCCEED, "VMCLEAR of VMCS B, not current");
	report(current_vmcs() == l1->vmcs_a, "VMCLEAR of another VMCS: VMCS A stays current");

	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmcs_a);
	check(&t, SUCCEED, "VMCLEAR of the current VMCS A");
	report(current_vmcs() == NO_CURRENT_VMCS,
	       "VMCLEAR of the current VMCS: no current VMCS after it");
	t = try_vmread(VMCS_GUEST_RIP);
	check(&t, FAIL_INVALID, "VMREAD after VMCLEAR of the current VMCS");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a);
	check(&t, SUCCEED, "VMPTRLD of VMCS A after VMCLEAR");
	report(read_field(VMCS_GUEST_RIP) == RIP_IN_A,
	       "VMCLEAR then VMPTRLD: VMCS A kept its GUEST_RIP");
}

void test_pointers(struct l1 *l1)
{
	struct vmx_try t;

	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmcs_a);
	check(&t, SUCCEED, "VMCLEAR of VMCS A");
	t = try_pointer(VMX_INSN_VMCLEAR, l1->vmcs_b);
	check(&t, SUCCEED, "VMCLEAR of VMCS B");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a);
	if (!check(&t, SUCCEED, "VMPTRLD of VMCS A"))
		return;
	report(current_vmcs() == l1->vmcs_a, "VMPTRST: stores the current-VMCS pointer (VMCS A)");
	t = try_pointer(VMX_INSN_VMPTRLD, l1->vmcs_a);
	check(&t, SUCCEED, "VMPTRLD of VMCS A while it is current");

	test_refused_pointers(l1);

	/* VMCLEAR checks alignment, width and the VMXON pointer only. */
	t = try_pointer(VMX_INSN_VMCLEAR, l1->absent);
	check(&t, SUCCEED, "VMCLEAR of a region where there is no memory");
	report(current_vmcs() == l1->vmcs_a, "VMCLEAR where there is no memory: VMCS A stays current");

	test_two_vmcs(l1);
}

/* RFLAGS after MOV SS then the instruction: the MOV SS blocks events until
 * the next instruction is done (SDM Vol. 3A 6.8.3), which VMLAUNCH and
 * VMRESUME refuse with error 26 before looking at the launch state. */
#define AFTER_MOV_SS(name, insn)						\
	static u64 name(void)							\
	{									\
		u64 rflags;							\
		u16 ss;								\
		__asm__ volatile(VMX_PRESET "mov %%ss, %[ss]\n\t"		\
				 "mov %[ss], %%ss\n\t" insn VMX_STATUS		\
				 : [rflags] "=r"(rflags), [ss] "=&r"(ss)	\
				 : VMX_PRESET_IN : "cc", "memory");		\
		return rflags;							\
	}
AFTER_MOV_SS(vmlaunch_after_mov_ss, "vmlaunch")
AFTER_MOV_SS(vmresume_after_mov_ss, "vmresume")

void test_launch_state(struct l1 *l1)
{
	struct vmx_try t;

	/* VMCS A was VMCLEARed before its VMPTRLD: its launch state is clear. */
	t = try_plain(l1, VMX_INSN_VMRESUME);
	check(&t, FAIL_VALID(VMXERR_VMRESUME_NONLAUNCHED_VMCS), "VMRESUME of a clear VMCS");
	t = (struct vmx_try){ .insn = VMX_INSN_VMLAUNCH, .sequence = vmlaunch_after_mov_ss };
	check(&t, FAIL_VALID(VMXERR_ENTRY_MOV_SS_BLOCKING), "VMLAUNCH right after MOV SS");
	t = (struct vmx_try){ .insn = VMX_INSN_VMRESUME, .sequence = vmresume_after_mov_ss };
	check(&t, FAIL_VALID(VMXERR_ENTRY_MOV_SS_BLOCKING),
	      "VMRESUME right after MOV SS (before the launch-state check)");
}
