/* The checks VM entry makes before it loads any guest state (SDM Vol. 3C,
 * chapter 27 "VM Entries": 27.2 on the VMX controls and the host-state area,
 * 27.3.1 on the guest-state area), run in software so a failed entry is
 * explained in words, and so an entry L1 asks for can be refused the way the
 * CPU would refuse it. Each rule has a name, words and its SDM section; the
 * first one that fails is the answer (Linux nested.c CC()).
 * Pure: the VMCS is read through a callback, so the same checker validates
 * the hardware VMCS (VMREAD), a vmcs12 in memory or a synthetic test VMCS. */
#ifndef VMX_ENTRY_CHECKS_H
#define VMX_ENTRY_CHECKS_H

#include "../lib/types.h"
#include "vmx_caps.h"
#include "vmx_errors.h"

/* Where the checker reads the VMCS. A field is read only when the controls
 * that give it meaning are set (the EPTP only with "enable EPT", guest EFER
 * only with "load IA32_EFER", ...), so a VMREAD-backed view never touches a
 * field the CPU does not have. */
struct vmcs_view {
	u64 (*read)(void *ctx, u32 field);
	void *ctx;
	/* Optional, NULL if none: reads the 8 bytes at physical address pa
	 * (8-byte aligned) as the VMCS's owner addresses memory: host-physical
	 * for a VMCS nestvisor runs, L1 guest-physical for a vmcs12. Returns
	 * false if nothing is there. Used for VTPR on the virtual-APIC page
	 * (27.2.1.1), the guest PDPTEs without EPT (27.3.1.6) and the VMCS the
	 * link pointer names (27.3.1.5). */
	bool (*read_phys)(void *ctx, u64 pa, u64 *value);
};

/* What the checks need to know about the logical processor that executes
 * VMLAUNCH/VMRESUME beyond its capability MSRs. */
struct entry_check_cpu {
	unsigned maxphyaddr;	/* physical-address width, CPUID.80000008H:EAX[7:0] */
	unsigned linear_width;	/* linear-address width, CPUID.80000008H:EAX[15:8];
				   "canonical" means bits 63:width-1 are equal */
	bool ia32e;		/* IA32_EFER.LMA at the VM entry (27.2.4) */
};
/* nestvisor's own VM entries: a 64-bit host with a 46-bit physical and a
 * 48-bit linear address width (what the emulators offer). */
#define ENTRY_CHECK_CPU_DEFAULT { .maxphyaddr = 46, .linear_width = 48, .ia32e = true }

/* The outcome of a failed rule: VMfailValid with VM-instruction error 7
 * (invalid control fields) or 8 (invalid host-state fields), or a VM exit
 * with basic reason 33 and bit 31 set (invalid guest state; SDM 27.8). */
enum entry_check_class { CHECK_CONTROL, CHECK_HOST, CHECK_GUEST };

/* Every rule, once: X(NAME, class, qualification, SDM section, words).
 * class is CONTROL, HOST or GUEST; qualification names the 27.8 exit
 * qualification of a guest-state failure (DEFAULT, PDPTE, VMCS_LINK_PTR of
 * enum vmx_entry_failure_qual). The words say what must hold. */
