/* Exceptions and interrupts while L2 runs, and what L1 sees of them (SDM
 * Vol. 3C): the exception bitmap and the #PF error-code mask/match (26.2)
 * with the interruption information of the exit (28.2.2); events L1
 * injects (27.6.1); L1's interrupts taken by L2 itself when L1 does not
 * exit on them, one of them ending L2's HLT; interrupt-window exiting
 * (26.2). L2 takes what does not exit through L1's IDT (the tests share
 * it), whose handlers log it in l2_trap_log. */
#include "l2.h"
#include "../lib/apic.h"
#include "../lib/paging.h"
#include "../../vmx/intr_info.h"

#define EXCEPTION_ALL 0xffffffffu
#define PF_READ_NOT_PRESENT 0		/* #PF error code: P, W, U/S all 0 */

#define TIMER_VECTOR_L2 0x62
#define TIMER_DIVISOR 1
#define TIMER_COUNT 2000
#define TIMER_COUNT_HLT 2000000	/* > nestvisor's VMLAUNCH (~170k TSC ticks in Bochs) */
#define L2_SPINS 5000000

#define INJECT_VECTOR 0x64		/* an external interrupt L1 injects */
#define INJECT_GP_ERROR 0x18
#define INT_N_LEN 2

volatile struct l2_trap_log l2_trap_log;
static u8 pf_page[PAGE_SIZE] __aligned(PAGE_SIZE);

void l2_trap_reset(void)
{
	l2_trap_log.count = 0;
	l2_trap_log.rip = l2_trap_log.error = l2_trap_log.cr2 = 0;
}

void l2_trap_record(struct trap_frame *tf)
{
	l2_trap_log.count++;
	l2_trap_log.rip = tf->rip;
	l2_trap_log.error = tf->error_code;
	l2_trap_log.cr2 = read_cr2();
}

static void ud_handler(struct trap_frame *tf)
{
	l2_trap_record(tf);
	tf->rip = (u64)l2_ud_next;
}

/* An exception L2's instruction at `at` raises, with its bit in the
 * exception bitmap (an exit with the interruption information, 28.2.2) and
 * without (L2's handler, returning to `next`). */
struct exc_case {
	const char *insn;
	unsigned vector;
	enum intr_type type;
	const void *at, *next;		/* the instruction, the VMCALL after it */
	int len;			/* the exit's instruction length, -1: undefined */
	const void *frame_rip;		/* in the handler's frame: `at` for a fault */
	trap_handler_t handler;
};

static void exception_case(const struct exc_case *c)
{
	struct l2_exit e;

	/* The handler is there in both cases: an exception that does not exit
	 * shows as a VMCALL exit, not as a stray exception in L2. */
	trap_set_handler(c->vector, c->handler);
	l2_prepare(c->at);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_EXCEPTION_NMI, c->at, c->len,
		       "%s in L2 with bit %u in the exception bitmap exits: reason 0, RIP at the %s",
		       c->insn, c->vector, c->insn))
		res(e.intr_info == intr_info_make(c->type, (u8)c->vector),
		    "%s exit: interruption information 0x%llx: valid, %s exception, vector %u, "
		    "no error code", c->insn, (unsigned long long)e.intr_info,
		    c->type == INTR_TYPE_HW_EXCEPTION ? "hardware" : "software", c->vector);
	l2_finish();

	l2_prepare(c->at);
	vmcs_write(VMCS_EXCEPTION_BITMAP, EXCEPTION_ALL & ~BIT(c->vector));
	l2_trap_reset();
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, c->next, 3,
		       "without bit %u L2's %s does not exit: L2 goes on to its VMCALL", c->vector,
		       c->insn))
		res(l2_trap_log.count == 1 && l2_trap_log.rip == (u64)c->frame_rip,
		    "L2 took vector %u through the IDT (L1's), the frame's RIP %s (handler ran %u "
		    "times)", c->vector, c->frame_rip == c->at ? "at the instruction (a fault)" :
		    "after it (a trap)", l2_trap_log.count);
	l2_finish();
	trap_set_handler(c->vector, NULL);
}

void t_exc_ud(void)
{
	static const struct exc_case ud = {
		"UD2", VEC_UD, INTR_TYPE_HW_EXCEPTION, l2_ud, l2_ud_next, -1, l2_ud, ud_handler,
	};

	exception_case(&ud);
}

/* INT3 exits as a software exception, with its length (28.2.5). */
void t_exc_bp(void)
{
	static const struct exc_case bp = {
		"INT3", VEC_BP, INTR_TYPE_SW_EXCEPTION, l2_int3, l2_int3_next, 1, l2_int3_next,
		l2_trap_record,
	};

	exception_case(&bp);
}

