#include "vvmx_caps.h"
#include "vmx_controls.h"
#include "../lib/string.h"

/* MSR numbers, relative to IA32_VMX_BASIC (SDM Appendix A). */
enum {
	BASIC, PINBASED, PROCBASED, EXIT, ENTRY, MISC, CR0_FIXED0, CR0_FIXED1,
	CR4_FIXED0, CR4_FIXED1, VMCS_ENUM, PROCBASED2, EPT_VPID_CAP,
	TRUE_PINBASED, TRUE_PROCBASED, TRUE_EXIT, TRUE_ENTRY, VMFUNC,
};
_Static_assert(VMFUNC == VVMX_MSR_COUNT - 1, "one slot per MSR 0x480-0x491");

/* BASIC bits passed on (A.1): revision 30:0, size 44:32, memory type
 * 53:50, INS/OUTS info 54, TRUE controls 55, any error code 56. */
#define BASIC_KEPT (VMX_BASIC_REVISION_MASK | \
		    (VMX_BASIC_VMCS_SIZE_MASK << VMX_BASIC_VMCS_SIZE_SHIFT) | \
		    (VMX_BASIC_MEMTYPE_MASK << VMX_BASIC_MEMTYPE_SHIFT) | \
		    VMX_BASIC_INS_OUTS_INFO | VMX_BASIC_TRUE_CTLS | VMX_BASIC_ANY_ERROR_CODE)

/* MISC bits passed on (A.6): timer rate 4:0, LMA store 5, the HLT activity
 * state 6, CR3-target count 24:16, MSR-list size 27:25, zero-length
 * injection 30. Not the shutdown and wait-for-SIPI states (7, 8): an L2
 * entered in them would wait for events nestvisor never sends it. */
#define MISC_KEPT (0x7full | (0x1ffull << 16) | (0x7ull << 25) | BIT(30))

/* The controls nestvisor has a nested rule for (part 2 of nested VMX
 * implements each). Bits the CPU forces to 1 are offered regardless. */
#define VVMX_PIN_OFFERED (PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)
#define VVMX_PROC_OFFERED (CPU_INTERRUPT_WINDOW_EXITING | CPU_TSC_OFFSETTING | \
	CPU_HLT_EXITING | CPU_INVLPG_EXITING | CPU_MWAIT_EXITING | CPU_RDPMC_EXITING | \
	CPU_RDTSC_EXITING | CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING | \
	CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING | CPU_NMI_WINDOW_EXITING | \
	CPU_MOV_DR_EXITING | CPU_UNCONDITIONAL_IO_EXITING | CPU_USE_IO_BITMAPS | \
	CPU_USE_MSR_BITMAPS | CPU_MONITOR_EXITING | CPU_PAUSE_EXITING | CPU_ACTIVATE_SECONDARY)
#define VVMX_PROC2_OFFERED (CPU2_ENABLE_RDTSCP | CPU2_WBINVD_EXITING)
#define VVMX_EXIT_OFFERED (EXIT_SAVE_DEBUG_CONTROLS | EXIT_HOST_ADDRESS_SPACE_SIZE | \
	EXIT_ACK_INTR_ON_EXIT | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT | \
	EXIT_SAVE_IA32_EFER | EXIT_LOAD_IA32_EFER)
#define VVMX_ENTRY_OFFERED (ENTRY_LOAD_DEBUG_CONTROLS | ENTRY_IA32E_MODE_GUEST | \
	ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER)

/* EPT_VPID_CAP (A.10): INVVPID supported (32), its types (40-43). */
#define CAP_INVVPID BIT(32)
#define CAP_INVVPID_TYPES (0xfull << 40)
#define CAP_INVVPID_TYPE_SHIFT 40

/* A control MSR's virtual value (A.3): low half allowed-0 = the CPU's
 * forced bits, high half allowed-1 = forced | (CPU allowed-1 & offered). */
static u64 control(u64 host, u32 offered)
{
	u32 must = (u32)host, may = (u32)(host >> 32);

	return ((u64)(must | (may & offered)) << 32) | must;
}

