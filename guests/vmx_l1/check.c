#include "check.h"

#define WORDS_SIZE 96
#define WHAT_SIZE 160
#define CELLS 8
#define PLAIN_DATA_OFFSET 0x100	/* in the scratch page: descriptors, VMREAD/VMWRITE */

void expect_words(char *buf, size_t size, struct expect want)
{
	vmx_outcome_words(buf, size, want.outcome, want.error, want.vector, want.error_code, 0);
}

static void got_words(char *buf, size_t size, const struct vmx_try *t)
{
	vmx_outcome_words(buf, size, t->outcome, t->error, t->fault.vector, t->fault.error_code,
			  t->rflags);
}

bool outcome_is(const struct vmx_try *t, struct expect want)
{
	if (t->outcome != want.outcome)
		return false;
	switch (want.outcome) {
	case VMX_FAIL_VALID:
		return t->error == want.error;
	case VMX_FAULT:
		return t->fault.vector == want.vector && t->fault.error_code == want.error_code &&
		       (!want.cr2 || t->fault.cr2 == want.cr2);
	default:
		return true;
	}
}

/* Runs t unless it ran already (run false), then reports. */
static bool run_and_report(struct vmx_try *t, bool run, struct expect want, bool advertised,
			   const char *fmt, va_list ap)
{
	char what[WHAT_SIZE], want_w[WORDS_SIZE], got_w[WORDS_SIZE];
	bool ok;

	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	expect_words(want_w, sizeof(want_w), want);
	if (advertised)
		report_info("%s: the capabilities call for %s", what, want_w);
	if (run)
		vmx_try_run(t);
	ok = outcome_is(t, want);
	if (ok)
		return report(true, "%s: %s", what, advertised ? "as advertised" : want_w);
	got_words(got_w, sizeof(got_w), t);
	if (t->outcome == VMX_FAULT && t->fault.vector == VEC_PF)
		return report(false, "%s: %s expected, got %s with CR2 0x%lx (RIP 0x%lx)", what,
			      want_w, got_w, t->fault.cr2, t->fault.ip);
	if (t->outcome == VMX_FAULT)
		return report(false, "%s: %s expected, got %s at RIP 0x%lx", what, want_w, got_w,
			      t->fault.ip);
	return report(false, "%s: %s expected, got %s", what, want_w, got_w);
}

/* The four ways to report: run it or not, plain or "as advertised". */
#define CHECK_FN(name, run, advertised)						\
	bool name(struct vmx_try *t, struct expect want, const char *fmt, ...)	\
	{									\
		va_list ap;							\
		bool ok;							\
										\
		va_start(ap, fmt);						\
		ok = run_and_report(t, run, want, advertised, fmt, ap);		\
		va_end(ap);							\
		return ok;							\
	}
CHECK_FN(check, true, false)
CHECK_FN(check_advertised, true, true)
CHECK_FN(check_done, false, false)
CHECK_FN(check_done_advertised, false, true)

u64 *cell(u64 value)
{
	static u64 cells[CELLS];
	static unsigned next;
	u64 *c = &cells[next++ % CELLS];

	*c = value;
	return c;
}

struct vmx_try try_plain(const struct l1 *l1, enum vmx_insn insn)
{
	u64 *data = (u64 *)(l1->scratch + PLAIN_DATA_OFFSET);
	struct vmx_try t = { .insn = insn, .field = VMCS_GUEST_RIP, .type = INV_ALL_CONTEXT };

	data[0] = data[1] = 0;
	switch (insn) {
	case VMX_INSN_VMXON:
		t.mem = cell(l1->vmxon);
		break;
	case VMX_INSN_VMCLEAR:
	case VMX_INSN_VMPTRLD:
		t.mem = cell(l1->vmcs_a);
		break;
	case VMX_INSN_VMPTRST:
	case VMX_INSN_VMREAD:
	case VMX_INSN_VMWRITE:
	case VMX_INSN_INVEPT:
	case VMX_INSN_INVVPID:
		t.mem = data;
		break;
	default:
		break;
	}
	return t;
}

u64 current_vmcs(void)
{
	u64 ptr = 0;
	u64 rflags = vmx_vmptrst(&ptr);

	if (vmx_outcome_of(rflags) != VMX_SUCCEED) {
		report(false, "VMPTRST: did not succeed (RFLAGS 0x%lx)", rflags);
		return ~0ull;
	}
	return ptr;
}

u64 read_field(u64 field)
{
	u64 value = 0;
	u64 rflags = vmx_vmread(field, &value);

	if (vmx_outcome_of(rflags) != VMX_SUCCEED) {
		report(false, "VMREAD of field 0x%lx (%s): did not succeed (RFLAGS 0x%lx, error %u)",
		       field, vmcs_field_name((u32)field), rflags, vmx_instruction_error());
		return ~0ull;
	}
	return value;
}

void write_field(u64 field, u64 value)
{
	u64 rflags = vmx_vmwrite(field, value);

	if (vmx_outcome_of(rflags) != VMX_SUCCEED)
		report(false, "VMWRITE of field 0x%lx (%s): did not succeed (RFLAGS 0x%lx, error %u)",
		       field, vmcs_field_name((u32)field), rflags, vmx_instruction_error());
}
