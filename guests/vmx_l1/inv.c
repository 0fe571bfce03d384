/* INVEPT and INVVPID (SDM Vol. 3C 31.3): #UD unless EPT (VPID) and the
 * instruction are advertised; then VMfail(28) for a type IA32_VMX_EPT_VPID_CAP
 * does not list, and per type for a bad descriptor: INVEPT single-context
 * with an invalid EPTP; INVVPID with descriptor bits 63:16 set, VPID 0
 * (but all-context) or, individual-address, a non-canonical address. Every
 * outcome depends on the capabilities, so the lines say "as advertised". */
#include "check.h"

#define DESC_OFFSET 0x400		/* in the scratch page */
#define TYPE_HIGH_BIT BIT(32)		/* the type register is 64 bits wide */
#define EPTP_RESERVED_BIT BIT(11)	/* bits 11:8 reserved (SDM 25.6.11) */
#define VPID 1
#define VPID_RESERVED BIT(16)		/* descriptor bits 63:16 */

static bool canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

static struct expect operand_error(void)
{
	return FAIL_VALID(VMXERR_INVEPT_INVVPID_OPERAND);
}

/* INVEPT "Operation": the type, then for single-context the EPTP. */
static struct expect invept_expect(const struct vmx_features *f, u64 type, bool eptp_valid)
{
	if (!f->invept)
		return UD;
	if (type >= INV_TYPES || !f->invept_type[type])
		return operand_error();
	if (type == INV_SINGLE_CONTEXT && !eptp_valid)
		return operand_error();
	return SUCCEED;
}

/* INVVPID "Operation": the type, bits 63:16, then per type. */
static struct expect invvpid_expect(const struct vmx_features *f, u64 type, const u64 *desc)
{
	u64 vpid = desc[0];

	if (!f->invvpid)
		return UD;
	if (type >= INV_TYPES || !f->invvpid_type[type])
		return operand_error();
	if (vpid >> 16)
		return operand_error();
	if (type != INV_ALL_CONTEXT && vpid == 0)
		return operand_error();
	if (type == INVVPID_ADDRESS && !canonical(desc[1]))
		return operand_error();
	return SUCCEED;
}

static void check_invept(const struct l1 *l1, u64 type, u64 eptp, bool eptp_valid,
			 const char *what)
{
	u64 *desc = (u64 *)(l1->scratch + DESC_OFFSET);
	struct vmx_try t = { .insn = VMX_INSN_INVEPT, .mem = desc, .type = type };

	desc[0] = eptp;
	desc[1] = 0;
	check_advertised(&t, invept_expect(&l1->f, type, eptp_valid), "INVEPT %s", what);
}

static void check_invvpid(const struct l1 *l1, u64 type, u64 vpid, u64 addr, const char *what)
{
	u64 *desc = (u64 *)(l1->scratch + DESC_OFFSET);
	struct vmx_try t = { .insn = VMX_INSN_INVVPID, .mem = desc, .type = type };

	desc[0] = vpid;
	desc[1] = addr;
	check_advertised(&t, invvpid_expect(&l1->f, type, desc), "INVVPID %s", what);
}

/* Hand-encoded forms (66 0F 38 80 = INVEPT, 81 = INVVPID), type in RAX,
 * descriptor address in RDX. */
static u64 raw_type;
static const u64 *raw_desc;

#define RAW_FORM(name, bytes)							\
	static u64 name(void)							\
	{									\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET ".byte " bytes VMX_STATUS		\
				 : [rflags] "=r"(rflags)			\
				 : VMX_PRESET_IN, "a"(raw_type), "d"(raw_desc)	\
				 : "cc", "memory");				\
		return rflags;							\
	}
/* ModRM.mod = 3, a register operand: no instruction, #UD whatever is
 * advertised (the opcode needs a memory operand). */
RAW_FORM(invept_register_form, "0x66, 0x0f, 0x38, 0x80, 0xc2")
RAW_FORM(invvpid_register_form, "0x66, 0x0f, 0x38, 0x81, 0xc2")
/* With REX.W. In 64-bit mode the type register is 64 bits wide either way,
 * so bits 63:32 set make an unsupported type (INVEPT/INVVPID
 * "Description"); Bochs reads only 32 bits without REX.W (guests/README.md),
 * with it both read all 64. */
RAW_FORM(invept_rex_w, "0x66, 0x48, 0x0f, 0x38, 0x80, 0x02")
RAW_FORM(invvpid_rex_w, "0x66, 0x48, 0x0f, 0x38, 0x81, 0x02")

/* INVEPT or INVVPID with a type of INV_ALL_CONTEXT | TYPE_HIGH_BIT. */
static void check_type_high_bit(const struct l1 *l1, enum vmx_insn insn, bool advertised)
{
	u64 *desc = (u64 *)(l1->scratch + DESC_OFFSET);
	struct vmx_try t = { .insn = insn,
			     .sequence = insn == VMX_INSN_INVEPT ? invept_rex_w : invvpid_rex_w };

	desc[0] = desc[1] = 0;
	raw_type = INV_ALL_CONTEXT | TYPE_HIGH_BIT;
	raw_desc = desc;
	check_advertised(&t, advertised ? operand_error() : UD,
			 "%s type 2 with bit 32 set (a 64-bit register)", vmx_insn_name(insn));
}

