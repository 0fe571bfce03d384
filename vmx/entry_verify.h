/* The software VM-entry checker (vmx/entry_checks.h) against the hardware:
 * predicts each entry of the current VMCS and compares with what the CPU
 * did, so a wrong rule, or a CPU (emulator) that skips a check, shows. */
#ifndef VMX_ENTRY_VERIFY_H
#define VMX_ENTRY_VERIFY_H

#include "entry_checks.h"
#include "vmx_ops.h"

/* The host-physical pages the current VMCS is meant to name (0: none):
 * the only memory the checker may read. */
struct entry_verify_pages {
	phys_addr_t page[2];	/* the virtual-APIC page (VTPR), the shadow VMCS (its header) */
};

/* The checker's verdict on the current VMCS: true if every rule passes. */
bool entry_verify_predict(const struct vmx_caps *caps, const struct entry_verify_pages *known,
			  struct entry_check_failure *f);

/* Compares a prediction with the hardware's outcome of the entry (r from
 * vmx_enter, exit_reason as read after it, 0 if none). Returns false, with
 * both sides printed under prefix, when they disagree. */
bool entry_verify_compare(const char *prefix, bool predicted_ok,
			  const struct entry_check_failure *f, enum vmx_result r,
			  u32 exit_reason);

/* Prints a failure: the rule in words, its SDM section and the field. */
void entry_verify_explain(const char *prefix, const struct entry_check_failure *f);

#endif
