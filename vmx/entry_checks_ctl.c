/* VM-entry checks on the VMX controls (SDM Vol. 3C 27.2.1); a failure is
 * VMfailValid with VM-instruction error 7. */
#define ENTRY_CHECKS_INTERNAL
#include "entry_checks.h"
#include "../apic/apic_regs.h"

/* IA32_VMX_MISC (A.6). */
#define MISC_CR3_TARGETS_SHIFT	16		/* bits 24:16 */
#define MISC_CR3_TARGETS_MASK	0x1ffu
#define MISC_ZERO_INSN_LEN	BIT(30)		/* injecting with length 0 allowed */

/* IA32_VMX_EPT_VPID_CAP (A.10) and the EPTP (25.6.11, Table 25-9). */
#define EPT_CAP_WALK4		BIT(6)
#define EPT_CAP_WALK5		BIT(7)
#define EPT_CAP_UC		BIT(8)
#define EPT_CAP_WB		BIT(14)
#define EPT_CAP_AD		BIT(21)
#define EPT_CAP_SSS		BIT(23)
#define EPTP_MEMTYPE_MASK	0x7u		/* bits 2:0 */
#define EPTP_WALK_SHIFT		3		/* bits 5:3: walk length - 1 */
#define EPTP_WALK_MASK		0x7u
#define EPTP_AD			BIT(6)
#define EPTP_SSS		BIT(7)
#define EPTP_RESERVED_LOW	0xf00u		/* bits 11:8 */

/* The posted-interrupt notification vector is 8 bits in a 16-bit field. */
#define POSTED_INTR_NV_RESERVED	0xff00u
#define POSTED_INTR_DESC_ALIGN	64

/* An MSR-load/store area is an array of 16-byte entries (25.7.2, 25.8.2). */
#define MSR_ENTRY_SIZE		16

/* The exceptions that push an error code (Vol. 3A 6.15): #DF #TS #NP #SS
 * #GP #PF #AC. */
#define EXC_WITH_ERROR_CODE	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17))
#define EXC_MAX_VECTOR		31
#define NMI_VECTOR		2
#define INSN_LEN_MAX		15
#define INJECT_ERROR_CODE_RESERVED 0xffff0000u	/* bits 31:16 */

/* A control word against its capability MSR (A.3-A.5): bits 31:0 are the
 * allowed 0-settings (1 = must be 1), bits 63:32 the allowed 1-settings
 * (0 = must be 0). */
static bool control_word(struct entry_ctx *c, u32 field, u32 value, u64 cap,
			 enum entry_check_rule must_be_1, enum entry_check_rule must_be_0)
{
	u32 required = (u32)cap, allowed = (u32)(cap >> 32);

	CHECK(c, must_be_1, (value & required) == required, field, value);
	CHECK(c, must_be_0, !(value & ~allowed), field, value);
	return true;
}

/* An MSR area of count entries: 16-byte aligned, and its first and last
 * byte within the physical-address width (27.2.1.2, 27.2.1.3). */
static bool msr_area_ok(const struct entry_ctx *c, u64 addr, u32 count)
{
	return !count || (IS_ALIGNED(addr, MSR_ENTRY_SIZE) && ec_pa_ok(c, addr) &&
			  ec_pa_ok(c, addr + (u64)count * MSR_ENTRY_SIZE - 1));
}

static bool check_page(struct entry_ctx *c, enum entry_check_rule id, u32 field)
{
	u64 pa = ec_read(c, field);

	CHECK(c, id, ec_page_ok(c, pa), field, pa);
	return true;
}

