/* The environment of test_entry_checks.c (entry_checks_env.h). */
#include "entry_checks_env.h"

u64 *tvmcs_slot(struct tenv *e, u32 field)
{
	for (unsigned i = 0; i < e->nfields; i++)
		if (e->f[i].field == field)
			return &e->f[i].value;
	return NULL;
}

void tvmcs_set(struct tenv *e, u32 field, u64 value)
{
	u64 *slot = tvmcs_slot(e, field);

	if (!slot) {
		ASSERT(e->nfields < TVMCS_FIELDS);
		e->f[e->nfields].field = field;
		slot = &e->f[e->nfields++].value;
	}
	*slot = value;
}

u64 tvmcs_read(void *ctx, u32 field)
{
	struct tenv *e = ctx;
	u64 *slot = tvmcs_slot(e, field);

	if (slot)
		return *slot;
	if (e->missing == NO_FIELD)
		e->missing = field;
	return 0;
}

bool tmem_read(void *ctx, u64 pa, u64 *value)
{
	struct tenv *e = ctx;

	for (unsigned i = 0; i < e->nmem; i++) {
		if (e->mem[i].pa == pa) {
			*value = e->mem[i].value;
			return true;
		}
	}
	return false;
}

void tmem_set(struct tenv *e, u64 pa, u64 value)
{
	ASSERT(e->nmem < TMEM_WORDS);
	e->mem[e->nmem].pa = pa;
	e->mem[e->nmem++].value = value;
	e->use_mem = true;
}

/* ---- Bochs tigerlake's VMX capability MSRs ---- */

const struct vmx_caps tigerlake = {
	.basic = 0x01d8100000000004ull,		/* revision 4, TRUE controls, any error code */
	.pinbased = 0x0000007f00000016ull,
	.true_pinbased = 0x0000007f00000016ull,
	.procbased = 0xfff9fffe0401e172ull,
	.true_procbased = 0xfff9fffe04006172ull,
	.procbased2 = 0x02977fff00000000ull,
	.exit = 0x107fffff00036dffull,
	.true_exit = 0x107fffff00036dfbull,
	.entry = 0x0010ffff000011ffull,
	.true_entry = 0x0010ffff000011fbull,
	.misc = 0x00000000600401e0ull,		/* 4 CR3 targets, HLT/shutdown/SIPI, length 0 */
	.cr0_fixed0 = 0x80000021ull,
	.cr0_fixed1 = 0xffffffffull,
	.cr4_fixed0 = 0x2000ull,
	.cr4_fixed1 = 0xf72fffull,
	.ept_vpid = 0x00000f0106b34141ull,	/* walk 4, UC, WB, A/D, SSS */
	.has_true = true,
	.has_procbased2 = true,
	.has_ept_vpid = true,
};