static void pf_handler(struct trap_frame *tf)
{
	l2_trap_record(tf);
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
	l2_trap_reset();
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
		res(l2_trap_log.count == 1 && l2_trap_log.rip == (u64)l2_pf &&
		    l2_trap_log.cr2 == (u64)pf_page && l2_trap_log.error == PF_READ_NOT_PRESENT,
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

/* L1 injects info (error code, instruction length) at L2's entry; L2 is
 * to take it through the IDT and return to ret, then VMCALL (27.6.1). */
static void inject_case(const void *entry, u32 info, u32 error, u32 len, const void *ret,
			const char *what)
{
	struct l2_exit e;

	l2_prepare(entry);
	/* An external interrupt may be injected only with IF = 1 (27.3.1.4). */
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	vmcs_write(VMCS_VM_ENTRY_INTR_INFO_FIELD, info);
	vmcs_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	vmcs_write(VMCS_VM_ENTRY_INSTRUCTION_LEN, len);
	l2_trap_reset();
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, ret, 3, "%s: no exit before L2's VMCALL", what)) {
		res(l2_trap_log.count == 1 && l2_trap_log.rip == (u64)ret &&
		    (!(info & INTR_INFO_DELIVER_CODE) || l2_trap_log.error == error),
		    "%s: L2's handler ran once%s, returning to %s", what,
		    info & INTR_INFO_DELIVER_CODE ? " with the error code" : "",
		    ret == entry ? "the entry RIP" : "RIP + the instruction length");
		res(!(vmcs_read(VMCS_VM_ENTRY_INTR_INFO_FIELD) & INTR_INFO_VALID),
		    "%s: the VM exit cleared the valid bit of the VM-entry interruption "
		    "information (28.2)", what);
	}
	l2_finish();
}

void t_inject(void)
{
	trap_set_handler(INJECT_VECTOR, l2_trap_record);
	trap_set_handler(L2_INT_N_VECTOR, l2_trap_record);
	trap_set_handler(VEC_GP, l2_trap_record);
	inject_case(l2_vmcall, intr_info_make(INTR_TYPE_EXT_INTR, INJECT_VECTOR), 0, 0, l2_vmcall,
		    "an injected external interrupt 0x64");
	/* Injection does not consult the exception bitmap (all ones here). */
	inject_case(l2_vmcall, intr_info_make(INTR_TYPE_HW_EXCEPTION, VEC_GP) | INTR_INFO_DELIVER_CODE,
		    INJECT_GP_ERROR, 0, l2_vmcall,
		    "an injected #GP(0x18), bit 13 set in the exception bitmap");
	inject_case(l2_int_n, intr_info_make(INTR_TYPE_SW_INTR, L2_INT_N_VECTOR), 0, INT_N_LEN,
		    l2_int_n_next, "an injected software interrupt INT 0x65, length 2");
	trap_set_handler(INJECT_VECTOR, NULL);
	trap_set_handler(L2_INT_N_VECTOR, NULL);
	trap_set_handler(VEC_GP, NULL);
}

/* ---- L1's interrupts delivered in L2 ---- */

static void timer_handler(struct trap_frame *tf)
{
	l2_trap_record(tf);
	apic_eoi();
}

/* Prepares L2 at entry with L1's timer armed for an interrupt that L2
 * takes itself: no external-interrupt exiting. */
static void arm_for_l2(const void *entry)
{
	l2_prepare(entry);
	l2_trap_reset();
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
	l2_regs.rbx = (u64)&l2_trap_log.count;
	l2_regs.rcx = L2_SPINS;
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_VMCALL, l2_wait_end, 3,
		       "L1's timer interrupt, L2 with IF = 1 and no external-interrupt exiting: "
		       "no exit before L2's VMCALL")) {
		res(l2_trap_log.count == 1 && l2_regs.rcx,
		    "L2 took the interrupt through the IDT (L1's) while it waited; the handler ran "
		    "%u times", l2_trap_log.count);
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
		res(l2_trap_log.count == 1 && l2_trap_log.rip == (u64)l2_sti_hlt_next,
		    "L1's timer interrupt ended L2's HLT through the IDT and returned after the "
		    "HLT (handler ran %u times)", l2_trap_log.count);
	disarm();
}

/* L1's interrupt, delivered in L2 onto a stack that is not present: the
 * #PF of the delivery exits (bit 14 of the exception bitmap), with the
 * interrupt in the IDT-vectoring information (28.2.4); it was acknowledged
 * from L1's APIC, which L1 ends itself rather than inject it again. */