#define ENTRY_CHECK_RULES(X)							\
	/* 27.2.1.1 VM-execution control fields */				\
	X(PIN_MUST_BE_1, CONTROL, DEFAULT, "27.2.1.1", "pin-based controls: every bit IA32_VMX_(TRUE_)PINBASED_CTLS requires to be 1 is 1") \
	X(PIN_MUST_BE_0, CONTROL, DEFAULT, "27.2.1.1", "pin-based controls: every bit IA32_VMX_(TRUE_)PINBASED_CTLS allows only as 0 is 0") \
	X(PROC_MUST_BE_1, CONTROL, DEFAULT, "27.2.1.1", "primary processor-based controls: every bit IA32_VMX_(TRUE_)PROCBASED_CTLS requires to be 1 is 1") \
	X(PROC_MUST_BE_0, CONTROL, DEFAULT, "27.2.1.1", "primary processor-based controls: every bit IA32_VMX_(TRUE_)PROCBASED_CTLS allows only as 0 is 0") \
	X(PROC2_MUST_BE_1, CONTROL, DEFAULT, "27.2.1.1", "secondary processor-based controls: every bit IA32_VMX_PROCBASED_CTLS2 requires to be 1 is 1") \
	X(PROC2_MUST_BE_0, CONTROL, DEFAULT, "27.2.1.1", "secondary processor-based controls: every bit IA32_VMX_PROCBASED_CTLS2 allows only as 0 is 0") \
	X(CR3_TARGET_COUNT, CONTROL, DEFAULT, "27.2.1.1", "CR3-target count: at most IA32_VMX_MISC bits 24:16") \
	X(IO_BITMAP_A, CONTROL, DEFAULT, "27.2.1.1", "I/O-bitmap address A: 4-KByte aligned and within the physical-address width with \"use I/O bitmaps\"") \
	X(IO_BITMAP_B, CONTROL, DEFAULT, "27.2.1.1", "I/O-bitmap address B: 4-KByte aligned and within the physical-address width with \"use I/O bitmaps\"") \
	X(MSR_BITMAP, CONTROL, DEFAULT, "27.2.1.1", "MSR-bitmap address: 4-KByte aligned and within the physical-address width with \"use MSR bitmaps\"") \
	X(VIRTUAL_APIC_ADDR, CONTROL, DEFAULT, "27.2.1.1", "virtual-APIC address: 4-KByte aligned and within the physical-address width with \"use TPR shadow\"") \
	X(TPR_THRESHOLD, CONTROL, DEFAULT, "27.2.1.1", "TPR threshold: bits 31:4 are 0 with \"use TPR shadow\" and without \"virtual-interrupt delivery\"") \
	X(TPR_THRESHOLD_VTPR, CONTROL, DEFAULT, "27.2.1.1", "TPR threshold: bits 3:0 at most VTPR bits 7:4 (byte 80H of the virtual-APIC page) with \"use TPR shadow\", without \"virtualize APIC accesses\" and \"virtual-interrupt delivery\"") \
	X(TPR_SHADOW_NEEDED, CONTROL, DEFAULT, "27.2.1.1", "\"virtualize x2APIC mode\", \"APIC-register virtualization\" and \"virtual-interrupt delivery\" require \"use TPR shadow\"") \
	X(X2APIC_AND_APIC_ACCESS, CONTROL, DEFAULT, "27.2.1.1", "\"virtualize x2APIC mode\" and \"virtualize APIC accesses\" are not both 1") \
	X(VID_NEEDS_EXTINT_EXITING, CONTROL, DEFAULT, "27.2.1.1", "\"virtual-interrupt delivery\" requires \"external-interrupt exiting\"") \
	X(POSTED_INTR_CONTROLS, CONTROL, DEFAULT, "27.2.1.1", "\"process posted interrupts\" requires \"virtual-interrupt delivery\" and \"acknowledge interrupt on exit\"") \
	X(POSTED_INTR_VECTOR, CONTROL, DEFAULT, "27.2.1.1", "posted-interrupt notification vector: bits 15:8 are 0") \
	X(POSTED_INTR_DESC, CONTROL, DEFAULT, "27.2.1.1", "posted-interrupt descriptor address: 64-byte aligned and within the physical-address width") \
	X(VNMI_NEEDS_NMI_EXITING, CONTROL, DEFAULT, "27.2.1.1", "\"virtual NMIs\" requires \"NMI exiting\"") \
	X(NMI_WINDOW_NEEDS_VNMI, CONTROL, DEFAULT, "27.2.1.1", "\"NMI-window exiting\" requires \"virtual NMIs\"") \
	X(APIC_ACCESS_ADDR, CONTROL, DEFAULT, "27.2.1.1", "APIC-access address: 4-KByte aligned and within the physical-address width with \"virtualize APIC accesses\"") \
	X(VPID_ZERO, CONTROL, DEFAULT, "27.2.1.1", "\"enable VPID\" requires a VPID other than 0") \
	X(EPTP_MEMTYPE, CONTROL, DEFAULT, "27.2.1.1", "EPTP: memory type (bits 2:0) UC or WB, as IA32_VMX_EPT_VPID_CAP bits 8 and 14 allow") \
	X(EPTP_WALK_LENGTH, CONTROL, DEFAULT, "27.2.1.1", "EPTP: page-walk length (bits 5:3 plus 1) 4 or 5, as IA32_VMX_EPT_VPID_CAP bits 6 and 7 allow") \
	X(EPTP_AD, CONTROL, DEFAULT, "27.2.1.1", "EPTP: accessed and dirty flags (bit 6) only if IA32_VMX_EPT_VPID_CAP bit 21 allows them") \
	X(EPTP_SSS, CONTROL, DEFAULT, "27.2.1.1", "EPTP: supervisor shadow-stack control (bit 7) only if IA32_VMX_EPT_VPID_CAP bit 23 allows it") \
	X(EPTP_RESERVED, CONTROL, DEFAULT, "27.2.1.1", "EPTP: bits 11:8 and the bits beyond the physical-address width are 0") \
	X(PML_NEEDS_EPT, CONTROL, DEFAULT, "27.2.1.1", "\"enable PML\" requires \"enable EPT\"") \
	X(PML_ADDR, CONTROL, DEFAULT, "27.2.1.1", "PML address: 4-KByte aligned and within the physical-address width with \"enable PML\"") \
	X(UG_NEEDS_EPT, CONTROL, DEFAULT, "27.2.1.1", "\"unrestricted guest\" requires \"enable EPT\"") \
	X(MBEC_NEEDS_EPT, CONTROL, DEFAULT, "27.2.1.1", "\"mode-based execute control for EPT\" requires \"enable EPT\"") \
	X(VMFUNC_CONTROLS, CONTROL, DEFAULT, "27.2.1.1", "VM-function controls: only bits IA32_VMX_VMFUNC allows are 1 with \"enable VM functions\"") \
	X(EPTP_SWITCHING, CONTROL, DEFAULT, "27.2.1.1", "EPTP switching requires \"enable EPT\" and an EPTP-list address 4-KByte aligned and within the physical-address width") \
	X(VMREAD_BITMAP, CONTROL, DEFAULT, "27.2.1.1", "VMREAD-bitmap address: 4-KByte aligned and within the physical-address width with \"VMCS shadowing\"") \
	X(VMWRITE_BITMAP, CONTROL, DEFAULT, "27.2.1.1", "VMWRITE-bitmap address: 4-KByte aligned and within the physical-address width with \"VMCS shadowing\"") \
	X(VE_INFO_ADDR, CONTROL, DEFAULT, "27.2.1.1", "virtualization-exception information address: 4-KByte aligned and within the physical-address width with \"EPT-violation #VE\"") \
	/* 27.2.1.2 VM-exit control fields */					\
	X(EXIT_MUST_BE_1, CONTROL, DEFAULT, "27.2.1.2", "VM-exit controls: every bit IA32_VMX_(TRUE_)EXIT_CTLS requires to be 1 is 1") \
	X(EXIT_MUST_BE_0, CONTROL, DEFAULT, "27.2.1.2", "VM-exit controls: every bit IA32_VMX_(TRUE_)EXIT_CTLS allows only as 0 is 0") \
	X(SAVE_TIMER_NEEDS_TIMER, CONTROL, DEFAULT, "27.2.1.2", "\"save VMX-preemption timer value\" requires \"activate VMX-preemption timer\"") \
	X(EXIT_MSR_STORE_ADDR, CONTROL, DEFAULT, "27.2.1.2", "VM-exit MSR-store address: 16-byte aligned, and the whole area within the physical-address width") \
	X(EXIT_MSR_LOAD_ADDR, CONTROL, DEFAULT, "27.2.1.2", "VM-exit MSR-load address: 16-byte aligned, and the whole area within the physical-address width") \
	/* 27.2.1.3 VM-entry control fields */					\
	X(ENTRY_MUST_BE_1, CONTROL, DEFAULT, "27.2.1.3", "VM-entry controls: every bit IA32_VMX_(TRUE_)ENTRY_CTLS requires to be 1 is 1") \
	X(ENTRY_MUST_BE_0, CONTROL, DEFAULT, "27.2.1.3", "VM-entry controls: every bit IA32_VMX_(TRUE_)ENTRY_CTLS allows only as 0 is 0") \
	X(INJECT_TYPE, CONTROL, DEFAULT, "27.2.1.3", "event injection: interruption type not reserved (1; 7 without \"monitor trap flag\" support)") \
	X(INJECT_NMI_VECTOR, CONTROL, DEFAULT, "27.2.1.3", "event injection: an NMI has vector 2") \
	X(INJECT_EXCEPTION_VECTOR, CONTROL, DEFAULT, "27.2.1.3", "event injection: a hardware exception has a vector of at most 31") \
	X(INJECT_OTHER_VECTOR, CONTROL, DEFAULT, "27.2.1.3", "event injection: an other event (pending MTF VM exit) has vector 0") \
	X(INJECT_ERROR_CODE, CONTROL, DEFAULT, "27.2.1.3", "event injection: deliver-error-code set exactly for a hardware exception that has an error code, outside real mode") \
	X(INJECT_RESERVED, CONTROL, DEFAULT, "27.2.1.3", "event injection: interruption-information bits 30:12 are 0") \
	X(INJECT_ERROR_CODE_BITS, CONTROL, DEFAULT, "27.2.1.3", "event injection: error-code bits 31:16 are 0 when an error code is delivered") \
	X(INJECT_INSN_LEN, CONTROL, DEFAULT, "27.2.1.3", "event injection: instruction length at most 15 for a software interrupt or exception") \
	X(INJECT_INSN_LEN_ZERO, CONTROL, DEFAULT, "27.2.1.3", "event injection: instruction length 0 for a software interrupt or exception only if IA32_VMX_MISC bit 30 allows it") \
	X(ENTRY_MSR_LOAD_ADDR, CONTROL, DEFAULT, "27.2.1.3", "VM-entry MSR-load address: 16-byte aligned, and the whole area within the physical-address width") \
	X(ENTRY_SMM, CONTROL, DEFAULT, "27.2.1.3", "\"entry to SMM\" and \"deactivate dual-monitor treatment\" are 0 outside SMM") \
	/* 27.2.2 host control registers and MSRs */				\
	X(HOST_CR0_FIXED, HOST, DEFAULT, "27.2.2", "host CR0: bits fixed by IA32_VMX_CR0_FIXED0/FIXED1 have their fixed values") \
	X(HOST_CR4_FIXED, HOST, DEFAULT, "27.2.2", "host CR4: bits fixed by IA32_VMX_CR4_FIXED0/FIXED1 have their fixed values") \
	X(HOST_CR3, HOST, DEFAULT, "27.2.2", "host CR3: no bit set beyond the physical-address width") \
	X(HOST_SYSENTER_ESP, HOST, DEFAULT, "27.2.2", "host IA32_SYSENTER_ESP: canonical") \
	X(HOST_SYSENTER_EIP, HOST, DEFAULT, "27.2.2", "host IA32_SYSENTER_EIP: canonical") \
	X(HOST_PAT, HOST, DEFAULT, "27.2.2", "host IA32_PAT: every byte a memory type (0, 1, 4, 5, 6 or 7) with \"load IA32_PAT\"") \
	X(HOST_EFER_RESERVED, HOST, DEFAULT, "27.2.2", "host IA32_EFER: reserved bits are 0 with \"load IA32_EFER\"") \
	X(HOST_EFER_LMA_LME, HOST, DEFAULT, "27.2.2", "host IA32_EFER: LMA and LME each equal \"host address-space size\" with \"load IA32_EFER\"") \
	/* 27.2.3 host segment and descriptor-table registers */		\
	X(HOST_SELECTOR_RPL_TI, HOST, DEFAULT, "27.2.3", "host CS, SS, DS, ES, FS, GS and TR selectors: RPL and TI are 0") \
	X(HOST_CS_NULL, HOST, DEFAULT, "27.2.3", "host CS selector: not 0") \
	X(HOST_TR_NULL, HOST, DEFAULT, "27.2.3", "host TR selector: not 0") \
	X(HOST_SS_NULL, HOST, DEFAULT, "27.2.3", "host SS selector: not 0 when \"host address-space size\" is 0") \
	X(HOST_BASE_CANONICAL, HOST, DEFAULT, "27.2.3", "host FS, GS, GDTR, IDTR and TR bases: canonical") \
	/* 27.2.4 address-space size */						\
	X(HOST_ADDR_SIZE_MODE, HOST, DEFAULT, "27.2.4", "\"host address-space size\" equals IA32_EFER.LMA of the CPU doing the VM entry") \
	X(HOST32_IA32E_GUEST, HOST, DEFAULT, "27.2.4", "\"IA-32e mode guest\" requires \"host address-space size\"") \
	X(HOST32_PCIDE, HOST, DEFAULT, "27.2.4", "host CR4.PCIDE is 0 when \"host address-space size\" is 0") \
	X(HOST32_RIP, HOST, DEFAULT, "27.2.4", "host RIP: bits 63:32 are 0 when \"host address-space size\" is 0") \
	X(HOST64_PAE, HOST, DEFAULT, "27.2.4", "host CR4.PAE is 1 when \"host address-space size\" is 1") \
	X(HOST64_RIP, HOST, DEFAULT, "27.2.4", "host RIP: canonical when \"host address-space size\" is 1") \
	/* 27.3.1.1 guest control registers, debug registers and MSRs */	\
	X(GUEST_CR0_FIXED, GUEST, DEFAULT, "27.3.1.1", "guest CR0: bits fixed by IA32_VMX_CR0_FIXED0/FIXED1 have their fixed values (PE and PG free with \"unrestricted guest\")") \
	X(GUEST_CR0_PG_PE, GUEST, DEFAULT, "27.3.1.1", "guest CR0: PG=1 requires PE=1") \
	X(GUEST_CR4_FIXED, GUEST, DEFAULT, "27.3.1.1", "guest CR4: bits fixed by IA32_VMX_CR4_FIXED0/FIXED1 have their fixed values") \
	X(GUEST_IA32E_PG, GUEST, DEFAULT, "27.3.1.1", "guest CR0: \"IA-32e mode guest\" requires PG=1") \
	X(GUEST_IA32E_PAE, GUEST, DEFAULT, "27.3.1.1", "guest CR4: \"IA-32e mode guest\" requires PAE=1") \
	X(GUEST_PCIDE, GUEST, DEFAULT, "27.3.1.1", "guest CR4: PCIDE=1 requires \"IA-32e mode guest\"") \
	X(GUEST_CR3, GUEST, DEFAULT, "27.3.1.1", "guest CR3: no bit set beyond the physical-address width") \
	X(GUEST_DR7, GUEST, DEFAULT, "27.3.1.1", "guest DR7: bits 63:32 are 0 with \"load debug controls\"") \
	X(GUEST_SYSENTER_ESP, GUEST, DEFAULT, "27.3.1.1", "guest IA32_SYSENTER_ESP: canonical") \
	X(GUEST_SYSENTER_EIP, GUEST, DEFAULT, "27.3.1.1", "guest IA32_SYSENTER_EIP: canonical") \
	X(GUEST_PAT, GUEST, DEFAULT, "27.3.1.1", "guest IA32_PAT: every byte a memory type (0, 1, 4, 5, 6 or 7) with \"load IA32_PAT\"") \
	X(GUEST_EFER_RESERVED, GUEST, DEFAULT, "27.3.1.1", "guest IA32_EFER: reserved bits are 0 with \"load IA32_EFER\"") \
	X(GUEST_EFER_LMA, GUEST, DEFAULT, "27.3.1.1", "guest IA32_EFER: LMA equals \"IA-32e mode guest\" with \"load IA32_EFER\"") \
	X(GUEST_EFER_LME, GUEST, DEFAULT, "27.3.1.1", "guest IA32_EFER: LME equals LMA when CR0.PG=1, with \"load IA32_EFER\"") \
	/* 27.3.1.2 guest segment registers */					\
	X(GUEST_TR_TI, GUEST, DEFAULT, "27.3.1.2", "guest TR selector: TI is 0") \
	X(GUEST_LDTR_TI, GUEST, DEFAULT, "27.3.1.2", "guest LDTR selector: TI is 0 when LDTR is usable") \
	X(GUEST_SS_CS_RPL, GUEST, DEFAULT, "27.3.1.2", "guest SS selector: RPL equals CS's (unless \"unrestricted guest\" or virtual-8086)") \
	X(GUEST_V86_BASE, GUEST, DEFAULT, "27.3.1.2", "virtual-8086 guest: CS, SS, DS, ES, FS and GS bases are selector * 16") \
	X(GUEST_V86_LIMIT, GUEST, DEFAULT, "27.3.1.2", "virtual-8086 guest: CS, SS, DS, ES, FS and GS limits are 0xffff") \
	X(GUEST_V86_AR, GUEST, DEFAULT, "27.3.1.2", "virtual-8086 guest: CS, SS, DS, ES, FS and GS access rights are 0xf3") \
	X(GUEST_BASE_CANONICAL, GUEST, DEFAULT, "27.3.1.2", "guest TR, FS and GS bases (and LDTR's, if usable): canonical") \
	X(GUEST_BASE_HIGH, GUEST, DEFAULT, "27.3.1.2", "guest CS base (and SS, DS and ES bases, if usable): bits 63:32 are 0") \
	X(GUEST_CS_TYPE, GUEST, DEFAULT, "27.3.1.2", "guest CS: type 9, 11, 13 or 15 (accessed code), or 3 with \"unrestricted guest\"") \
	X(GUEST_SS_TYPE, GUEST, DEFAULT, "27.3.1.2", "guest SS: type 3 or 7 (accessed read/write data) when usable") \
	X(GUEST_DATA_TYPE, GUEST, DEFAULT, "27.3.1.2", "guest DS, ES, FS, GS: type accessed, and readable if code, when usable") \
	X(GUEST_SEG_S, GUEST, DEFAULT, "27.3.1.2", "guest CS, and SS, DS, ES, FS, GS when usable: S=1 (code or data)") \
	X(GUEST_CS_DPL_TYPE3, GUEST, DEFAULT, "27.3.1.2", "guest CS: DPL 0 with type 3 (\"unrestricted guest\")") \
	X(GUEST_CS_DPL_NONCONFORMING, GUEST, DEFAULT, "27.3.1.2", "guest CS: DPL equals SS.DPL for non-conforming code (type 9 or 11)") \
	X(GUEST_CS_DPL_CONFORMING, GUEST, DEFAULT, "27.3.1.2", "guest CS: DPL at most SS.DPL for conforming code (type 13 or 15)") \
	X(GUEST_SS_DPL_RPL, GUEST, DEFAULT, "27.3.1.2", "guest SS: DPL equals RPL without \"unrestricted guest\"") \
	X(GUEST_SS_DPL_REAL, GUEST, DEFAULT, "27.3.1.2", "guest SS: DPL 0 when CS has type 3 or CR0.PE is 0") \
	X(GUEST_DATA_DPL, GUEST, DEFAULT, "27.3.1.2", "guest DS, ES, FS, GS: DPL at least RPL when usable and not conforming code, without \"unrestricted guest\"") \
	X(GUEST_SEG_P, GUEST, DEFAULT, "27.3.1.2", "guest CS, and SS, DS, ES, FS, GS when usable: P=1") \
	X(GUEST_SEG_RESERVED, GUEST, DEFAULT, "27.3.1.2", "guest CS, and SS, DS, ES, FS, GS when usable: access-rights bits 11:8 and 31:17 are 0") \
	X(GUEST_CS_DB, GUEST, DEFAULT, "27.3.1.2", "guest CS: D/B is 0 when L=1 in an IA-32e mode guest") \
	X(GUEST_SEG_G, GUEST, DEFAULT, "27.3.1.2", "guest CS, and SS, DS, ES, FS, GS when usable: G=1 if limit bits 31:20 are not 0, G=0 if limit bits 11:0 are not all 1") \
	X(GUEST_TR_TYPE, GUEST, DEFAULT, "27.3.1.2", "guest TR: type 11 (busy TSS), or 3 (16-bit busy TSS) outside IA-32e mode") \
	X(GUEST_TR_S, GUEST, DEFAULT, "27.3.1.2", "guest TR: S=0 (system)") \
	X(GUEST_TR_P, GUEST, DEFAULT, "27.3.1.2", "guest TR: P=1") \
	X(GUEST_TR_RESERVED, GUEST, DEFAULT, "27.3.1.2", "guest TR: access-rights bits 11:8 and 31:17 are 0") \
	X(GUEST_TR_G, GUEST, DEFAULT, "27.3.1.2", "guest TR: G=1 if limit bits 31:20 are not 0, G=0 if limit bits 11:0 are not all 1") \
	X(GUEST_TR_UNUSABLE, GUEST, DEFAULT, "27.3.1.2", "guest TR: usable") \
	X(GUEST_LDTR_TYPE, GUEST, DEFAULT, "27.3.1.2", "guest LDTR: type 2 (LDT) when usable") \
	X(GUEST_LDTR_S, GUEST, DEFAULT, "27.3.1.2", "guest LDTR: S=0 (system) when usable") \
	X(GUEST_LDTR_P, GUEST, DEFAULT, "27.3.1.2", "guest LDTR: P=1 when usable") \
	X(GUEST_LDTR_RESERVED, GUEST, DEFAULT, "27.3.1.2", "guest LDTR: access-rights bits 11:8 and 31:17 are 0 when usable") \
	X(GUEST_LDTR_G, GUEST, DEFAULT, "27.3.1.2", "guest LDTR: G=1 if limit bits 31:20 are not 0, G=0 if limit bits 11:0 are not all 1, when usable") \
	/* 27.3.1.3 guest descriptor-table registers */				\
	X(GUEST_DTR_BASE, GUEST, DEFAULT, "27.3.1.3", "guest GDTR and IDTR bases: canonical") \
	X(GUEST_DTR_LIMIT, GUEST, DEFAULT, "27.3.1.3", "guest GDTR and IDTR limits: bits 31:16 are 0") \
	/* 27.3.1.4 guest RIP and RFLAGS */					\
	X(GUEST_RIP_HIGH, GUEST, DEFAULT, "27.3.1.4", "guest RIP: bits 63:32 are 0 unless IA-32e mode with CS.L=1") \
	X(GUEST_RIP_CANONICAL, GUEST, DEFAULT, "27.3.1.4", "guest RIP: canonical in IA-32e mode with CS.L=1") \
	X(GUEST_RFLAGS_RESERVED, GUEST, DEFAULT, "27.3.1.4", "guest RFLAGS: bit 1 is 1; bits 3, 5, 15 and 63:22 are 0") \
	X(GUEST_RFLAGS_VM, GUEST, DEFAULT, "27.3.1.4", "guest RFLAGS: VM is 0 in an IA-32e mode guest or when CR0.PE is 0") \
	X(GUEST_RFLAGS_IF, GUEST, DEFAULT, "27.3.1.4", "guest RFLAGS: IF is 1 when an external interrupt is injected") \
	/* 27.3.1.5 guest non-register state */					\
	X(GUEST_ACTIVITY_VALUE, GUEST, DEFAULT, "27.3.1.5", "guest activity state: 0 (active), 1 (HLT), 2 (shutdown) or 3 (wait-for-SIPI)") \
	X(GUEST_ACTIVITY_SUPPORTED, GUEST, DEFAULT, "27.3.1.5", "guest activity state: one IA32_VMX_MISC bits 8:6 says the CPU supports") \
	X(GUEST_ACTIVITY_HLT_DPL, GUEST, DEFAULT, "27.3.1.5", "guest activity state: HLT requires SS.DPL 0") \
	X(GUEST_ACTIVITY_BLOCKING, GUEST, DEFAULT, "27.3.1.5", "guest activity state: active when blocking by STI or by MOV SS") \
	X(GUEST_ACTIVITY_EVENT, GUEST, DEFAULT, "27.3.1.5", "guest activity state: the injected event is one the activity state lets through") \
	X(GUEST_INTR_RESERVED, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: bits 31:5 are 0") \
	X(GUEST_INTR_STI_MOVSS, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: not both blocking by STI and by MOV SS") \
	X(GUEST_INTR_STI_IF, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: blocking by STI requires RFLAGS.IF=1") \
	X(GUEST_INTR_EXTINT, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: no blocking by STI or MOV SS when an external interrupt is injected") \
	X(GUEST_INTR_NMI_MOVSS, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: no blocking by MOV SS when an NMI is injected") \
	X(GUEST_INTR_SMI, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: no blocking by SMI outside SMM") \
	X(GUEST_INTR_VNMI, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: no (virtual-)NMI blocking when an NMI is injected with \"virtual NMIs\"") \
	X(GUEST_INTR_ENCLAVE, GUEST, DEFAULT, "27.3.1.5", "guest interruptibility state: enclave interruption excludes blocking by MOV SS") \
	X(GUEST_PENDING_DBG_RESERVED, GUEST, DEFAULT, "27.3.1.5", "guest pending debug exceptions: bits 11:4, 13, 15 and 63:17 are 0") \
	X(GUEST_PENDING_DBG_BS, GUEST, DEFAULT, "27.3.1.5", "guest pending debug exceptions: BS equals RFLAGS.TF and not IA32_DEBUGCTL.BTF, when blocking by STI or MOV SS or in HLT") \
	X(GUEST_PENDING_DBG_RTM, GUEST, DEFAULT, "27.3.1.5", "guest pending debug exceptions: RTM (bit 16) requires bit 12 set, bits 11:0 and 15:13 clear, and no blocking by MOV SS") \
	X(GUEST_LINK_ADDR, GUEST, VMCS_LINK_PTR, "27.3.1.5", "VMCS link pointer: ~0, or 4-KByte aligned and within the physical-address width") \
	X(GUEST_LINK_UNCHECKED, GUEST, VMCS_LINK_PTR, "27.3.1.5", "VMCS link pointer: ~0 without \"VMCS shadowing\" when the linked VMCS cannot be read to check it") \
	X(GUEST_LINK_READ, GUEST, VMCS_LINK_PTR, "27.3.1.5", "VMCS link pointer: the linked VMCS can be read") \
	X(GUEST_LINK_REVISION, GUEST, VMCS_LINK_PTR, "27.3.1.5", "VMCS link pointer: the linked VMCS has the revision identifier of IA32_VMX_BASIC") \
	X(GUEST_LINK_SHADOW, GUEST, VMCS_LINK_PTR, "27.3.1.5", "VMCS link pointer: the linked VMCS's shadow-VMCS indicator equals \"VMCS shadowing\"") \
	/* 27.3.1.6 guest page-directory-pointer-table entries */		\
	X(GUEST_PDPTE_READ, GUEST, PDPTE, "27.3.1.6", "guest PDPTEs (PAE paging without EPT): can be read at CR3") \
	X(GUEST_PDPTE_RESERVED, GUEST, PDPTE, "27.3.1.6", "guest PDPTEs (PAE paging): bits 2:1, 8:5 and those beyond the physical-address width are 0 when present")

