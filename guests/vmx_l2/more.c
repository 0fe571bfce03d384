/* L2's control-register accesses and what L1 sees of them (SDM Vol. 3C):
 * MOV to CR0/CR4 under L1's guest/host masks and read shadows, MOV to and
 * from CR3 under CR3-load/store exiting and the CR3-target values, MOV CR8
 * under CR8-load/store exiting (26.1.3 which exit, 26.3 what those that do
 * not exit do, 28.2.1 the qualification); CR0.NE and CR4.VMXE, fixed in
 * VMX operation (24.8). */
#include "l2.h"
#include "../lib/apic.h"
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
#define MOV_CR8_LEN 4				/* REX.R */
#define CR3_EMULATED 0x0000000012345000ull	/* what L1 makes L2's MOV from CR3 read */
#define MISC_CR3_TARGETS(misc) (((misc) >> 16) & 0x1ff)	/* IA32_VMX_MISC (A.6) */
#define EXCEPTION_ALL 0xffffffffu
#define TPR_CLASS 3				/* what L2 writes to CR8 */
#define CR8_EMULATED 7				/* what L1 makes L2's MOV from CR8 read */
#define TPR_CLASS_SHIFT 4			/* CR8 is TPR bits 7:4 (SDM Vol. 3A 11.8.6) */

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

/* Launches l2_mov_cr with L1 owning TS and PCE (shadows as given): L2
 * writes new0 to CR0, then new4 to CR4. */
static struct l2_exit mov_cr_run(u64 shadow0, u64 shadow4, u64 new0, u64 new4)
{
	l2_prepare(l2_mov_cr);
	own_ts_pce(shadow0, shadow4);
	l2_regs.rbx = new0;
	l2_regs.rsi = new4;
	return l2_launch();
}

void t_cr_owned(void)
{
	u64 cr0 = read_cr0(), cr4 = read_cr4();
	struct l2_exit e = mov_cr_run(cr0, cr4, cr0 ^ CR0_TS, cr4 ^ CR4_PCE);

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
	struct l2_exit e = mov_cr_run(cr0, cr4, cr0 ^ CR0_MP, cr4 ^ CR4_TSD);

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
	e = mov_cr_run(cr0 ^ CR0_TS, cr4 ^ CR4_PCE, cr0 ^ CR0_TS, cr4 ^ CR4_PCE);
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
	l2_trap_record(tf);
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
	l2_trap_reset();
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_mov_cr_end, 3,
		       "without bit 13 neither MOV exits: L2 goes on to its VMCALL")) {
		res(l2_trap_log.count == 2 && l2_trap_log.error == 0,
		    "L2 took #GP(0) through the IDT for each (handler ran %u times)",
		    l2_trap_log.count);
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

void t_cr8(void)
{
	struct l2_exit e;

	/* Without a TPR shadow and CR8 exiting, CR8 is the APIC's TPR: L1's
	 * (SDM Vol. 3A 11.8.6; 26.3 changes nothing here). */
	l2_prepare(l2_cr8);
	l2_regs.rbx = TPR_CLASS;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_cr8_end, 3,
		       "MOV to and from CR8 without CR8 exiting or TPR shadow: no exit")) {
		res(l2_regs.rdi == TPR_CLASS, "L2 reads back the CR8 it wrote");
		res(apic_read(APIC_TPR) == TPR_CLASS << TPR_CLASS_SHIFT,
		    "L2's MOV to CR8 set L1's APIC TPR (0x%x)", apic_read(APIC_TPR));
	}
	apic_write(APIC_TPR, 0);
	l2_finish();

	l2_prepare(l2_cr8);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING);
	l2_regs.rbx = TPR_CLASS;
	e = l2_launch();
	if (!check_exit(&e, EXIT_REASON_CR_ACCESS, l2_cr8, MOV_CR8_LEN,
			"with CR8-load exiting MOV to CR8 exits: reason 28, length 4"))
		goto out;
	check_crq(&e, CRQ(8, CRQ_MOV_TO, REG_RBX), "MOV CR8, RBX:");
	e = l2_skip_and_resume(&e);
	if (!check_exit(&e, EXIT_REASON_CR_ACCESS, l2_cr8_read, MOV_CR8_LEN,
			"with CR8-store exiting MOV from CR8 exits: reason 28, length 4"))
		goto out;
	check_crq(&e, CRQ(8, CRQ_MOV_FROM, REG_RDI), "MOV RDI, CR8:");
	l2_regs.rdi = CR8_EMULATED;
	e = l2_skip_and_resume(&e);
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_cr8_end, 3, "after the CR8 exits L2 goes on"))
		res(l2_regs.rdi == CR8_EMULATED && apic_read(APIC_TPR) == 0,
		    "L2 got the CR8 L1 emulated; L1's TPR is untouched");
out:
	l2_finish();
}
