/* Back to L1 (SDM Vol. 3C 28.2 "Recording VM-exit information", 28.5
 * "Loading host state"): L1's own VMCS (vmcs01) gets, as its guest state,
 * the host state L1 wrote into vmcs12, so L1 resumes at HOST_RIP with the
 * registers the SDM says a VM exit leaves, then the VM-exit MSR-load list
 * (28.6). Used for VM-entry failures (SDM 27.8) and for every exit of L2
 * reflected to L1 (nested_reflect.c). */
#include "nested.h"
#include "nested_entry.h"
#include "nested_msr.h"
#include "nested_run.h"
#include "nested_shadow.h"
#include "vmx_controls.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../vmm/percpu.h"
#include "../vmm/vcpu.h"

/* Access rights (SDM 25.4.1) of the segments a VM exit loads (28.5.2). */
#define AR_UNUSABLE BIT(16)
#define AR_CODE_64 0xa09b	/* execute/read accessed, S, P, L, G */
#define AR_CODE_32 0xc09b	/* ... D instead of L */
#define AR_DATA 0xc093		/* read/write accessed, S, P, D/B, G */
#define AR_TSS_BUSY 0x008b	/* busy 64-bit TSS, P */
#define FLAT_LIMIT 0xffffffffu
#define TSS_LIMIT 0x67
#define TABLE_LIMIT 0xffff
#define DR7_INIT 0x400
#define RFLAGS_RESERVED1 BIT(1)

static u64 host12(const struct vcpu *v, u32 field)
{
	u64 value = 0;

	vmcs12_read(v->nested->current, field, &value);
	return value;
}

/* Segment n (ES=0 .. GS=5, LDTR 6, TR 7) of L1's state: the VMCS spaces
 * each kind of field evenly. */
static void load_segment(unsigned n, u64 selector, u64 base, u32 limit, u32 ar)
{
	u32 k = n * (VMCS_GUEST_CS_SELECTOR - VMCS_GUEST_ES_SELECTOR);

	vmcs_write(VMCS_GUEST_ES_SELECTOR + k, selector);
	vmcs_write(VMCS_GUEST_ES_BASE + k, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + k, limit);
	vmcs_write(VMCS_GUEST_ES_AR_BYTES + k, ar);
}

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

static void load_segments(const struct vcpu *v, bool host64)
{
	static const struct { unsigned seg; u32 selector_field; } data[] = {
		{ SEG_ES, VMCS_HOST_ES_SELECTOR }, { SEG_DS, VMCS_HOST_DS_SELECTOR },
		{ SEG_FS, VMCS_HOST_FS_SELECTOR }, { SEG_GS, VMCS_HOST_GS_SELECTOR },
	};

	load_segment(SEG_CS, host12(v, VMCS_HOST_CS_SELECTOR), 0, FLAT_LIMIT,
		     host64 ? AR_CODE_64 : AR_CODE_32);
	/* SS stays usable with a null selector, as a 64-bit host's SS is. */
	load_segment(SEG_SS, host12(v, VMCS_HOST_SS_SELECTOR), 0, FLAT_LIMIT, AR_DATA);
	for (unsigned i = 0; i < ARRAY_SIZE(data); i++) {
		u64 sel = host12(v, data[i].selector_field);

		load_segment(data[i].seg, sel, 0, FLAT_LIMIT, sel ? AR_DATA : AR_DATA | AR_UNUSABLE);
	}
	vmcs_write(VMCS_GUEST_FS_BASE, host12(v, VMCS_HOST_FS_BASE));
	vmcs_write(VMCS_GUEST_GS_BASE, host12(v, VMCS_HOST_GS_BASE));
	load_segment(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	load_segment(SEG_TR, host12(v, VMCS_HOST_TR_SELECTOR), host12(v, VMCS_HOST_TR_BASE),
		     TSS_LIMIT, AR_TSS_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, host12(v, VMCS_HOST_GDTR_BASE));
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, TABLE_LIMIT);
	vmcs_write(VMCS_GUEST_IDTR_BASE, host12(v, VMCS_HOST_IDTR_BASE));
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, TABLE_LIMIT);
}

/* 28.5.1: control registers (nestvisor's own bits kept underneath, L1's
 * values in the read shadows), debug registers, SYSENTER, EFER and PAT. */
