/* More of what L2 can do, and what L1 sees of it (SDM Vol. 3C):
 * control-register accesses under L1's guest/host masks and CR3 controls
 * (26.1.3 which exit, 26.3 what those that do not exit do, 28.2.1 the
 * qualification); exceptions by the exception bitmap and the #PF
 * error-code mask/match (26.2); L1's interrupts delivered in L2 when L1
 * does not exit on them (26.2, 26.4); the VM-entry MSR-load (27.4), VM-exit
 * MSR-store (28.4) and MSR-load (28.6) lists; TSC offsetting (26.3). */
#include "l2.h"
#include "../lib/apic.h"
#include "../lib/paging.h"
#include "../../vmx/intr_info.h"

/* Control-register exit qualification (SDM 28.2.1, Table 28-3): CR number
 * in bits 3:0, access type 5:4, general-purpose register 11:8. */
#define CRQ(cr, type, reg) ((u64)(cr) | (u64)(type) << 4 | (u64)(reg) << 8)
enum { CRQ_MOV_TO = 0, CRQ_MOV_FROM = 1 };
enum { REG_RBX = 3, REG_RSI = 6, REG_RDI = 7 };	/* Table 28-3's numbering */
#define CR0_NE BIT(5)
#define CR4_TSD BIT(2)
#define CR4_PCE BIT(8)
#define MOV_CR_LEN 3
#define CR3_EMULATED 0x0000000012345000ull	/* what L1 makes L2's MOV from CR3 read */
#define MISC_CR3_TARGETS(misc) (((misc) >> 16) & 0x1ff)	/* IA32_VMX_MISC (A.6) */

#define EXCEPTION_ALL 0xffffffffu
#define PF_READ_NOT_PRESENT 0		/* #PF error code: P, W, U/S all 0 */

#define TIMER_VECTOR_L2 0x62
#define TIMER_DIVISOR 1
#define TIMER_COUNT 2000
#define L2_SPINS 5000000

#define LSTAR_L2 0x0000222233334000ull
#define KGS_L2 0x0000444455556000ull

#define TSC_OFFSET_HUGE (1ull << 62)
#define TSC_EMULATED 0x0123456789abcdefull

/* What L1's handlers saw of the traps L2 took through the (shared) IDT. */
static volatile unsigned l2_traps;
static volatile u64 l2_trap_rip, l2_trap_cr2, l2_trap_error;

static u8 pf_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static struct msr_entry entry_load[1] __aligned(16);
static struct msr_entry exit_store[2] __aligned(16);
static struct msr_entry exit_load[2] __aligned(16);

static void record_trap(const struct trap_frame *tf)
{
	l2_traps++;
	l2_trap_rip = tf->rip;
	l2_trap_error = tf->error_code;
}

/* ---- Control registers ---- */

/* L1 owns CR0.TS and CR4.PCE; L2 sees the shadows' values of them. */
static void own_ts_pce(u64 shadow0, u64 shadow4)
{
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, CR0_TS);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, CR4_PCE);
	vmcs_write(VMCS_CR0_READ_SHADOW, shadow0);
	vmcs_write(VMCS_CR4_READ_SHADOW, shadow4);
}

/* Checks the qualification of a MOV-CR exit. */
static void check_crq(const struct l2_exit *e, u64 want, const char *what)
{
	if (e->qualification == want)
		res(true, "%s qualification 0x%llx: CR number, access type, register",
		    what, (unsigned long long)want);
	else
		res(false, "%s qualification 0x%llx expected, got 0x%llx", what,
		    (unsigned long long)want, (unsigned long long)e->qualification);
}