static const struct write baseline[] = {
	W(PIN_BASED_VM_EXEC_CONTROL, B_PIN),
	W(CPU_BASED_VM_EXEC_CONTROL, B_PROC),
	W(SECONDARY_VM_EXEC_CONTROL, B_PROC2),
	W(VM_EXIT_CONTROLS, B_EXIT),
	W(VM_ENTRY_CONTROLS, B_ENTRY),
	W(EXCEPTION_BITMAP, 0),
	W(PAGE_FAULT_ERROR_CODE_MASK, 0),
	W(PAGE_FAULT_ERROR_CODE_MATCH, 0),
	W(CR3_TARGET_COUNT, 0),
	W(VM_EXIT_MSR_STORE_COUNT, 0),
	W(VM_EXIT_MSR_LOAD_COUNT, 0),
	W(VM_ENTRY_MSR_LOAD_COUNT, 0),
	W(VM_ENTRY_INTR_INFO_FIELD, 0),
	W(VM_ENTRY_EXCEPTION_ERROR_CODE, 0),
	W(VM_ENTRY_INSTRUCTION_LEN, 0),
	W(MSR_BITMAP, 0x5000),
	W(EPT_POINTER, B_EPTP),
	W(VIRTUAL_PROCESSOR_ID, 1),

	W(HOST_CR0, 0x80050033),
	W(HOST_CR3, 0x1000),
	W(HOST_CR4, B_HOST_CR4),
	W(HOST_CS_SELECTOR, 0x08),
	W(HOST_SS_SELECTOR, 0x10),
	W(HOST_DS_SELECTOR, 0x10),
	W(HOST_ES_SELECTOR, 0x10),
	W(HOST_FS_SELECTOR, 0),
	W(HOST_GS_SELECTOR, 0),
	W(HOST_TR_SELECTOR, 0x18),
	W(HOST_FS_BASE, 0),
	W(HOST_GS_BASE, 0xffff800000100000ull),
	W(HOST_TR_BASE, 0x120000),
	W(HOST_GDTR_BASE, 0x121000),
	W(HOST_IDTR_BASE, 0x122000),
	W(HOST_IA32_SYSENTER_CS, 0),
	W(HOST_IA32_SYSENTER_ESP, 0),
	W(HOST_IA32_SYSENTER_EIP, 0),
	W(HOST_IA32_EFER, B_HOST_EFER),
	W(HOST_IA32_PAT, PAT_POWER_ON),
	W(HOST_RIP, 0x200000),
	W(HOST_RSP, 0x300000),

	W(GUEST_ES_SELECTOR, 0x10), W(GUEST_ES_BASE, 0), W(GUEST_ES_LIMIT, 0xffffffff), W(GUEST_ES_AR_BYTES, AR_DATA32),
	W(GUEST_CS_SELECTOR, 0x08), W(GUEST_CS_BASE, 0), W(GUEST_CS_LIMIT, 0xffffffff), W(GUEST_CS_AR_BYTES, AR_CODE32),
	W(GUEST_SS_SELECTOR, 0x10), W(GUEST_SS_BASE, 0), W(GUEST_SS_LIMIT, 0xffffffff), W(GUEST_SS_AR_BYTES, AR_DATA32),
	W(GUEST_DS_SELECTOR, 0x10), W(GUEST_DS_BASE, 0), W(GUEST_DS_LIMIT, 0xffffffff), W(GUEST_DS_AR_BYTES, AR_DATA32),
	W(GUEST_FS_SELECTOR, 0x10), W(GUEST_FS_BASE, 0), W(GUEST_FS_LIMIT, 0xffffffff), W(GUEST_FS_AR_BYTES, AR_DATA32),
	W(GUEST_GS_SELECTOR, 0x10), W(GUEST_GS_BASE, 0), W(GUEST_GS_LIMIT, 0xffffffff), W(GUEST_GS_AR_BYTES, AR_DATA32),
	W(GUEST_LDTR_SELECTOR, 0), W(GUEST_LDTR_BASE, 0), W(GUEST_LDTR_LIMIT, 0), W(GUEST_LDTR_AR_BYTES, BIT(16)),
	W(GUEST_TR_SELECTOR, 0x18), W(GUEST_TR_BASE, 0), W(GUEST_TR_LIMIT, 0x67), W(GUEST_TR_AR_BYTES, AR_TSS32_BUSY),
	W(GUEST_GDTR_BASE, 0), W(GUEST_GDTR_LIMIT, 0),
	W(GUEST_IDTR_BASE, 0), W(GUEST_IDTR_LIMIT, 0),
	W(GUEST_CR0, B_GUEST_CR0),
	W(CR0_GUEST_HOST_MASK, 0x20),
	W(CR0_READ_SHADOW, B_GUEST_CR0),
	W(GUEST_CR4, 0x2000),
	W(CR4_GUEST_HOST_MASK, 0x2000),
	W(CR4_READ_SHADOW, 0),
	W(GUEST_CR3, 0),
	W(GUEST_DR7, 0x400),
	W(GUEST_RFLAGS, 0x2),
	W(GUEST_RIP, 0x100000),
	W(GUEST_RSP, 0),
	W(GUEST_IA32_EFER, 0),
	W(GUEST_IA32_PAT, PAT_POWER_ON),
	W(GUEST_IA32_DEBUGCTL, 0),
	W(GUEST_SYSENTER_CS, 0),
	W(GUEST_SYSENTER_ESP, 0),
	W(GUEST_SYSENTER_EIP, 0),
	W(GUEST_INTERRUPTIBILITY_INFO, 0),
	W(GUEST_ACTIVITY_STATE, 0),
	W(GUEST_PENDING_DBG_EXCEPTIONS, 0),
	W(VMCS_LINK_POINTER, ~0ull),
};

