/* Nested VM entry (vmx/nested_entry.c): the checks of a vmcs12, and the
 * VM-entry failure that hands control back to L1 (vmx/nested_exit.c). */
#ifndef VMX_NESTED_ENTRY_H
#define VMX_NESTED_ENTRY_H

#include "entry_checks.h"

struct vcpu;

enum nested_verdict {
	NESTED_ENTRY_OK,
	NESTED_FAIL_CONTROL,		/* VMfailValid(7) */
	NESTED_FAIL_HOST,		/* VMfailValid(8) */
	NESTED_FAIL_GUEST,		/* exit 33 | bit 31 to L1 (SDM 27.8) */
	NESTED_FAIL_MSR_LOAD,		/* exit 34 | bit 31 to L1, qualification = entry, from 1 */
};

struct nested_check {
	struct entry_check_failure failure;	/* the checker's rule, for the first three */
	const char *why;			/* words for any failure */
	u32 qualification;			/* for the entry-failure exits */
	u32 msr_index;				/* NESTED_FAIL_MSR_LOAD: the entry, from 1 */
};

/* Checks L1's current vmcs12 as VMLAUNCH/VMRESUME would, in the SDM's
 * order: controls, host state, guest state (27.2, 27.3), then the MSR-load
 * list (27.4). */
enum nested_verdict nested_check_entry(struct vcpu *v, struct nested_check *c);

struct nested_exit_info;

/* A VM exit that goes to L1 (SDM 28.2, 28.5, 28.6), or a VM-entry failure
 * (reason bit 31: 27.8), with vmcs01 current: writes the exit information
 * into vmcs12 (only reason and qualification for a failure), loads L1's
 * host state from vmcs12 into L1's own VMCS, so that L1 resumes at
 * HOST_RIP, then vmcs12's VM-exit MSR-load list, whose failure is a VMX
 * abort. */
void nested_exit_to_l1(struct vcpu *v, const struct nested_exit_info *e);

/* VMX-abort indicators (28.7). */
enum nested_abort {
	NESTED_ABORT_SAVING_GUEST_MSRS = 1,
	NESTED_ABORT_LOADING_HOST_MSRS = 4,
};

/* A VMX abort (28.7): the indicator goes into L1's VMCS region and L1's
 * CPU shuts down, i.e. L1 is stopped with the words why (list entry
 * `entry`, counted from 1, failed for why). */
void nested_vmx_abort(struct vcpu *v, enum nested_abort indicator, const char *what, u32 entry,
		      const char *why);

#endif