void t_cr_owned(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	struct l2_exit e;

	l2_prepare(l2_mov_cr);
	own_ts_pce(cr0, cr4);
	l2_regs.rbx = cr0 ^ CR0_TS;
	l2_regs.rsi = cr4 ^ CR4_PCE;
	e = l2_launch();
	if (!check_exit(&e, EXIT_REASON_CR_ACCESS, l2_mov_cr, MOV_CR_LEN,
			"MOV to CR0 changing CR0.TS, which L1 owns, exits: reason 28, length 3"))
		goto out;
	check_crq(&e, CRQ(0, CRQ_MOV_TO, REG_RBX), "MOV CR0, RBX:");
	/* L1 emulates the write: L2 is to read TS as it wrote it. */
	vmcs_write(VMCS_CR0_READ_SHADOW, l2_regs.rbx);
	e = l2_skip_and_resume(&e);
	if (!check_exit(&e, EXIT_REASON_CR_ACCESS, l2_mov_cr4, MOV_CR_LEN,
			"MOV to CR4 changing CR4.PCE, which L1 owns, exits: reason 28, length 3"))
		goto out;
	check_crq(&e, CRQ(4, CRQ_MOV_TO, REG_RSI), "MOV CR4, RSI:");
	vmcs_write(VMCS_CR4_READ_SHADOW, l2_regs.rsi);
	e = l2_skip_and_resume(&e);
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_mov_cr_end, 3,
		       "MOV from CR0 and CR4 do not exit: L2 goes on to its VMCALL")) {
		res(l2_regs.rdi == l2_regs.rbx && l2_regs.rbp == l2_regs.rsi,
		    "L2 reads CR0.TS and CR4.PCE from L1's read shadows, the rest as it is");
		res(vmcs_read(VMCS_GUEST_CR0) == cr0 && vmcs_read(VMCS_GUEST_CR4) == cr4,
		    "GUEST_CR0 and GUEST_CR4 keep their TS and PCE: the writes that exited "
		    "changed nothing");
	}
out:
	l2_finish();
}

void t_cr_unowned(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	struct l2_exit e;

	l2_prepare(l2_mov_cr);
	own_ts_pce(cr0, cr4);
	l2_regs.rbx = cr0 ^ CR0_MP;
	l2_regs.rsi = cr4 ^ CR4_TSD;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_mov_cr_end, 3,
		       "MOV to CR0 and CR4 changing bits L1 does not own (MP, TSD): no exit")) {
		res(vmcs_read(VMCS_GUEST_CR0) == l2_regs.rbx,
		    "VMREAD GUEST_CR0 after the VMCALL exit shows L2's new CR0.MP");
		res(vmcs_read(VMCS_GUEST_CR4) == l2_regs.rsi,
		    "VMREAD GUEST_CR4 after the VMCALL exit shows L2's new CR4.TSD");
		res(l2_regs.rdi == l2_regs.rbx && l2_regs.rbp == l2_regs.rsi,
		    "L2 reads back the CR0 and CR4 it wrote");
	}
	l2_finish();

	/* Owned bits written as the shadows hold them do not exit, and MOV
	 * leaves the owned bits of the register alone (26.3). */
	l2_prepare(l2_mov_cr);
	own_ts_pce(cr0 ^ CR0_TS, cr4 ^ CR4_PCE);
	l2_regs.rbx = cr0 ^ CR0_TS;
	l2_regs.rsi = cr4 ^ CR4_PCE;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_mov_cr_end, 3,
		       "MOV to CR0/CR4 writing TS/PCE as L1's shadows hold them: no exit")) {
		res(vmcs_read(VMCS_GUEST_CR0) == cr0 && vmcs_read(VMCS_GUEST_CR4) == cr4,
		    "such a MOV leaves the owned bits of GUEST_CR0/CR4 as they were");
		res(l2_regs.rdi == l2_regs.rbx && l2_regs.rbp == l2_regs.rsi,
		    "L2 reads the owned bits from the shadows");
	}
	l2_finish();
}

static void gp_handler(struct trap_frame *tf)
{
	record_trap(tf);
	tf->rip += MOV_CR_LEN;
}

/* CR0.NE and CR4.VMXE are fixed to 1 in VMX operation, L2's too (SDM 24.8,
 * IA32_VMX_CR0/CR4_FIXED0): clearing one where L1 does not own it is #GP(0)
 * in L2, which L1's exception bitmap turns into an exit (26.2); where L1
 * owns it the MOV exits as a control-register access first (26.1.1). */
