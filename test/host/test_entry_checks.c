/* vmx/entry_checks*.c: a valid VMCS (nestvisor's vmcs01: 64-bit host,
 * 32-bit flat protected-mode unrestricted guest with EPT) against Bochs
 * tigerlake's capabilities must pass; each case then breaks one rule from it
 * and the checker must name exactly that rule, with the right class and
 * exit qualification. A synthetic VMCS that lacks a field answers reads of
 * it as a missing field, as VMREAD would on a CPU without it, and that fails
 * the case: the checker reads only what the controls make meaningful. */
#include "entry_checks_env.h"

/* ---- the cases ---- */

#define PASS (-1)
#define INJ(type, vector)	(INTR_INFO_VALID | (u64)(type) << INTR_INFO_TYPE_SHIFT | (vector))
#define ERRCODE			INTR_INFO_DELIVER_CODE

typedef void (*setup_fn)(struct tenv *e);

struct tcase {
	int rule;			/* enum entry_check_rule, or PASS */
	const char *what;
	setup_fn setup[2];
	struct write w[8];
};

static const struct tcase cases[] = {
	/* valid configurations */
	{ PASS, "nestvisor's vmcs01 (32-bit flat unrestricted guest, EPT)", { 0 }, { { 0 } } },
	{ PASS, "64-bit guest", { long_mode }, { W(GUEST_RIP, 0xffff800000000000ull) } },
	{ PASS, "virtual-8086 guest", { v86 }, { { 0 } } },
	{ PASS, "32-bit host entered outside IA-32e mode", { host32 }, { { 0 } } },
	{ PASS, "restricted guest with paging", { restricted }, { { 0 } } },
	{ PASS, "injecting #GP with an error code", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 13) | ERRCODE) } },
	{ PASS, "injecting #UD with an error code (IA32_VMX_BASIC[56])", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 6) | ERRCODE) } },
	{ PASS, "injecting a software interrupt, length 2", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_SW_INTR, 0x80)), W(VM_ENTRY_INSTRUCTION_LEN, 2) } },
	{ PASS, "injecting an external interrupt with IF=1", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_EXT_INTR, 0x20)), W(GUEST_RFLAGS, 0x202) } },
	{ PASS, "injecting an NMI into HLT", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 2)), W(GUEST_ACTIVITY_STATE, ACTIVITY_HLT) } },
	{ PASS, "injecting an NMI despite NMI blocking without virtual NMIs", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 2)), W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_NMI) } },
	{ PASS, "EPTP with a 5-level walk where allowed", { caps_ept_walk5 },
	  { W(EPT_POINTER, (B_EPTP & ~0x38ull) | (4 << 3)) } },
	{ PASS, "use TPR shadow", { tpr_shadow }, { { 0 } } },
	{ PASS, "TPR shadow and virtualize x2APIC mode, threshold 4 at VTPR 0x40", { tpr_shadow },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_X2APIC), W(TPR_THRESHOLD, 4),
	    M(0x6080, 0x40) } },
	{ PASS, "TPR threshold above VTPR with virtualize APIC accesses", { tpr_shadow },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_APIC_ACCESSES),
	    W(APIC_ACCESS_ADDR, 0x8000), W(TPR_THRESHOLD, 4), M(0x6080, 0x30) } },
	{ PASS, "TPR threshold 0x1f and above VTPR with virtual-interrupt delivery", { tpr_shadow },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_X2APIC | CPU2_VIRTUAL_INTR_DELIVERY),
	    W(TPR_THRESHOLD, 0x1f), M(0x6080, 0) } },
	{ PASS, "TPR threshold above VTPR, virtual-APIC page not readable: not checked", { tpr_shadow },
	  { W(TPR_THRESHOLD, 4) } },
	{ PASS, "posted interrupts", { posted }, { { 0 } } },
	{ PASS, "EPTP switching", { eptp_switching }, { { 0 } } },
	{ PASS, "usable LDTR", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x82) } },
	{ PASS, "unusable LDTR and DS with wild bases", { 0 },
	  { W(GUEST_LDTR_BASE, NONCANONICAL), W(GUEST_DS_BASE, BIT(40)), W(GUEST_DS_AR_BYTES, BIT(16)) } },
	{ PASS, "readable code in FS", { 0 }, { W(GUEST_FS_AR_BYTES, AR_CODE32) } },
	{ PASS, "BS pending with STI blocking and TF", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI), W(GUEST_RFLAGS, 0x302),
	    W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(14)) } },
	{ PASS, "no BS with STI blocking, TF and DEBUGCTL.BTF", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI), W(GUEST_RFLAGS, 0x302),
	    W(GUEST_IA32_DEBUGCTL, X86_DEBUGCTL_BTF) } },
	{ PASS, "RTM pending with bit 12", { 0 }, { W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(16) | BIT(12)) } },
	{ PASS, "link pointer with VMCS shadowing, nothing to read", { shadowing },
	  { W(VMCS_LINK_POINTER, 0x10000) } },
	{ PASS, "link pointer to an ordinary VMCS", { 0 },
	  { W(VMCS_LINK_POINTER, 0x10000), M(0x10000, 4) } },
	{ PASS, "link pointer to a shadow VMCS with VMCS shadowing", { shadowing },
	  { W(VMCS_LINK_POINTER, 0x10000), M(0x10000, 4 | BIT(31)) } },
	{ PASS, "PAE paging with EPT", { pae }, { { 0 } } },
	{ PASS, "PAE paging with EPT: reserved bits of a non-present PDPTE", { pae },
	  { W(GUEST_PDPTR3, 0x1e6) } },
	{ PASS, "PAE paging without EPT, PDPTEs not readable: skipped", { pae_no_ept }, { { 0 } } },
	{ PASS, "PAE paging without EPT, PDPTEs in memory", { pae_no_ept },
	  { M(0x20000, 0x21001), M(0x20008, 0), M(0x20010, 0), M(0x20018, 0) } },

	/* 27.2.1.1 */
	{ EC_PIN_MUST_BE_1, "pin-based bit 1 cleared", { 0 },
	  { W(PIN_BASED_VM_EXEC_CONTROL, B_PIN & ~BIT(1)) } },
	{ EC_PIN_MUST_BE_0, "pin-based bit 7 set", { 0 },
	  { W(PIN_BASED_VM_EXEC_CONTROL, B_PIN | BIT(7)) } },
	{ EC_PROC_MUST_BE_1, "primary bit 1 cleared", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC & ~BIT(1)) } },
	{ EC_PROC_MUST_BE_1, "without TRUE MSRs CR3-load/store exiting are required", { caps_no_true },
	  { { 0 } } },
	{ EC_PROC_MUST_BE_0, "primary bit 17 (tertiary controls) set", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC | BIT(17)) } },
	{ EC_PROC2_MUST_BE_1, "secondary bit 10 required by the caps", { caps_proc2_must_be_1 },
	  { { 0 } } },
	{ EC_PROC2_MUST_BE_0, "secondary bit 15 set", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | BIT(15)) } },
	{ EC_GUEST_CR0_FIXED, "secondary controls ignored without activation (so no unrestricted guest)",
	  { 0 }, { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC & ~CPU_ACTIVATE_SECONDARY),
		   W(SECONDARY_VM_EXEC_CONTROL, 0xffffffff) } },
	{ EC_CR3_TARGET_COUNT, "5 CR3 targets, 4 supported", { 0 }, { W(CR3_TARGET_COUNT, 5) } },
	{ EC_IO_BITMAP_A, "I/O bitmap A misaligned", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC | CPU_USE_IO_BITMAPS), W(IO_BITMAP_A, 0x1001),
	    W(IO_BITMAP_B, 0x2000) } },
	{ EC_IO_BITMAP_A, "I/O bitmap A beyond MAXPHYADDR", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC | CPU_USE_IO_BITMAPS), W(IO_BITMAP_A, BEYOND_46),
	    W(IO_BITMAP_B, 0x2000) } },
	{ EC_IO_BITMAP_B, "I/O bitmap B misaligned", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC | CPU_USE_IO_BITMAPS), W(IO_BITMAP_A, 0x1000),
	    W(IO_BITMAP_B, 0x2800) } },
	{ EC_MSR_BITMAP, "MSR bitmap misaligned", { 0 }, { W(MSR_BITMAP, 0x5008) } },
	{ EC_MSR_BITMAP, "MSR bitmap beyond MAXPHYADDR", { 0 }, { W(MSR_BITMAP, BEYOND_46 | 0x5000) } },
	{ EC_VIRTUAL_APIC_ADDR, "virtual-APIC page misaligned", { tpr_shadow },
	  { W(VIRTUAL_APIC_PAGE_ADDR, 0x6010) } },
	{ EC_VIRTUAL_APIC_ADDR, "virtual-APIC page beyond MAXPHYADDR", { tpr_shadow },
	  { W(VIRTUAL_APIC_PAGE_ADDR, BEYOND_46 | 0x6000) } },
	{ EC_TPR_THRESHOLD, "TPR threshold 0x10", { tpr_shadow }, { W(TPR_THRESHOLD, 0x10) } },
	{ EC_TPR_THRESHOLD_VTPR, "TPR threshold 4 above VTPR 0x3f (class 3)", { tpr_shadow },
	  { W(TPR_THRESHOLD, 4), M(0x6080, 0x3f) } },
	{ EC_TPR_THRESHOLD_VTPR, "TPR threshold 1 above VTPR 0 with virtualize x2APIC mode", { tpr_shadow },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_X2APIC), W(TPR_THRESHOLD, 1),
	    M(0x6080, 0) } },
	{ EC_TPR_SHADOW_NEEDED, "virtualize x2APIC mode without TPR shadow", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_X2APIC) } },
	{ EC_TPR_SHADOW_NEEDED, "APIC-register virtualization without TPR shadow", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_APIC_REGISTER_VIRT) } },
	{ EC_TPR_SHADOW_NEEDED, "virtual-interrupt delivery without TPR shadow", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUAL_INTR_DELIVERY) } },
	{ EC_X2APIC_AND_APIC_ACCESS, "virtualize x2APIC mode and APIC accesses", { tpr_shadow },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_X2APIC | CPU2_VIRTUALIZE_APIC_ACCESSES) } },
	{ EC_VID_NEEDS_EXTINT_EXITING, "virtual-interrupt delivery without external-interrupt exiting",
	  { tpr_shadow }, { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUAL_INTR_DELIVERY),
			    W(PIN_BASED_VM_EXEC_CONTROL, B_PIN & ~PIN_EXTERNAL_INTERRUPT_EXITING) } },
	{ EC_POSTED_INTR_CONTROLS, "posted interrupts without virtual-interrupt delivery", { posted },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2) } },
	{ EC_POSTED_INTR_CONTROLS, "posted interrupts without acknowledge interrupt on exit", { posted },
	  { W(VM_EXIT_CONTROLS, B_EXIT) } },
	{ EC_POSTED_INTR_VECTOR, "notification vector 0x1f2", { posted }, { W(POSTED_INTR_NV, 0x1f2) } },
	{ EC_POSTED_INTR_DESC, "descriptor 32-byte aligned", { posted }, { W(POSTED_INTR_DESC_ADDR, 0x7020) } },
	{ EC_VNMI_NEEDS_NMI_EXITING, "virtual NMIs without NMI exiting", { 0 },
	  { W(PIN_BASED_VM_EXEC_CONTROL, (B_PIN & ~PIN_NMI_EXITING) | PIN_VIRTUAL_NMIS) } },
	{ EC_NMI_WINDOW_NEEDS_VNMI, "NMI-window exiting without virtual NMIs", { 0 },
	  { W(CPU_BASED_VM_EXEC_CONTROL, B_PROC | CPU_NMI_WINDOW_EXITING) } },
	{ EC_APIC_ACCESS_ADDR, "APIC-access page misaligned", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUALIZE_APIC_ACCESSES),
	    W(APIC_ACCESS_ADDR, 0x8004) } },
	{ EC_VPID_ZERO, "VPID 0", { 0 }, { W(VIRTUAL_PROCESSOR_ID, 0) } },
	{ EC_EPTP_MEMTYPE, "EPTP memory type WC", { 0 }, { W(EPT_POINTER, (B_EPTP & ~7ull) | 1) } },
	{ EC_EPTP_MEMTYPE, "EPTP memory type UC where not allowed", { caps_no_ept_uc },
	  { W(EPT_POINTER, B_EPTP & ~7ull) } },
	{ EC_EPTP_WALK_LENGTH, "EPTP walk length 5 where not allowed", { 0 },
	  { W(EPT_POINTER, (B_EPTP & ~0x38ull) | (4 << 3)) } },
	{ EC_EPTP_WALK_LENGTH, "EPTP walk length 3", { 0 }, { W(EPT_POINTER, (B_EPTP & ~0x38ull) | (2 << 3)) } },
	{ EC_EPTP_AD, "EPTP A/D flags where not allowed", { caps_no_ept_ad },
	  { W(EPT_POINTER, B_EPTP | BIT(6)) } },
	{ EC_EPTP_SSS, "EPTP supervisor shadow stack where not allowed", { caps_no_ept_sss },
	  { W(EPT_POINTER, B_EPTP | BIT(7)) } },
	{ EC_EPTP_RESERVED, "EPTP bit 8", { 0 }, { W(EPT_POINTER, B_EPTP | BIT(8)) } },
	{ EC_EPTP_RESERVED, "EPTP beyond MAXPHYADDR", { 0 }, { W(EPT_POINTER, B_EPTP | BEYOND_46) } },
	{ EC_PML_NEEDS_EPT, "PML without EPT", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID | CPU2_ENABLE_PML) } },
	{ EC_PML_ADDR, "PML address misaligned", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_ENABLE_PML), W(PML_ADDRESS, 0x9001) } },
	{ EC_UG_NEEDS_EPT, "unrestricted guest without EPT", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 & ~CPU2_ENABLE_EPT) } },
	{ EC_MBEC_NEEDS_EPT, "mode-based execute control without EPT", { caps_allow_mbec },
	  { W(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID | CPU2_MODE_BASED_EPT_EXEC) } },
	{ EC_VMFUNC_CONTROLS, "VM function 1, none allowed", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_ENABLE_VMFUNC), W(VM_FUNCTION_CONTROL, BIT(1)) } },
	{ EC_EPTP_SWITCHING, "EPTP list misaligned", { eptp_switching }, { W(EPTP_LIST_ADDRESS, 0xa010) } },
	{ EC_EPTP_SWITCHING, "EPTP switching without EPT", { eptp_switching },
	  { W(SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID | CPU2_ENABLE_VMFUNC) } },
	{ EC_VMREAD_BITMAP, "VMREAD bitmap misaligned", { shadowing }, { W(VMREAD_BITMAP, 0xb008) } },
	{ EC_VMWRITE_BITMAP, "VMWRITE bitmap beyond MAXPHYADDR", { shadowing }, { W(VMWRITE_BITMAP, BIT(50)) } },
	{ EC_VE_INFO_ADDR, "#VE information address misaligned", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_EPT_VIOLATION_VE), W(VE_INFORMATION_ADDRESS, 0xd800) } },

	/* 27.2.1.2 */
	{ EC_EXIT_MUST_BE_1, "exit bit 0 cleared", { 0 }, { W(VM_EXIT_CONTROLS, B_EXIT & ~BIT(0)) } },
	{ EC_EXIT_MUST_BE_0, "exit bit 24 set", { 0 }, { W(VM_EXIT_CONTROLS, B_EXIT | BIT(24)) } },
	{ EC_SAVE_TIMER_NEEDS_TIMER, "save preemption timer without the timer", { 0 },
	  { W(VM_EXIT_CONTROLS, B_EXIT | EXIT_SAVE_PREEMPTION_TIMER) } },
	{ EC_EXIT_MSR_STORE_ADDR, "MSR-store area 8-byte aligned", { 0 },
	  { W(VM_EXIT_MSR_STORE_COUNT, 1), W(VM_EXIT_MSR_STORE_ADDR, 0xe008) } },
	{ EC_EXIT_MSR_STORE_ADDR, "MSR-store area ending beyond MAXPHYADDR", { 0 },
	  { W(VM_EXIT_MSR_STORE_COUNT, 2), W(VM_EXIT_MSR_STORE_ADDR, BEYOND_46 - 16) } },
	{ EC_EXIT_MSR_LOAD_ADDR, "MSR-load area 4-byte aligned", { 0 },
	  { W(VM_EXIT_MSR_LOAD_COUNT, 1), W(VM_EXIT_MSR_LOAD_ADDR, 0xe004) } },

	/* 27.2.1.3 */
	{ EC_ENTRY_MUST_BE_1, "entry bit 12 cleared", { 0 }, { W(VM_ENTRY_CONTROLS, B_ENTRY & ~BIT(12)) } },
	{ EC_ENTRY_MUST_BE_0, "entry bit 16 set", { 0 }, { W(VM_ENTRY_CONTROLS, B_ENTRY | BIT(16)) } },
	{ EC_INJECT_TYPE, "interruption type 1", { 0 }, { W(VM_ENTRY_INTR_INFO_FIELD, INJ(1, 0)) } },
	{ EC_INJECT_TYPE, "other event without monitor trap flag", { caps_no_mtf },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_OTHER_EVENT, 0)) } },
	{ EC_INJECT_NMI_VECTOR, "NMI with vector 3", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 3)) } },
	{ EC_INJECT_EXCEPTION_VECTOR, "hardware exception 32", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 32)) } },
	{ EC_INJECT_OTHER_VECTOR, "other event with vector 1", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_OTHER_EVENT, 1)) } },
	{ EC_INJECT_ERROR_CODE, "external interrupt with an error code", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_EXT_INTR, 0x20) | ERRCODE), W(GUEST_RFLAGS, 0x202) } },
	{ EC_INJECT_ERROR_CODE, "error code in real mode", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 13) | ERRCODE), W(GUEST_CR0, 0x30) } },
	{ EC_INJECT_ERROR_CODE, "#GP without its error code (no IA32_VMX_BASIC[56])", { caps_strict_error_code },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 13)) } },
	{ EC_INJECT_ERROR_CODE, "#UD with an error code (no IA32_VMX_BASIC[56])", { caps_strict_error_code },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 6) | ERRCODE) } },
	{ EC_INJECT_RESERVED, "interruption-information bit 12", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 6) | BIT(12)) } },
	{ EC_INJECT_ERROR_CODE_BITS, "error code 0x10000", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 13) | ERRCODE),
	    W(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000) } },
	{ EC_INJECT_INSN_LEN, "software interrupt of length 16", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_SW_INTR, 0x80)), W(VM_ENTRY_INSTRUCTION_LEN, 16) } },
	{ EC_INJECT_INSN_LEN_ZERO, "software exception of length 0 where not allowed", { caps_no_zero_len },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_SW_EXCEPTION, 3)) } },
	{ EC_ENTRY_MSR_LOAD_ADDR, "entry MSR-load area misaligned", { 0 },
	  { W(VM_ENTRY_MSR_LOAD_COUNT, 1), W(VM_ENTRY_MSR_LOAD_ADDR, 0xf00c) } },
	{ EC_ENTRY_SMM, "entry to SMM", { 0 }, { W(VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_TO_SMM) } },
	{ EC_ENTRY_SMM, "deactivate dual-monitor treatment", { 0 },
	  { W(VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_DEACT_DUAL_MONITOR) } },

	/* 27.2.2 */
	{ EC_HOST_CR0_FIXED, "host CR0.NE clear", { 0 }, { W(HOST_CR0, 0x80050013) } },
	{ EC_HOST_CR0_FIXED, "host CR0 bit 32", { 0 }, { W(HOST_CR0, 0x80050033 | BIT(32)) } },
	{ EC_HOST_CR4_FIXED, "host CR4.VMXE clear", { 0 }, { W(HOST_CR4, B_HOST_CR4 & ~BIT(13)) } },
	{ EC_HOST_CR4_FIXED, "host CR4.LA57 not allowed", { 0 }, { W(HOST_CR4, B_HOST_CR4 | BIT(12)) } },
	{ EC_HOST_CR3, "host CR3 beyond MAXPHYADDR", { 0 }, { W(HOST_CR3, BEYOND_46) } },
	{ EC_HOST_SYSENTER_ESP, "host SYSENTER_ESP non-canonical", { 0 }, { W(HOST_IA32_SYSENTER_ESP, NONCANONICAL) } },
	{ EC_HOST_SYSENTER_EIP, "host SYSENTER_EIP non-canonical", { 0 }, { W(HOST_IA32_SYSENTER_EIP, NONCANONICAL) } },
	{ EC_HOST_PAT, "host PAT type 2", { 0 }, { W(HOST_IA32_PAT, (PAT_POWER_ON & ~0xffull) | 2) } },
	{ EC_HOST_EFER_RESERVED, "host EFER bit 1", { 0 }, { W(HOST_IA32_EFER, B_HOST_EFER | BIT(1)) } },
	{ EC_HOST_EFER_LMA_LME, "host EFER.LMA clear on a 64-bit host", { 0 },
	  { W(HOST_IA32_EFER, B_HOST_EFER & ~X86_EFER_LMA) } },
	{ EC_HOST_EFER_LMA_LME, "host EFER.LME clear on a 64-bit host", { 0 },
	  { W(HOST_IA32_EFER, B_HOST_EFER & ~X86_EFER_LME) } },

	/* 27.2.3 */
	{ EC_HOST_SELECTOR_RPL_TI, "host DS RPL 3", { 0 }, { W(HOST_DS_SELECTOR, 0x13) } },
	{ EC_HOST_SELECTOR_RPL_TI, "host TR TI", { 0 }, { W(HOST_TR_SELECTOR, 0x1c) } },
	{ EC_HOST_CS_NULL, "host CS 0", { 0 }, { W(HOST_CS_SELECTOR, 0) } },
	{ EC_HOST_TR_NULL, "host TR 0", { 0 }, { W(HOST_TR_SELECTOR, 0) } },
	{ EC_HOST_SS_NULL, "host SS 0 on a 32-bit host", { host32 }, { W(HOST_SS_SELECTOR, 0) } },
	{ EC_HOST_BASE_CANONICAL, "host GS base non-canonical", { 0 }, { W(HOST_GS_BASE, NONCANONICAL) } },
	{ EC_HOST_BASE_CANONICAL, "host TR base non-canonical", { 0 }, { W(HOST_TR_BASE, NONCANONICAL) } },

	/* 27.2.4 */
	{ EC_HOST_ADDR_SIZE_MODE, "32-bit host entered from IA-32e mode", { 0 },
	  { W(VM_EXIT_CONTROLS, B_EXIT & ~EXIT_HOST_ADDRESS_SPACE_SIZE), W(HOST_IA32_EFER, 0x800) } },
	{ EC_HOST_ADDR_SIZE_MODE, "64-bit host entered from outside IA-32e mode", { host32 },
	  { W(VM_EXIT_CONTROLS, B_EXIT), W(HOST_IA32_EFER, B_HOST_EFER) } },
	{ EC_HOST32_IA32E_GUEST, "IA-32e mode guest on a 32-bit host", { host32 },
	  { W(VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_IA32E_MODE_GUEST) } },
	{ EC_HOST32_PCIDE, "CR4.PCIDE on a 32-bit host", { host32 }, { W(HOST_CR4, B_HOST_CR4 | X86_CR4_PCIDE) } },
	{ EC_HOST32_RIP, "host RIP above 4 GiB on a 32-bit host", { host32 }, { W(HOST_RIP, BIT(32)) } },
	{ EC_HOST64_PAE, "host CR4.PAE clear on a 64-bit host", { 0 }, { W(HOST_CR4, B_HOST_CR4 & ~X86_CR4_PAE) } },
	{ EC_HOST64_RIP, "host RIP non-canonical", { 0 }, { W(HOST_RIP, NONCANONICAL) } },

	/* 27.3.1.1 */
	{ EC_GUEST_CR0_FIXED, "guest CR0.NE clear", { 0 }, { W(GUEST_CR0, B_GUEST_CR0 & ~BIT(5)) } },
	{ EC_GUEST_CR0_FIXED, "guest CR0 without PG, no unrestricted guest", { 0 },
	  { W(SECONDARY_VM_EXEC_CONTROL, B_PROC2 & ~CPU2_UNRESTRICTED_GUEST) } },
	{ EC_GUEST_CR0_PG_PE, "guest CR0.PG without PE", { 0 }, { W(GUEST_CR0, 0x80000030) } },
	{ EC_GUEST_CR4_FIXED, "guest CR4.VMXE clear", { 0 }, { W(GUEST_CR4, 0) } },
	{ EC_GUEST_IA32E_PG, "IA-32e mode guest without paging", { 0 },
	  { W(VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_IA32E_MODE_GUEST) } },
	{ EC_GUEST_IA32E_PAE, "IA-32e mode guest without PAE", { long_mode }, { W(GUEST_CR4, 0x2000) } },
	{ EC_GUEST_PCIDE, "CR4.PCIDE outside IA-32e mode", { 0 }, { W(GUEST_CR4, 0x2000 | X86_CR4_PCIDE) } },
	{ EC_GUEST_CR3, "guest CR3 beyond MAXPHYADDR", { 0 }, { W(GUEST_CR3, BEYOND_46) } },
	{ EC_GUEST_DR7, "DR7 bit 32 with load debug controls", { 0 },
	  { W(VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_LOAD_DEBUG_CONTROLS), W(GUEST_DR7, BIT(32) | 0x400) } },
	{ EC_GUEST_SYSENTER_ESP, "guest SYSENTER_ESP non-canonical", { 0 }, { W(GUEST_SYSENTER_ESP, NONCANONICAL) } },
	{ EC_GUEST_SYSENTER_EIP, "guest SYSENTER_EIP non-canonical", { 0 }, { W(GUEST_SYSENTER_EIP, NONCANONICAL) } },
	{ EC_GUEST_PAT, "guest PAT type 3", { 0 }, { W(GUEST_IA32_PAT, PAT_POWER_ON | 0x03000000ull) } },
	{ EC_GUEST_EFER_RESERVED, "guest EFER bit 2", { 0 }, { W(GUEST_IA32_EFER, BIT(2)) } },
	{ EC_GUEST_EFER_LMA, "guest EFER.LMA outside IA-32e mode", { 0 }, { W(GUEST_IA32_EFER, X86_EFER_LMA) } },
	{ EC_GUEST_EFER_LME, "guest EFER.LME with paging outside IA-32e mode", { 0 },
	  { W(GUEST_CR0, B_GUEST_CR0 | X86_CR0_PG), W(GUEST_IA32_EFER, X86_EFER_LME) } },

	/* 27.3.1.2 */
	{ EC_GUEST_TR_TI, "guest TR TI", { 0 }, { W(GUEST_TR_SELECTOR, 0x1c) } },
	{ EC_GUEST_LDTR_TI, "usable LDTR with TI", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x24), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x82) } },
	{ EC_GUEST_SS_CS_RPL, "SS RPL 3, CS RPL 0", { restricted }, { W(GUEST_SS_SELECTOR, 0x13) } },
	{ EC_GUEST_V86_BASE, "RFLAGS.VM with protected-mode segments", { 0 },
	  { W(GUEST_RFLAGS, X86_RFLAGS_VM | 0x2) } },
	{ EC_GUEST_V86_LIMIT, "virtual-8086 DS limit 0xfffff", { v86 }, { W(GUEST_DS_LIMIT, 0xfffff) } },
	{ EC_GUEST_V86_AR, "virtual-8086 GS access rights 0xf1", { v86 }, { W(GUEST_GS_AR_BYTES, 0xf1) } },
	{ EC_GUEST_BASE_CANONICAL, "guest FS base non-canonical", { 0 }, { W(GUEST_FS_BASE, NONCANONICAL) } },
	{ EC_GUEST_BASE_CANONICAL, "usable LDTR base non-canonical", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x82),
	    W(GUEST_LDTR_BASE, NONCANONICAL) } },
	{ EC_GUEST_BASE_HIGH, "guest CS base above 4 GiB", { 0 }, { W(GUEST_CS_BASE, BIT(32)) } },
	{ EC_GUEST_BASE_HIGH, "usable SS base above 4 GiB", { 0 }, { W(GUEST_SS_BASE, BIT(33)) } },
	{ EC_GUEST_CS_TYPE, "CS type 10 (not accessed)", { 0 }, { W(GUEST_CS_AR_BYTES, 0xc09a) } },
	{ EC_GUEST_CS_TYPE, "CS type 3 without unrestricted guest", { restricted },
	  { W(GUEST_CS_AR_BYTES, AR_DATA32) } },
	{ EC_GUEST_SS_TYPE, "SS type 11", { 0 }, { W(GUEST_SS_AR_BYTES, AR_CODE32) } },
	{ EC_GUEST_DATA_TYPE, "DS type 2 (not accessed)", { 0 }, { W(GUEST_DS_AR_BYTES, 0xc092) } },
	{ EC_GUEST_DATA_TYPE, "ES execute-only code", { 0 }, { W(GUEST_ES_AR_BYTES, 0xc099) } },
	{ EC_GUEST_SEG_S, "GS system segment", { 0 }, { W(GUEST_GS_AR_BYTES, 0xc083) } },
	{ EC_GUEST_SEG_S, "CS system segment", { 0 }, { W(GUEST_CS_AR_BYTES, 0xc08b) } },
	{ EC_GUEST_CS_DPL_TYPE3, "CS type 3 with DPL 1", { 0 }, { W(GUEST_CS_AR_BYTES, 0xc0b3) } },
	{ EC_GUEST_CS_DPL_NONCONFORMING, "non-conforming CS DPL 3, SS DPL 0", { 0 },
	  { W(GUEST_CS_AR_BYTES, 0xc0fb) } },
	{ EC_GUEST_CS_DPL_CONFORMING, "conforming CS DPL 3, SS DPL 0", { 0 }, { W(GUEST_CS_AR_BYTES, 0xc0ff) } },
	{ EC_GUEST_SS_DPL_RPL, "SS DPL 3, RPL 0", { restricted },
	  { W(GUEST_CS_AR_BYTES, 0xc09f), W(GUEST_SS_AR_BYTES, 0xc0f3) } },
	{ EC_GUEST_SS_DPL_REAL, "SS DPL 3 with CR0.PE clear", { 0 },
	  { W(GUEST_CR0, 0x30), W(GUEST_CS_AR_BYTES, 0xc09f), W(GUEST_SS_AR_BYTES, 0xc0f3) } },
	{ EC_GUEST_SS_DPL_REAL, "SS DPL 3 with CS type 3", { 0 },
	  { W(GUEST_CS_AR_BYTES, AR_DATA32), W(GUEST_SS_AR_BYTES, 0xc0f3) } },
	{ EC_GUEST_DATA_DPL, "DS DPL 0 below RPL 3", { restricted }, { W(GUEST_DS_SELECTOR, 0x13) } },
	{ EC_GUEST_SEG_P, "ES not present", { 0 }, { W(GUEST_ES_AR_BYTES, 0xc013) } },
	{ EC_GUEST_SEG_RESERVED, "FS access-rights bit 8", { 0 }, { W(GUEST_FS_AR_BYTES, 0xc193) } },
	{ EC_GUEST_SEG_RESERVED, "CS access-rights bit 17", { 0 }, { W(GUEST_CS_AR_BYTES, AR_CODE32 | BIT(17)) } },
	{ EC_GUEST_CS_DB, "64-bit CS with D/B", { long_mode }, { W(GUEST_CS_AR_BYTES, 0xe09b) } },
	{ EC_GUEST_SEG_G, "DS limit 0x1000 with G=1", { 0 }, { W(GUEST_DS_LIMIT, 0x1000) } },
	{ EC_GUEST_SEG_G, "SS limit 4 GiB with G=0", { 0 }, { W(GUEST_SS_AR_BYTES, 0x4093) } },
	{ EC_GUEST_TR_TYPE, "TR available TSS", { 0 }, { W(GUEST_TR_AR_BYTES, 0x89) } },
	{ EC_GUEST_TR_TYPE, "16-bit TSS in an IA-32e mode guest", { long_mode }, { W(GUEST_TR_AR_BYTES, 0x83) } },
	{ EC_GUEST_TR_S, "TR with S=1", { 0 }, { W(GUEST_TR_AR_BYTES, 0x9b) } },
	{ EC_GUEST_TR_P, "TR not present", { 0 }, { W(GUEST_TR_AR_BYTES, 0x0b) } },
	{ EC_GUEST_TR_RESERVED, "TR access-rights bit 8", { 0 }, { W(GUEST_TR_AR_BYTES, 0x18b) } },
	{ EC_GUEST_TR_G, "TR limit 0x67 with G=1", { 0 }, { W(GUEST_TR_AR_BYTES, 0x808b) } },
	{ EC_GUEST_TR_UNUSABLE, "TR unusable", { 0 }, { W(GUEST_TR_AR_BYTES, AR_TSS32_BUSY | BIT(16)) } },
	{ EC_GUEST_LDTR_TYPE, "LDTR type 3", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x83) } },
	{ EC_GUEST_LDTR_S, "LDTR with S=1", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x92) } },
	{ EC_GUEST_LDTR_P, "LDTR not present", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x02) } },
	{ EC_GUEST_LDTR_RESERVED, "LDTR access-rights bit 9", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0xffff), W(GUEST_LDTR_AR_BYTES, 0x282) } },
	{ EC_GUEST_LDTR_G, "LDTR limit 0x100 with G=1", { 0 },
	  { W(GUEST_LDTR_SELECTOR, 0x20), W(GUEST_LDTR_LIMIT, 0x100), W(GUEST_LDTR_AR_BYTES, 0x8082) } },

	/* 27.3.1.3 */
	{ EC_GUEST_DTR_BASE, "GDTR base non-canonical", { 0 }, { W(GUEST_GDTR_BASE, NONCANONICAL) } },
	{ EC_GUEST_DTR_BASE, "IDTR base non-canonical", { 0 }, { W(GUEST_IDTR_BASE, NONCANONICAL) } },
	{ EC_GUEST_DTR_LIMIT, "IDTR limit 0x10000", { 0 }, { W(GUEST_IDTR_LIMIT, 0x10000) } },

	/* 27.3.1.4 */
	{ EC_GUEST_RIP_HIGH, "RIP above 4 GiB in a 32-bit guest", { 0 }, { W(GUEST_RIP, BIT(32)) } },
	{ EC_GUEST_RIP_HIGH, "RIP above 4 GiB in compatibility mode", { long_mode },
	  { W(GUEST_CS_AR_BYTES, AR_CODE32), W(GUEST_RIP, BIT(32)) } },
	{ EC_GUEST_RIP_CANONICAL, "64-bit RIP non-canonical", { long_mode }, { W(GUEST_RIP, NONCANONICAL) } },
	{ EC_GUEST_RFLAGS_RESERVED, "RFLAGS bit 1 clear", { 0 }, { W(GUEST_RFLAGS, 0) } },
	{ EC_GUEST_RFLAGS_RESERVED, "RFLAGS bit 15", { 0 }, { W(GUEST_RFLAGS, 0x8002) } },
	{ EC_GUEST_RFLAGS_RESERVED, "RFLAGS bit 22", { 0 }, { W(GUEST_RFLAGS, BIT(22) | 0x2) } },
	{ EC_GUEST_RFLAGS_VM, "RFLAGS.VM with CR0.PE clear", { v86 }, { W(GUEST_CR0, 0x30) } },
	{ EC_GUEST_RFLAGS_IF, "external interrupt injected with IF=0", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_EXT_INTR, 0x20)) } },

	/* 27.3.1.5 */
	{ EC_GUEST_ACTIVITY_VALUE, "activity state 4", { 0 }, { W(GUEST_ACTIVITY_STATE, 4) } },
	{ EC_GUEST_ACTIVITY_SUPPORTED, "HLT where not supported", { caps_no_hlt },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_HLT) } },
	{ EC_GUEST_ACTIVITY_HLT_DPL, "HLT with SS.DPL 3", { 0 },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_HLT), W(GUEST_CS_AR_BYTES, 0xc09f), W(GUEST_SS_AR_BYTES, 0xc0f3) } },
	{ EC_GUEST_ACTIVITY_BLOCKING, "HLT with STI blocking", { 0 },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_HLT), W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI),
	    W(GUEST_RFLAGS, 0x202) } },
	{ EC_GUEST_ACTIVITY_EVENT, "#GP injected into HLT", { 0 },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_HLT),
	    W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_HW_EXCEPTION, 13) | ERRCODE) } },
	{ EC_GUEST_ACTIVITY_EVENT, "external interrupt injected into shutdown", { 0 },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_SHUTDOWN), W(GUEST_RFLAGS, 0x202),
	    W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_EXT_INTR, 0x20)) } },
	{ EC_GUEST_ACTIVITY_EVENT, "NMI injected into wait-for-SIPI", { 0 },
	  { W(GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI), W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 2)) } },
	{ EC_GUEST_INTR_RESERVED, "interruptibility bit 5", { 0 }, { W(GUEST_INTERRUPTIBILITY_INFO, BIT(5)) } },
	{ EC_GUEST_INTR_STI_MOVSS, "STI and MOV-SS blocking", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI | INTR_BLOCK_MOV_SS), W(GUEST_RFLAGS, 0x202) } },
	{ EC_GUEST_INTR_STI_IF, "STI blocking with IF=0", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI) } },
	{ EC_GUEST_INTR_EXTINT, "external interrupt injected under MOV-SS blocking", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_EXT_INTR, 0x20)), W(GUEST_RFLAGS, 0x202),
	    W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_MOV_SS) } },
	{ EC_GUEST_INTR_NMI_MOVSS, "NMI injected under MOV-SS blocking", { 0 },
	  { W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 2)),
	    W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_MOV_SS) } },
	{ EC_GUEST_INTR_SMI, "SMI blocking outside SMM", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_SMI) } },
	{ EC_GUEST_INTR_VNMI, "NMI injected under virtual-NMI blocking", { 0 },
	  { W(PIN_BASED_VM_EXEC_CONTROL, B_PIN | PIN_VIRTUAL_NMIS),
	    W(VM_ENTRY_INTR_INFO_FIELD, INJ(INTR_TYPE_NMI, 2)),
	    W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_NMI) } },
	{ EC_GUEST_INTR_ENCLAVE, "enclave interruption with MOV-SS blocking", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_ENCLAVE | INTR_BLOCK_MOV_SS) } },
	{ EC_GUEST_PENDING_DBG_RESERVED, "pending debug bit 4", { 0 },
	  { W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(4)) } },
	{ EC_GUEST_PENDING_DBG_RESERVED, "pending debug bit 17", { 0 },
	  { W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(17)) } },
	{ EC_GUEST_PENDING_DBG_BS, "STI blocking and TF without BS", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_STI), W(GUEST_RFLAGS, 0x302) } },
	{ EC_GUEST_PENDING_DBG_BS, "MOV-SS blocking, no TF, with BS", { 0 },
	  { W(GUEST_INTERRUPTIBILITY_INFO, INTR_BLOCK_MOV_SS), W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(14)) } },
	{ EC_GUEST_PENDING_DBG_RTM, "RTM without bit 12", { 0 },
	  { W(GUEST_PENDING_DBG_EXCEPTIONS, BIT(16)) } },
	{ EC_GUEST_LINK_ADDR, "link pointer misaligned", { 0 }, { W(VMCS_LINK_POINTER, 0x1004) } },
	{ EC_GUEST_LINK_UNCHECKED, "link pointer without shadowing or a reader", { 0 },
	  { W(VMCS_LINK_POINTER, 0x10000) } },
	{ EC_GUEST_LINK_READ, "linked VMCS not in memory", { with_mem }, { W(VMCS_LINK_POINTER, 0x10000) } },
	{ EC_GUEST_LINK_REVISION, "linked VMCS with revision 5", { 0 },
	  { W(VMCS_LINK_POINTER, 0x10000), M(0x10000, 5) } },
	{ EC_GUEST_LINK_SHADOW, "linked shadow VMCS without VMCS shadowing", { 0 },
	  { W(VMCS_LINK_POINTER, 0x10000), M(0x10000, 4 | BIT(31)) } },
	{ EC_GUEST_LINK_SHADOW, "linked ordinary VMCS with VMCS shadowing", { shadowing },
	  { W(VMCS_LINK_POINTER, 0x10000), M(0x10000, 4) } },

	/* 27.3.1.6 */
	{ EC_GUEST_PDPTE_READ, "PDPTEs not in memory", { pae_no_ept, with_mem }, { { 0 } } },
	{ EC_GUEST_PDPTE_RESERVED, "PDPTE 2 with bit 1 (EPT)", { pae }, { W(GUEST_PDPTR2, 0x23003) } },
	{ EC_GUEST_PDPTE_RESERVED, "PDPTE 1 beyond MAXPHYADDR (memory)", { pae_no_ept },
	  { M(0x20000, 0x21001), M(0x20008, BEYOND_46 | 1), M(0x20010, 0), M(0x20018, 0) } },
};

