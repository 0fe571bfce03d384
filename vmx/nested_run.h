/* Running L2 (nested VMX, part 2): after L1's VMLAUNCH or VMRESUME passed
 * every check of vmx/nested_entry.h, the CPU runs L2 on vmcs02, a VMCS of
 * nestvisor's built from its own policy and L1's vmcs12
 * (vmx/nested_vmcs02.c). Each exit of L2 is then nestvisor's or L1's
 * (vmx/nested_reflect.c): nestvisor decides first, and what it does not
 * keep goes to L1 as the VM exit L1 asked for, with L2's state saved into
 * vmcs12 and L1's host state loaded (vmx/nested_exit.c). */
#ifndef VMX_NESTED_RUN_H
#define VMX_NESTED_RUN_H

#include "../lib/types.h"

struct vcpu;

/* The exit information a VM exit records (SDM Vol. 3C 28.2), as written
 * into vmcs12 for L1. */
struct nested_exit_info {
	u32 reason;			/* bit 31: VM-entry failure */
	u64 qualification;
	u64 guest_linear, guest_physical;
	u32 intr_info, intr_error;	/* VM-exit interruption information */
	u32 idt_info, idt_error;	/* IDT-vectoring information */
	u32 insn_len, insn_info;
};

/* Builds vmcs02 for L1's current vmcs12 (whose VM-entry MSR-load list the
 * checks already loaded), makes it current and marks the nested run
 * pending. false, with
 * vmcs01 current again and L1 stopped with the words why, if nestvisor
 * runs out of memory. */
bool nested_vmcs02_enter(struct vcpu *v);

/* After vmcs02's VM exit with basic reason: true if the exit went to L1
 * (vmcs01 is current again, L1 resumes at its HOST_RIP); false if
 * nestvisor keeps it and handles it as it would L1's own exit. */
bool nested_reflect_exit(struct vcpu *v, u32 reason);

/* Before an entry of L2 with an interrupt for L1 deliverable: if vmcs12
 * asks for external-interrupt exiting, the interrupt becomes a VM exit to
 * L1 (reason 1, acknowledged when vmcs12 says so: SDM 26.2, 28.2.2) and
 * true is returned. */
bool nested_interrupt_exit(struct vcpu *v, int vector);

/* Before nestvisor injects a hardware exception into L2 for an instruction
 * it emulated (intr_info as exit_inject_exception() makes it): if vmcs12's
 * exception bitmap (and #PF error-code mask/match) asks for that exception,
 * it becomes a VM exit to L1 with reason 0 (SDM 26.2, 28.2.2) and true is
 * returned; false while L1 runs or when L2 is to take it. */
bool nested_exception_exit(struct vcpu *v, u32 intr_info, u32 error_code);

/* Before an entry of L2 with an NMI of L1's pending: with "NMI exiting" in
 * vmcs12 and NMIs not blocked, the NMI becomes a VM exit to L1 (reason 0,
 * an NMI's interruption information: SDM 26.2, 28.2.2) and true is
 * returned; without it nestvisor injects the NMI into L2. */
bool nested_nmi_exit(struct vcpu *v);

/* Whether vmcs12 has pin-based external-interrupt exiting (L1's interrupts
 * wake a halted L2 by exiting to L1, whatever L2's RFLAGS.IF). */
bool nested_l1_takes_interrupts(const struct vcpu *v);

/* The interrupt- and NMI-window exiting vmcs12 asks for (vmcs02 keeps them
 * when nestvisor sets its own). */
u32 nested_l1_window_controls(const struct vcpu *v);

/* The four PDPTEs of PAE paging at cr3 in L1's memory into the current
 * VMCS's guest PDPTE fields, which the CPU uses with EPT (SDM 26.3.2.4);
 * zeros (not present) where L1 has no memory. */
void nested_load_pdptes(const struct vcpu *v, u64 cr3);

/* Drops what the TLBs hold for a VPID (0: nothing to do): L2's when L1
 * gives it no VPID or a new one, L1's own when L1 uses no VPID. */
void nested_flush_vpid(u16 vpid);

/* Whether a guest-state field of vmcs12 reaches vmcs02 by a rule of its own
 * (nested_vmcs02.c) rather than copied as it is, either way. */
bool nested_guest_field_by_rule(u32 field);

/* Loads L1's VMCS again (vmcs01) and forgets L2: a reflected exit or a
 * stop. */
void nested_leave_l2(struct vcpu *v);

#endif