void t_cr_fixed(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	u64 gp = intr_info_make(INTR_TYPE_HW_EXCEPTION, VEC_GP) | INTR_INFO_DELIVER_CODE;
	struct l2_exit e;

	trap_set_handler(VEC_GP, gp_handler);
	l2_prepare(l2_mov_cr);
	l2_regs.rbx = cr0 & ~(u64)CR0_NE;
	l2_regs.rsi = cr4 & ~(u64)CR4_VMXE;
	e = l2_launch();
	if (!check_exit(&e, EXIT_REASON_EXCEPTION_NMI, l2_mov_cr, -1,
			"MOV to CR0 clearing CR0.NE, not owned by L1, with bit 13 in the exception "
			"bitmap: #GP exits (reason 0)"))
		goto out;
	res(e.intr_info == gp && vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE) == 0,
	    "CR0.NE: interruption information valid, hardware exception 13, error code 0");
	vmcs_write(VMCS_GUEST_RIP, e.rip + MOV_CR_LEN);
	e = l2_resume();
	if (!check_exit(&e, EXIT_REASON_EXCEPTION_NMI, l2_mov_cr4, -1,
			"MOV to CR4 clearing CR4.VMXE, not owned by L1: #GP exits (reason 0)"))
		goto out;
	res(e.intr_info == gp && vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE) == 0,
	    "CR4.VMXE: interruption information valid, hardware exception 13, error code 0");
	l2_finish();

	l2_prepare(l2_mov_cr);
	vmcs_write(VMCS_EXCEPTION_BITMAP, EXCEPTION_ALL & ~BIT(VEC_GP));
	l2_regs.rbx = cr0 & ~(u64)CR0_NE;
	l2_regs.rsi = cr4 & ~(u64)CR4_VMXE;
	l2_traps = 0;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_mov_cr_end, 3,
		       "without bit 13 neither MOV exits: L2 goes on to its VMCALL")) {
		res(l2_traps == 2 && l2_trap_error == 0,
		    "L2 took #GP(0) through the IDT for each (handler ran %u times)", l2_traps);
		res(vmcs_read(VMCS_GUEST_CR0) == cr0 && vmcs_read(VMCS_GUEST_CR4) == cr4,
		    "GUEST_CR0 and GUEST_CR4 still have NE and VMXE");
	}
	l2_finish();

	l2_prepare(l2_mov_cr);
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, CR0_NE);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	l2_regs.rbx = cr0 & ~(u64)CR0_NE;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_CR_ACCESS, l2_mov_cr, MOV_CR_LEN,
		       "with CR0.NE in L1's mask clearing it exits as a CR access (28), not #GP"))
		check_crq(&e, CRQ(0, CRQ_MOV_TO, REG_RBX), "MOV CR0, RBX clearing NE:");
out:
	l2_finish();
	trap_set_handler(VEC_GP, NULL);
}

/* L2 runs l2_cr3 with RBX = CR3 under CR3-load exiting and count targets
 * (target 0 = target); returns the first exit. */
static struct l2_exit cr3_run(u32 extra, unsigned count, u64 target)
{
	l2_prepare(l2_cr3);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_CR3_LOAD_EXITING | extra);
	vmcs_write(VMCS_CR3_TARGET_COUNT, count);
	vmcs_write(VMCS_CR3_TARGET_VALUE0, target);
	l2_regs.rbx = read_cr3();
	return l2_launch();
}