/* 27.2.1.1, the EPTP with "enable EPT". */
static bool check_eptp(struct entry_ctx *c)
{
	u64 cap = c->caps->ept_vpid;
	u64 eptp = ec_read(c, VMCS_EPT_POINTER);
	unsigned type = eptp & EPTP_MEMTYPE_MASK;
	unsigned walk = ((eptp >> EPTP_WALK_SHIFT) & EPTP_WALK_MASK) + 1;

	CHECK(c, EC_EPTP_MEMTYPE, (type == VMX_MEMTYPE_UC && (cap & EPT_CAP_UC)) ||
	      (type == VMX_MEMTYPE_WB && (cap & EPT_CAP_WB)), VMCS_EPT_POINTER, eptp);
	CHECK(c, EC_EPTP_WALK_LENGTH, (walk == 4 && (cap & EPT_CAP_WALK4)) ||
	      (walk == 5 && (cap & EPT_CAP_WALK5)), VMCS_EPT_POINTER, eptp);
	CHECK(c, EC_EPTP_AD, !(eptp & EPTP_AD) || (cap & EPT_CAP_AD), VMCS_EPT_POINTER, eptp);
	CHECK(c, EC_EPTP_SSS, !(eptp & EPTP_SSS) || (cap & EPT_CAP_SSS), VMCS_EPT_POINTER, eptp);
	CHECK(c, EC_EPTP_RESERVED, !(eptp & EPTP_RESERVED_LOW) && ec_pa_ok(c, eptp),
	      VMCS_EPT_POINTER, eptp);
	return true;
}

/* 27.2.1.1, the TPR threshold with "use TPR shadow": without "virtual-
 * interrupt delivery" it is 4 bits, and (without "virtualize APIC
 * accesses" too) at most the class of the TPR shadow, VTPR bits 7:4. VTPR
 * sits on the virtual-APIC page where the xAPIC page has the TPR (SDM
 * 30.1.1); it is read when it can be, else the check is skipped. */
static bool check_tpr_threshold(struct entry_ctx *c)
{
	u64 tpr = ec_read(c, VMCS_TPR_THRESHOLD), page, vtpr;

	CHECK(c, EC_TPR_THRESHOLD, !(tpr >> 4), VMCS_TPR_THRESHOLD, tpr);
	if ((c->proc2 & CPU2_VIRTUALIZE_APIC_ACCESSES) || !c->v->read_phys)
		return true;
	page = ec_read(c, VMCS_VIRTUAL_APIC_PAGE_ADDR);
	if (!c->v->read_phys(c->v->ctx, page + APIC_TPR, &vtpr))
		return true;
	CHECK(c, EC_TPR_THRESHOLD_VTPR, tpr <= ((vtpr & 0xff) >> TPR_CLASS_SHIFT),
	      VMCS_TPR_THRESHOLD, tpr);
	return true;
}