enum entry_check_rule {
#define ENTRY_CHECK_RULE_ENUM(name, cls, qual, sdm, words) EC_##name,
	ENTRY_CHECK_RULES(ENTRY_CHECK_RULE_ENUM)
#undef ENTRY_CHECK_RULE_ENUM
	ENTRY_CHECK_RULE_COUNT
};

struct entry_check_failure {
	const char *rule;	/* the rule's words: "guest CR0: PG=1 requires PE=1" */
	const char *sdm;	/* its section: "27.3.1.1" */
	enum entry_check_class cls;
	u32 field;		/* the main field involved, for the dump */
	u64 value;		/* that field's value */
	u32 qualification;	/* guest failures: the 27.8 exit qualification
				   (0, 2 PDPTE, 4 VMCS link pointer); else 0 */
	enum entry_check_rule id;
};

/* Runs the checks in the SDM's order: controls (27.2.1), host state
 * (27.2.2-27.2.4), guest state (27.3.1). Returns true if every rule holds;
 * else false with *f describing the first that does not. caps are the
 * capabilities the VMCS is checked against (the CPU's, or the virtual ones
 * offered to L1); cpu NULL means ENTRY_CHECK_CPU_DEFAULT. Checks that need
 * memory (VTPR, PDPTEs without EPT, the linked VMCS) run only if
 * v->read_phys is set. Not covered: see the end of entry_checks.c. */