void t_cr3(void)
{
	u64 cr3 = read_cr3();
	struct l2_exit e;

	if (MISC_CR3_TARGETS(env.f.caps.misc) < 1) {
		res_info("IA32_VMX_MISC offers no CR3-target value: the target cases are left out");
	} else {
		e = cr3_run(CPU_CR3_STORE_EXITING, 1, cr3);
		if (check_exit(&e, EXIT_REASON_CR_ACCESS, l2_cr3_read, MOV_CR_LEN,
			       "MOV to CR3 of the CR3-target value: no exit; MOV from CR3 under "
			       "CR3-store exiting exits (reason 28, length 3)")) {
			check_crq(&e, CRQ(3, CRQ_MOV_FROM, REG_RDI), "MOV RDI, CR3:");
			l2_regs.rdi = CR3_EMULATED;
			e = l2_skip_and_resume(&e);
			if (check_exit(&e, EXIT_REASON_VMCALL, l2_cr3_end, 3,
				       "after the CR3-store exit L2 goes on"))
				res(l2_regs.rdi == CR3_EMULATED, "L2 got the CR3 value L1 emulated");
		}
		l2_finish();

		e = cr3_run(0, 1, cr3 + PAGE_SIZE);
		if (check_exit(&e, EXIT_REASON_CR_ACCESS, l2_cr3, MOV_CR_LEN,
			       "MOV to CR3 of a value no CR3 target matches exits")) {
			check_crq(&e, CRQ(3, CRQ_MOV_TO, REG_RBX), "MOV CR3, RBX:");
			vmcs_write(VMCS_GUEST_CR3, l2_regs.rbx);	/* L1 emulates the load */
			e = l2_skip_and_resume(&e);
			if (check_exit(&e, EXIT_REASON_VMCALL, l2_cr3_end, 3,
				       "without CR3-store exiting MOV from CR3 does not exit"))
				res(l2_regs.rdi == cr3, "L2 reads the CR3 that L1 loaded for it");
		}
		l2_finish();
	}

	e = cr3_run(0, 0, 0);
	check_exit(&e, EXIT_REASON_CR_ACCESS, l2_cr3, MOV_CR_LEN,
		   "with CR3-target count 0 every MOV to CR3 exits");
	l2_finish();
}

/* ---- Exceptions ---- */

static void ud_handler(struct trap_frame *tf)
{
	record_trap(tf);
	tf->rip = (u64)l2_ud_next;
}

void t_exc_ud(void)
{
	struct l2_exit e;

	/* The handler is there in both cases: an #UD that does not exit
	 * shows as a VMCALL exit, not as a stray exception in L2. */
	trap_set_handler(VEC_UD, ud_handler);
	l2_prepare(l2_ud);
	l2_traps = 0;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_EXCEPTION_NMI, l2_ud, -1,
		       "UD2 in L2 with bit 6 in the exception bitmap exits: reason 0, RIP at the UD2"))
		res(e.intr_info == intr_info_make(INTR_TYPE_HW_EXCEPTION, VEC_UD),
		    "#UD exit: interruption information 0x%llx: valid, hardware exception, "
		    "vector 6, no error code", (unsigned long long)e.intr_info);
	l2_finish();

	l2_prepare(l2_ud);
	vmcs_write(VMCS_EXCEPTION_BITMAP, EXCEPTION_ALL & ~BIT(VEC_UD));
	l2_traps = 0;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_ud_next, 3,
		       "without bit 6 L2's UD2 does not exit: L2 goes on to its VMCALL"))
		res(l2_traps == 1 && l2_trap_rip == (u64)l2_ud,
		    "L2 took the #UD through the IDT (L1's) at the UD2; the handler skipped it "
		    "(ran %u times)", l2_traps);
	l2_finish();
	trap_set_handler(VEC_UD, NULL);
}

static void pf_handler(struct trap_frame *tf)
{
	record_trap(tf);
	l2_trap_cr2 = read_cr2();
	tf->rip = (u64)l2_pf_next;
}

/* L2 reads pf_page (not present): with bit 14 of the exception bitmap set
 * the #PF exits if (error code & mask) == match, with it clear if not
 * (26.2); exits says which the case expects. */
static void pf_case(bool bit14, u32 mask, u32 match, bool exits, const char *what)
{
	struct l2_exit e;

	l2_prepare(l2_pf);
	/* Without VPID every VM entry drops the translations L2 cached (SDM
	 * 27.3.2.5), the 2 MiB page around pf_page from earlier tests too. */
	if (env.vpid)
		vmcs_clear_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID);
	vmcs_write(VMCS_EXCEPTION_BITMAP, bit14 ? EXCEPTION_ALL : EXCEPTION_ALL & ~BIT(VEC_PF));
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, mask);
	vmcs_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, match);
	l2_regs.rbx = (u64)pf_page;
	l2_traps = 0;
	e = l2_launch();
	if (exits) {
		if (check_exit(&e, EXIT_REASON_EXCEPTION_NMI, l2_pf, -1,
			       "%s: the #PF exits (reason 0, RIP at the read)", what)) {
			res(e.intr_info == (intr_info_make(INTR_TYPE_HW_EXCEPTION, VEC_PF) |
					    INTR_INFO_DELIVER_CODE) &&
			    vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE) == PF_READ_NOT_PRESENT,
			    "%s: interruption information valid, hardware exception 14, error "
			    "code 0 (read, not present)", what);
			res(e.qualification == (u64)pf_page,
			    "%s: the exit qualification is the linear address read", what);
		}
	} else if (check_exit(&e, EXIT_REASON_VMCALL, l2_pf_next, 3,
			      "%s: the #PF does not exit; L2 goes on", what)) {
		res(l2_traps == 1 && l2_trap_rip == (u64)l2_pf && l2_trap_cr2 == (u64)pf_page &&
		    l2_trap_error == PF_READ_NOT_PRESENT,
		    "%s: L2 took the #PF through the IDT: at the read, CR2 the address, error "
		    "code 0", what);
	}
	l2_finish();
}

