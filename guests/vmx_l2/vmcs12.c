/* A complete, valid vmcs12 for a 64-bit L2, built from L1's own state: the
 * host-state area is L1 as it runs now (SDM Vol. 3C 25.5, checked by
 * 27.2.2-27.2.4), the guest-state area an L2 that shares L1's paging, GDT
 * and IDT in 64-bit mode (25.4, checked by 27.3.1), the controls what the
 * capability MSRs allow (Appendix A) plus what every test relies on. */
#include "l2.h"
#include "../lib/smp.h"

/* Segment access rights in the VMCS format (SDM 25.4.1, Table 25-2). */
#define AR_CODE64 0xa09b	/* G, L, P, S, type 11 (execute/read, accessed) */
#define AR_DATA 0xc093		/* G, D/B, P, S, type 3 (read/write, accessed) */
#define AR_TSS64_BUSY 0x8b	/* P, type 11 (busy 64-bit TSS) */
#define AR_UNUSABLE BIT(16)
#define RFLAGS_FIXED1 BIT(1)
#define DR7_INIT 0x400		/* DR7 after reset: bit 10 is 1 */
#define LINK_NONE ~0ull		/* no VMCS link (SDM 25.4.2) */
#define L2_VPID 1
#define EXCEPTION_ALL 0xffffffffu
#define L2_STACK_SIZE 4096

/* MSRs of the host-state area (SDM 25.5.2). */
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176

/* Descriptor-table registers as SGDT/SIDT store them. */
struct dtr {
	u16 limit;
	u64 base;
} __packed;

struct l2_env env;
u8 msr_bitmap[PAGE_SIZE] __aligned(PAGE_SIZE);
u8 io_bitmap_a[PAGE_SIZE] __aligned(PAGE_SIZE);
u8 io_bitmap_b[PAGE_SIZE] __aligned(PAGE_SIZE);
struct l2_regs l2_regs;
static u8 vmxon_region[PAGE_SIZE] __aligned(PAGE_SIZE);
static u8 vmcs_region[PAGE_SIZE] __aligned(PAGE_SIZE);
static struct dtr l1_gdtr, l1_idtr;

/* The host RIP: the exit stub of run.c. */
extern const u8 l2_host_rip[];

u64 vmcs_read(u32 field)
{
	u64 v = 0;

	if (vmx_outcome_of(vmx_vmread(field, &v)) != VMX_SUCCEED)
		res(false, "VMREAD of field 0x%x failed (error %u)", field, vmx_instruction_error());
	return v;
}

void vmcs_write(u32 field, u64 value)
{
	if (vmx_outcome_of(vmx_vmwrite(field, value)) != VMX_SUCCEED)
		res(false, "VMWRITE of 0x%llx to field 0x%x failed (error %u)",
		    (unsigned long long)value, field, vmx_instruction_error());
}

void vmcs_set_bits(u32 field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) | bits);
}

void vmcs_clear_bits(u32 field, u64 bits)
{
	vmcs_write(field, vmcs_read(field) & ~bits);
}

static const u32 ctl_msr[CTL_COUNT][2] = {
	/* plain, TRUE */
	[CTL_PIN] = { MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS },
	[CTL_PROC] = { MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS },
	[CTL_PROC2] = { MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2 },
	[CTL_EXIT] = { MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS },
	[CTL_ENTRY] = { MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS },
};

bool l2_vmx_on(void)
{
	const struct vmx_caps *c = &env.f.caps;
	static const char *const names[CTL_COUNT] = {
		[CTL_PIN] = "pin-based", [CTL_PROC] = "primary processor-based",
		[CTL_PROC2] = "secondary processor-based", [CTL_EXIT] = "VM-exit",
		[CTL_ENTRY] = "VM-entry",
	};
	static const u32 fields[CTL_COUNT] = {
		[CTL_PIN] = VMCS_PIN_BASED_VM_EXEC_CONTROL,
		[CTL_PROC] = VMCS_CPU_BASED_VM_EXEC_CONTROL,
		[CTL_PROC2] = VMCS_SECONDARY_VM_EXEC_CONTROL,
		[CTL_EXIT] = VMCS_VM_EXIT_CONTROLS, [CTL_ENTRY] = VMCS_VM_ENTRY_CONTROLS,
	};
	u64 pa = ptr_to_phys(vmxon_region);
	u64 caps[CTL_COUNT] = {
		[CTL_PIN] = c->has_true ? c->true_pinbased : c->pinbased,
		[CTL_PROC] = c->has_true ? c->true_procbased : c->procbased,
		[CTL_PROC2] = c->has_procbased2 ? c->procbased2 : 0,
		[CTL_EXIT] = c->has_true ? c->true_exit : c->exit,
		[CTL_ENTRY] = c->has_true ? c->true_entry : c->entry,
	};

	for (unsigned i = 0; i < CTL_COUNT; i++) {
		env.cap[i] = caps[i];
		env.cap_name[i] = names[i];
		env.ctl_field[i] = fields[i];
		report_info("controls: %s: 0x%016llx (MSR 0x%x)", names[i],
			    (unsigned long long)caps[i], ctl_msr[i][c->has_true]);
	}
	env.vpid = env.f.invvpid && vmx_ctl_allowed1(caps[CTL_PROC], VMX_PROC_ACTIVATE_SECONDARY_BIT);
	*(u32 *)vmxon_region = env.f.revision;
	*(u32 *)vmcs_region = env.f.revision;
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(l1_gdtr), "=m"(l1_idtr));
	/* CR0 and CR4 as IA32_VMX_CR0/CR4_FIXED0 and FIXED1 require (SDM
	 * 24.8): the start code leaves CR0.NE clear. */
	write_cr0((read_cr0() | c->cr0_fixed0) & c->cr0_fixed1);
	write_cr4((read_cr4() | c->cr4_fixed0) & c->cr4_fixed1);
	return vmx_outcome_of(vmx_vmxon(&pa)) == VMX_SUCCEED;
}

