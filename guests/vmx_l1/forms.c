/* Operands in every form 64-bit code can encode: register and memory
 * operands of VMREAD and VMWRITE (base, index and scale, displacements,
 * RIP-relative, absolute, 32-bit address size, segment overrides), some of
 * them for VMPTRST, VMPTRLD, VMCLEAR, INVVPID and INVEPT too, and the
 * canonical-address faults (#SS(0) when SS-based, else #GP(0); SDM Vol. 1,
 * 3.3.7.1 and Vol. 3A, 6.15). An emulator rebuilds each from the VM-exit
 * instruction information and the exit qualification (SDM Vol. 3C,
 * 28.2.5): every field of it matters somewhere below.
 *
 * Each form writes or reads a target with fill around it, so a value taken
 * from or put at any other address shows. Where a wrong segment base or
 * a missing 32-bit truncation would reach another address, that address is
 * a page not present or non-canonical: the slip faults, it cannot write
 * over the guest. */
#include "check.h"

#define TARGET_OFFSET 0x800		/* in the scratch page */
#define FILL 0xa5a5a5a5a5a5a5a5ull
/* In base and index registers of 32-bit-address forms: ignored by the CPU,
 * non-canonical if an emulator keeps it. */
#define ADDR32_GARBAGE 0xdeadbeef00000000ull
#define SLIP_OFFSET 0x20		/* into a page not present */
#define HIGH_SEGMENT_BASE 0xfffff000u	/* the largest 4 KiB-aligned 32-bit base */
#define WHAT_SIZE 160

/* Targets of the RIP-relative and absolute forms: element 1, fill around. */
u64 vmx_l1_fixed[3];

/* A form's code: a = field (VMREAD/VMWRITE) or type (INVEPT/INVVPID) in
 * any register, b and x in the base and index registers the operand
 * names. Returns RFLAGS after the instruction. */
#define FORM_FN(fn, text, breg, xreg)						\
	static u64 fn(u64 a, u64 b, u64 x)					\
	{									\
		register u64 rb __asm__(breg) = b;				\
		register u64 rx __asm__(xreg) = x;				\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET text VMX_STATUS			\
				 : [rflags] "=&r"(rflags), "+r"(rb), "+r"(rx)	\
				 : VMX_PRESET_IN, [a] "r"(a) : "cc", "memory");	\
		return rflags;							\
	}