/* ---- running them ---- */

/* The class a section number implies: 27.2.1 controls, the rest of 27.2
 * host state, 27.3 guest state. */
static enum entry_check_class class_of_section(const char *sdm)
{
	if (!strncmp(sdm, "27.2.1.", 7))
		return CHECK_CONTROL;
	if (!strncmp(sdm, "27.2.", 5))
		return CHECK_HOST;
	return CHECK_GUEST;
}

static u32 expected_qualification(enum entry_check_rule id)
{
	switch (id) {
	case EC_GUEST_PDPTE_READ:
	case EC_GUEST_PDPTE_RESERVED:
		return VMX_ENTRY_FAIL_PDPTE;
	case EC_GUEST_LINK_ADDR:
	case EC_GUEST_LINK_UNCHECKED:
	case EC_GUEST_LINK_READ:
	case EC_GUEST_LINK_REVISION:
	case EC_GUEST_LINK_SHADOW:
		return VMX_ENTRY_FAIL_VMCS_LINK_PTR;
	default:
		return VMX_ENTRY_FAIL_DEFAULT;
	}
}

static const char *field_name(u32 field)
{
	const char *name = vmcs_field_name(field);

	return name ? name : "unknown field";
}

static bool run_case(const struct tcase *t, struct entry_check_failure *f, struct tenv *e)
{
	struct vmcs_view v = { .read = tvmcs_read, .ctx = e };

	env_init(e);
	for (unsigned i = 0; i < ARRAY_SIZE(t->setup); i++)
		if (t->setup[i])
			t->setup[i](e);
	apply(e, t->w, ARRAY_SIZE(t->w));
	if (e->use_mem)
		v.read_phys = tmem_read;
	*f = (struct entry_check_failure){ 0 };
	return entry_checks_run(&v, &e->caps, &e->cpu, f);
}