void t_exc_pf(void)
{
	trap_set_handler(VEC_PF, pf_handler);
	paging_unmap_4k((u64)pf_page);
	pf_case(true, 0, 0, true, "bit 14 set, mask 0, match 0 (every #PF matches)");
	pf_case(true, PF_ERR_WRITE, PF_ERR_WRITE, false,
		"bit 14 set, a read against mask/match 'write'");
	pf_case(false, PF_ERR_WRITE, 0, false, "bit 14 clear, a read against mask 'write', match 0");
	pf_case(false, PF_ERR_WRITE, PF_ERR_WRITE, true,
		"bit 14 clear, a read against mask/match 'write'");
	paging_map_4k((u64)pf_page);
	trap_set_handler(VEC_PF, NULL);
}

/* ---- L1's interrupts delivered in L2 ---- */

static void timer_handler(struct trap_frame *tf)
{
	record_trap(tf);
	apic_eoi();
}

/* Prepares L2 at entry with L1's timer armed for an interrupt that L2
 * takes itself: no external-interrupt exiting. */
static void arm_for_l2(const void *entry)
{
	l2_prepare(entry);
	l2_traps = 0;
	apic_set_handler(TIMER_VECTOR_L2, timer_handler);
	apic_timer_one_shot(TIMER_VECTOR_L2, TIMER_DIVISOR, TIMER_COUNT);
}

static void disarm(void)
{
	apic_timer_stop();
	irq_window();
	l2_finish();
}

void t_intr_in_l2(void)
{
	struct l2_exit e;

	arm_for_l2(l2_wait);
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	l2_regs.rbx = (u64)&l2_traps;
	l2_regs.rcx = L2_SPINS;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_wait_end, 3,
		       "L1's timer interrupt, L2 with IF = 1 and no external-interrupt exiting: "
		       "no exit before L2's VMCALL")) {
		res(l2_traps == 1 && l2_regs.rcx,
		    "L2 took the interrupt through the IDT (L1's) while it waited; the handler ran "
		    "%u times", l2_traps);
		res(!apic_isr_test(TIMER_VECTOR_L2) && !apic_irr_test(TIMER_VECTOR_L2),
		    "the handler's EOI in L2 ended it: the vector is not in service or pending");
	}
	disarm();
}

void t_hlt_in_l2(void)
{
	struct l2_exit e;

	arm_for_l2(l2_sti_hlt);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_HLT_EXITING);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_sti_hlt_next, 3,
		       "STI; HLT in L2 without HLT exiting: no exit before L2's VMCALL"))
		res(l2_traps == 1 && l2_trap_rip == (u64)l2_sti_hlt_next,
		    "L1's timer interrupt ended L2's HLT through the IDT and returned after the "
		    "HLT (handler ran %u times)", l2_traps);
	disarm();
}

/* ---- MSR lists ---- */

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
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_COUNT, ARRAY_SIZE(entry_load));
	vmcs_write(VMCS_VM_ENTRY_MSR_LOAD_ADDR, ptr_to_phys(entry_load));
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_COUNT, ARRAY_SIZE(exit_store));
	vmcs_write(VMCS_VM_EXIT_MSR_STORE_ADDR, ptr_to_phys(exit_store));
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, ARRAY_SIZE(exit_load));
	vmcs_write(VMCS_VM_EXIT_MSR_LOAD_ADDR, ptr_to_phys(exit_load));
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

/* ---- TSC offsetting ---- */

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
