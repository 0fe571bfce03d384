/* VMX failures in words: VM-instruction error numbers (SDM Vol. 3C 31.4,
 * Table 31-1), basic exit reasons (SDM Vol. 3D Appendix C, listed once in
 * exit_reasons.def) and the exit qualification of a VM-entry failure
 * (SDM Vol. 3C 27.8). Pure: compiles unchanged in the host tests. */
#ifndef VMX_VMX_ERRORS_H
#define VMX_VMX_ERRORS_H

#include "../lib/types.h"

/* VM-instruction error numbers, loaded into the VM-instruction error field
 * on VMfailValid (SDM 31.4, Table 31-1). 14, 21 and 27 are not defined.
 * X(name, number, words), listed once; expands to the enum below and to
 * the names in vmx_errors.c. */
#define VMX_INSN_ERRORS(X)							\
	X(VMCALL_IN_ROOT,		 1, "VMCALL executed in VMX root operation") \
	X(VMCLEAR_INVALID_ADDR,		 2, "VMCLEAR with invalid physical address") \
	X(VMCLEAR_VMXON_PTR,		 3, "VMCLEAR with VMXON pointer")	\
	X(VMLAUNCH_NONCLEAR_VMCS,	 4, "VMLAUNCH with non-clear VMCS")	\
	X(VMRESUME_NONLAUNCHED_VMCS,	 5, "VMRESUME with non-launched VMCS") \
	X(VMRESUME_AFTER_VMXOFF,	 6, "VMRESUME after VMXOFF (VMXOFF and VMXON between VMLAUNCH and VMRESUME)") \
	X(ENTRY_INVALID_CONTROL,	 7, "VM entry with invalid control field(s)") \
	X(ENTRY_INVALID_HOST_STATE,	 8, "VM entry with invalid host-state field(s)") \
	X(VMPTRLD_INVALID_ADDR,		 9, "VMPTRLD with invalid physical address") \
	X(VMPTRLD_VMXON_PTR,		10, "VMPTRLD with VMXON pointer")	\
	X(VMPTRLD_BAD_REVISION,		11, "VMPTRLD with incorrect VMCS revision identifier") \
	X(UNSUPPORTED_COMPONENT,	12, "VMREAD/VMWRITE from/to unsupported VMCS component") \
	X(VMWRITE_READ_ONLY,		13, "VMWRITE to read-only VMCS component") \
	X(VMXON_IN_ROOT,		15, "VMXON executed in VMX root operation") \
	X(ENTRY_INVALID_EXEC_VMCS_PTR,	16, "VM entry with invalid executive-VMCS pointer") \
	X(ENTRY_NONLAUNCHED_EXEC_VMCS,	17, "VM entry with non-launched executive VMCS") \
	X(ENTRY_EXEC_VMCS_PTR_NOT_VMXON, 18, "VM entry with executive-VMCS pointer not VMXON pointer (when attempting to deactivate the dual-monitor treatment of SMIs and SMM)") \
	X(VMCALL_NONCLEAR_VMCS,		19, "VMCALL with non-clear VMCS (when attempting to activate the dual-monitor treatment of SMIs and SMM)") \
	X(VMCALL_INVALID_EXIT_CONTROL,	20, "VMCALL with invalid VM-exit control fields") \
	X(VMCALL_BAD_MSEG_REVISION,	22, "VMCALL with incorrect MSEG revision identifier (when attempting to activate the dual-monitor treatment of SMIs and SMM)") \
	X(VMXOFF_DUAL_MONITOR,		23, "VMXOFF under dual-monitor treatment of SMIs and SMM") \
	X(VMCALL_BAD_SMM_MONITOR,	24, "VMCALL with invalid SMM-monitor features (when attempting to activate the dual-monitor treatment of SMIs and SMM)") \
	X(ENTRY_INVALID_EXEC_CONTROL,	25, "VM entry with invalid VM-execution control fields in executive VMCS (when attempting to return from SMM)") \
	X(ENTRY_MOV_SS_BLOCKING,	26, "VM entry with events blocked by MOV SS") \
	X(INVEPT_INVVPID_OPERAND,	28, "Invalid operand to INVEPT/INVVPID")

enum vmx_insn_error {
#define VMX_INSN_ERROR_ENUM(name, n, words) VMXERR_##name = (n),
	VMX_INSN_ERRORS(VMX_INSN_ERROR_ENUM)
#undef VMX_INSN_ERROR_ENUM
};

/* Basic exit reasons: EXIT_REASON_<NAME> = number (exit_reasons.def). */
enum vmx_exit_reason {
#define EXIT_REASON(name, n, words) EXIT_REASON_##name = (n),
#include "exit_reasons.def"
};

/* The exit-reason field (SDM Vol. 3C 25.9.1): bits 15:0 are the basic exit
 * reason; bit 31 says VM entry failed (SDM 27.8), with the basic reason
 * 33, 34 or 41. */
#define EXIT_REASON_BASIC_MASK		0xffffu
#define EXIT_REASON_ENCLAVE_MODE	BIT(27)	/* exit from enclave mode */
#define EXIT_REASON_PENDING_MTF		BIT(28)	/* pending MTF VM exit */
#define EXIT_REASON_FROM_VMX_ROOT	BIT(29)	/* SMM VM exit from VMX root */
#define EXIT_REASON_FAILED_VMENTRY	BIT(31)

/* Exit qualification of a VM-entry failure due to invalid guest state,
 * basic reason 33 (SDM 27.8). Value 1 is not used. */
enum vmx_entry_failure_qual {
	VMX_ENTRY_FAIL_DEFAULT = 0,		/* no further detail */
	VMX_ENTRY_FAIL_PDPTE = 2,		/* loading the PDPTEs failed */
	VMX_ENTRY_FAIL_NMI_STI_BLOCKING = 3,	/* NMI injected despite STI blocking */
	VMX_ENTRY_FAIL_VMCS_LINK_PTR = 4,	/* invalid VMCS link pointer */
};

/* The SDM's words for VM-instruction error n; "reserved VM-instruction
 * error number" for 14, 21 and 27; "unknown VM-instruction error" for 0
 * and anything above the highest defined number. Never NULL. */
const char *vmx_instruction_error_name(u32 n);

/* Words for a basic exit reason (bits 15:0 of the exit-reason field, not
 * the whole field); "unknown exit reason" if Appendix C defines none.
 * Never NULL. */
const char *vmx_exit_reason_name(u32 basic_reason);

/* The identifier of a basic exit reason, as exit_reasons.def names it
 * (e.g. "IO_INSTRUCTION"): one word, for machine-readable lines;
 * "UNKNOWN" where Appendix C defines none. Never NULL. */
const char *vmx_exit_reason_id(u32 basic_reason);

/* Words for the exit qualification of a VM-entry failure: for basic reason
 * 33 the cause named by qual; for 34 what qual counts (the failing entry of
 * the VM-entry MSR-load area, from 1). NULL for any other basic reason. */
const char *vmx_entry_failure_qual_name(u32 basic_reason, u64 qual);

#endif