void t_intr_vectoring(void)
{
	struct l2_exit e;
	bool in_service;

	paging_unmap_4k((u64)pf_page);
	arm_for_l2(l2_wait);
	if (env.vpid)	/* as in pf_case() */
		vmcs_clear_bits(VMCS_SECONDARY_VM_EXEC_CONTROL, CPU2_ENABLE_VPID);
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	vmcs_write(VMCS_GUEST_RSP, (u64)pf_page + PAGE_SIZE);
	l2_regs.rbx = (u64)&l2_trap_log.count;
	l2_regs.rcx = L2_SPINS;
	e = l2_launch();
	in_service = apic_isr_test(TIMER_VECTOR_L2);
	if (check_exit(&e, EXIT_REASON_EXCEPTION_NMI, NULL, -1,
		       "L1's interrupt delivered in L2 onto a stack not present: the #PF exits")) {
		res(e.intr_info == (intr_info_make(INTR_TYPE_HW_EXCEPTION, VEC_PF) |
				    INTR_INFO_DELIVER_CODE) &&
		    vmcs_read(VMCS_VM_EXIT_INTR_ERROR_CODE) == PF_ERR_WRITE &&
		    e.qualification - (u64)pf_page < PAGE_SIZE,
		    "the delivery's #PF: a write to the stack page, not present");
		res(vmcs_read(VMCS_IDT_VECTORING_INFO_FIELD) ==
		    intr_info_make(INTR_TYPE_EXT_INTR, TIMER_VECTOR_L2),
		    "IDT-vectoring information: valid, external interrupt, the timer's vector");
		res(in_service && !apic_irr_test(TIMER_VECTOR_L2),
		    "the interrupt was acknowledged: in service in L1's APIC, not pending");
		res(l2_trap_log.count == 0, "no handler ran for it");
	}
	if (in_service)
		apic_eoi();
	disarm();
	paging_map_4k((u64)pf_page);
}

/* HLT in L2 without HLT exiting, L1 exiting on its interrupts: the timer
 * ends the HLT with exit 1, RIP after the HLT; L1 makes L2 active again
 * (the exit saves L2's activity state as HLT, 28.3.4, not checked: Bochs
 * 2.7 saves it active; and IF = 1: guests/README.md). */
void t_hlt_intr_exit(void)
{
	struct l2_exit e;

	l2_prepare(l2_hlt);
	vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_HLT_EXITING);
	vmcs_set_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING);
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	l2_trap_reset();
	apic_set_handler(TIMER_VECTOR_L2, timer_handler);
	/* Long enough for L2 to reach its HLT first, nestvisor's VMLAUNCH
	 * emulation included. */
	apic_timer_one_shot(TIMER_VECTOR_L2, TIMER_DIVISOR, TIMER_COUNT_HLT);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_EXTERNAL_INTERRUPT, l2_hlt_next, -1,
		       "L1's timer ends L2's HLT (no HLT exiting) with exit 1, RIP after the HLT")) {
		/* An INFO line: the SDM saves HLT, Bochs 2.7 active (README.md). */
		res_info("activity state the exit saved: %llu (1: HLT, as SDM 28.3.4 says)",
			 (unsigned long long)vmcs_read(VMCS_GUEST_ACTIVITY_STATE));
		irq_window();
		res(l2_trap_log.count == 1, "L1 takes the interrupt through its IDT once it sets IF");
		vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
		e = l2_resume();
		check_exit(&e, EXIT_REASON_VMCALL, l2_hlt_next, 3,
			   "L1 makes L2 active again: it goes on after its HLT");
	}
	disarm();
}

void t_intr_window(void)
{
	struct l2_exit e;

	l2_prepare(l2_vmcall);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_INTERRUPT_WINDOW_EXITING);
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	e = l2_launch();
	if (check_exit(&e, EXIT_REASON_INTERRUPT_WINDOW, l2_vmcall, -1,
		       "interrupt-window exiting with L2's IF = 1: exit 7 before its first "
		       "instruction")) {
		vmcs_clear_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_INTERRUPT_WINDOW_EXITING);
		e = l2_resume();
		check_exit(&e, EXIT_REASON_VMCALL, l2_vmcall, 3,
			   "L1 clears interrupt-window exiting and L2 runs");
	}
	l2_finish();

	/* IF = 0: the window opens after STI and the NOP it blocks for. */
	l2_prepare(l2_sti_nop);
	vmcs_set_bits(VMCS_CPU_BASED_VM_EXEC_CONTROL, CPU_INTERRUPT_WINDOW_EXITING);
	e = l2_launch();
	check_exit(&e, EXIT_REASON_INTERRUPT_WINDOW, l2_sti_nop_end, -1,
		   "with IF = 0, STI; NOP: exit 7 after the NOP, which STI's blocking covers");
	l2_finish();
}
