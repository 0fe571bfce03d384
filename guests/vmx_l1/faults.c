/* Memory operands on a page not present: #PF with CR2 = the operand's
 * first byte on that page and the error code of a supervisor read or
 * write (SDM Vol. 3A, 4.7), for each instruction with a memory operand;
 * and where the SDM's order of checks says the operand is not touched at
 * all. VMCS A is current. */
#include "check.h"

#define PF_READ 0
#define PF_WRITE PF_ERR_WRITE
#define STRADDLE 4			/* bytes of the operand before the hole */
#define UNSUPPORTED_FIELD 0x6ffeull

static void test_not_present(const struct l1 *l1)
{
	u64 *op = (u64 *)(l1->hole + HOLE_OPERAND_OFFSET);
	u64 *straddling = (u64 *)(l1->hole - STRADDLE);
	const struct vmx_features *f = &l1->f;
	struct vmx_try t;

	t = (struct vmx_try){ .insn = VMX_INSN_VMREAD, .mem = op, .field = VMCS_GUEST_RIP };
	check(&t, PF_AT(PF_WRITE, (u64)op), "VMREAD to a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_VMWRITE, .mem = op, .field = VMCS_GUEST_RIP };
	check(&t, PF_AT(PF_READ, (u64)op), "VMWRITE from a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_VMPTRST, .mem = op };
	check(&t, PF_AT(PF_WRITE, (u64)op), "VMPTRST to a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_VMPTRLD, .mem = op };
	check(&t, PF_AT(PF_READ, (u64)op), "VMPTRLD with its pointer on a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_VMCLEAR, .mem = op };
	check(&t, PF_AT(PF_READ, (u64)op), "VMCLEAR with its pointer on a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_INVEPT, .mem = op, .type = INV_ALL_CONTEXT };
	check_advertised(&t, f->invept ? PF_AT(PF_READ, (u64)op) : UD,
			 "INVEPT (all-context) with its descriptor on a page not present");
	t = (struct vmx_try){ .insn = VMX_INSN_INVVPID, .mem = op, .type = INV_ALL_CONTEXT };
	check_advertised(&t, f->invvpid ? PF_AT(PF_READ, (u64)op) : UD,
			 "INVVPID (all-context) with its descriptor on a page not present");

	/* An 8-byte operand whose last 4 bytes are on the page not present:
	 * CR2 is the first byte there. */
	*(u32 *)straddling = 0;
	t = (struct vmx_try){ .insn = VMX_INSN_VMREAD, .mem = straddling, .field = VMCS_GUEST_RIP };
	check(&t, PF_AT(PF_WRITE, pa_of(l1->hole)),
	      "VMREAD to 8 bytes reaching into a page not present (CR2 = that page)");
	t = (struct vmx_try){ .insn = VMX_INSN_VMWRITE, .mem = straddling, .field = VMCS_GUEST_RIP };
	check(&t, PF_AT(PF_READ, pa_of(l1->hole)),
	      "VMWRITE from 8 bytes reaching into a page not present (CR2 = that page)");
}

/* Checks that come before the operand is read or written (each
 * instruction's "Operation"): the operand may be anywhere. */
static void test_operand_untouched(const struct l1 *l1)
{
	u64 *op = (u64 *)(l1->hole + HOLE_OPERAND_OFFSET);
	struct vmx_try t;

	t = (struct vmx_try){ .insn = VMX_INSN_VMREAD, .mem = op, .field = UNSUPPORTED_FIELD };
	check(&t, FAIL_VALID(VMXERR_UNSUPPORTED_COMPONENT),
	      "VMREAD of an unsupported field to a page not present (the field is checked before "
	      "the store)");
	t = (struct vmx_try){ .insn = VMX_INSN_VMXON, .mem = op };
	check(&t, FAIL_VALID(VMXERR_VMXON_IN_ROOT),
	      "VMXON in VMX root operation with its pointer on a page not present (not read)");
}

/* A non-canonical operand through the plain [reg] form, for the
 * instructions forms.c does not cover. */
static void test_non_canonical(const struct l1 *l1)
{
	u64 *op = (u64 *)NON_CANONICAL;
	const struct vmx_features *f = &l1->f;
	struct vmx_try t;

	t = (struct vmx_try){ .insn = VMX_INSN_VMPTRST, .mem = op };
	check(&t, GP0, "VMPTRST to a non-canonical address");
	t = (struct vmx_try){ .insn = VMX_INSN_VMPTRLD, .mem = op };
	check(&t, GP0, "VMPTRLD from a non-canonical address");
	t = (struct vmx_try){ .insn = VMX_INSN_VMCLEAR, .mem = op };
	check(&t, GP0, "VMCLEAR from a non-canonical address");
	t = (struct vmx_try){ .insn = VMX_INSN_INVEPT, .mem = op, .type = INV_ALL_CONTEXT };
	check_advertised(&t, f->invept ? GP0 : UD, "INVEPT with a non-canonical descriptor address");
	t = (struct vmx_try){ .insn = VMX_INSN_INVVPID, .mem = op, .type = INV_ALL_CONTEXT };
	check_advertised(&t, f->invvpid ? GP0 : UD,
			 "INVVPID with a non-canonical descriptor address");
}

void test_operand_faults(struct l1 *l1)
{
	test_not_present(l1);
	test_operand_untouched(l1);
	test_non_canonical(l1);
}