bool entry_checks_run(const struct vmcs_view *v, const struct vmx_caps *caps,
		      const struct entry_check_cpu *cpu, struct entry_check_failure *f);

/* "VMX controls", "host state", "guest state"; never NULL. */
const char *entry_check_class_name(enum entry_check_class c);

/* The failure rule id would report (words, section, class, qualification;
 * field and value 0), for listing the rules; false if id is out of range. */
bool entry_check_rule_info(enum entry_check_rule id, struct entry_check_failure *f);

/* ---- Below: for vmx/entry_checks*.c only, which define ENTRY_CHECKS_INTERNAL
 * before including this header. The rules are split by the SDM's sections:
 * entry_checks_ctl.c (27.2.1), entry_checks_host.c (27.2.2-27.2.4),
 * entry_checks_guest.c (27.3.1). ---- */
#ifdef ENTRY_CHECKS_INTERNAL

#include "vmcs_field.h"
#include "vmx_controls.h"
#include "intr_info.h"

#define VMFUNC_EPTP_SWITCHING		BIT(0)	/* VM-function controls, 25.6.14 */

#define INTR_ENCLAVE			BIT(4)

/* Architectural bits (SDM Vol. 3A 2.5 control registers, 2.2.1 EFER,
 * 2.3 EFLAGS, 17.2.4 DR7, 18.4.1 IA32_DEBUGCTL). */
