/* VMREAD and VMWRITE on the current VMCS: each field width, read-only
 * fields, unsupported encodings (SDM Vol. 3C 31.3 VMREAD/VMWRITE; 25.11.2
 * for the encodings). In 64-bit mode both take 64-bit operands: a shorter
 * field ignores the source's high bits, and a read zero-extends. */
#include "check.h"

#define FILL_BYTE 0xa5
#define FILL_QWORD 0xa5a5a5a5a5a5a5a5ull
#define MEMORY_OFFSET 0x300		/* in the scratch page */

/* One field of each width: what VMWRITE gets and what VMREAD must give. */
static const struct width_case {
	u32 field;
	const char *width;
	u64 written, read;
} widths[] = {
	{ VMCS_GUEST_ES_SELECTOR, "16-bit", 0xffffffffffff1234ull, 0x1234 },
	{ VMCS_GUEST_ES_LIMIT, "32-bit", 0xffffffff89abcdefull, 0x89abcdef },
	{ VMCS_VMCS_LINK_POINTER, "64-bit", 0x0123456789abcdefull, 0x0123456789abcdefull },
	{ VMCS_GUEST_RIP, "natural-width", 0xffff800012345678ull, 0xffff800012345678ull },
};

static void test_widths(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(widths); i++) {
		const struct width_case *w = &widths[i];
		struct vmx_try t = try_vmwrite(w->field, w->written);

		check(&t, SUCCEED, "VMWRITE of a %s field (%s)", w->width, vmcs_field_name(w->field));
		t = try_vmread(w->field);
		if (check(&t, SUCCEED, "VMREAD of a %s field (%s)", w->width,
			  vmcs_field_name(w->field)))
			report(t.value == w->read, "VMREAD of a %s field: %s", w->width,
			       w->read == w->written ? "the value written"
						     : "the value written, truncated and zero-extended");
	}
}

/* The HIGH access type (encoding bit 0) names bits 63:32 of a 64-bit field. */
static void test_high_half(void)
{
	const u32 high = VMCS_VMCS_LINK_POINTER | VMCS_ENC_HIGH;
	struct vmx_try t = try_vmread(high);

	write_field(VMCS_VMCS_LINK_POINTER, 0x0123456789abcdefull);
	if (check(&t, SUCCEED, "VMREAD of the high half of a 64-bit field"))
		report(t.value == 0x01234567, "VMREAD of the high half: bits 63:32, zero-extended");
	t = try_vmwrite(high, 0xffffffff00005555ull);
	check(&t, SUCCEED, "VMWRITE of the high half of a 64-bit field");
	report(read_field(VMCS_VMCS_LINK_POINTER) == 0x0000555589abcdefull,
	       "VMWRITE of the high half: sets bits 63:32 from the source's bits 31:0, keeps 31:0");
}

static void test_memory_operands(const struct l1 *l1)
{
	u64 *mem = (u64 *)(l1->scratch + MEMORY_OFFSET);
	struct vmx_try t = { .insn = VMX_INSN_VMREAD, .mem = mem, .field = VMCS_GUEST_ES_SELECTOR };

	write_field(VMCS_GUEST_ES_SELECTOR, 0x1234);
	memset(mem, FILL_BYTE, 2 * sizeof(*mem));
	if (check(&t, SUCCEED, "VMREAD of a 16-bit field to memory"))
		report(mem[0] == 0x1234 && mem[1] == FILL_QWORD,
		       "VMREAD of a 16-bit field to memory: 8 bytes written, zero-extended");

	mem[0] = 0xffffffff87654321ull;
	t = (struct vmx_try){ .insn = VMX_INSN_VMWRITE, .mem = mem, .field = VMCS_GUEST_ES_LIMIT };
	check(&t, SUCCEED, "VMWRITE of a 32-bit field from memory");
	report(read_field(VMCS_GUEST_ES_LIMIT) == 0x87654321,
	       "VMWRITE of a 32-bit field from memory: bits 31:0 of the 8 bytes");
}

/* Exit-information fields: VMREAD always; VMWRITE only with IA32_VMX_MISC
 * bit 29, else VMfailValid(13) (VMWRITE "Operation"). */
static void test_read_only(const struct l1 *l1)
{
	static const u32 fields[] = { VMCS_EXIT_QUALIFICATION, VMCS_VM_EXIT_REASON };

	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++) {
		const char *name = vmcs_field_name(fields[i]);
		u64 before, value = 0x5a5a + i;
		struct vmx_try t = try_vmread(fields[i]);

		check(&t, SUCCEED, "VMREAD of the read-only field %s", name);
		before = t.value;
		t = try_vmwrite(fields[i], value);
		check_advertised(&t, l1->f.vmwrite_any ? SUCCEED
				 : FAIL_VALID(VMXERR_VMWRITE_READ_ONLY),
				 "VMWRITE of the read-only field %s", name);
		report(read_field(fields[i]) == (t.outcome == VMX_SUCCEED ? value : before),
		       "VMWRITE of the read-only field %s: the field holds what the outcome says",
		       name);
	}
}

/* Encodings no VMCS has: VMfailValid(12) for both instructions. */
static const struct {
	u64 field;
	const char *what;
} unsupported[] = {
	{ 0x6ffe, "index 0x1ff (beyond IA32_VMX_VMCS_ENUM)" },
	{ VMCS_GUEST_ES_SELECTOR | BIT(12), "reserved bit 12 set" },
	{ VMCS_GUEST_ES_SELECTOR | BIT(15), "reserved bit 15 set" },
	{ VMCS_GUEST_ES_SELECTOR | BIT(31), "reserved bit 31 set" },
	{ VMCS_GUEST_ES_SELECTOR | BIT(32), "bit 32 set (bits 63:32 of the register count)" },
	{ VMCS_GUEST_RIP | BIT(63), "bit 63 set" },
};

static void test_unsupported(const struct l1 *l1)
{
	u64 *mem = (u64 *)(l1->scratch + MEMORY_OFFSET);
	struct vmx_try t;

	for (unsigned i = 0; i < ARRAY_SIZE(unsupported); i++) {
		t = try_vmread(unsupported[i].field);
		check(&t, FAIL_VALID(VMXERR_UNSUPPORTED_COMPONENT), "VMREAD of field %s",
		      unsupported[i].what);
		t = try_vmwrite(unsupported[i].field, 0);
		check(&t, FAIL_VALID(VMXERR_UNSUPPORTED_COMPONENT), "VMWRITE of field %s",
		      unsupported[i].what);
	}

	/* A failure writes nothing but the error; a success leaves it. */
	*mem = FILL_QWORD;
	t = (struct vmx_try){ .insn = VMX_INSN_VMREAD, .mem = mem, .field = unsupported[0].field };
	check(&t, FAIL_VALID(VMXERR_UNSUPPORTED_COMPONENT), "VMREAD of an unsupported field to memory");
	report(*mem == FILL_QWORD, "a failed VMREAD leaves its memory destination alone");
	t = try_vmread(VMCS_GUEST_RIP);
	check(&t, SUCCEED, "VMREAD after a VMfailValid");
	report(vmx_instruction_error() == VMXERR_UNSUPPORTED_COMPONENT,
	       "VMsucceed leaves the VM-instruction error field alone");
}

void test_fields(struct l1 *l1)
{
	test_widths();
	test_high_half();
	test_memory_operands(l1);
	test_read_only(l1);
	test_unsupported(l1);
}
