/* Invalid vmcs12s, one broken rule each, and what VMLAUNCH makes of them
 * (SDM Vol. 3C 27.1-27.4): controls (27.2.1) VMfailValid(7), host state
 * (27.2.2-27.2.4) VMfailValid(8), guest state (27.3.1) a VM-entry failure
 * exit with reason 33 and bit 31, the VMCS link pointer (27.3.1.5) the
 * same with qualification 4, the VM-entry MSR-load list (27.4) reason 34
 * with the failing entry's index from 1 (FS_BASE and GS_BASE may not be
 * in the list at all, x2APIC MSRs neither, bits 63:32 of the index
 * quadword are reserved, and a value WRMSR would refuse fails too); the launch state (31.3, VMLAUNCH/
 * VMRESUME) errors 4 and 5. Each case starts from l2_prepare()'s valid
 * vmcs12, so only the one rule is broken. */
#include "l2.h"

#define NON_CANONICAL 0x0000800000000000ull
#define CR0_NE BIT(5)
#define SEL_TI BIT(2)
#define AR_UNUSABLE BIT(16)
#define AR_DATA64 0xa093		/* the code descriptor's bits with a data type */
#define AR_TSS16_BUSY 0x83
#define RFLAGS_FIXED1 BIT(1)
#define INTR_BLOCK_STI BIT(0)		/* interruptibility state (25.4.2) */
#define ACTIVITY_RESERVED 4		/* 0-3 are defined (25.4.2) */
#define LINK_BAD_ALIGN 0x10		/* bits 11:0 must be 0 */
#define CR3_TARGETS_MAX 4		/* 27.2.1.1 */
#define INTR_INFO_VALID BIT(31)
#define INTR_TYPE_RESERVED (1u << 8)	/* type 1 is reserved (25.8.3) */
#define MSR_LIST_ENTRIES 4
#define X2APIC_TPR 0x808
#define FS_BASE_OK 0x1000
#define KGS_LOADED 0x00007ffff0000000ull

static struct msr_entry msr_list[MSR_LIST_ENTRIES] __aligned(16);
static u8 bad_link_page[PAGE_SIZE] __aligned(PAGE_SIZE);

#define ENTRY_FAILED(reason) (EXIT_REASON_FAILED_VMENTRY | (reason))

/* Runs VMLAUNCH of the current (broken) vmcs12 and wants VMfailValid(n). */
static void launch_fails(u32 n, const char *what)
{
	struct l2_exit e = l2_launch();

	check_fail(&e, n, "%s", what);
	l2_finish();
}

static void check_qualification(const struct l2_exit *e, u64 qual, const char *what)
{
	if (e->qualification == qual)
		res(true, "%s: qualification %llu", what, (unsigned long long)qual);
	else
		res(false, "%s: qualification %llu expected, got %llu", what,
		    (unsigned long long)qual, (unsigned long long)e->qualification);
}

/* Runs VMLAUNCH and wants an entry-failure exit of basic reason with
 * qualification qual. */
static void launch_exits(u32 reason, u64 qual, const char *what)
{
	struct l2_exit e = l2_launch();

	if (check_exit(&e, ENTRY_FAILED(reason), NULL, -1, "%s: exit reason %u, bit 31 set",
		       what, reason))
		check_qualification(&e, qual, what);
	l2_finish();
}

/* A field of the valid vmcs12 changed: value ^ flip (SET: value = set). */
struct field_case {
	const char *what;
	u32 field;
	u64 flip;
	bool set;
	u64 value;
};

static void field_cases(const struct field_case *c, unsigned n, u32 error, u32 reason)
{
	for (unsigned i = 0; i < n; i++) {
		l2_prepare(l2_vmcall);
		vmcs_write(c[i].field, c[i].set ? c[i].value : vmcs_read(c[i].field) ^ c[i].flip);
		if (error)
			launch_fails(error, c[i].what);
		else
			launch_exits(reason, 0, c[i].what);
	}
}

/* For each control word: a bit its capability MSR requires cleared, a bit
 * it does not allow set (A.3-A.5); the bits are on INFO lines, since
 * nestvisor may allow fewer than the CPU. */
static void control_bit_cases(void)
{
	for (unsigned ctl = 0; ctl < CTL_COUNT; ctl++) {
		u32 must1 = (u32)env.cap[ctl], may1 = (u32)(env.cap[ctl] >> 32);
		u32 field = env.ctl_field[ctl];

		if (ctl == CTL_PROC2 && !env.vpid) {
			res_info("%s controls: not in use (no VPID)", env.cap_name[ctl]);
			continue;
		}
		if (must1) {
			res_info("%s: bit %u cleared", env.cap_name[ctl], __builtin_ctz(must1));
			l2_prepare(l2_vmcall);
			vmcs_clear_bits(field, BIT(__builtin_ctz(must1)));
			launch_fails(VMXERR_ENTRY_INVALID_CONTROL,
				     "a control bit its capability MSR requires, cleared");
		} else {
			res_info("%s: no bit must be 1", env.cap_name[ctl]);
		}
		if (~may1) {
			res_info("%s: bit %u set", env.cap_name[ctl], __builtin_ctz(~may1));
			l2_prepare(l2_vmcall);
			vmcs_set_bits(field, BIT(__builtin_ctz(~may1)));
			launch_fails(VMXERR_ENTRY_INVALID_CONTROL,
				     "a control bit its capability MSR does not allow, set");
		}
	}
}