static void test_invept(const struct l1 *l1)
{
	const struct vmx_features *f = &l1->f;
	bool wb_or_uc = f->eptp_memtype != ~0ull;
	u64 eptp = l1->vmcs_b | (wb_or_uc ? f->eptp_memtype : 0) | EPTP_WALK_LENGTH_4;
	struct vmx_try t;

	check_invept(l1, INV_ALL_CONTEXT, 0, true, "all-context");
	check_invept(l1, INV_SINGLE_CONTEXT, eptp, wb_or_uc, "single-context, valid EPTP");
	check_invept(l1, INV_SINGLE_CONTEXT, l1->vmcs_b, false,
		     "single-context, EPTP with page-walk length 1");
	check_invept(l1, INV_SINGLE_CONTEXT, eptp | EPTP_RESERVED_BIT, false,
		     "single-context, EPTP with reserved bit 11");
	check_invept(l1, INV_SINGLE_CONTEXT, eptp | l1->beyond, false,
		     "single-context, EPTP beyond the physical-address width");
	check_invept(l1, 0, 0, true, "type 0 (not an INVEPT type)");
	check_invept(l1, 3, 0, true, "type 3 (not an INVEPT type)");
	check_type_high_bit(l1, VMX_INSN_INVEPT, f->invept);
	t = (struct vmx_try){ .insn = VMX_INSN_INVEPT, .sequence = invept_register_form };
	check(&t, UD, "INVEPT with a register operand");
}

static void test_invvpid(const struct l1 *l1)
{
	u64 addr = (u64)l1->scratch;
	struct vmx_try t;

	check_invvpid(l1, INVVPID_ADDRESS, VPID, addr, "individual-address");
	check_invvpid(l1, INVVPID_ADDRESS, 0, addr, "individual-address, VPID 0");
	check_invvpid(l1, INVVPID_ADDRESS, VPID, NON_CANONICAL, "individual-address, non-canonical");
	check_invvpid(l1, INV_SINGLE_CONTEXT, VPID, 0, "single-context");
	check_invvpid(l1, INV_SINGLE_CONTEXT, 0, 0, "single-context, VPID 0");
	check_invvpid(l1, INV_ALL_CONTEXT, 0, 0, "all-context, VPID 0");
	check_invvpid(l1, INV_ALL_CONTEXT, VPID, NON_CANONICAL,
		      "all-context, VPID 1, non-canonical address (ignored)");
	check_invvpid(l1, INV_ALL_CONTEXT, VPID | VPID_RESERVED, 0,
		      "all-context, descriptor bit 16 set");
	check_invvpid(l1, INVVPID_SINGLE_NON_GLOBAL, VPID, 0, "single-context retaining globals");
	check_invvpid(l1, INVVPID_SINGLE_NON_GLOBAL, 0, 0,
		      "single-context retaining globals, VPID 0");
	check_invvpid(l1, INV_TYPES, VPID, 0, "type 4 (not an INVVPID type)");
	check_type_high_bit(l1, VMX_INSN_INVVPID, l1->f.invvpid);
	t = (struct vmx_try){ .insn = VMX_INSN_INVVPID, .sequence = invvpid_register_form };
	check(&t, UD, "INVVPID with a register operand");
}

/* Without a current VMCS a VMfail is VMfailInvalid; success needs none. */
static void test_without_vmcs(const struct l1 *l1)
{
	const struct vmx_features *f = &l1->f;
	struct expect want;
	struct vmx_try t;

	vmx_vmclear(cell(l1->vmcs_a));
	want = invept_expect(f, 0, true);
	if (want.outcome == VMX_FAIL_VALID)
		want = FAIL_INVALID;
	t = (struct vmx_try){ .insn = VMX_INSN_INVEPT, .mem = cell(0), .type = 0 };
	check_advertised(&t, want, "INVEPT type 0 with no current VMCS");
	t = (struct vmx_try){ .insn = VMX_INSN_INVVPID, .mem = (u64 *)(l1->scratch + DESC_OFFSET),
			      .type = INV_TYPES };
	want = invvpid_expect(f, INV_TYPES, t.mem);
	if (want.outcome == VMX_FAIL_VALID)
		want = FAIL_INVALID;
	check_advertised(&t, want, "INVVPID type 4 with no current VMCS");
	check_invvpid(l1, INV_ALL_CONTEXT, 0, 0, "all-context with no current VMCS");
	vmx_vmptrld(cell(l1->vmcs_a));
	report(current_vmcs() == l1->vmcs_a, "VMCS A current again for the checks that follow");
}

void test_invalidation(struct l1 *l1)
{
	test_invept(l1);
	test_invvpid(l1);
	test_without_vmcs(l1);
}