/* Fits wanted to the control word's capability MSR: its allowed-0 bits
 * set, wanted bits that allowed-1 lacks dropped (A.3-A.5). */
static u32 fit(enum l2_ctl ctl, u32 wanted)
{
	u32 out, missing;

	vmx_adjust_controls(env.cap[ctl], 0, wanted, &out, &missing);
	return out;
}

/* The base of the segment whose descriptor sel names in the GDT; a system
 * descriptor (the TSS) is 16 bytes, with base 63:32 in the second half
 * (SDM Vol. 3A, 8.2.3). */
static u64 gdt_base_of(u16 sel, bool system)
{
	const u64 *d = phys_to_ptr(l1_gdtr.base + (sel & ~7u));
	u64 base = ((d[0] >> 16) & 0xffffff) | ((d[0] >> 56) << 24);

	return system ? base | (d[1] << 32) : base;
}

#define READ_SEG(seg)                                              \
	({                                                         \
		u16 s__;                                           \
		__asm__ volatile("mov %%" #seg ", %0" : "=r"(s__)); \
		s__;                                               \
	})

static void write_host_state(void)
{
	u16 tr;

	__asm__ volatile("str %0" : "=r"(tr));
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SELECTOR, READ_SEG(cs));
	vmcs_write(VMCS_HOST_SS_SELECTOR, READ_SEG(ss));
	vmcs_write(VMCS_HOST_DS_SELECTOR, READ_SEG(ds));
	vmcs_write(VMCS_HOST_ES_SELECTOR, READ_SEG(es));
	vmcs_write(VMCS_HOST_FS_SELECTOR, READ_SEG(fs));
	vmcs_write(VMCS_HOST_GS_SELECTOR, READ_SEG(gs));
	vmcs_write(VMCS_HOST_TR_SELECTOR, tr);
	vmcs_write(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmcs_write(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmcs_write(VMCS_HOST_TR_BASE, gdt_base_of(tr, true));
	vmcs_write(VMCS_HOST_GDTR_BASE, l1_gdtr.base);
	vmcs_write(VMCS_HOST_IDTR_BASE, l1_idtr.base);
	vmcs_write(VMCS_HOST_IA32_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmcs_write(VMCS_HOST_IA32_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	/* HOST_RSP is written by l2_enter() right before the VM entry. */
	vmcs_write(VMCS_HOST_RIP, (u64)l2_host_rip);
}

/* A data segment register of L1 for L2: usable and flat where L1 has a
 * selector loaded, unusable where it holds the null selector. */
static void write_guest_data_seg(u32 sel_field, u16 sel)
{
	u32 delta = sel_field - VMCS_GUEST_ES_SELECTOR;

	vmcs_write(sel_field, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + delta, 0);
	vmcs_write(VMCS_GUEST_ES_LIMIT + delta, 0xffffffff);
	vmcs_write(VMCS_GUEST_ES_AR_BYTES + delta, sel ? AR_DATA : AR_UNUSABLE);
}

/* L2's stack: the lowest L2_STACK_SIZE bytes of L1's own vCPU stack. An
 * exception or interrupt L2 takes goes through L1's IDT to the library's
 * handlers, which tell their vCPU by the stack they run on (smp.h); L1 runs
 * far above it while L2 runs, and nothing of L2's stack outlives a test. */
static u64 l2_stack_top(void)
{
	u64 base = (u64)guest_stack_base(guest_cpu_index()), rsp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	if (rsp < base + 2 * L2_STACK_SIZE)
		res(false, "L1's stack reaches down to L2's (%llu bytes above its base)",
		    (unsigned long long)(rsp - base));
	return base + L2_STACK_SIZE;
}

static void write_guest_state(const void *entry)
{
	u16 tr;
	u32 trlimit;

	__asm__ volatile("str %0" : "=r"(tr));
	__asm__ volatile("lsl %1, %0" : "=r"(trlimit) : "r"((u32)tr));
	vmcs_write(VMCS_GUEST_CR0, read_cr0());
	vmcs_write(VMCS_GUEST_CR3, read_cr3());
	vmcs_write(VMCS_GUEST_CR4, read_cr4());
	vmcs_write(VMCS_GUEST_DR7, DR7_INIT);
	vmcs_write(VMCS_GUEST_RSP, l2_stack_top());
	vmcs_write(VMCS_GUEST_RIP, (u64)entry);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_FIXED1);
	vmcs_write(VMCS_GUEST_CS_SELECTOR, READ_SEG(cs));
	vmcs_write(VMCS_GUEST_CS_BASE, 0);
	vmcs_write(VMCS_GUEST_CS_LIMIT, 0xffffffff);
	vmcs_write(VMCS_GUEST_CS_AR_BYTES, AR_CODE64);
	write_guest_data_seg(VMCS_GUEST_SS_SELECTOR, READ_SEG(ss));
	write_guest_data_seg(VMCS_GUEST_DS_SELECTOR, READ_SEG(ds));
	write_guest_data_seg(VMCS_GUEST_ES_SELECTOR, READ_SEG(es));
	write_guest_data_seg(VMCS_GUEST_FS_SELECTOR, READ_SEG(fs));
	write_guest_data_seg(VMCS_GUEST_GS_SELECTOR, READ_SEG(gs));
	vmcs_write(VMCS_GUEST_LDTR_SELECTOR, 0);
	vmcs_write(VMCS_GUEST_LDTR_AR_BYTES, AR_UNUSABLE);
	vmcs_write(VMCS_GUEST_TR_SELECTOR, tr);
	vmcs_write(VMCS_GUEST_TR_BASE, gdt_base_of(tr, true));
	vmcs_write(VMCS_GUEST_TR_LIMIT, trlimit);
	vmcs_write(VMCS_GUEST_TR_AR_BYTES, AR_TSS64_BUSY);
	vmcs_write(VMCS_GUEST_GDTR_BASE, l1_gdtr.base);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, l1_gdtr.limit);
	vmcs_write(VMCS_GUEST_IDTR_BASE, l1_idtr.base);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, l1_idtr.limit);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_VMCS_LINK_POINTER, LINK_NONE);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

static void write_controls(void)
{
	u32 proc = fit(CTL_PROC, CPU_HLT_EXITING | CPU_UNCONDITIONAL_IO_EXITING |
				 CPU_USE_MSR_BITMAPS | (env.vpid ? CPU_ACTIVATE_SECONDARY : 0));

	vmcs_write(VMCS_PIN_BASED_VM_EXEC_CONTROL, fit(CTL_PIN, 0));
	vmcs_write(VMCS_CPU_BASED_VM_EXEC_CONTROL, proc);
	if (proc & CPU_ACTIVATE_SECONDARY) {
		vmcs_write(VMCS_SECONDARY_VM_EXEC_CONTROL, fit(CTL_PROC2, CPU2_ENABLE_VPID));
		vmcs_write(VMCS_VIRTUAL_PROCESSOR_ID, L2_VPID);
	}
	vmcs_write(VMCS_VM_EXIT_CONTROLS, fit(CTL_EXIT, EXIT_HOST_ADDRESS_SPACE_SIZE));
	vmcs_write(VMCS_VM_ENTRY_CONTROLS, fit(CTL_ENTRY, ENTRY_IA32E_MODE_GUEST));
	vmcs_write(VMCS_EXCEPTION_BITMAP, EXCEPTION_ALL);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, 0);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, 0);
	vmcs_write(VMCS_CR0_READ_SHADOW, 0);
	vmcs_write(VMCS_CR4_READ_SHADOW, 0);
	vmcs_write(VMCS_MSR_BITMAP, ptr_to_phys(msr_bitmap));
	vmcs_write(VMCS_IO_BITMAP_A, ptr_to_phys(io_bitmap_a));
	vmcs_write(VMCS_IO_BITMAP_B, ptr_to_phys(io_bitmap_b));
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(VMCS_TSC_OFFSET, 0);
}

