/* VMCS shadowing for L1 (nested VMX, part 3; SDM Vol. 3C 25.10, 26.6.10
 * "VMCS shadowing"): where the CPU has it, vmcs01 links a shadow VMCS of
 * nestvisor's while L1 has a current vmcs12, and L1's VMREAD and VMWRITE of
 * the fields vmcs_fields.def marks for shadowing go to it without a VM
 * exit. The VMREAD and VMWRITE bitmaps are derived from that table: a field
 * is passed through when the table allows it and the CPU has the field;
 * read-only fields only for VMREAD, and only if nestvisor can write them
 * into the shadow (the CPU's VMWRITE to any field); for VMWRITE only if L1
 * was offered VMWRITE to any field. Every other access exits and is
 * emulated (vmx/nested_insn.c), as without shadowing.
 *
 * vmcs12 stays the reference: the shadow's values are copied into it
 * before anything reads it (a nested entry, VMCLEAR, VMPTRLD, VMXOFF), and
 * what nestvisor writes into vmcs12 is copied out to the shadow (the exit
 * information and L2's state after an exit to L1, a VMfailValid's error,
 * an exiting VMWRITE, the whole set on VMPTRLD). Each copy touches only
 * the fields that can have changed. All functions want vmcs01 current and
 * leave it current; they do nothing for a vCPU without a shadow. */
#ifndef VMX_NESTED_SHADOW_H
#define VMX_NESTED_SHADOW_H

#include "vmx_caps.h"

struct vcpu;

/* Allocates the shadow VMCS and the two bitmaps and names the bitmaps in
 * vmcs01, if the CPU has VMCS shadowing and the guest's config allows it
 * (nested_shadow = on, the default); shadowing stays off until L1 has a
 * current vmcs12. false, with the reason printed, if memory runs out. */
bool nested_shadow_init(struct vcpu *v, const struct vmx_caps *host);
void nested_shadow_destroy(struct vcpu *v);

/* Whether v's L1 runs with a shadow VMCS. */
bool nested_shadow_on(const struct vcpu *v);
/* Its host-physical address, or 0. */
phys_addr_t nested_shadow_vmcs(const struct vcpu *v);

/* L1's current vmcs12 changed (VMPTRLD, VMCLEAR, VMXON, VMXOFF): shadowing
 * is turned on with the new vmcs12's fields in the shadow, or off. */
void nested_shadow_follow_current(struct vcpu *v);

/* Before nestvisor reads the current vmcs12 or lets it go: L1's VMWRITEs
 * that did not exit, into vmcs12. */
void nested_shadow_collect(struct vcpu *v);

/* After a VM exit to L1 or a VM-entry failure: the fields the exit wrote
 * (L2's state, the exit information, the VM-entry controls and event)
 * into the shadow. */
void nested_shadow_publish_exit(struct vcpu *v);

/* After nestvisor wrote one field of vmcs12 (an exiting VMWRITE, the
 * VM-instruction error): that field into the shadow. */
void nested_shadow_publish_field(struct vcpu *v, u32 field);

#endif