static void check_case(const struct tcase *t, bool tripped[])
{
	static struct tenv e;
	struct entry_check_failure f, want;
	bool ok = run_case(t, &f, &e);

	if (e.missing != NO_FIELD) {
		report(false, "%s: read %s, which this VMCS lacks", t->what, field_name(e.missing));
		return;
	}
	if (t->rule == PASS) {
		report(ok, "passes: %s%s%s", t->what, ok ? "" : " (failed: ", ok ? "" : f.rule);
		if (!ok)
			report_info("  failed %s (SDM %s), %s = 0x%lx", f.rule, f.sdm,
				    field_name(f.field), (unsigned long)f.value);
		return;
	}
	entry_check_rule_info(t->rule, &want);
	tripped[t->rule] = true;
	if (ok) {
		report(false, "%s: expected \"%s\", but the VMCS passed", t->what, want.rule);
		return;
	}
	{
		u64 *slot = tvmcs_slot(&e, f.field);
		bool same_rule = f.id == (enum entry_check_rule)t->rule && f.rule &&
				 !strcmp(f.rule, want.rule);
		bool same_class = f.cls == class_of_section(want.sdm) && f.cls == want.cls;
		u32 qual = f.cls == CHECK_GUEST ? expected_qualification(t->rule) : 0;

		report(same_rule && same_class && f.qualification == qual && slot && *slot == f.value,
		       "%s -> %s: %s (SDM %s), qualification %u, %s = 0x%lx", t->what,
		       entry_check_class_name(f.cls), f.rule, f.sdm, f.qualification,
		       field_name(f.field), (unsigned long)f.value);
		if (!same_rule)
			report_info("  expected \"%s\"", want.rule);
	}
}

