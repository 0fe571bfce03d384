#include "vmcs.h"
#include "apic_virt.h"
#include "vmcs_field.h"
#include "vmx_controls.h"
#include "vmx_errors.h"
#include "vmx_ops.h"
#include "../lib/msr.h"
#include "../lib/panic.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../vmm/console.h"

extern const char vmx_exit_landing[];

/* Guest segment access rights (SDM 26.4.1, Table 25-2 layout). */
#define AR_CODE32 0xc09b	/* execute/read, accessed, S, P, D, G */
#define AR_DATA32 0xc093	/* read/write, accessed, S, P, D, G */
#define AR_TSS32_BUSY 0x008b
#define AR_CODE16 0x009b	/* execute/read, accessed, S, P: real-mode CS */
#define AR_DATA16 0x0093	/* read/write, accessed, S, P */
#define AR_UNUSABLE BIT(16)
#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10
#define GUEST_SEL_TSS 0x18
#define FLAT_LIMIT 0xffffffffu
#define REAL_LIMIT 0xffffu
#define IVT_LIMIT 0x3ff
#define TSS_LIMIT 0x67
#define RFLAGS_RESERVED1 BIT(1)
#define DR7_INIT 0x400
#define PAT_POWER_ON 0x0007040600070406ull
#define VMCS_LINK_NONE (~0ull)
#define MSR_IA32_SYSENTER_CS 0x174

static const char *field_name(u32 field)
{
	const char *name = vmcs_field_name(field);

	return name ? name : "unknown field";
}

u64 vmcs_read(u32 field)
{
	u64 v;
	enum vmx_result r = __vmread(field, &v);

	if (r != VMX_SUCCEED)
		panic("VMREAD %s (0x%x): %s%s%s", field_name(field), field,
		      vmx_result_name(r), r == VMX_FAIL_VALID ? ": " : "",
		      r == VMX_FAIL_VALID ? vmx_instruction_error_name(vmcs_read(VMCS_VM_INSTRUCTION_ERROR)) : "");
	return v;
}

void vmcs_write(u32 field, u64 value)
{
	enum vmx_result r = __vmwrite(field, value);

	if (r != VMX_SUCCEED)
		panic("VMWRITE %s (0x%x) = 0x%lx: %s%s%s", field_name(field), field,
		      value, vmx_result_name(r), r == VMX_FAIL_VALID ? ": " : "",
		      r == VMX_FAIL_VALID ? vmx_instruction_error_name(vmcs_read(VMCS_VM_INSTRUCTION_ERROR)) : "");
}

phys_addr_t vmcs_create(const struct vmx_caps *caps)
{
	u32 *region = page_alloc(0, 0);
	phys_addr_t pa = ptr_to_phys(region);

	if (!region) {
		pr_err("vmx: out of memory for a VMCS");
		return 0;
	}
	region[0] = vmx_basic_revision(caps->basic);
	/* VMCLEAR initialises the region and makes its launch state "clear"
	 * (SDM 25.11.3) before first use. */
	if (__vmclear(pa) != VMX_SUCCEED || __vmptrld(pa) != VMX_SUCCEED) {
		pr_err("vmx: VMCLEAR/VMPTRLD of a new VMCS failed");
		page_free(region);
		return 0;
	}
	return pa;
}

/* One control word: fitted to its (TRUE) capability MSR, or an explanation. */
static bool set_controls(u32 field, const char *what, u64 cap, u32 required, u32 optional)
{
	u32 value, missing;

	if (!vmx_adjust_controls(cap, required, optional, &value, &missing)) {
		pr_err("vmx: the CPU does not allow %s control bits 0x%x that nestvisor needs",
		       what, missing);
		return false;
	}
	vmcs_write(field, value);
	return true;
}

