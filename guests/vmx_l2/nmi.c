/* An NMI for L1 while L2 runs (SDM Vol. 3C 26.2, 28.2.2): L2 sends an NMI
 * IPI to this CPU's own APIC through the x2APIC ICR, which L1's MSR bitmap
 * passes through, so the WRMSR reaches L1's APIC as it would on a CPU.
 * With "NMI exiting" in vmcs12 the NMI exits to L1 with reason 0 and an
 * NMI's interruption information (vector 2, type 2) once the WRMSR is done;
 * without it the NMI is delivered through the IDT in L2 (L1's, shared),
 * whose handler counts it and returns with IRET, and L2 goes on to its
 * VMCALL. An NMI exit leaves NMIs blocked in L1 until it executes IRET, as
 * the delivery of an NMI would: both tests start with an IRET of L1's, so
 * their order does not matter. */
#include "l2.h"
#include "../lib/apic.h"
#include "../../apic/apic_regs.h"

#define MSR_X2APIC_ICR 0x830
#define VECTOR_NMI 2
#define INTR_INFO_NMI (BIT(31) | 2u << 8 | VECTOR_NMI)	/* Table 25-17 */
#define INTR_INFO_VALID BIT(31)

static volatile unsigned nmis;

static void nmi_handler(struct trap_frame *tf __unused)
{
	nmis++;
}

/* An IRET to the next instruction: the end of NMI blocking (SDM Vol. 3A
 * 6.7.1), as the end of an NMI handler would be. */
static void iret_to_self(void)
{
	__asm__ volatile("mov %%ss, %%eax\n\t"
			 "push %%rax\n\t"
			 "push %%rsp\n\t"
			 "addq $8, (%%rsp)\n\t"
			 "pushfq\n\t"
			 "mov %%cs, %%eax\n\t"
			 "push %%rax\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "push %%rax\n\t"
			 "iretq\n"
			 "1:" ::: "rax", "memory", "cc");
}

/* An NMI IPI to this CPU's APIC, as ICR value. */
static u64 nmi_ipi_to_self(void)
{
	return (u64)apic_id() << 32 | ICR_DM_NMI | ICR_LEVEL_ASSERT;
}

/* L2 runs "wrmsr; vmcall" with an NMI IPI to this APIC in RDX:RAX, on
 * its own stack or at rsp. */
static struct l2_exit launch_nmi_ipi(bool nmi_exiting, u64 rsp)
{
	u64 icr = nmi_ipi_to_self();

	trap_set_handler(VECTOR_NMI, nmi_handler);
	iret_to_self();
	l2_prepare(l2_wrmsr);
	if (nmi_exiting)
		vmcs_set_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_NMI_EXITING);
	l2_regs.rcx = MSR_X2APIC_ICR;
	l2_regs.rax = (u32)icr;
	l2_regs.rdx = icr >> 32;
	if (rsp)
		vmcs_write(VMCS_GUEST_RSP, rsp);
	nmis = 0;
	return l2_launch();
}

void t_nmi_exit(void)
{
	struct l2_exit e = launch_nmi_ipi(true, 0);

	if (check_exit(&e, EXIT_REASON_EXCEPTION_NMI, l2_wrmsr_next, -1,
		       "L1's NMI while L2 runs, with NMI exiting: exit reason 0 after the WRMSR")) {
		res(e.intr_info == INTR_INFO_NMI,
		    "NMI exit: interruption information valid, NMI, vector 2 (got 0x%llx)",
		    (unsigned long long)e.intr_info);
		res(nmis == 0, "NMI exit: the NMI did not go through the IDT as well");
		wrmsr(MSR_X2APIC_ICR, nmi_ipi_to_self());
		res(nmis == 0, "after the NMI exit NMIs are blocked in L1: its own NMI IPI waits");
		iret_to_self();
		res(nmis == 1, "L1's IRET ends the blocking: the waiting NMI is taken (%u)", nmis);
	}
	l2_finish();
}

/* L2's stack for an NMI delivered in L2: below L1's own, in this vCPU's
 * stack, where the handlers find their vCPU (guest_cpu_index(), smp.h);
 * L1 does not run meanwhile. */
#define L2_STACK_BELOW_L1 2048

void t_nmi_l2(void)
{
	u64 rsp;
	struct l2_exit e;

	__asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
	e = launch_nmi_ipi(false, (rsp - L2_STACK_BELOW_L1) & ~0xfull);

	if (check_exit(&e, EXIT_REASON_VMCALL, l2_wrmsr_next, 3,
		       "L1's NMI while L2 runs, without NMI exiting: no exit, L2 goes on to its VMCALL"))
		res(nmis == 1, "the NMI reached L2 through the IDT once (handler ran %u times)", nmis);
	l2_finish();
}