/* Every rule is well formed, named once, and tripped by some case. */
static void check_rule_table(const bool tripped[])
{
	unsigned untripped = 0, bad = 0;
	struct entry_check_failure a, b;

	for (unsigned i = 0; i < ENTRY_CHECK_RULE_COUNT; i++) {
		entry_check_rule_info(i, &a);
		if (!a.rule || !a.rule[0] || strncmp(a.sdm, "27.", 3) || a.cls != class_of_section(a.sdm) ||
		    a.qualification != expected_qualification(i) || a.id != i) {
			report_info("  rule %u (%s) is malformed", i, a.rule ? a.rule : "NULL");
			bad++;
		}
		for (unsigned j = 0; j < i; j++) {
			entry_check_rule_info(j, &b);
			if (!strcmp(a.rule, b.rule)) {
				report_info("  rules %u and %u have the same words", j, i);
				bad++;
			}
		}
		if (!tripped[i]) {
			report_info("  no case trips: %s", a.rule);
			untripped++;
		}
	}
	report(!bad, "all %u rules: distinct words, a 27.x section, the class and qualification it implies",
	       ENTRY_CHECK_RULE_COUNT);
	report(!untripped, "every rule is tripped by a case (%u are not)", untripped);
	report(!entry_check_rule_info(ENTRY_CHECK_RULE_COUNT, &a), "no rule past the last");
}

