#include "vmx_errors.h"

/* Indexed by error number; sized by the highest one. */
#define VMX_INSN_ERROR_NAME(name, n, words) [n] = words,
static const char *const insn_error_names[] = {
	VMX_INSN_ERRORS(VMX_INSN_ERROR_NAME)
};
#undef VMX_INSN_ERROR_NAME

/* Indexed by basic exit reason; a number listed twice in exit_reasons.def
 * is a -Woverride-init error here. */
static const char *const exit_reason_names[] = {
#define EXIT_REASON(name, n, words) [n] = words,
#include "exit_reasons.def"
};

/* The same rows, by identifier. */
static const char *const exit_reason_ids[] = {
#define EXIT_REASON(name, n, words) [n] = #name,
#include "exit_reasons.def"
};

const char *vmx_instruction_error_name(u32 n)
{
	if (n == 0 || n >= ARRAY_SIZE(insn_error_names))
		return "unknown VM-instruction error";
	if (!insn_error_names[n])
		return "reserved VM-instruction error number";
	return insn_error_names[n];
}

/* Row n of a table indexed by number, or none where it has no row. */
static const char *row(const char *const *table, size_t rows, u32 n, const char *none)
{
	return n < rows && table[n] ? table[n] : none;
}

const char *vmx_exit_reason_name(u32 basic_reason)
{
	return row(exit_reason_names, ARRAY_SIZE(exit_reason_names), basic_reason,
		   "unknown exit reason");
}

const char *vmx_exit_reason_id(u32 basic_reason)
{
	return row(exit_reason_ids, ARRAY_SIZE(exit_reason_ids), basic_reason, "UNKNOWN");
}

const char *vmx_entry_failure_qual_name(u32 basic_reason, u64 qual)
{
	switch (basic_reason) {
	case EXIT_REASON_INVALID_GUEST_STATE:
		switch (qual) {
		case VMX_ENTRY_FAIL_DEFAULT:
			return "invalid guest state (no further detail)";
		case VMX_ENTRY_FAIL_PDPTE:
			return "PDPTE load failed";
		case VMX_ENTRY_FAIL_NMI_STI_BLOCKING:
			return "NMI injection blocked by STI blocking";
		case VMX_ENTRY_FAIL_VMCS_LINK_PTR:
			return "invalid VMCS link pointer";
		default:
			return "unknown invalid-guest-state qualification";
		}
	case EXIT_REASON_MSR_LOAD_FAIL:
		return "VM-entry MSR-load area entry failed (qualification = entry number, from 1)";
	default:
		return NULL;
	}
}