#define X86_CR0_PE			BIT(0)
#define X86_CR0_PG			BIT(31)
#define X86_CR4_PAE			BIT(5)
#define X86_CR4_PCIDE			BIT(17)
#define X86_EFER_SCE			BIT(0)
#define X86_EFER_LME			BIT(8)
#define X86_EFER_LMA			BIT(10)
#define X86_EFER_NXE			BIT(11)
#define X86_EFER_DEFINED		(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE)
#define X86_RFLAGS_TF			BIT(8)
#define X86_RFLAGS_IF			BIT(9)
#define X86_RFLAGS_VM			BIT(17)
#define X86_DEBUGCTL_BTF		BIT(1)

/* One VM entry being checked. */
struct entry_ctx {
	const struct vmcs_view *v;
	const struct vmx_caps *caps;
	const struct entry_check_cpu *cpu;
	struct entry_check_failure *f;
	/* The control words, read once. proc2 is 0 unless "activate
	 * secondary controls" is 1: the CPU then acts as if every secondary
	 * control were 0 (25.6.2). */
	u32 pin, proc, proc2, exit, entry;
	u32 intr_info;			/* VM-entry interruption information */
	bool unrestricted;		/* "unrestricted guest" */
	bool ia32e_guest;		/* "IA-32e mode guest" */
};