static void check_class_names(void)
{
	const char *c = entry_check_class_name(CHECK_CONTROL), *h = entry_check_class_name(CHECK_HOST);
	const char *g = entry_check_class_name(CHECK_GUEST);

	report(c && h && g && strcmp(c, h) && strcmp(h, g) && strcmp(c, g),
	       "class names: \"%s\", \"%s\", \"%s\"", c, h, g);
}

/* A VMREAD-backed view must not be asked for fields the controls do not
 * use: vmcs01 has no virtual-APIC page, PML, PDPTE or bitmap fields, and
 * passing with none of them present proves none was read. The default CPU
 * (NULL) is nestvisor's 46-bit one. */
static void check_default_cpu(void)
{
	static struct tenv e;
	struct vmcs_view v = { .read = tvmcs_read, .ctx = &e };
	struct entry_check_failure f;

	env_init(&e);
	tvmcs_set(&e, VMCS_HOST_CR3, BIT(45));
	report(entry_checks_run(&v, &e.caps, NULL, &f) && e.missing == NO_FIELD,
	       "default CPU: a host CR3 at bit 45 is within 46 bits");
	tvmcs_set(&e, VMCS_HOST_CR3, BIT(46));
	report(!entry_checks_run(&v, &e.caps, NULL, &f) && f.id == EC_HOST_CR3,
	       "default CPU: a host CR3 at bit 46 is not");
}

void run_tests(void)
{
	static bool tripped[ENTRY_CHECK_RULE_COUNT];
	unsigned failing_cases = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		check_case(&cases[i], tripped);
		failing_cases += cases[i].rule != PASS;
	}
	report_info("%u rules, %zu cases (%u that must fail)", (unsigned)ENTRY_CHECK_RULE_COUNT,
		    ARRAY_SIZE(cases), failing_cases);
	check_rule_table(tripped);
	check_class_names();
	check_default_cpu();
}