void t_bad_controls(void)
{
	static const struct field_case cases[] = {
		{ "CR3-target count 5 (at most 4)", VMCS_CR3_TARGET_COUNT, 0, true,
		  CR3_TARGETS_MAX + 1 },
		{ "MSR-bitmap address not 4 KiB-aligned", VMCS_MSR_BITMAP, 0x800, false, 0 },
		{ "VM-entry interruption information with reserved type 1",
		  VMCS_VM_ENTRY_INTR_INFO_FIELD, 0, true, INTR_INFO_VALID | INTR_TYPE_RESERVED },
	};

	control_bit_cases();
	field_cases(cases, ARRAY_SIZE(cases), VMXERR_ENTRY_INVALID_CONTROL, 0);

	l2_prepare(l2_vmcall);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_UNCONDITIONAL_IO_EXITING);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_USE_IO_BITMAPS);
	vmcs_write(VMCS_IO_BITMAP_A, vmcs_read(VMCS_IO_BITMAP_A) | 0x800);
	launch_fails(VMXERR_ENTRY_INVALID_CONTROL, "I/O-bitmap A address not 4 KiB-aligned");

	if (env.vpid) {
		l2_prepare(l2_vmcall);
		vmcs_write(VMCS_VIRTUAL_PROCESSOR_ID, 0);
		launch_fails(VMXERR_ENTRY_INVALID_CONTROL, "enable VPID with VPID 0");
	} else {
		res_info("VPID not advertised: VPID 0 not tried");
	}

	l2_prepare(l2_vmcall);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 1);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_ADDR, ptr_to_phys(msr_list) | 8);
	launch_fails(VMXERR_ENTRY_INVALID_CONTROL, "VM-entry MSR-load address bits 3:0 not 0");
}

void t_bad_host(void)
{
	const struct field_case cases[] = {
		{ "host CR0 with NE clear (IA32_VMX_CR0_FIXED0)", VMCS_HOST_CR0, CR0_NE },
		{ "host CR4 with VMXE clear (IA32_VMX_CR4_FIXED0)", VMCS_HOST_CR4, CR4_VMXE },
		{ "host CR3 with a bit beyond the physical-address width", VMCS_HOST_CR3,
		  BIT(env.f.pa_width) },
		{ "host CS selector 0", VMCS_HOST_CS_SELECTOR, 0, true, 0 },
		{ "host TR selector 0", VMCS_HOST_TR_SELECTOR, 0, true, 0 },
		{ "host DS selector with TI set", VMCS_HOST_DS_SELECTOR, SEL_TI },
		{ "host RIP not canonical", VMCS_HOST_RIP, 0, true, NON_CANONICAL },
		{ "host FS base not canonical", VMCS_HOST_FS_BASE, 0, true, NON_CANONICAL },
		{ "host GDTR base not canonical", VMCS_HOST_GDTR_BASE, 0, true, NON_CANONICAL },
		{ "host SYSENTER_ESP not canonical", VMCS_HOST_IA32_SYSENTER_ESP, 0, true,
		  NON_CANONICAL },
		{ "host address-space size 0 from IA-32e mode", VMCS_VM_EXIT_CONTROLS,
		  EXIT_HOST_ADDRESS_SPACE_SIZE },
	};

	field_cases(cases, ARRAY_SIZE(cases), VMXERR_ENTRY_INVALID_HOST_STATE, 0);
}

void t_bad_guest(void)
{
	static const struct field_case cases[] = {
		{ "guest CR0 with NE clear (IA32_VMX_CR0_FIXED0)", VMCS_GUEST_CR0, CR0_NE },
		{ "guest CR4 with VMXE clear (IA32_VMX_CR4_FIXED0)", VMCS_GUEST_CR4, CR4_VMXE },
		{ "guest RFLAGS bit 1 clear", VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 },
		{ "guest TR with a 16-bit busy TSS type in IA-32e mode", VMCS_GUEST_TR_AR_BYTES,
		  0, true, AR_TSS16_BUSY },
		{ "guest CS with a data-segment type", VMCS_GUEST_CS_AR_BYTES, 0, true, AR_DATA64 },
		{ "guest TR unusable", VMCS_GUEST_TR_AR_BYTES, AR_UNUSABLE },
		{ "guest GDTR base not canonical", VMCS_GUEST_GDTR_BASE, 0, true, NON_CANONICAL },
		{ "guest activity state 4 (reserved)", VMCS_GUEST_ACTIVITY_STATE, 0, true,
		  ACTIVITY_RESERVED },
		{ "guest blocking by STI with RFLAGS.IF = 0", VMCS_GUEST_INTERRUPTIBILITY_INFO, 0,
		  true, INTR_BLOCK_STI },
	};

	field_cases(cases, ARRAY_SIZE(cases), 0, EXIT_REASON_INVALID_GUEST_STATE);
}

