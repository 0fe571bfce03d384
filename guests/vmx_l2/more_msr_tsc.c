/* State that passes between L1 and L2 outside the guest- and host-state
 * areas (SDM Vol. 3C): MSRs through the VM-entry MSR-load list (27.4), the
 * VM-exit MSR-store (28.4) and MSR-load (28.6) lists, or as they are when
 * there are none, and what a VM-entry failure does with the lists and the
 * exit information (27.8); the TSC through TSC offsetting, or RDTSC exiting
 * (26.1.3, 26.3). */
#include "l2.h"
#include "../../vmx/intr_info.h"

#define LSTAR_L2 0x0000222233334000ull
#define KGS_L2 0x0000444455556000ull

#define KGS_MARK 0x0000666677778000ull
#define STORE_SENTINEL 0x5a5a5a5a5a5a5a5aull
#define BAD_INJECT_VECTOR 0x64

#define TSC_OFFSET_HUGE (1ull << 62)
#define TSC_EMULATED 0x0123456789abcdefull

static struct msr_entry entry_load[1] __aligned(16);
static struct msr_entry exit_store[2] __aligned(16);
static struct msr_entry exit_load[2] __aligned(16);

/* The first n entries of list as the list whose count and address fields
 * are given. */
static void use_list(u32 count_field, u32 addr_field, const struct msr_entry *list, unsigned n)
{
	vmcs_write(count_field, n);
	vmcs_write(addr_field, ptr_to_phys(list));
}

/* L2 reads LSTAR and writes KGS_L2 to KERNEL_GS_BASE (L1's bitmap, all
 * clear, passes both). */
static struct l2_exit msr_rw_run(void)
{
	l2_regs.rcx = MSR_LSTAR;
	l2_regs.rsi = MSR_KERNEL_GS_BASE;
	l2_regs.r10 = (u32)KGS_L2;
	l2_regs.r11 = KGS_L2 >> 32;
	return l2_launch();
}

static u64 l2_read_value(void)
{
	return l2_regs.r9 << 32 | (u32)l2_regs.r8;
}

void t_msr_lists(void)
{
	u64 kgs = rdmsr(MSR_KERNEL_GS_BASE), lstar = rdmsr(MSR_LSTAR);
	struct l2_exit e;

	entry_load[0] = (struct msr_entry){ MSR_LSTAR, 0, LSTAR_L2 };
	exit_store[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, 0 };
	exit_store[1] = (struct msr_entry){ MSR_LSTAR, 0, 0 };
	exit_load[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, kgs };
	exit_load[1] = (struct msr_entry){ MSR_LSTAR, 0, lstar };
	l2_prepare(l2_msr_rw);
	use_list(VMCS_VM_ENTRY_MSR_LOAD_COUNT, VMCS_VM_ENTRY_MSR_LOAD_ADDR, entry_load,
		 ARRAY_SIZE(entry_load));
	use_list(VMCS_VM_EXIT_MSR_STORE_COUNT, VMCS_VM_EXIT_MSR_STORE_ADDR, exit_store,
		 ARRAY_SIZE(exit_store));
	use_list(VMCS_VM_EXIT_MSR_LOAD_COUNT, VMCS_VM_EXIT_MSR_LOAD_ADDR, exit_load,
		 ARRAY_SIZE(exit_load));
	e = msr_rw_run();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_msr_rw_end, 3,
		       "L2 reads LSTAR and writes KERNEL_GS_BASE, both passed: no exit")) {
		res(l2_read_value() == LSTAR_L2,
		    "VM-entry MSR-load list: L2 reads the LSTAR the list loaded");
		res(exit_store[0].value == KGS_L2,
		    "VM-exit MSR-store list: KERNEL_GS_BASE as L2 wrote it");
		res(exit_store[1].value == LSTAR_L2,
		    "VM-exit MSR-store list: LSTAR as the VM-entry list loaded it");
		res(rdmsr(MSR_KERNEL_GS_BASE) == kgs && rdmsr(MSR_LSTAR) == lstar,
		    "VM-exit MSR-load list: L1 reads its own KERNEL_GS_BASE and LSTAR again");
	}
	l2_finish();
	wrmsr(MSR_KERNEL_GS_BASE, kgs);
	wrmsr(MSR_LSTAR, lstar);

	/* Neither MSR is part of the guest or host state: without lists they
	 * pass from L1 to L2 and back as they are (27.3.2, 28.5). */
	l2_prepare(l2_msr_rw);
	e = msr_rw_run();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_msr_rw_end, 3,
		       "without MSR lists: no exit either")) {
		res(l2_read_value() == lstar, "without a VM-entry MSR-load list L2 reads L1's LSTAR");
		res(rdmsr(MSR_KERNEL_GS_BASE) == KGS_L2,
		    "without a VM-exit MSR-load list L1 finds the KERNEL_GS_BASE L2 wrote");
	}
	l2_finish();
	wrmsr(MSR_KERNEL_GS_BASE, kgs);
}

