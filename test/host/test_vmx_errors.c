/* vmx/vmx_errors.c and vmx/exit_reasons.def: VM-instruction errors (SDM
 * 31.4), basic exit reasons (SDM Appendix C) and entry-failure
 * qualifications (SDM 27.8) in words. */
#include "harness.h"
#include "../../vmx/vmx_errors.h"

#define UNKNOWN_ERROR "unknown VM-instruction error"
#define RESERVED_ERROR "reserved VM-instruction error number"
#define UNKNOWN_REASON "unknown exit reason"
#define UNKNOWN_ID "UNKNOWN"

static const struct {
	const char *name;
	u32 number;
	const char *words;
} insn_errors[] = {
#define X(name, n, words) { #name, n, words },
	VMX_INSN_ERRORS(X)
#undef X
};

static const struct {
	const char *name;
	u32 number;
	const char *words;
} exit_reasons[] = {
#define EXIT_REASON(name, n, words) { #name, n, words },
#include "../../vmx/exit_reasons.def"
};

static void check_insn_errors(void)
{
	unsigned n, i, bad = 0, defined = 0;

	for (n = 1; n <= 28; n++) {
		const char *got = vmx_instruction_error_name(n);
		const char *want = RESERVED_ERROR;

		for (i = 0; i < ARRAY_SIZE(insn_errors); i++)
			if (insn_errors[i].number == n) {
				want = insn_errors[i].words;
				defined++;
			}
		if (!got || !*got || strcmp(got, want) || !strcmp(got, UNKNOWN_ERROR)) {
			bad++;
			report(false, "error %u: \"%s\", expected \"%s\"", n, got, want);
		}
	}
	report(bad == 0 && defined == 25 && ARRAY_SIZE(insn_errors) == 25,
	       "errors 1-28 all named: %u from Table 31-1, 14/21/27 reserved", defined);

	report(!strcmp(vmx_instruction_error_name(0), UNKNOWN_ERROR) &&
	       !strcmp(vmx_instruction_error_name(29), UNKNOWN_ERROR) &&
	       !strcmp(vmx_instruction_error_name(0xffffffff), UNKNOWN_ERROR),
	       "0, 29 and 0xffffffff are unknown");

	report(VMXERR_VMCALL_IN_ROOT == 1 && VMXERR_VMLAUNCH_NONCLEAR_VMCS == 4 &&
	       VMXERR_ENTRY_INVALID_CONTROL == 7 && VMXERR_ENTRY_INVALID_HOST_STATE == 8 &&
	       VMXERR_VMPTRLD_BAD_REVISION == 11 && VMXERR_UNSUPPORTED_COMPONENT == 12 &&
	       VMXERR_VMWRITE_READ_ONLY == 13 && VMXERR_VMXON_IN_ROOT == 15 &&
	       VMXERR_ENTRY_MOV_SS_BLOCKING == 26 && VMXERR_INVEPT_INVVPID_OPERAND == 28,
	       "error constants have the Table 31-1 numbers");
	report(!strcmp(vmx_instruction_error_name(7), "VM entry with invalid control field(s)") &&
	       !strcmp(vmx_instruction_error_name(8), "VM entry with invalid host-state field(s)") &&
	       !strcmp(vmx_instruction_error_name(12),
		       "VMREAD/VMWRITE from/to unsupported VMCS component") &&
	       !strcmp(vmx_instruction_error_name(13), "VMWRITE to read-only VMCS component"),
	       "errors 7, 8, 12, 13 in the SDM's words");
}