/* 27.2.1.1, the APIC-virtualization and posted-interrupt controls. */
static bool check_apic_controls(struct entry_ctx *c)
{
	const u32 needs_tpr_shadow = CPU2_VIRTUALIZE_X2APIC | CPU2_APIC_REGISTER_VIRT |
				     CPU2_VIRTUAL_INTR_DELIVERY;

	if (c->proc & CPU_USE_TPR_SHADOW) {
		if (!check_page(c, EC_VIRTUAL_APIC_ADDR, VMCS_VIRTUAL_APIC_PAGE_ADDR))
			return false;
		if (!(c->proc2 & CPU2_VIRTUAL_INTR_DELIVERY) && !check_tpr_threshold(c))
			return false;
	} else {
		CHECK(c, EC_TPR_SHADOW_NEEDED, !(c->proc2 & needs_tpr_shadow),
		      VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
	}
	CHECK(c, EC_X2APIC_AND_APIC_ACCESS, !(c->proc2 & CPU2_VIRTUALIZE_X2APIC) ||
	      !(c->proc2 & CPU2_VIRTUALIZE_APIC_ACCESSES), VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
	CHECK(c, EC_VID_NEEDS_EXTINT_EXITING, !(c->proc2 & CPU2_VIRTUAL_INTR_DELIVERY) ||
	      (c->pin & PIN_EXTERNAL_INTERRUPT_EXITING), VMCS_PIN_BASED_VM_EXEC_CONTROL, c->pin);
	if (c->pin & PIN_POSTED_INTERRUPTS) {
		u64 nv, desc;

		CHECK(c, EC_POSTED_INTR_CONTROLS, (c->proc2 & CPU2_VIRTUAL_INTR_DELIVERY) &&
		      (c->exit & EXIT_ACK_INTR_ON_EXIT), VMCS_PIN_BASED_VM_EXEC_CONTROL, c->pin);
		nv = ec_read(c, VMCS_POSTED_INTR_NV);
		CHECK(c, EC_POSTED_INTR_VECTOR, !(nv & POSTED_INTR_NV_RESERVED), VMCS_POSTED_INTR_NV, nv);
		desc = ec_read(c, VMCS_POSTED_INTR_DESC_ADDR);
		CHECK(c, EC_POSTED_INTR_DESC, IS_ALIGNED(desc, POSTED_INTR_DESC_ALIGN) &&
		      ec_pa_ok(c, desc), VMCS_POSTED_INTR_DESC_ADDR, desc);
	}
	return true;
}

/* 27.2.1.1, the controls that only make sense with EPT, and VM functions. */
static bool check_ept_controls(struct entry_ctx *c)
{
	bool ept = c->proc2 & CPU2_ENABLE_EPT;

	if (ept && !check_eptp(c))
		return false;
	if (c->proc2 & CPU2_ENABLE_PML) {
		CHECK(c, EC_PML_NEEDS_EPT, ept, VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
		if (!check_page(c, EC_PML_ADDR, VMCS_PML_ADDRESS))
			return false;
	}
	CHECK(c, EC_UG_NEEDS_EPT, !c->unrestricted || ept, VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
	CHECK(c, EC_MBEC_NEEDS_EPT, !(c->proc2 & CPU2_MODE_BASED_EPT_EXEC) || ept,
	      VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
	if (c->proc2 & CPU2_ENABLE_VMFUNC) {
		u64 vmfunc = ec_read(c, VMCS_VM_FUNCTION_CONTROL);

		CHECK(c, EC_VMFUNC_CONTROLS, !(vmfunc & ~c->caps->vmfunc), VMCS_VM_FUNCTION_CONTROL, vmfunc);
		if (vmfunc & VMFUNC_EPTP_SWITCHING) {
			CHECK(c, EC_EPTP_SWITCHING, ept, VMCS_VM_FUNCTION_CONTROL, vmfunc);
			if (!check_page(c, EC_EPTP_SWITCHING, VMCS_EPTP_LIST_ADDRESS))
				return false;
		}
	}
	return true;
}

/* 27.2.1.1 VM-execution control fields. */
static bool check_execution_controls(struct entry_ctx *c)
{
	const struct vmx_caps *k = c->caps;
	u64 cr3_count;

	if (!control_word(c, VMCS_PIN_BASED_VM_EXEC_CONTROL, c->pin,
			  k->has_true ? k->true_pinbased : k->pinbased,
			  EC_PIN_MUST_BE_1, EC_PIN_MUST_BE_0) ||
	    !control_word(c, VMCS_CPU_BASED_VM_EXEC_CONTROL, c->proc,
			  k->has_true ? k->true_procbased : k->procbased,
			  EC_PROC_MUST_BE_1, EC_PROC_MUST_BE_0) ||
	    ((c->proc & CPU_ACTIVATE_SECONDARY) &&
	     !control_word(c, VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2, k->procbased2,
			   EC_PROC2_MUST_BE_1, EC_PROC2_MUST_BE_0)))
		return false;

	cr3_count = ec_read(c, VMCS_CR3_TARGET_COUNT);
	CHECK(c, EC_CR3_TARGET_COUNT,
	      cr3_count <= ((k->misc >> MISC_CR3_TARGETS_SHIFT) & MISC_CR3_TARGETS_MASK),
	      VMCS_CR3_TARGET_COUNT, cr3_count);
	if ((c->proc & CPU_USE_IO_BITMAPS) &&
	    (!check_page(c, EC_IO_BITMAP_A, VMCS_IO_BITMAP_A) ||
	     !check_page(c, EC_IO_BITMAP_B, VMCS_IO_BITMAP_B)))
		return false;
	if ((c->proc & CPU_USE_MSR_BITMAPS) && !check_page(c, EC_MSR_BITMAP, VMCS_MSR_BITMAP))
		return false;
	if (!check_apic_controls(c))
		return false;
	CHECK(c, EC_VNMI_NEEDS_NMI_EXITING, !(c->pin & PIN_VIRTUAL_NMIS) || (c->pin & PIN_NMI_EXITING),
	      VMCS_PIN_BASED_VM_EXEC_CONTROL, c->pin);
	CHECK(c, EC_NMI_WINDOW_NEEDS_VNMI, !(c->proc & CPU_NMI_WINDOW_EXITING) ||
	      (c->pin & PIN_VIRTUAL_NMIS), VMCS_CPU_BASED_VM_EXEC_CONTROL, c->proc);
	if ((c->proc2 & CPU2_VIRTUALIZE_APIC_ACCESSES) &&
	    !check_page(c, EC_APIC_ACCESS_ADDR, VMCS_APIC_ACCESS_ADDR))
		return false;
	if (c->proc2 & CPU2_ENABLE_VPID) {
		u64 vpid = ec_read(c, VMCS_VIRTUAL_PROCESSOR_ID);

		CHECK(c, EC_VPID_ZERO, vpid != 0, VMCS_VIRTUAL_PROCESSOR_ID, vpid);
	}
	if (!check_ept_controls(c))
		return false;
	if ((c->proc2 & CPU2_VMCS_SHADOWING) &&
	    (!check_page(c, EC_VMREAD_BITMAP, VMCS_VMREAD_BITMAP) ||
	     !check_page(c, EC_VMWRITE_BITMAP, VMCS_VMWRITE_BITMAP)))
		return false;
	if ((c->proc2 & CPU2_EPT_VIOLATION_VE) &&
	    !check_page(c, EC_VE_INFO_ADDR, VMCS_VE_INFORMATION_ADDRESS))
		return false;
	return true;
}

/* 27.2.1.2 VM-exit control fields. */
static bool check_exit_controls(struct entry_ctx *c)
{
	const struct vmx_caps *k = c->caps;
	u64 count, addr;

	if (!control_word(c, VMCS_VM_EXIT_CONTROLS, c->exit, k->has_true ? k->true_exit : k->exit,
			  EC_EXIT_MUST_BE_1, EC_EXIT_MUST_BE_0))
		return false;
	CHECK(c, EC_SAVE_TIMER_NEEDS_TIMER, !(c->exit & EXIT_SAVE_PREEMPTION_TIMER) ||
	      (c->pin & PIN_PREEMPTION_TIMER), VMCS_VM_EXIT_CONTROLS, c->exit);
	count = ec_read(c, VMCS_VM_EXIT_MSR_STORE_COUNT);
	addr = count ? ec_read(c, VMCS_VM_EXIT_MSR_STORE_ADDR) : 0;
	CHECK(c, EC_EXIT_MSR_STORE_ADDR, msr_area_ok(c, addr, count), VMCS_VM_EXIT_MSR_STORE_ADDR, addr);
	count = ec_read(c, VMCS_VM_EXIT_MSR_LOAD_COUNT);
	addr = count ? ec_read(c, VMCS_VM_EXIT_MSR_LOAD_ADDR) : 0;
	CHECK(c, EC_EXIT_MSR_LOAD_ADDR, msr_area_ok(c, addr, count), VMCS_VM_EXIT_MSR_LOAD_ADDR, addr);
	return true;
}

/* 27.2.1.3, the event-injection fields, when the valid bit is set. */
static bool check_event_injection(struct entry_ctx *c)
{
	u32 info = c->intr_info;
	enum intr_type type = ec_inject_type(c);
	unsigned vector = info & INTR_INFO_VECTOR_MASK;
	bool deliver = info & INTR_INFO_DELIVER_CODE;
	u64 proc_cap = c->caps->has_true ? c->caps->true_procbased : c->caps->procbased;
	bool mtf_allowed = (proc_cap >> 32) & CPU_MONITOR_TRAP_FLAG;
	bool protected_mode, hw_exception_pm, has_code;
	const u32 f = VMCS_VM_ENTRY_INTR_INFO_FIELD;

	CHECK(c, EC_INJECT_TYPE, type != INTR_TYPE_RESERVED &&
	      (type != INTR_TYPE_OTHER_EVENT || mtf_allowed), f, info);
	CHECK(c, EC_INJECT_NMI_VECTOR, type != INTR_TYPE_NMI || vector == NMI_VECTOR, f, info);
	CHECK(c, EC_INJECT_EXCEPTION_VECTOR, type != INTR_TYPE_HW_EXCEPTION ||
	      vector <= EXC_MAX_VECTOR, f, info);
	CHECK(c, EC_INJECT_OTHER_VECTOR, type != INTR_TYPE_OTHER_EVENT || vector == 0, f, info);

	/* An error code goes with a hardware exception that has one, except
	 * in real mode (only reachable with "unrestricted guest"). With
	 * IA32_VMX_BASIC[56] any hardware exception outside real mode may
	 * have one or not (A.1). */
	protected_mode = !c->unrestricted || (ec_read(c, VMCS_GUEST_CR0) & X86_CR0_PE);
	hw_exception_pm = type == INTR_TYPE_HW_EXCEPTION && protected_mode;
	has_code = hw_exception_pm && vector <= EXC_MAX_VECTOR && (EXC_WITH_ERROR_CODE & BIT(vector));
	if (c->caps->basic & VMX_BASIC_ANY_ERROR_CODE)
		CHECK(c, EC_INJECT_ERROR_CODE, !deliver || hw_exception_pm, f, info);
	else
		CHECK(c, EC_INJECT_ERROR_CODE, deliver == has_code, f, info);

	CHECK(c, EC_INJECT_RESERVED, !(info & INTR_INFO_RESERVED), f, info);
	if (deliver) {
		u64 code = ec_read(c, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);

		/* 31:15 in SDM editions before SGX gave #PF error-code bit 15 a
		 * meaning; 31:16 since. */
		CHECK(c, EC_INJECT_ERROR_CODE_BITS, !(code & INJECT_ERROR_CODE_RESERVED),
		      VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, code);
	}
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SW_EXCEPTION) {
		u64 len = ec_read(c, VMCS_VM_ENTRY_INSTRUCTION_LEN);

		CHECK(c, EC_INJECT_INSN_LEN, len <= INSN_LEN_MAX, VMCS_VM_ENTRY_INSTRUCTION_LEN, len);
		CHECK(c, EC_INJECT_INSN_LEN_ZERO, len || (c->caps->misc & MISC_ZERO_INSN_LEN),
		      VMCS_VM_ENTRY_INSTRUCTION_LEN, len);
	}
	return true;
}

/* 27.2.1.3 VM-entry control fields. */
static bool check_entry_controls(struct entry_ctx *c)
{
	const struct vmx_caps *k = c->caps;
	u64 count, addr;

	if (!control_word(c, VMCS_VM_ENTRY_CONTROLS, c->entry, k->has_true ? k->true_entry : k->entry,
			  EC_ENTRY_MUST_BE_1, EC_ENTRY_MUST_BE_0))
		return false;
	if (ec_injecting(c) && !check_event_injection(c))
		return false;
	count = ec_read(c, VMCS_VM_ENTRY_MSR_LOAD_COUNT);
	addr = count ? ec_read(c, VMCS_VM_ENTRY_MSR_LOAD_ADDR) : 0;
	CHECK(c, EC_ENTRY_MSR_LOAD_ADDR, msr_area_ok(c, addr, count), VMCS_VM_ENTRY_MSR_LOAD_ADDR, addr);
	/* nestvisor never runs in SMM, so neither SMM control can be 1. */
	CHECK(c, EC_ENTRY_SMM, !(c->entry & (ENTRY_TO_SMM | ENTRY_DEACT_DUAL_MONITOR)),
	      VMCS_VM_ENTRY_CONTROLS, c->entry);
	return true;
}

bool entry_checks_controls(struct entry_ctx *c)
{
	return check_execution_controls(c) && check_exit_controls(c) && check_entry_controls(c);
}