/* A VM-entry failure after the guest-state checks (27.8) leaves the valid
 * bit of the VM-entry interruption information set, stores no MSRs, and
 * loads L1's state as a VM exit does, the VM-exit MSR-load list included.
 * (That it leaves the exit information but reason and qualification alone
 * is not checked: Bochs 2.7 rewrites some, guests/README.md.) The failure:
 * an external interrupt injected while L2's RFLAGS.IF is 0 (27.3.1.4). */
void t_entry_failure(void)
{
	u64 kgs = rdmsr(MSR_KERNEL_GS_BASE);
	u32 bad = intr_info_make(INTR_TYPE_EXT_INTR, BAD_INJECT_VECTOR);
	struct l2_exit e;

	l2_prepare(l2_vmcall);
	e = l2_launch();
	if (!check_exit(&e, EXIT_REASON_VMCALL, l2_vmcall, 3, "L2 runs to its VMCALL first"))
		goto out;
	exit_store[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, STORE_SENTINEL };
	exit_load[0] = (struct msr_entry){ MSR_KERNEL_GS_BASE, 0, KGS_MARK };
	use_list(VMCS_VM_EXIT_MSR_STORE_COUNT, VMCS_VM_EXIT_MSR_STORE_ADDR, exit_store, 1);
	use_list(VMCS_VM_EXIT_MSR_LOAD_COUNT, VMCS_VM_EXIT_MSR_LOAD_ADDR, exit_load, 1);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, bad);
	e = l2_resume();
	if (!check_exit(&e, EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_GUEST_STATE, NULL, -1,
			"an external interrupt injected with L2's IF = 0: VM-entry failure, exit "
			"33 with bit 31"))
		goto out;
	res(vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) == bad,
	    "the failure leaves the VM-entry interruption information valid");
	res(exit_store[0].value == STORE_SENTINEL, "the failure stores no MSR");
	res(rdmsr(MSR_KERNEL_GS_BASE) == KGS_MARK,
	    "the failure loads the VM-exit MSR-load list: L1 reads its KERNEL_GS_BASE");
out:
	wrmsr(MSR_KERNEL_GS_BASE, kgs);
	l2_finish();
}

void t_tsc_offset(void)
{
	struct l2_exit e;
	u64 before, after, t;

	l2_prepare(l2_rdtsc);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_TSC_OFFSETTING);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_RDTSC_EXITING);
	vmcs_write(VMCS_TSC_OFFSET, TSC_OFFSET_HUGE);
	before = rdtsc();
	e = l2_launch();
	after = rdtsc();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_rdtsc_end, 3,
		       "RDTSC in L2 with TSC offsetting, without RDTSC exiting: no exit")) {
		t = l2_regs.rax;
		res(t >= before + TSC_OFFSET_HUGE && t <= after + TSC_OFFSET_HUGE,
		    "L2's RDTSC is L1's TSC plus the offset 2^62 (between L1's RDTSC before the "
		    "entry and after the exit, plus the offset)");
		res_info("TSC: L2 read L1's TSC before the entry + offset + %llu; the run took %llu",
			 (unsigned long long)(t - before - TSC_OFFSET_HUGE),
			 (unsigned long long)(after - before));
	}
	l2_finish();

	l2_prepare(l2_rdtsc);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_TSC_OFFSETTING | CPU_RDTSC_EXITING);
	vmcs_write(VMCS_TSC_OFFSET, TSC_OFFSET_HUGE);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_RDTSC, l2_rdtsc, 2,
		       "with RDTSC exiting RDTSC exits: reason 16, length 2")) {
		l2_regs.rax = (u32)TSC_EMULATED;
		l2_regs.rdx = TSC_EMULATED >> 32;
		e = l2_skip_and_resume(&e);
		if (check_exit(&e, EXIT_REASON_VMCALL, l2_rdtsc_end, 3,
			       "after the RDTSC exit L2 goes on"))
			res(l2_regs.rax == TSC_EMULATED, "L2 got the TSC value L1 emulated");
	}
	l2_finish();
}