void t_bad_link(void)
{
	l2_prepare(l2_vmcall);
	vmcs_write(VMCS_VMCS_LINK_POINTER, ptr_to_phys(bad_link_page));
	launch_exits(EXIT_REASON_INVALID_GUEST_STATE, 4,
		     "VMCS link pointer to a page with another revision id");

	l2_prepare(l2_vmcall);
	vmcs_write(VMCS_VMCS_LINK_POINTER, ptr_to_phys(bad_link_page) | LINK_BAD_ALIGN);
	launch_exits(EXIT_REASON_INVALID_GUEST_STATE, 4, "VMCS link pointer not 4 KiB-aligned");
}

/* Runs VMLAUNCH with the first n entries of msr_list as the VM-entry
 * MSR-load list. */
static struct l2_exit launch_with_msr_list(const void *entry, unsigned n)
{
	l2_prepare(entry);
	l2_regs.rcx = MSR_KERNEL_GS_BASE;
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, n);
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_ADDR, ptr_to_phys(msr_list));
	return l2_launch();
}

static void msr_list_fails(unsigned n, u64 index_from_1, const char *what)
{
	struct l2_exit e = launch_with_msr_list(l2_vmcall, n);

	if (check_exit(&e, ENTRY_FAILED(EXIT_REASON_MSR_LOAD_FAIL), NULL, -1,
		       "%s: exit reason 34, bit 31 set", what))
		check_qualification(&e, index_from_1, what);
	l2_finish();
}

void t_msr_load(void)
{
	u64 kgs = rdmsr(MSR_KERNEL_GS_BASE);
	struct l2_exit e;

	/* A valid list loads KERNEL_GS_BASE for L2, which reads it back. It
	 * is not part of the host state: L1 restores its own afterwards. */
	msr_list[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, KGS_LOADED };
	e = launch_with_msr_list(l2_rdmsr, 1);
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_rdmsr_next, 3,
		       "a valid VM-entry MSR-load list (KERNEL_GS_BASE) lets L2 run"))
		res((l2_regs.rdx << 32 | (u32)l2_regs.rax) == KGS_LOADED,
		    "L2 reads the KERNEL_GS_BASE the list loaded");
	l2_finish();

	/* Entries that fail, each after valid ones where it is not first. */
	msr_list[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, KGS_LOADED };
	msr_list[1] = (struct msr_entry){ MSR_FS_BASE, 0, FS_BASE_OK };
	msr_list_fails(2, 2, "MSR-load entry 2: FS_BASE (never loadable from the list)");

	msr_list[1] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, KGS_LOADED };
	msr_list[2] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, NON_CANONICAL };
	msr_list_fails(3, 3, "MSR-load entry 3: KERNEL_GS_BASE not canonical (WRMSR would #GP)");

	msr_list[0] = (struct msr_entry){ X2APIC_TPR, 0, 0 };
	msr_list_fails(1, 1, "MSR-load entry 1: x2APIC MSR 0x808");

	msr_list[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, KGS_LOADED };
	msr_list[1] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 1, KGS_LOADED };
	msr_list_fails(2, 2, "MSR-load entry 2: bits 63:32 of its index quadword set");
	wrmsr(MSR_KERNEL_GS_BASE, kgs);
}

void t_launch_state(void)
{
	struct l2_exit e;

	l2_prepare(l2_vmcall);
	e = l2_resume();
	check_fail(&e, VMXERR_VMRESUME_NONLAUNCHED_VMCS, "VMRESUME of a clear VMCS");
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_vmcall, 3, "VMLAUNCH of the clear VMCS runs L2")) {
		e = l2_launch();
		check_fail(&e, VMXERR_VMLAUNCH_NONCLEAR_VMCS, "VMLAUNCH of a launched VMCS");
		e = l2_resume();
		check_exit(&e, EXIT_REASON_VMCALL, l2_vmcall, 3,
			   "VMRESUME of the launched VMCS runs L2 again");
	}
	l2_finish();

	/* A failed VM entry does not launch the VMCS (27.8: the launch state
	 * changes only when the entry succeeds). */
	l2_prepare(l2_vmcall);
	vmcs_write(VMCS_GUEST_RFLAGS, 0);
	e = l2_launch();
	if (check_exit(&e, ENTRY_FAILED(EXIT_REASON_INVALID_GUEST_STATE), NULL, -1,
		       "VMLAUNCH with RFLAGS bit 1 clear fails with exit 33")) {
		e = l2_resume();
		check_fail(&e, VMXERR_VMRESUME_NONLAUNCHED_VMCS,
			   "the VMCS stays clear after a failed VM entry: VMRESUME");
	}
	l2_finish();
}