void apply(struct tenv *e, const struct write *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (w[i].kind == WRITE_VMCS)
			tvmcs_set(e, w[i].field, w[i].value);
		else if (w[i].kind == WRITE_MEM)
			tmem_set(e, w[i].pa, w[i].value);
	}
}

void env_init(struct tenv *e)
{
	static const struct entry_check_cpu cpu = ENTRY_CHECK_CPU_DEFAULT;

	*e = (struct tenv){ .missing = NO_FIELD, .caps = tigerlake, .cpu = cpu };
	apply(e, baseline, ARRAY_SIZE(baseline));
}

/* ---- set-ups: whole configurations a case starts from ---- */

u64 get(struct tenv *e, u32 field)
{
	u64 *slot = tvmcs_slot(e, field);

	ASSERT(slot);
	return *slot;
}

/* A 32-bit host: "host address-space size" 0 entered from outside IA-32e mode. */
void host32(struct tenv *e)
{
	e->cpu.ia32e = false;
	tvmcs_set(e, VMCS_VM_EXIT_CONTROLS, B_EXIT & ~EXIT_HOST_ADDRESS_SPACE_SIZE);
	tvmcs_set(e, VMCS_HOST_IA32_EFER, 0x800);
}

/* No "unrestricted guest": paging on, as FIXED0 then demands. */
void restricted(struct tenv *e)
{
	tvmcs_set(e, VMCS_SECONDARY_VM_EXEC_CONTROL, B_PROC2 & ~CPU2_UNRESTRICTED_GUEST);
	tvmcs_set(e, VMCS_GUEST_CR0, B_GUEST_CR0 | X86_CR0_PG);
}

/* A virtual-8086 guest: RFLAGS.VM and real-mode-style segments. */
void v86(struct tenv *e)
{
	static const u32 sel[] = { VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_CS_SELECTOR,
				   VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_DS_SELECTOR,
				   VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_GS_SELECTOR };

	for (unsigned i = 0; i < ARRAY_SIZE(sel); i++) {
		u32 n = sel[i] - VMCS_GUEST_ES_SELECTOR;	/* fields are spaced alike */

		tvmcs_set(e, sel[i], 0x1000 + 0x100 * i);
		tvmcs_set(e, VMCS_GUEST_ES_BASE + n, (0x1000 + 0x100 * i) << 4);
		tvmcs_set(e, VMCS_GUEST_ES_LIMIT + n, 0xffff);
		tvmcs_set(e, VMCS_GUEST_ES_AR_BYTES + n, 0xf3);
	}
	tvmcs_set(e, VMCS_GUEST_RFLAGS, X86_RFLAGS_VM | 0x2);
}

/* A 64-bit guest: "IA-32e mode guest", paging with PAE, EFER.LMA/LME, CS.L. */
void long_mode(struct tenv *e)
{
	tvmcs_set(e, VMCS_VM_ENTRY_CONTROLS, B_ENTRY | ENTRY_IA32E_MODE_GUEST);
	tvmcs_set(e, VMCS_GUEST_CR0, B_GUEST_CR0 | X86_CR0_PG);
	tvmcs_set(e, VMCS_GUEST_CR4, 0x2000 | X86_CR4_PAE);
	tvmcs_set(e, VMCS_GUEST_CR3, 0x1000);
	tvmcs_set(e, VMCS_GUEST_IA32_EFER, X86_EFER_LME | X86_EFER_LMA);
	tvmcs_set(e, VMCS_GUEST_CS_AR_BYTES, 0xa09b);	/* L=1, D=0 */
}

/* PAE paging (not IA-32e): the PDPTEs come from the VMCS with EPT. */
void pae(struct tenv *e)
{
	tvmcs_set(e, VMCS_GUEST_CR0, B_GUEST_CR0 | X86_CR0_PG);
	tvmcs_set(e, VMCS_GUEST_CR4, 0x2000 | X86_CR4_PAE);
	tvmcs_set(e, VMCS_GUEST_CR3, 0x20000);
	tvmcs_set(e, VMCS_GUEST_PDPTR0, 0x21001);
	tvmcs_set(e, VMCS_GUEST_PDPTR1, 0x22001);
	tvmcs_set(e, VMCS_GUEST_PDPTR2, 0);
	tvmcs_set(e, VMCS_GUEST_PDPTR3, 0);
}