static bool setup_controls(const struct vmx_caps *c, const struct vmcs_setup *s)
{
	u64 pin = c->has_true ? c->true_pinbased : c->pinbased;
	u64 cpu = c->has_true ? c->true_procbased : c->procbased;
	u64 exit = c->has_true ? c->true_exit : c->exit;
	u64 entry = c->has_true ? c->true_entry : c->entry;

	/* Virtual NMIs where the CPU has them: an NMI injected into the guest
	 * blocks NMIs only until its IRET (SDM 26.3, IRET; 26.6.1). */
	return set_controls(VMCS_PIN_BASED_VM_EXEC_CONTROL, "pin-based", pin,
			    PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING |
			    (s->preemption_timer ? PIN_PREEMPTION_TIMER : 0), PIN_VIRTUAL_NMIS) &&
	       set_controls(VMCS_CPU_BASED_VM_EXEC_CONTROL, "processor-based", cpu,
			    CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING |
			    CPU_USE_MSR_BITMAPS | CPU_ACTIVATE_SECONDARY |
			    apic_virt_proc_controls(s->apic_virt),
			    /* A vCPU spin-waiting with PAUSE exits, so the
			     * watchdog sees it alive; "jmp $" does not. */
			    CPU_PAUSE_EXITING) &&
	       set_controls(VMCS_SECONDARY_VM_EXEC_CONTROL, "secondary", c->procbased2,
			    CPU2_ENABLE_EPT | CPU2_UNRESTRICTED_GUEST |
			    (s->vpid ? CPU2_ENABLE_VPID : 0) |
			    apic_virt_proc2_controls(s->apic_virt), 0) &&
	       /* The host runs with EFER.NXE and its own PAT: load both on exit
		* (and save the guest's), so a guest's values never leak in. */
	       /* DR7 and DEBUGCTL too, where the CPU lets them be switched: a
		* VM exit sets DR7 to 400H (28.5.1), so the guest's must be saved
		* and loaded again. */
	       set_controls(VMCS_VM_EXIT_CONTROLS, "VM-exit", exit,
			    EXIT_HOST_ADDRESS_SPACE_SIZE | EXIT_SAVE_IA32_EFER |
			    EXIT_LOAD_IA32_EFER | EXIT_SAVE_IA32_PAT | EXIT_LOAD_IA32_PAT,
			    EXIT_SAVE_DEBUG_CONTROLS) &&
	       set_controls(VMCS_VM_ENTRY_CONTROLS, "VM-entry", entry,
			    ENTRY_LOAD_IA32_EFER | ENTRY_LOAD_IA32_PAT, ENTRY_LOAD_DEBUG_CONTROLS);
}

void vmcs_setup_host(const struct cpu_desc *d)
{
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, SEL_CODE64);
	vmcs_write(VMCS_HOST_SS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_DS_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_ES_SELECTOR, SEL_DATA);
	vmcs_write(VMCS_HOST_FS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_GS_SELECTOR, 0);
	vmcs_write(VMCS_HOST_TR_SELECTOR, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));	/* this CPU's struct percpu */
	vmcs_write(VMCS_HOST_TR_BASE, ptr_to_phys(&d->tss));
	vmcs_write(VMCS_HOST_GDTR_BASE, ptr_to_phys(d->gdt));
	vmcs_write(VMCS_HOST_IDTR_BASE, ptr_to_phys(d->idt));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, ptr_to_phys(vmx_exit_landing));
	/* HOST_RSP is written by vmx_enter() right before each entry. */
}

struct guest_segment {
	u32 selector_field;
	u16 selector;
	u32 ar;
	u32 limit;
};

/* ES, CS, SS, DS, FS, GS, LDTR, TR: their VMCS fields are evenly spaced per
 * kind (SDM Appendix B), so one table per entry mode and a stride fill them.
 * Protected mode: flat 4 GiB segments. Real mode (CR0.PE = 0, allowed by
 * unrestricted guest): selectors 0 with base 0 and 64 KiB limits, CS of
 * type 11 and SS of DPL 0, and TR still a usable busy TSS, as SDM 26.3.1.2
 * requires even then. */
static const struct guest_segment prot32_segs[] = {
	{ VMCS_GUEST_ES_SELECTOR, GUEST_SEL_DATA, AR_DATA32, FLAT_LIMIT },
	{ VMCS_GUEST_CS_SELECTOR, GUEST_SEL_CODE, AR_CODE32, FLAT_LIMIT },
	{ VMCS_GUEST_SS_SELECTOR, GUEST_SEL_DATA, AR_DATA32, FLAT_LIMIT },
	{ VMCS_GUEST_DS_SELECTOR, GUEST_SEL_DATA, AR_DATA32, FLAT_LIMIT },
	{ VMCS_GUEST_FS_SELECTOR, GUEST_SEL_DATA, AR_DATA32, FLAT_LIMIT },
	{ VMCS_GUEST_GS_SELECTOR, GUEST_SEL_DATA, AR_DATA32, FLAT_LIMIT },
	{ VMCS_GUEST_LDTR_SELECTOR, 0, AR_UNUSABLE, 0 },
	{ VMCS_GUEST_TR_SELECTOR, GUEST_SEL_TSS, AR_TSS32_BUSY, TSS_LIMIT },
};
static const struct guest_segment real16_segs[] = {
	{ VMCS_GUEST_ES_SELECTOR, 0, AR_DATA16, REAL_LIMIT },
	{ VMCS_GUEST_CS_SELECTOR, 0, AR_CODE16, REAL_LIMIT },
	{ VMCS_GUEST_SS_SELECTOR, 0, AR_DATA16, REAL_LIMIT },
	{ VMCS_GUEST_DS_SELECTOR, 0, AR_DATA16, REAL_LIMIT },
	{ VMCS_GUEST_FS_SELECTOR, 0, AR_DATA16, REAL_LIMIT },
	{ VMCS_GUEST_GS_SELECTOR, 0, AR_DATA16, REAL_LIMIT },
	{ VMCS_GUEST_LDTR_SELECTOR, 0, AR_UNUSABLE, 0 },
	{ VMCS_GUEST_TR_SELECTOR, 0, AR_TSS32_BUSY, TSS_LIMIT },
};
_Static_assert(ARRAY_SIZE(prot32_segs) == ARRAY_SIZE(real16_segs), "one row per segment");