static void check_exit_reasons(void)
{
	unsigned i, j, dups = 0, unnamed = 0, gaps = 0, max = 0;

	for (i = 0; i < ARRAY_SIZE(exit_reasons); i++) {
		const char *got = vmx_exit_reason_name(exit_reasons[i].number);
		const char *id = vmx_exit_reason_id(exit_reasons[i].number);

		max = MAX(max, exit_reasons[i].number);
		if (!*exit_reasons[i].words || strcmp(got, exit_reasons[i].words) ||
		    strcmp(id, exit_reasons[i].name) ||
		    exit_reasons[i].number > EXIT_REASON_BASIC_MASK) {
			unnamed++;
			report(false, "exit reason %u (%s) named \"%s\", identifier %s",
			       exit_reasons[i].number, exit_reasons[i].name, got, id);
		}
		for (j = i + 1; j < ARRAY_SIZE(exit_reasons); j++)
			if (exit_reasons[i].number == exit_reasons[j].number ||
			    !strcmp(exit_reasons[i].name, exit_reasons[j].name)) {
				dups++;
				report(false, "exit reasons %s and %s collide", exit_reasons[i].name,
				       exit_reasons[j].name);
			}
	}
	report(unnamed == 0, "all %zu exit reasons named", ARRAY_SIZE(exit_reasons));
	report(dups == 0, "exit reason numbers and names unique");

	/* Numbers without a row are unknown, up to well past the last one. */
	for (i = 0; i <= max + 16; i++) {
		bool listed = false;

		for (j = 0; j < ARRAY_SIZE(exit_reasons); j++)
			listed |= exit_reasons[j].number == i;
		if (!listed && (strcmp(vmx_exit_reason_name(i), UNKNOWN_REASON) ||
				strcmp(vmx_exit_reason_id(i), UNKNOWN_ID))) {
			gaps++;
			report(false, "exit reason %u has no row but is named \"%s\"", i,
			       vmx_exit_reason_name(i));
		}
	}
	report(gaps == 0 && !strcmp(vmx_exit_reason_name(0xffff), UNKNOWN_REASON) &&
	       !strcmp(vmx_exit_reason_name(0xffffffff), UNKNOWN_REASON) &&
	       !strcmp(vmx_exit_reason_id(0xffffffff), UNKNOWN_ID),
	       "unlisted numbers (35, 38, 42, 71, ...) are \"%s\", identifier %s", UNKNOWN_REASON,
	       UNKNOWN_ID);
	report_info("%zu exit reasons, highest %u", ARRAY_SIZE(exit_reasons), max);

	report(EXIT_REASON_EXCEPTION_NMI == 0 && EXIT_REASON_EXTERNAL_INTERRUPT == 1 &&
	       EXIT_REASON_TRIPLE_FAULT == 2 && EXIT_REASON_CPUID == 10 &&
	       EXIT_REASON_HLT == 12 && EXIT_REASON_VMCALL == 18 &&
	       EXIT_REASON_CR_ACCESS == 28 && EXIT_REASON_IO_INSTRUCTION == 30 &&
	       EXIT_REASON_MSR_READ == 31 && EXIT_REASON_MSR_WRITE == 32 &&
	       EXIT_REASON_INVALID_GUEST_STATE == 33 && EXIT_REASON_MSR_LOAD_FAIL == 34 &&
	       EXIT_REASON_EPT_VIOLATION == 48 && EXIT_REASON_EPT_MISCONFIG == 49 &&
	       EXIT_REASON_PREEMPTION_TIMER == 52 && EXIT_REASON_XSETBV == 55 &&
	       EXIT_REASON_VMXON == 27 && EXIT_REASON_MCE_DURING_VMENTRY == 41,
	       "exit reason constants have the Appendix C numbers");
	report(!strcmp(vmx_exit_reason_name(EXIT_REASON_CPUID), "CPUID") &&
	       !strcmp(vmx_exit_reason_name(EXIT_REASON_EPT_VIOLATION), "EPT violation") &&
	       !strcmp(vmx_exit_reason_name(EXIT_REASON_INVALID_GUEST_STATE),
		       "VM-entry failure due to invalid guest state"),
	       "CPUID, EPT violation, invalid guest state in words");
	report(!strcmp(vmx_exit_reason_id(EXIT_REASON_IO_INSTRUCTION), "IO_INSTRUCTION") &&
	       !strcmp(vmx_exit_reason_id(EXIT_REASON_VMCALL), "VMCALL"),
	       "identifiers for machine-readable lines: IO_INSTRUCTION, VMCALL");

	report(EXIT_REASON_FAILED_VMENTRY == 0x80000000u &&
	       ((0x80000021u & EXIT_REASON_BASIC_MASK) == EXIT_REASON_INVALID_GUEST_STATE) &&
	       (0x80000021u & EXIT_REASON_FAILED_VMENTRY),
	       "exit-reason field 0x80000021: failed VM entry, basic reason 33");
}

static void check_entry_failure_quals(void)
{
	const char *s;

	report(!strcmp(vmx_entry_failure_qual_name(33, VMX_ENTRY_FAIL_PDPTE),
		       "PDPTE load failed"), "reason 33, qualification 2: PDPTE load failed");
	s = vmx_entry_failure_qual_name(33, VMX_ENTRY_FAIL_NMI_STI_BLOCKING);
	report(s && strstr(s, "NMI") && strstr(s, "STI"), "reason 33, qualification 3: %s", s);
	report(!strcmp(vmx_entry_failure_qual_name(33, VMX_ENTRY_FAIL_VMCS_LINK_PTR),
		       "invalid VMCS link pointer"),
	       "reason 33, qualification 4: invalid VMCS link pointer");
	s = vmx_entry_failure_qual_name(33, VMX_ENTRY_FAIL_DEFAULT);
	report(s && *s, "reason 33, qualification 0: %s", s);
	s = vmx_entry_failure_qual_name(33, 1);
	report(s && strstr(s, "unknown"), "reason 33, qualification 1 (not used): %s", s);
	s = vmx_entry_failure_qual_name(33, 1ull << 40);
	report(s && strstr(s, "unknown"), "reason 33, huge qualification: %s", s);
	s = vmx_entry_failure_qual_name(34, 5);
	report(s && strstr(s, "MSR-load"), "reason 34: %s", s);
	report(!vmx_entry_failure_qual_name(EXIT_REASON_HLT, 0) &&
	       !vmx_entry_failure_qual_name(EXIT_REASON_MCE_DURING_VMENTRY, 0),
	       "no entry-failure qualification words for other reasons");
	report(VMX_ENTRY_FAIL_DEFAULT == 0 && VMX_ENTRY_FAIL_PDPTE == 2 &&
	       VMX_ENTRY_FAIL_NMI_STI_BLOCKING == 3 && VMX_ENTRY_FAIL_VMCS_LINK_PTR == 4,
	       "entry-failure qualification constants have the SDM 27.8 values");
}

void run_tests(void)
{
	check_insn_errors();
	check_exit_reasons();
	check_entry_failure_quals();
}