/* VMREAD to and VMWRITE from the same memory operand. */
#define RW_FORM(name, operand, breg, xreg)					\
	FORM_FN(name##_read, "vmread %[a], " operand, breg, xreg)		\
	FORM_FN(name##_write, "vmwrite " operand ", %[a]", breg, xreg)

RW_FORM(base, "(%%rbx)", "rbx", "rcx")
RW_FORM(base_r12, "(%%r12)", "r12", "rcx")
RW_FORM(base_r13, "(%%r13)", "r13", "rcx")
RW_FORM(disp8, "0x10(%%rsi)", "rsi", "rcx")
RW_FORM(sib_disp32, "-0x12345(%%rax,%%rcx,8)", "rax", "rcx")
RW_FORM(sib_r9_r10, "0x7f(%%r9,%%r10,2)", "r9", "r10")
RW_FORM(sib_r14_r15, "-0x80(%%r14,%%r15,1)", "r14", "r15")
RW_FORM(index_only, "0x1000(,%%rdx,4)", "rbx", "rdx")
RW_FORM(rip, "vmx_l1_fixed+8(%%rip)", "rbx", "rcx")
RW_FORM(absolute, "vmx_l1_fixed+8", "rbx", "rcx")
RW_FORM(addr32, "(%%ecx)", "rcx", "rdx")
RW_FORM(addr32_wrap, "0x7ffff000(%%eax)", "rax", "rdx")
RW_FORM(addr32_sib, "0x40(%%eax,%%edx,8)", "rax", "rdx")
RW_FORM(fs, "%%fs:(%%rbx)", "rbx", "rcx")
RW_FORM(gs_sib, "%%gs:0x20(%%rbx,%%rcx,2)", "rbx", "rcx")
RW_FORM(fs_addr32, "%%fs:(%%ebx)", "rbx", "rcx")
RW_FORM(es, "%%es:(%%rbx)", "rbx", "rcx")
RW_FORM(ss, "%%ss:(%%rbx)", "rbx", "rcx")
FORM_FN(rsp_index_read, "vmread %[a], (%%rsp,%%rcx,1)", "rbx", "rcx")

/* RBP is the frame pointer: these set it themselves (b) and put it back. */
#define RBP_FORM_FN(fn, text, xreg)						\
	static u64 fn(u64 a, u64 b, u64 x)					\
	{									\
		register u64 rx __asm__(xreg) = x;				\
		u64 rflags;							\
		__asm__ volatile("push %%rbp\n\tmov %[b], %%rbp\n\t"		\
				 VMX_PRESET text "\n\tpop %%rbp" VMX_STATUS	\
				 : [rflags] "=&r"(rflags), "+r"(rx)		\
				 : VMX_PRESET_IN, [a] "r"(a), [b] "r"(b)	\
				 : "cc", "memory");				\
		return rflags;							\
	}
#define RBP_FORM(name, operand, xreg)						\
	RBP_FORM_FN(name##_read, "vmread %[a], " operand, xreg)		\
	RBP_FORM_FN(name##_write, "vmwrite " operand ", %[a]", xreg)

RBP_FORM(rbp, "8(%%rbp)", "rcx")
RBP_FORM_FN(rbp_fs_read, "vmread %[a], %%fs:8(%%rbp)", "rcx")
RBP_FORM_FN(rbp_index_read, "vmread %[a], (%%rbx,%%rbp,1)", "rbx")

/* RSP as the base of a valid address: the index is worked out from RSP
 * itself (b is the target), before the flags are preset. */
#define RSP_FORM_FN(fn, text)							\
	static u64 fn(u64 a, u64 b, u64 x)					\
	{									\
		u64 rflags;							\
		(void)x;							\
		__asm__ volatile("mov %[b], %%rcx\n\tsub %%rsp, %%rcx\n\t"	\
				 VMX_PRESET text VMX_STATUS			\
				 : [rflags] "=&r"(rflags)			\
				 : VMX_PRESET_IN, [a] "r"(a), [b] "r"(b)	\
				 : "rcx", "cc", "memory");			\
		return rflags;							\
	}
RSP_FORM_FN(rsp_read, "vmread %[a], (%%rsp,%%rcx,1)")
RSP_FORM_FN(rsp_write, "vmwrite (%%rsp,%%rcx,1), %[a]")

/* The other instructions with memory operands, in a few of the forms. */
FORM_FN(vmptrst_fs, "vmptrst %%fs:(%%rbx)", "rbx", "rcx")
FORM_FN(vmptrst_sib, "vmptrst 0x7f(%%r9,%%r10,2)", "r9", "r10")
FORM_FN(vmptrst_addr32, "vmptrst (%%ecx)", "rcx", "rdx")
FORM_FN(vmptrst_rip, "vmptrst vmx_l1_fixed+8(%%rip)", "rbx", "rcx")
FORM_FN(vmptrld_gs_sib, "vmptrld %%gs:0x20(%%rbx,%%rcx,2)", "rbx", "rcx")
FORM_FN(vmptrld_rip, "vmptrld vmx_l1_fixed+8(%%rip)", "rbx", "rcx")
FORM_FN(vmclear_r13, "vmclear (%%r13)", "r13", "rcx")
FORM_FN(vmclear_addr32, "vmclear (%%ecx)", "rcx", "rdx")
FORM_FN(invvpid_fs, "invvpid %%fs:(%%rbx), %[a]", "rbx", "rcx")
FORM_FN(invept_sib, "invept 0x7f(%%r9,%%r10,2), %[a]", "r9", "r10")

enum form_seg {
	SEG_DEFAULT,
	SEG_FS,		/* FS and GS: base = target - (hole_low + SLIP_OFFSET) */
	SEG_GS,
	SEG_ES,		/* base = hole + SLIP_OFFSET - target: must be ignored */
	SEG_FS_HIGH,	/* base HIGH_SEGMENT_BASE */
	SEG_COUNT,
};

#define F_ADDR32 BIT(0)		/* 32-bit address size: garbage in bits 63:32 */
#define F_NO_BASE BIT(1)	/* index and displacement only */
#define F_FIXED BIT(2)		/* the address is &vmx_l1_fixed[1] */
#define F_TARGET BIT(3)		/* b is the target; the code works out the rest */

struct form {
	const char *name;	/* the operand as Intel syntax writes it */
	u64 (*read)(u64 a, u64 b, u64 x);	/* or the one instruction */
	u64 (*write)(u64 a, u64 b, u64 x);
	s64 disp;
	unsigned scale;		/* 0: no index register */
	u64 x;			/* the index register */
	unsigned flags;
	enum form_seg seg;
};

static const struct form rw_forms[] = {
	{ "[rbx]", base_read, base_write },
	{ "[r12]", base_r12_read, base_r12_write },
	{ "[r13]", base_r13_read, base_r13_write },
	{ "[rsi+0x10]", disp8_read, disp8_write, .disp = 0x10 },
	{ "[rax+rcx*8-0x12345]", sib_disp32_read, sib_disp32_write, .disp = -0x12345,
	  .scale = 8, .x = 3 },
	{ "[r9+r10*2+0x7f]", sib_r9_r10_read, sib_r9_r10_write, .disp = 0x7f, .scale = 2, .x = 5 },
	{ "[r14+r15*1-0x80]", sib_r14_r15_read, sib_r14_r15_write, .disp = -0x80, .scale = 1,
	  .x = 0x40 },
	{ "[rdx*4+0x1000] (no base)", index_only_read, index_only_write, .disp = 0x1000,
	  .scale = 4, .flags = F_NO_BASE },
	{ "[rbp+8] (SS-based)", rbp_read, rbp_write, .disp = 8 },
	{ "[rsp+rcx*1] (SS-based)", rsp_read, rsp_write, .flags = F_TARGET },
	{ "[rip+disp32]", rip_read, rip_write, .flags = F_FIXED },
	{ "[disp32] (absolute, no base or index)", absolute_read, absolute_write,
	  .flags = F_FIXED },
	{ "[ecx] (32-bit address size)", addr32_read, addr32_write, .flags = F_ADDR32 },
	{ "[eax+0x7ffff000] (32-bit address size, wrapping at 4 GiB)", addr32_wrap_read,
	  addr32_wrap_write, .disp = 0x7ffff000, .flags = F_ADDR32 },
	{ "[eax+edx*8+0x40] (32-bit address size)", addr32_sib_read, addr32_sib_write,
	  .disp = 0x40, .scale = 8, .x = 2, .flags = F_ADDR32 },
	{ "fs:[rbx] (FS base added)", fs_read, fs_write, .seg = SEG_FS },
	{ "gs:[rbx+rcx*2+0x20] (GS base added)", gs_sib_read, gs_sib_write, .disp = 0x20,
	  .scale = 2, .x = 7, .seg = SEG_GS },
	{ "fs:[ebx] (FS base plus a 32-bit address)", fs_addr32_read, fs_addr32_write,
	  .flags = F_ADDR32, .seg = SEG_FS },
	{ "es:[rbx] (ES base ignored in 64-bit mode)", es_read, es_write, .seg = SEG_ES },
	{ "ss:[rbx]", ss_read, ss_write },
};

/* The segment selectors the forms load, and their bases. */
static u16 seg_sel[SEG_COUNT];
static u64 seg_base[SEG_COUNT];
static u16 kernel_data;

static void set_up_segments(const struct l1 *l1, u64 target)
{
	seg_base[SEG_FS] = seg_base[SEG_GS] = target - (pa_of(l1->hole_low) + SLIP_OFFSET);
	seg_base[SEG_ES] = pa_of(l1->hole) + SLIP_OFFSET - target;
	seg_base[SEG_FS_HIGH] = HIGH_SEGMENT_BASE;
	seg_sel[SEG_FS] = seg_sel[SEG_GS] = user_add_data_segment((u32)seg_base[SEG_FS]);
	seg_sel[SEG_ES] = user_add_data_segment((u32)seg_base[SEG_ES]);
	seg_sel[SEG_FS_HIGH] = user_add_data_segment(HIGH_SEGMENT_BASE);
	__asm__ volatile("mov %%ss, %0" : "=r"(kernel_data));
}

/* In 64-bit mode a MOV to FS or GS loads the base from the descriptor
 * (SDM Vol. 3A, 3.4.4): no MSR needed for a 32-bit base. */
static void load_segment(enum form_seg seg)
{
	switch (seg) {
	case SEG_FS:
	case SEG_FS_HIGH:
		__asm__ volatile("mov %0, %%fs" ::"r"(seg_sel[seg]));
		break;
	case SEG_GS:
		__asm__ volatile("mov %0, %%gs" ::"r"(seg_sel[seg]));
		break;
	case SEG_ES:
		__asm__ volatile("mov %0, %%es" ::"r"(seg_sel[seg]));
		break;
	case SEG_DEFAULT:
	case SEG_COUNT:
		break;
	}
}

static void reset_segments(void)
{
	__asm__ volatile("mov %0, %%es; mov %0, %%fs; mov %0, %%gs" ::"r"(kernel_data));
}

/* The base and index that make f address target. */
static void operands_for(const struct form *f, u64 target, u64 *b, u64 *x)
{
	u64 ea = target - (f->seg == SEG_FS || f->seg == SEG_GS ? seg_base[f->seg] : 0);

	*b = 0;
	*x = f->x;
	if (f->flags & F_TARGET) {
		*b = target;
	} else if (f->flags & F_NO_BASE) {
		*x = (ea - (u64)f->disp) / f->scale;
	} else if (!(f->flags & F_FIXED)) {
		*b = ea - (u64)f->disp - f->x * f->scale;
	}
	if (f->flags & F_ADDR32) {
		*b = (u32)*b | ADDR32_GARBAGE;
		if (f->scale)
			*x = (u32)*x | ADDR32_GARBAGE;
	}
}

/* The form being run: vmx_try's sequence takes no argument. */
static u64 (*cur_fn)(u64 a, u64 b, u64 x);
static u64 cur_a, cur_b, cur_x;

static u64 run_cur(void)
{
	return cur_fn(cur_a, cur_b, cur_x);
}

/* Runs fn (one of f's) with a, b and x in f's segment; fills *t. */
static void run_form(struct vmx_try *t, enum vmx_insn insn, u64 (*fn)(u64, u64, u64),
		     enum form_seg seg, u64 a, u64 b, u64 x)
{
	cur_fn = fn;
	cur_a = a;
	cur_b = b;
	cur_x = x;
	*t = (struct vmx_try){ .insn = insn, .sequence = run_cur };
	load_segment(seg);
	vmx_try_run(t);
	reset_segments();
}

/* One line for an attempt that must succeed and have the right effect. */
static void report_effect(struct vmx_try *t, bool effect_ok, const char *what,
			  const char *effect)
{
	if (outcome_is(t, SUCCEED))
		report(effect_ok, "%s: VMsucceed, %s", what, effect);
	else
		check_done(t, SUCCEED, "%s", what);
}

static u64 *target_of(const struct l1 *l1, const struct form *f)
{
	return f->flags & F_FIXED ? &vmx_l1_fixed[1] : (u64 *)(l1->scratch + TARGET_OFFSET);
}

static void fill_around(u64 *target, u64 value)
{
	target[-1] = FILL;
	target[0] = value;
	target[1] = FILL;
}

static void test_rw_form(const struct l1 *l1, const struct form *f, unsigned i)
{
	u64 *target = target_of(l1, f);
	u64 value = 0x1100000000000000ull + (u64)i * 0x10101, b, x;
	char what[WHAT_SIZE];
	struct vmx_try t;

	operands_for(f, (u64)target, &b, &x);
	fill_around(target, value);
	fmt_snprintf(what, sizeof(what), "VMWRITE from %s", f->name);
	run_form(&t, VMX_INSN_VMWRITE, f->write, f->seg, VMCS_GUEST_RIP, b, x);
	report_effect(&t, read_field(VMCS_GUEST_RIP) == value, what,
		      "the field has the value at the effective address");

	write_field(VMCS_GUEST_RIP, ~value);
	fill_around(target, FILL);
	fmt_snprintf(what, sizeof(what), "VMREAD to %s", f->name);
	run_form(&t, VMX_INSN_VMREAD, f->read, f->seg, VMCS_GUEST_RIP, b, x);
	report_effect(&t, target[0] == ~value && target[-1] == FILL && target[1] == FILL, what,
		      "the value is at the effective address, nothing around it changed");
}

/* Register operands with registers that need REX bits, and one register
 * as both operands of VMREAD (the field is read before the write). */
static u64 reg_field, reg_value;

static u64 vmread_r8_to_r15(void)
{
	register u64 r8 __asm__("r8") = reg_field;
	register u64 r15 __asm__("r15") = 0;
	u64 rflags;

	__asm__ volatile(VMX_PRESET "vmread %%r8, %%r15" VMX_STATUS
			 : [rflags] "=&r"(rflags), "+r"(r15) : VMX_PRESET_IN, "r"(r8) : "cc");
	reg_value = r15;
	return rflags;
}

static u64 vmread_rax_to_rax(void)
{
	register u64 rax __asm__("rax") = reg_field;
	u64 rflags;

	__asm__ volatile(VMX_PRESET "vmread %%rax, %%rax" VMX_STATUS
			 : [rflags] "=&r"(rflags), "+r"(rax) : VMX_PRESET_IN : "cc");
	reg_value = rax;
	return rflags;
}

/* VMWRITE of reg_value in register vreg to field reg_field in freg. */
#define VMWRITE_REGS(fn, vreg, freg)						\
	static u64 fn(void)							\
	{									\
		register u64 v __asm__(vreg) = reg_value;			\
		register u64 f __asm__(freg) = reg_field;			\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET "vmwrite %%" vreg ", %%" freg VMX_STATUS \
				 : [rflags] "=&r"(rflags) : VMX_PRESET_IN, "r"(v), "r"(f) \
				 : "cc");					\
		return rflags;							\
	}
VMWRITE_REGS(vmwrite_r14_to_r9, "r14", "r9")
VMWRITE_REGS(vmwrite_r11_to_rdx, "r11", "rdx")

static void test_register_forms(void)
{
	static const struct {
		const char *name;
		u64 (*fn)(void);
		bool write;
	} regs[] = {
		{ "VMWRITE r9 (field), r14 (value)", vmwrite_r14_to_r9, true },
		{ "VMREAD r15 (destination), r8 (field)", vmread_r8_to_r15, false },
		{ "VMWRITE rdx (field), r11 (value)", vmwrite_r11_to_rdx, true },
		{ "VMREAD rax, rax (the same register)", vmread_rax_to_rax, false },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		u64 value = 0x2200000000000000ull + i;
		struct vmx_try t = { .insn = regs[i].write ? VMX_INSN_VMWRITE : VMX_INSN_VMREAD,
				     .sequence = regs[i].fn };

		reg_field = VMCS_GUEST_RIP;
		reg_value = value;
		if (!regs[i].write)
			write_field(VMCS_GUEST_RIP, value);
		vmx_try_run(&t);
		report_effect(&t, (regs[i].write ? read_field(VMCS_GUEST_RIP) : reg_value) == value,
			      regs[i].name, regs[i].write ? "the field has the value"
							  : "the register has the field");
	}
}

/* VMPTRST, VMPTRLD, VMCLEAR, INVVPID and INVEPT in some of the forms. The
 * operand at the target is valid; the fill around it is not (an unaligned
 * pointer, reserved bits in a descriptor), so a wrong address fails. */
static const struct other_form {
	enum vmx_insn insn;
	struct form f;
} other_forms[] = {
	{ VMX_INSN_VMPTRST, { "fs:[rbx]", vmptrst_fs, .seg = SEG_FS } },
	{ VMX_INSN_VMPTRST, { "[r9+r10*2+0x7f]", vmptrst_sib, .disp = 0x7f, .scale = 2, .x = 5 } },
	{ VMX_INSN_VMPTRST, { "[ecx] (32-bit address size)", vmptrst_addr32, .flags = F_ADDR32 } },
	{ VMX_INSN_VMPTRST, { "[rip+disp32]", vmptrst_rip, .flags = F_FIXED } },
	{ VMX_INSN_VMPTRLD, { "gs:[rbx+rcx*2+0x20]", vmptrld_gs_sib, .disp = 0x20, .scale = 2,
			      .x = 7, .seg = SEG_GS } },
	{ VMX_INSN_VMPTRLD, { "[rip+disp32]", vmptrld_rip, .flags = F_FIXED } },
	{ VMX_INSN_VMCLEAR, { "[r13]", vmclear_r13 } },
	{ VMX_INSN_VMCLEAR, { "[ecx] (32-bit address size)", vmclear_addr32, .flags = F_ADDR32 } },
	{ VMX_INSN_INVVPID, { "fs:[rbx]", invvpid_fs, .seg = SEG_FS } },
	{ VMX_INSN_INVEPT, { "[r9+r10*2+0x7f]", invept_sib, .disp = 0x7f, .scale = 2, .x = 5 } },
};

#define FILL_POINTER(l1) ((l1)->vmcs_b + 1)	/* unaligned: VMfailValid */
#define VPID 1

static void test_other_form(const struct l1 *l1, const struct other_form *o)
{
	const struct form *f = &o->f;
	u64 *target = target_of(l1, f), b, x, type = 0;
	const struct vmx_features *feat = &l1->f;
	struct expect want = SUCCEED;
	char what[WHAT_SIZE];
	struct vmx_try t;
	bool effect = true;

	operands_for(f, (u64)target, &b, &x);
	fmt_snprintf(what, sizeof(what), "%s %s", vmx_insn_name(o->insn), f->name);
	target[2] = target[-1] = FILL;
	switch (o->insn) {
	case VMX_INSN_VMPTRST:
		target[0] = target[1] = FILL;
		run_form(&t, o->insn, f->read, f->seg, 0, b, x);
		report_effect(&t, target[0] == l1->vmcs_a && target[1] == FILL && target[-1] == FILL,
			      what, "the current-VMCS pointer is at the effective address");
		return;
	case VMX_INSN_VMPTRLD:
		target[0] = l1->vmcs_b;
		target[-1] = target[1] = FILL_POINTER(l1);
		run_form(&t, o->insn, f->read, f->seg, 0, b, x);
		effect = current_vmcs() == l1->vmcs_b;
		vmx_vmptrld(cell(l1->vmcs_a));
		report_effect(&t, effect, what, "VMCS B, named at the effective address, is current");
		return;
	case VMX_INSN_VMCLEAR:
		target[0] = l1->vmcs_b;
		target[-1] = target[1] = FILL_POINTER(l1);
		run_form(&t, o->insn, f->read, f->seg, 0, b, x);
		report_effect(&t, current_vmcs() == l1->vmcs_a, what, "VMCS A stays current");
		return;
	case VMX_INSN_INVVPID:
		target[0] = VPID;
		target[1] = 0;
		type = INV_SINGLE_CONTEXT;
		want = !feat->invvpid ? UD : !feat->invvpid_type[type]
		       ? FAIL_VALID(VMXERR_INVEPT_INVVPID_OPERAND) : SUCCEED;
		break;
	case VMX_INSN_INVEPT:
		target[0] = l1->vmcs_b | feat->eptp_memtype | EPTP_WALK_LENGTH_4;
		target[1] = 0;
		type = INV_SINGLE_CONTEXT;
		want = !feat->invept ? UD : !feat->invept_type[type] || feat->eptp_memtype == ~0ull
		       ? FAIL_VALID(VMXERR_INVEPT_INVVPID_OPERAND) : SUCCEED;
		break;
	default:
		panic("vmx_l1: no form test for %s", vmx_insn_name(o->insn));
	}
	/* Single-context: the descriptor's every half counts. */
	run_form(&t, o->insn, f->read, f->seg, type, b, x);
	check_done_advertised(&t, want, "%s", what);
}

/* Memory operands that must fault: the address is non-canonical. */
static const struct fault_form {
	const char *what;
	u64 (*fn)(u64 a, u64 b, u64 x);
	bool write;
	u64 b, x;
	enum form_seg seg;
	unsigned vector;
} fault_forms[] = {
	{ "VMREAD to [rbx], non-canonical", base_read, false, NON_CANONICAL, 0, SEG_DEFAULT,
	  VEC_GP },
	{ "VMWRITE from [rbx], non-canonical", base_write, true, NON_CANONICAL, 0, SEG_DEFAULT,
	  VEC_GP },
	{ "VMREAD to [rbp+8], non-canonical (SS-based)", rbp_read, false, NON_CANONICAL, 0,
	  SEG_DEFAULT, VEC_SS },
	{ "VMWRITE from [rbp+8], non-canonical (SS-based)", rbp_write, true, NON_CANONICAL, 0,
	  SEG_DEFAULT, VEC_SS },
	{ "VMREAD to [rsp+rcx*1], non-canonical (SS-based)", rsp_index_read, false, 0,
	  NON_CANONICAL, SEG_DEFAULT, VEC_SS },
	{ "VMREAD to fs:[rbp+8], non-canonical (the override beats RBP's SS)", rbp_fs_read, false,
	  NON_CANONICAL, 0, SEG_FS, VEC_GP },
	{ "VMREAD to [rbx+rbp*1], non-canonical (RBP as index is not SS-based)", rbp_index_read,
	  false, NON_CANONICAL, 0, SEG_DEFAULT, VEC_GP },
	{ "VMREAD to fs:[rbx], canonical RBX made non-canonical by the FS base", fs_read, false,
	  NON_CANONICAL + 0x10 - HIGH_SEGMENT_BASE, 0, SEG_FS_HIGH, VEC_GP },
};

static void test_fault_forms(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fault_forms); i++) {
		const struct fault_form *ff = &fault_forms[i];
		struct vmx_try t;

		run_form(&t, ff->write ? VMX_INSN_VMWRITE : VMX_INSN_VMREAD, ff->fn, ff->seg,
			 VMCS_GUEST_RIP, ff->b, ff->x);
		check_done(&t, FAULT(ff->vector, 0), "%s", ff->what);
	}
}

void test_operand_forms(struct l1 *l1)
{
	set_up_segments(l1, (u64)(l1->scratch + TARGET_OFFSET));
	test_register_forms();
	for (unsigned i = 0; i < ARRAY_SIZE(rw_forms); i++)
		test_rw_form(l1, &rw_forms[i], i);
	for (unsigned i = 0; i < ARRAY_SIZE(other_forms); i++)
		test_other_form(l1, &other_forms[i]);
	test_fault_forms();
}
