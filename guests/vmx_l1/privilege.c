/* Privilege and mode in VMX root operation: every VMX instruction is #GP(0)
 * at CPL > 0, before its operands are looked at (each instruction's
 * "Operation"); in compatibility mode they are #UD; and CR0/CR4 bits fixed
 * in VMX operation cannot be cleared (SDM Vol. 3C 24.8: #GP(0)). VMCS A is
 * current. */
#include "check.h"


/* 32-bit code for compat_run(): each stub is one VMX instruction, then
 * the common ud2 at compat_done. Operands are absolute (DS-based). */
extern const u8 compat_vmxoff[], compat_vmptrst[], compat_vmread[], compat_vmxon[],
	compat_done[];
u64 vmx_l1_compat_cell;
__asm__(".pushsection .text\n"
	".code32\n"
	"compat_vmxoff:\n\t"
	"vmxoff\n\t"
	"jmp compat_done\n"
	"compat_vmptrst:\n\t"
	"vmptrst vmx_l1_compat_cell\n\t"
	"jmp compat_done\n"
	"compat_vmread:\n\t"
	"vmread %eax, %ebx\n\t"
	"jmp compat_done\n"
	"compat_vmxon:\n\t"
	"vmxon vmx_l1_compat_cell\n\t"
	"jmp compat_done\n"
	"compat_done:\n\t"
	"ud2\n"
	".code64\n"
	".popsection");

static void test_cpl3(const struct l1 *l1)
{
	u64 *hole_op = (u64 *)(l1->hole + HOLE_OPERAND_OFFSET);

	for (unsigned i = 0; i < VMX_INSN_COUNT; i++) {
		struct vmx_try t = try_plain(l1, i);

		t.user = true;
		if (t.mem)
			t.mem = hole_op;
		if (i == VMX_INSN_INVEPT || i == VMX_INSN_INVVPID)
			check_advertised(&t, (i == VMX_INSN_INVEPT ? l1->f.invept : l1->f.invvpid)
					 ? GP0 : UD, "%s at CPL 3", vmx_insn_name(i));
		else
			check(&t, GP0, "%s at CPL 3%s", vmx_insn_name(i),
			      t.mem ? ", operand on a page not present (not read)" : "");
	}
}

static void test_compat_mode(const struct l1 *l1)
{
	static const struct {
		const u8 *code;
		enum vmx_insn insn;
	} stubs[] = {
		{ compat_vmxoff, VMX_INSN_VMXOFF },
		{ compat_vmptrst, VMX_INSN_VMPTRST },
		{ compat_vmread, VMX_INSN_VMREAD },
		{ compat_vmxon, VMX_INSN_VMXON },
	};

	vmx_l1_compat_cell = l1->vmxon;
	for (unsigned i = 0; i < ARRAY_SIZE(stubs); i++) {
		struct vmx_try t = { .insn = stubs[i].insn };

		/* A stub that does not fault ends at compat_done: no outcome
		 * is known then, which reports as a mismatch. */
		t.outcome = compat_run(stubs[i].code, compat_done, &t.fault) ? VMX_FAULT
									      : VMX_MALFORMED;
		if (t.outcome == VMX_FAULT && t.fault.ip != (u64)stubs[i].code)
			report(false, "%s in compatibility mode: fault at RIP 0x%lx, not at the "
			       "instruction", vmx_insn_name(stubs[i].insn), t.fault.ip);
		else
			check_done(&t, UD, "%s in compatibility mode", vmx_insn_name(stubs[i].insn));
	}
	report(current_vmcs() == l1->vmcs_a,
	       "after compatibility mode: still in VMX root operation, VMCS A current");
}

static u64 cr_value;

static void write_cr0_value(void)
{
	write_cr0(cr_value);
}

static void write_cr4_value(void)
{
	write_cr4(cr_value);
}

/* MOV to CRn that clears a bit fixed to 1 in VMX operation. */
static void check_fixed_bit(const char *what, void (*write)(void), u64 old, u64 bit)
{
	struct trap_fault fault;
	bool faulted;

	cr_value = old & ~bit;
	faulted = catch_fault(write, &fault);
	if (!faulted) {
		cr_value = old;
		write();
		report(false, "%s: no fault; the bit was cleared in VMX operation", what);
		return;
	}
	report(fault.vector == VEC_GP && fault.error_code == 0, "%s: #GP(0)", what);
}

static void test_fixed_bits(const struct l1 *l1)
{
	check_fixed_bit("MOV to CR4 clearing CR4.VMXE in VMX operation", write_cr4_value,
			read_cr4(), CR4_VMXE);
	if (l1->f.caps.cr0_fixed0 & CR0_NE)
		check_fixed_bit("MOV to CR0 clearing CR0.NE in VMX operation", write_cr0_value,
				read_cr0(), CR0_NE);
	report((read_cr4() & CR4_VMXE) && (read_cr0() & CR0_NE),
	       "CR4.VMXE and CR0.NE still set");
}

void test_privilege(struct l1 *l1)
{
	test_cpl3(l1);
	test_compat_mode(l1);
	test_fixed_bits(l1);
}