void vvmx_caps_build(struct vvmx_caps *v, const struct vmx_caps *host,
		     const struct vvmx_policy *p)
{
	u32 proc2 = VVMX_PROC2_OFFERED | (p->vpid ? CPU2_ENABLE_VPID : 0);

	memset(v, 0, sizeof(*v));
	v->msr[BASIC] = host->basic & BASIC_KEPT;
	v->msr[PINBASED] = control(host->pinbased, VVMX_PIN_OFFERED);
	v->msr[PROCBASED] = control(host->procbased, VVMX_PROC_OFFERED);
	v->msr[EXIT] = control(host->exit, VVMX_EXIT_OFFERED);
	v->msr[ENTRY] = control(host->entry, VVMX_ENTRY_OFFERED);
	v->msr[MISC] = (host->misc & MISC_KEPT) | (p->vmwrite_any ? VMX_MISC_VMWRITE_ANY : 0);
	v->msr[CR0_FIXED0] = host->cr0_fixed0;
	v->msr[CR0_FIXED1] = host->cr0_fixed1;
	v->msr[CR4_FIXED0] = host->cr4_fixed0;
	v->msr[CR4_FIXED1] = host->cr4_fixed1;
	v->msr[VMCS_ENUM] = (u64)p->max_field_index << 1;
	for (unsigned i = BASIC; i <= VMCS_ENUM; i++)
		v->present[i] = true;

	if (host->has_procbased2 && (v->msr[PROCBASED] & ((u64)CPU_ACTIVATE_SECONDARY << 32))) {
		v->msr[PROCBASED2] = control(host->procbased2, proc2);
		v->present[PROCBASED2] = true;
	}
	/* VPID needs INVVPID with at least one type to be of use to L1. */
	if (!(host->ept_vpid & CAP_INVVPID) || !(host->ept_vpid & CAP_INVVPID_TYPES))
		v->msr[PROCBASED2] &= ~((u64)CPU2_ENABLE_VPID << 32);
	if (vvmx_vpid_offered(v)) {
		v->msr[EPT_VPID_CAP] = host->ept_vpid & (CAP_INVVPID | CAP_INVVPID_TYPES);
		v->present[EPT_VPID_CAP] = true;
	}
	if (v->msr[BASIC] & VMX_BASIC_TRUE_CTLS) {
		v->msr[TRUE_PINBASED] = control(host->true_pinbased, VVMX_PIN_OFFERED);
		v->msr[TRUE_PROCBASED] = control(host->true_procbased, VVMX_PROC_OFFERED);
		v->msr[TRUE_EXIT] = control(host->true_exit, VVMX_EXIT_OFFERED);
		v->msr[TRUE_ENTRY] = control(host->true_entry, VVMX_ENTRY_OFFERED);
		for (unsigned i = TRUE_PINBASED; i <= TRUE_ENTRY; i++)
			v->present[i] = true;
	}
}

bool vvmx_caps_rdmsr(const struct vvmx_caps *v, u32 msr, u64 *value)
{
	if (msr == MSR_IA32_FEATURE_CONTROL) {
		*value = VVMX_FEATURE_CONTROL;
		return true;
	}
	if (msr < VVMX_MSR_FIRST || msr > VVMX_MSR_LAST || !v->present[msr - VVMX_MSR_FIRST])
		return false;
	*value = v->msr[msr - VVMX_MSR_FIRST];
	return true;
}

u32 vvmx_revision(const struct vvmx_caps *v)
{
	return vmx_basic_revision(v->msr[BASIC]);
}

bool vvmx_vpid_offered(const struct vvmx_caps *v)
{
	return v->present[PROCBASED2] && (v->msr[PROCBASED2] & ((u64)CPU2_ENABLE_VPID << 32));
}

bool vvmx_ept_offered(const struct vvmx_caps *v)
{
	return v->present[PROCBASED2] && (v->msr[PROCBASED2] & ((u64)CPU2_ENABLE_EPT << 32));
}

bool vvmx_vmwrite_any(const struct vvmx_caps *v)
{
	return v->msr[MISC] & VMX_MISC_VMWRITE_ANY;
}

bool vvmx_invvpid_type(const struct vvmx_caps *v, u64 type)
{
	return vvmx_vpid_offered(v) && type < 4 &&
	       (v->msr[EPT_VPID_CAP] & BIT(CAP_INVVPID_TYPE_SHIFT + type));
}

void vvmx_caps_as_vmx_caps(const struct vvmx_caps *v, struct vmx_caps *c)
{
	*c = (struct vmx_caps){
		.basic = v->msr[BASIC], .pinbased = v->msr[PINBASED],
		.procbased = v->msr[PROCBASED], .exit = v->msr[EXIT], .entry = v->msr[ENTRY],
		.misc = v->msr[MISC], .cr0_fixed0 = v->msr[CR0_FIXED0],
		.cr0_fixed1 = v->msr[CR0_FIXED1], .cr4_fixed0 = v->msr[CR4_FIXED0],
		.cr4_fixed1 = v->msr[CR4_FIXED1], .vmcs_enum = v->msr[VMCS_ENUM],
		.true_pinbased = v->msr[TRUE_PINBASED], .true_procbased = v->msr[TRUE_PROCBASED],
		.true_exit = v->msr[TRUE_EXIT], .true_entry = v->msr[TRUE_ENTRY],
		.procbased2 = v->msr[PROCBASED2], .ept_vpid = v->msr[EPT_VPID_CAP],
		.vmfunc = v->msr[VMFUNC],
		.has_true = v->present[TRUE_PINBASED], .has_procbased2 = v->present[PROCBASED2],
		.has_ept_vpid = v->present[EPT_VPID_CAP], .has_vmfunc = v->present[VMFUNC],
	};
}