static inline u64 ec_read(const struct entry_ctx *c, u32 field)
{
	return c->v->read(c->v->ctx, field);
}

/* Records rule id as the failure, with the field and value that broke it;
 * returns false so a check can "return entry_check_fail(...)". */
bool entry_check_fail(struct entry_ctx *c, enum entry_check_rule id, u32 field, u64 value);

/* If cond does not hold, the check fails with rule id. */
#define CHECK(c, id, cond, field, value)				\
	do {								\
		if (!(cond))						\
			return entry_check_fail(c, id, field, value);	\
	} while (0)

/* No bit set at or above the physical-address width. */
static inline bool ec_pa_ok(const struct entry_ctx *c, u64 pa)
{
	return !(pa >> c->cpu->maxphyaddr);
}

/* 4-KByte aligned and within the physical-address width: what 27.2.1.1
 * asks of every page a control points to. */
static inline bool ec_page_ok(const struct entry_ctx *c, u64 pa)
{
	return IS_ALIGNED(pa, PAGE_SIZE) && ec_pa_ok(c, pa);
}

/* Bits 63:width-1 all equal (Vol. 1, 3.3.7.1). */
static inline bool ec_canonical(const struct entry_ctx *c, u64 la)
{
	u64 top = la >> (c->cpu->linear_width - 1);

	return top == 0 || top == (~0ull >> (c->cpu->linear_width - 1));
}

