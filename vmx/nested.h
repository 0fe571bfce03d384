/* Nested VMX, part 1: a guest may use VMX. nestvisor (L0) gives such a
 * guest (L1) a virtual VMX: CPUID.1:ECX.VMX, CR4.VMXE, the capability MSRs of
 * vmx/vvmx_caps.h, and VMXON .. INVVPID emulated as the SDM's pseudo-code
 * says (Vol. 3C ch. 31, "VMX Instruction Reference"), with vmcs12s
 * (vmx/vmcs12.h) held in nestvisor's memory. Part 2: L1's VMLAUNCH and
 * VMRESUME run L2 on a VMCS of nestvisor's, vmcs02 (vmx/nested_vmcs02.c),
 * and L2's exits either stay in nestvisor or are reflected to L1
 * (vmx/nested_reflect.c).
 *
 * Which guests: config `nested = NAME` (vmm/config.h). */
#ifndef VMX_NESTED_H
#define VMX_NESTED_H

#include "vmcs12.h"
#include "vvmx_caps.h"

struct vcpu;
struct nested_shadow;

#define NESTED_CACHE 4			/* vmcs12s kept in nestvisor's memory */
#define VMCS12_NONE (~0ull)		/* "no current VMCS": FFFFFFFF_FFFFFFFFH */

struct vmcs12_slot {
	u64 gpa;			/* L1's VMCS region; VMCS12_NONE when free */
	u64 last_use;
	struct vmcs12 *v;		/* a page of nestvisor's */
};

struct nested {
	struct vvmx_caps caps;
	bool vmwrite_any;
	bool vmxon;			/* L1 is in VMX operation */
	u64 vmxon_ptr;
	u64 current_ptr;		/* VMCS12_NONE or the current vmcs12's address */
	struct vmcs12 *current;		/* its slot's copy */
	struct vmcs12_slot cache[NESTED_CACHE];
	u64 uses;
	unsigned maxphyaddr;		/* bits of physical address L1's CPU reports */
	u8 field_ok[(VMCS_FIELD_COUNT + 7) / 8];	/* fields the CPU supports too */

	/* Running L2. vmcs01 is v->vmcs; vmcs02 is made at the first entry. */
	phys_addr_t vmcs02;
	bool vmcs02_launched;
	bool in_l2;			/* vmcs02 is current: L2 runs */
	/* An emulated VMLAUNCH/VMRESUME passed every check and the real entry
	 * of L2 has not happened yet: nothing of nestvisor's may be injected
	 * or turned into an exit to L1 in between. */
	bool run_pending;
	/* The last exit moved between L1 and L2: the event it was delivering
	 * belongs to the other level, not to the VMCS now current. */
	bool switched;
	u8 *msr_bitmap02;		/* vmcs02's merged MSR bitmap */
	u16 vpid02;			/* L2's VPID: never L1's */
	u64 vpid12_last;		/* L1's VPID for L2 at the last entry */

	struct nested_shadow *shadow;	/* VMCS shadowing (vmx/nested_shadow.h); NULL: none */
};

/* Whether field (a row of vmcs_fields.def) is one the CPU has as well. */
static inline bool nested_field_ok(const struct nested *n, unsigned row)
{
	return n->field_ok[row / 8] & BIT(row % 8);
}

/* Sets up v's virtual VMX from this CPU's capabilities (v's VMCS is
 * current: its fields are probed); false, with the reason printed, if
 * memory runs out. vmwrite_any: -1 as the CPU, 0 off, 1 on. */
bool nested_init(struct vcpu *v, const struct vmx_caps *host, int vmwrite_any);
void nested_destroy(struct vcpu *v);

/* RDMSR of IA32_FEATURE_CONTROL or an IA32_VMX_* MSR by an L1; false: #GP. */
bool nested_rdmsr(struct vcpu *v, u32 msr, u64 *value);

/* The CR0/CR4 bits L1 may not change while in VMX operation (SDM 24.8):
 * a write that clears a fixed-1 bit or sets a fixed-0 bit is #GP. */
bool nested_cr0_allowed(const struct vcpu *v, u64 cr0);
/* Whether CR0 and CR4 obey the fixed bits of VMX operation (VMXON's #GP). */
bool nested_crs_fit_vmx(const struct vcpu *v, u64 cr0, u64 cr4);
bool nested_cr4_allowed(const struct vcpu *v, u64 cr4);

/* exit_vmx_instruction() (vmx/exit.h), in vmx/nested_insn.c, handles every
 * VMX instruction: #UD for a guest offered no VMX. */

#endif