static void setup_guest(const struct vmx_caps *c, const struct vmcs_setup *s)
{
	const struct guest_segment *segs = s->real_mode ? real16_segs : prot32_segs;
	/* CR0: with unrestricted guest, PE and PG are exempt from FIXED0 (SDM
	 * 26.3.1.1). Bits the CPU forces (NE) are owned by nestvisor: the
	 * guest reads its own value from the shadow. */
	u64 cr0_forced = c->cr0_fixed0 & ~(u64)(CR0_PE | CR0_PG);
	u64 cr0 = (s->real_mode ? 0 : CR0_PE) | BIT(4) /* ET */ | cr0_forced;

	for (unsigned i = 0; i < ARRAY_SIZE(prot32_segs); i++) {
		u32 n = segs[i].selector_field - VMCS_GUEST_ES_SELECTOR;

		vmcs_write(segs[i].selector_field, segs[i].selector);
		vmcs_write(VMCS_GUEST_ES_BASE + n, 0);
		vmcs_write(VMCS_GUEST_ES_LIMIT + n, segs[i].limit);
		vmcs_write(VMCS_GUEST_ES_AR_BYTES + n, segs[i].ar);
	}
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0);
	/* Real mode takes its interrupts through the IVT at 0. */
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, s->real_mode ? IVT_LIMIT : 0);

	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, cr0_forced);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	/* CR4.VMXE must be 1 in VMX operation; the guest sees 0. */
	vmcs_write(VMCS_GUEST_CR4, c->cr4_fixed0);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, c->cr4_fixed0);
	vmcs_write(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RESERVED1);
	vmcs_write(VMCS_GUEST_RIP, s->entry_rip);
	vmcs_write(VMCS_GUEST_RSP, 0);
	vmcs_write(VMCS_GUEST_IA32_EFER, 0);
	vmcs_write(VMCS_GUEST_IA32_PAT, PAT_POWER_ON);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VMCS_VMCS_LINK_POINTER, VMCS_LINK_NONE);
}

bool vmcs_setup_guest(const struct vmx_caps *caps, const struct vmcs_setup *s)
{
	if (!caps->has_procbased2) {
		pr_err("vmx: no secondary controls: nestvisor needs EPT and unrestricted guest");
		return false;
	}
	if (!setup_controls(caps, s))
		return false;
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);	/* the guest handles its own */
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(VMCS_MSR_BITMAP, s->msr_bitmap);
	vmcs_write(VMCS_EPT_POINTER, s->eptp);
	if (s->vpid)
		vmcs_write(VMCS_VIRTUAL_PROCESSOR_ID, s->vpid);
	if (s->apic_virt & NV_APIC_VIRT_CR8) {
		vmcs_write(VMCS_VIRTUAL_APIC_PAGE_ADDR, s->virtual_apic);
		vmcs_write(VMCS_TPR_THRESHOLD, 0);	/* set before each entry (vmm/vapic.c) */
	}
	if (s->preemption_timer)
		vmcs_write(VMCS_VMX_PREEMPTION_TIMER_VALUE, s->preemption_timer);
	vmcs_setup_host(s->host);
	setup_guest(caps, s);
	return true;
}

struct __packed table_ptr {
	u16 limit;
	u64 base;
};

void vmcs_restore_host_tables(const struct cpu_desc *d)
{
	struct table_ptr gdtr = { sizeof(d->gdt) - 1, ptr_to_phys(d->gdt) };
	struct table_ptr idtr = { sizeof(d->idt) - 1, ptr_to_phys(d->idt) };

	__asm__ volatile("lgdt %0; lidt %1" ::"m"(gdtr), "m"(idtr));
}