/* Every byte a memory type WRMSR to IA32_PAT accepts: 0 UC, 1 WC, 4 WT,
 * 5 WP, 6 WB, 7 UC- (Vol. 3A 13.12.2). */
static inline bool ec_pat_ok(u64 pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned type = (pat >> (8 * i)) & 0xff;

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* A CR0 or CR4 value against IA32_VMX_CRn_FIXED0/FIXED1 (A.7, A.8): bits
 * set in FIXED0 must be 1, bits clear in FIXED1 must be 0. */
static inline bool ec_fixed_ok(u64 value, u64 fixed0, u64 fixed1)
{
	return (value & fixed0) == fixed0 && !(value & ~fixed1);
}

/* Whether an event is being injected, and which (27.2.1.3). */
static inline bool ec_injecting(const struct entry_ctx *c)
{
	return c->intr_info & INTR_INFO_VALID;
}

static inline enum intr_type ec_inject_type(const struct entry_ctx *c)
{
	return (enum intr_type)((c->intr_info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK);
}

static inline bool ec_injecting_type(const struct entry_ctx *c, enum intr_type t)
{
	return ec_injecting(c) && ec_inject_type(c) == t;
}

/* The three parts, run in this order by entry_checks_run(). */
bool entry_checks_controls(struct entry_ctx *c);
bool entry_checks_host(struct entry_ctx *c);
bool entry_checks_guest(struct entry_ctx *c);

#endif /* ENTRY_CHECKS_INTERNAL */

#endif