/* PAE paging without EPT: the PDPTEs come from memory at CR3. */
void pae_no_ept(struct tenv *e)
{
	pae(e);
	tvmcs_set(e, VMCS_SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID);
}

/* "use TPR shadow" with a valid virtual-APIC page. */
void tpr_shadow(struct tenv *e)
{
	tvmcs_set(e, VMCS_CPU_BASED_VM_EXEC_CONTROL, B_PROC | CPU_USE_TPR_SHADOW);
	tvmcs_set(e, VMCS_VIRTUAL_APIC_PAGE_ADDR, 0x6000);
	tvmcs_set(e, VMCS_TPR_THRESHOLD, 0);
}

/* Posted interrupts, allowed by the caps, with everything they need. */
void posted(struct tenv *e)
{
	tpr_shadow(e);
	e->caps.true_pinbased |= (u64)PIN_POSTED_INTERRUPTS << 32;
	tvmcs_set(e, VMCS_PIN_BASED_VM_EXEC_CONTROL, B_PIN | PIN_POSTED_INTERRUPTS);
	tvmcs_set(e, VMCS_SECONDARY_VM_EXEC_CONTROL, B_PROC2 | CPU2_VIRTUAL_INTR_DELIVERY);
	tvmcs_set(e, VMCS_VM_EXIT_CONTROLS, B_EXIT | EXIT_ACK_INTR_ON_EXIT);
	tvmcs_set(e, VMCS_POSTED_INTR_NV, 0xf2);
	tvmcs_set(e, VMCS_POSTED_INTR_DESC_ADDR, 0x7000);
}

/* "VMCS shadowing" with valid bitmaps. */
void shadowing(struct tenv *e)
{
	tvmcs_set(e, VMCS_SECONDARY_VM_EXEC_CONTROL, get(e, VMCS_SECONDARY_VM_EXEC_CONTROL) |
		  CPU2_VMCS_SHADOWING);
	tvmcs_set(e, VMCS_VMREAD_BITMAP, 0xb000);
	tvmcs_set(e, VMCS_VMWRITE_BITMAP, 0xc000);
}

/* EPTP switching, allowed by the caps, with a valid list. */
void eptp_switching(struct tenv *e)
{
	e->caps.vmfunc = VMFUNC_EPTP_SWITCHING;
	e->caps.has_vmfunc = true;
	tvmcs_set(e, VMCS_SECONDARY_VM_EXEC_CONTROL, get(e, VMCS_SECONDARY_VM_EXEC_CONTROL) |
		  CPU2_ENABLE_VMFUNC);
	tvmcs_set(e, VMCS_VM_FUNCTION_CONTROL, VMFUNC_EPTP_SWITCHING);
	tvmcs_set(e, VMCS_EPTP_LIST_ADDRESS, 0xa000);
}

/* A linked VMCS region at 0x10000 and a memory reader for it. */
void with_mem(struct tenv *e) { e->use_mem = true; }

/* Capability tweaks. */
void caps_no_true(struct tenv *e) { e->caps.has_true = false; }
void caps_proc2_must_be_1(struct tenv *e) { e->caps.procbased2 |= BIT(10); }
void caps_allow_mbec(struct tenv *e) { e->caps.procbased2 |= (u64)CPU2_MODE_BASED_EPT_EXEC << 32; }
void caps_no_ept_uc(struct tenv *e) { e->caps.ept_vpid &= ~BIT(8); }
void caps_ept_walk5(struct tenv *e) { e->caps.ept_vpid |= BIT(7); }
void caps_no_ept_ad(struct tenv *e) { e->caps.ept_vpid &= ~BIT(21); }
void caps_no_ept_sss(struct tenv *e) { e->caps.ept_vpid &= ~BIT(23); }
void caps_no_mtf(struct tenv *e) { e->caps.true_procbased &= ~((u64)CPU_MONITOR_TRAP_FLAG << 32); }
void caps_strict_error_code(struct tenv *e) { e->caps.basic &= ~VMX_BASIC_ANY_ERROR_CODE; }
void caps_no_zero_len(struct tenv *e) { e->caps.misc &= ~BIT(30); }
void caps_no_hlt(struct tenv *e) { e->caps.misc &= ~BIT(6); }