static void load_control_state(struct vcpu *v, bool host64)
{
	const struct vmx_caps *c = &v->host->vmx.caps;
	u64 exit = host12(v, VMCS_VM_EXIT_CONTROLS);
	u64 cr0 = host12(v, VMCS_HOST_CR0), cr4 = host12(v, VMCS_HOST_CR4);
	u64 efer = vmcs_read(VMCS_GUEST_IA32_EFER), entry = vmcs_read(VMCS_VM_ENTRY_CONTROLS);

	vmcs_write(VMCS_GUEST_CR0, (cr0 | (c->cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG))) & c->cr0_fixed1);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR3, host12(v, VMCS_HOST_CR3));
	vmcs_write(VMCS_GUEST_CR4, cr4 | c->cr4_fixed0);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4);
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, host12(v, VMCS_HOST_IA32_SYSENTER_CS));
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, host12(v, VMCS_HOST_IA32_SYSENTER_ESP));
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, host12(v, VMCS_HOST_IA32_SYSENTER_EIP));
	if (exit & EXIT_LOAD_IA32_PAT)
		vmcs_write(VMCS_GUEST_IA32_PAT, host12(v, VMCS_HOST_IA32_PAT));
	if (exit & EXIT_LOAD_IA32_EFER)
		efer = host12(v, VMCS_HOST_IA32_EFER);
	else
		efer = host64 ? efer | EFER_LMA | EFER_LME : efer & ~(u64)(EFER_LMA | EFER_LME);
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, host64 ? entry | ENTRY_IA32E_MODE_GUEST
						  : entry & ~(u64)ENTRY_IA32E_MODE_GUEST);
}

/* 28.5.4: a 32-bit L1 host with PAE paging gets its PDPTEs from memory at
 * host CR3; vmcs01 runs with EPT, where the CPU takes them from the
 * guest-state fields instead (26.3.2.4), so they are read here. */
static void load_host_pdptes(struct vcpu *v, bool host64)
{
	u64 cr0 = host12(v, VMCS_HOST_CR0), cr4 = host12(v, VMCS_HOST_CR4);

	if (!host64 && (cr0 & CR0_PG) && (cr4 & CR4_PAE))
		nested_load_pdptes(v, host12(v, VMCS_HOST_CR3));
}

/* 28.2: the exit information, as L1's VMREAD will see it. A VM-entry
 * failure writes the reason and qualification only: "all other VM-exit
 * information fields are unmodified" (27.8). */
static void record_exit_info(struct vmcs12 *v12, const struct nested_exit_info *e)
{
	vmcs12_write(v12, VMCS_VM_EXIT_REASON, e->reason);
	vmcs12_write(v12, VMCS_EXIT_QUALIFICATION, e->qualification);
	if (e->reason & EXIT_REASON_FAILED_VMENTRY)
		return;
	vmcs12_write(v12, VMCS_GUEST_LINEAR_ADDRESS, e->guest_linear);
	vmcs12_write(v12, VMCS_GUEST_PHYSICAL_ADDRESS, e->guest_physical);
	vmcs12_write(v12, VMCS_VM_EXIT_INTR_INFO, e->intr_info);
	vmcs12_write(v12, VMCS_VM_EXIT_INTR_ERROR_CODE, e->intr_error);
	vmcs12_write(v12, VMCS_IDT_VECTORING_INFO_FIELD, e->idt_info);
	vmcs12_write(v12, VMCS_IDT_VECTORING_ERROR_CODE, e->idt_error);
	vmcs12_write(v12, VMCS_VM_EXIT_INSTRUCTION_LEN, e->insn_len);
	vmcs12_write(v12, VMCS_VMX_INSTRUCTION_INFO, e->insn_info);
}

void nested_exit_to_l1(struct vcpu *v, const struct nested_exit_info *e)
{
	bool host64 = host12(v, VMCS_VM_EXIT_CONTROLS) & EXIT_HOST_ADDRESS_SPACE_SIZE;
	const char *why;
	u32 failed;

	record_exit_info(v->nested->current, e);

	load_control_state(v, host64);
	load_host_pdptes(v, host64);
	load_segments(v, host64);
	vmcs_write(VMCS_GUEST_RIP, host12(v, VMCS_HOST_RIP));
	vmcs_write(VMCS_GUEST_RSP, host12(v, VMCS_HOST_RSP));
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	nested_shadow_publish_exit(v);
	/* 28.6, and step 4 of 27.8 for a VM-entry failure. */
	if (!nested_msr_load_list(v, host12(v, VMCS_VM_EXIT_MSR_LOAD_ADDR),
				  host12(v, VMCS_VM_EXIT_MSR_LOAD_COUNT), &failed, &why))
		nested_vmx_abort(v, NESTED_ABORT_LOADING_HOST_MSRS, "VM-exit MSR-load", failed, why);
}

void nested_vmx_abort(struct vcpu *v, enum nested_abort indicator, const char *what, u32 entry,
		      const char *why)
{
	struct nested *n = v->nested;
	u32 *region_abort = guest_ptr(v->guest, n->current_ptr + sizeof(u32), sizeof(u32));

	n->current->abort = indicator;
	if (region_abort)
		*region_abort = indicator;
	vcpu_stop(v, "VMX abort %u: %s entry %u: %s; L1 shuts down (SDM 28.7)", indicator, what,
		  entry, why);
}
