/* The VMX that nestvisor offers a guest hypervisor (L1): the values of the
 * virtual IA32_VMX_* capability MSRs and of IA32_FEATURE_CONTROL, derived
 * from the CPU's own (SDM Vol. 3D, Appendix A) by written rules. Pure:
 * host-tested (test/host/test_vvmx_caps.c).
 *
 * The rules:
 *   - BASIC: the CPU's revision id, VMCS size, memory type and TRUE-controls,
 *     INS/OUTS and any-error-code bits; never "addresses limited to 32 bits"
 *     nor dual-monitor SMM treatment.
 *   - Each control MSR: allowed-0 as the CPU's (what it forces, L1 must set),
 *     allowed-1 the CPU's allowed-1 limited to the controls nestvisor has a
 *     rule for in nested operation (VVMX_*_OFFERED below). No EPT, no
 *     unrestricted guest, no VMCS shadowing, no VM functions (yet); VPID
 *     when the CPU has it.
 *   - MISC: the CPU's preemption-timer rate, LMA store, activity states, CR3
 *     targets and MSR-list size; "VMWRITE to any field" (bit 29) as the
 *     policy says.
 *   - CR0/CR4 fixed bits: the CPU's: they are rules L1 must follow.
 *   - VMCS_ENUM: the highest field index nestvisor's vmcs12 supports.
 *   - EPT_VPID_CAP: the CPU's INVVPID bits only, present when VPID is offered.
 *   - IA32_FEATURE_CONTROL: locked, VMX outside SMX on; as nestvisor leaves
 *     the real one, so an L1 behaves the same bare and virtualized. */
#ifndef VMX_VVMX_CAPS_H
#define VMX_VVMX_CAPS_H

#include "vmx_caps.h"
#include "../lib/msr.h"

#define VVMX_FEATURE_CONTROL (FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_OUTSIDE_SMX)
#define VVMX_MSR_FIRST MSR_IA32_VMX_BASIC
#define VVMX_MSR_LAST MSR_IA32_VMX_VMFUNC
#define VVMX_MSR_COUNT (VVMX_MSR_LAST - VVMX_MSR_FIRST + 1)
#define VMX_MISC_VMWRITE_ANY BIT(29)

struct vvmx_policy {
	bool vmwrite_any;		/* advertise MISC bit 29 */
	bool vpid;			/* offer VPID (and INVVPID) where the CPU has it */
	unsigned max_field_index;	/* for VMCS_ENUM bits 9:1 */
};

struct vvmx_caps {
	u64 msr[VVMX_MSR_COUNT];	/* by MSR number - VVMX_MSR_FIRST */
	bool present[VVMX_MSR_COUNT];	/* RDMSR of an absent one is #GP */
};

void vvmx_caps_build(struct vvmx_caps *v, const struct vmx_caps *host,
		     const struct vvmx_policy *p);

/* The virtual value of msr for RDMSR; false if the MSR is not one L1 may
 * read (then #GP, as on a CPU without it). */
bool vvmx_caps_rdmsr(const struct vvmx_caps *v, u32 msr, u64 *value);

/* The virtual MSRs as struct vmx_caps, for the software entry checker
 * (vmx/entry_checks.h), which checks a vmcs12 against what L1 was offered. */
void vvmx_caps_as_vmx_caps(const struct vvmx_caps *v, struct vmx_caps *c);

/* Helpers for the instruction emulation. */
u32 vvmx_revision(const struct vvmx_caps *v);
bool vvmx_vpid_offered(const struct vvmx_caps *v);
bool vvmx_ept_offered(const struct vvmx_caps *v);
bool vvmx_vmwrite_any(const struct vvmx_caps *v);
/* Whether INVVPID type (0-3) is supported: EPT_VPID_CAP bit 40 + type. */
bool vvmx_invvpid_type(const struct vvmx_caps *v, u64 type);

#endif