void l2_prepare(const void *entry)
{
	u64 pa = ptr_to_phys(vmcs_region);

	if (vmx_outcome_of(vmx_vmclear(&pa)) != VMX_SUCCEED ||
	    vmx_outcome_of(vmx_vmptrld(&pa)) != VMX_SUCCEED)
		res(false, "VMCLEAR/VMPTRLD of the test VMCS failed");
	memset(msr_bitmap, 0, sizeof(msr_bitmap));
	memset(io_bitmap_a, 0, sizeof(io_bitmap_a));
	memset(io_bitmap_b, 0, sizeof(io_bitmap_b));
	memset(&l2_regs, 0, sizeof(l2_regs));
	write_controls();
	write_host_state();
	write_guest_state(entry);
}

void l2_finish(void)
{
	u64 pa = ptr_to_phys(vmcs_region);

	if (vmx_outcome_of(vmx_vmclear(&pa)) != VMX_SUCCEED)
		res(false, "VMCLEAR of the test VMCS failed");
}

/* A VM exit loads GDTR and IDTR limits of 0xffff (SDM 28.5.2): L1 puts
 * its own back. */
void l2_restore_dtr_limits(void)
{
	__asm__ volatile("lgdt %0; lidt %1" ::"m"(l1_gdtr), "m"(l1_idtr));
}
