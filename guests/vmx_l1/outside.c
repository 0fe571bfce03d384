/* Outside VMX operation: every VMX instruction but VMXON is #UD, VMXON is
 * #UD while CR4.VMXE = 0, then its #GP(0) and VMfailInvalid cases, then
 * success. And at the end VMXOFF, after which all is #UD again. SDM Vol.
 * 3C 31.3, VMXON and VMXOFF "Operation", and 24.7-24.8. */
#include "check.h"


/* Every instruction but VMXON, which the checks treat apart. */
static void all_but_vmxon_ud(const struct l1 *l1, const char *when)
{
	for (unsigned i = 0; i < VMX_INSN_COUNT; i++) {
		struct vmx_try t;

		if (i == VMX_INSN_VMXON)
			continue;
		t = try_plain(l1, i);
		check(&t, UD, "%s: %s", when, vmx_insn_name(i));
	}
}

static u64 feature_control;

static void write_feature_control(void)
{
	wrmsr(MSR_IA32_FEATURE_CONTROL, feature_control);
}

/* SDM Vol. 3C 24.7: VMXON needs the lock bit and "VMX outside SMX"; Vol. 4
 * Table 2-2: once locked, WRMSR to the MSR is #GP(0). nestvisor sets both
 * on a bare CPU and presents them so to a guest. */
static bool test_feature_control(void)
{
	const u64 needed = FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
	struct trap_fault fault;
	bool faulted;

	feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	report_info("IA32_FEATURE_CONTROL 0x%lx", feature_control);
	if (!report((feature_control & needed) == needed,
		    "IA32_FEATURE_CONTROL: locked, with VMX outside SMX enabled"))
		return false;
	faulted = catch_fault(write_feature_control, &fault);
	report(faulted && fault.vector == VEC_GP && fault.error_code == 0,
	       "IA32_FEATURE_CONTROL: WRMSR once locked: #GP(0)");
	return true;
}

void test_outside_vmx(struct l1 *l1)
{
	struct vmx_try t;

	test_feature_control();

	write_cr4(read_cr4() & ~CR4_VMXE);
	t = try_plain(l1, VMX_INSN_VMXON);
	check(&t, UD, "CR4.VMXE = 0: VMXON");
	t = try_plain(l1, VMX_INSN_VMXON);
	t.user = true;
	check(&t, UD, "CR4.VMXE = 0: VMXON at CPL 3 (the #UD conditions come before the CPL)");
	all_but_vmxon_ud(l1, "outside VMX operation, CR4.VMXE = 0");

	write_cr4(read_cr4() | CR4_VMXE);
	all_but_vmxon_ud(l1, "outside VMX operation, CR4.VMXE = 1");
	t = try_plain(l1, VMX_INSN_VMCLEAR);
	t.user = true;
	check(&t, UD, "outside VMX operation: VMCLEAR at CPL 3 (#UD before the CPL)");
	t = try_plain(l1, VMX_INSN_VMXON);
	t.user = true;
	check(&t, GP0, "VMXON at CPL 3");
}

/* A VMXON that had to fail but entered VMX operation: leave it again, so
 * the checks after it start where they expect. */
static void vmxon_must_fail(struct vmx_try *t, struct expect want, const char *what)
{
	check(t, want, "VMXON: %s", what);
	if (t->outcome == VMX_SUCCEED)
		vmx_vmxoff();
}

/* SDM Vol. 3C 24.8: CR0 and CR4 must hold the values IA32_VMX_CR0/CR4_FIXED0
 * and FIXED1 allow; VMXON is #GP(0) otherwise. CR0.NE is the bit the start
 * code leaves clear. */
static bool fix_control_registers(const struct l1 *l1)
{
	const struct vmx_caps *c = &l1->f.caps;
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	struct vmx_try t;

	if (c->cr0_fixed0 & CR0_NE) {
		write_cr0(cr0 & ~CR0_NE);
		t = try_plain(l1, VMX_INSN_VMXON);
		vmxon_must_fail(&t, GP0, "CR0.NE = 0 while IA32_VMX_CR0_FIXED0 requires it");
	} else {
		report_info("IA32_VMX_CR0_FIXED0 0x%lx does not require CR0.NE: not checked",
			    c->cr0_fixed0);
	}
	cr0 = (cr0 | c->cr0_fixed0) & c->cr0_fixed1;
	cr4 = (cr4 | c->cr4_fixed0) & c->cr4_fixed1;
	write_cr0(cr0);
	write_cr4(cr4);
	return report(read_cr0() == cr0 && read_cr4() == cr4 && (cr4 & CR4_VMXE),
		      "CR0 and CR4 set as IA32_VMX_CR0/CR4_FIXED0 and FIXED1 require");
}

bool test_vmxon(struct l1 *l1)
{
	u64 *hole_operand = (u64 *)(l1->hole + HOLE_OPERAND_OFFSET);
	struct vmx_try t;

	if (!fix_control_registers(l1))
		return false;

	t = (struct vmx_try){ .insn = VMX_INSN_VMXON, .mem = hole_operand };
	vmxon_must_fail(&t, PF_AT(0, (u64)hole_operand), "pointer on a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_VMXON, .mem = (u64 *)NON_CANONICAL };
	vmxon_must_fail(&t, GP0, "non-canonical memory operand");

	/* The pointer and the region it names (VMXON "Operation"). */
	t = try_pointer(VMX_INSN_VMXON, l1->vmxon + 8);
	vmxon_must_fail(&t, FAIL_INVALID, "pointer not 4 KiB aligned");
	t = try_pointer(VMX_INSN_VMXON, l1->beyond);
	vmxon_must_fail(&t, FAIL_INVALID, "pointer beyond the physical-address width");
	t = try_pointer(VMX_INSN_VMXON, l1->vmxon | BIT(63));
	vmxon_must_fail(&t, FAIL_INVALID, "pointer with bit 63 set");
	t = try_pointer(VMX_INSN_VMXON, l1->bad_rev);
	vmxon_must_fail(&t, FAIL_INVALID, "region with a wrong revision id");
	t = try_pointer(VMX_INSN_VMXON, l1->shadow);
	vmxon_must_fail(&t, FAIL_INVALID, "region with revision id bit 31 set");
	t = try_pointer(VMX_INSN_VMXON, l1->absent);
	vmxon_must_fail(&t, FAIL_INVALID, "region where there is no memory (revision reads all ones)");

	t = try_plain(l1, VMX_INSN_VMXOFF);
	check(&t, UD, "after the failed VMXONs: still outside VMX operation (VMXOFF)");

	t = try_plain(l1, VMX_INSN_VMXON);
	return check(&t, SUCCEED, "VMXON");
}

void test_vmxoff(struct l1 *l1)
{
	struct vmx_try t = try_plain(l1, VMX_INSN_VMXOFF);

	if (!check(&t, SUCCEED, "VMXOFF"))
		return;
	all_but_vmxon_ud(l1, "after VMXOFF");

	/* VMXON makes the current-VMCS pointer invalid (VMXON "Operation"),
	 * whatever was current before the VMXOFF. */
	t = try_plain(l1, VMX_INSN_VMXON);
	if (check(&t, SUCCEED, "VMXON again after VMXOFF")) {
		report(current_vmcs() == ~0ull,
		       "VMXON again: no current VMCS (VMPTRST stores FFFFFFFF_FFFFFFFF)");
		t = try_plain(l1, VMX_INSN_VMXOFF);
		check(&t, SUCCEED, "VMXOFF again");
	}
	write_cr4(read_cr4() & ~CR4_VMXE);
}
