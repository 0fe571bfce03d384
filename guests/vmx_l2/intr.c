/* An interrupt for L1 while L2 runs: L1's own x2APIC timer, with
 * "external-interrupt exiting" in vmcs12 (SDM Vol. 3C 26.2: the interrupt
 * exits, reason 1, whatever L2's RFLAGS.IF). Without "acknowledge
 * interrupt on exit" it stays pending in L1's APIC until L1 sets IF; with
 * it the exit acknowledges it and puts the vector in the VM-exit
 * interruption information (28.2.2), with the vector in service. */
#include "l2.h"
#include "../lib/apic.h"

#define INTR_INFO_VALID BIT(31)
#define INTR_TYPE_EXTERNAL (0u << 8)
#define TIMER_VECTOR_EXIT 0x60
#define TIMER_VECTOR_ACK 0x61
#define TIMER_DIVISOR 1
#define TIMER_COUNT 2000
#define L2_SPINS 5000000		/* PAUSEs before L2 gives up (VMCALL) */

static volatile unsigned handled[2];

static void timer_handler(struct trap_frame *tf)
{
	handled[tf->vector == TIMER_VECTOR_ACK]++;
	apic_eoi();
}

/* Launches l2_spin with the timer armed on vector; returns the exit. */
static struct l2_exit run_with_timer(u8 vector, bool ack)
{
	struct l2_exit e;

	l2_prepare(l2_spin);
	vmcs_set_bits(VMCS_PIN_BASED_VM_EXEC_CONTROL, PIN_EXTERNAL_INTERRUPT_EXITING);
	if (ack)
		vmcs_set_bits(VMCS_VM_EXIT_CONTROLS, EXIT_ACK_INTR_ON_EXIT);
	l2_regs.rcx = L2_SPINS;
	/* IF = 1 in L2: with IF = 0 Bochs 2.7 does not exit for the
	 * interrupt (guests/README.md); the SDM's rule does not depend on it,
	 * and with the exit the interrupt never reaches L2's IDT either way. */
	vmcs_write(VMCS_GUEST_RFLAGS, vmcs_read(VMCS_GUEST_RFLAGS) | RFLAGS_IF);
	apic_set_handler(vector, timer_handler);
	handled[ack] = 0;
	apic_timer_one_shot(vector, TIMER_DIVISOR, TIMER_COUNT);
	e = l2_launch();
	res_info("timer: IRR %d, ISR %d after the exit, %llu of L2's %u PAUSEs left",
		 apic_irr_test(vector), apic_isr_test(vector), (unsigned long long)l2_regs.rcx,
		 L2_SPINS);
	return e;
}

static bool exit_in_spin(const struct l2_exit *e)
{
	return e->rip >= (u64)l2_spin && e->rip <= (u64)l2_spin_end;
}

void t_intr_exit(void)
{
	struct l2_exit e = run_with_timer(TIMER_VECTOR_EXIT, false);
	bool pending = apic_irr_test(TIMER_VECTOR_EXIT);

	if (check_exit(&e, EXIT_REASON_EXTERNAL_INTERRUPT, NULL, -1,
		       "L1's timer interrupt while L2 runs exits: reason 1")) {
		res(exit_in_spin(&e), "interrupt exit: GUEST_RIP inside L2's loop");
		res(!(e.intr_info & INTR_INFO_VALID),
		    "interrupt exit without acknowledge: interruption information not valid");
		res(pending, "interrupt exit without acknowledge: the vector waits in L1's IRR");
		irq_window();
		res(handled[0] == 1, "L1 takes the interrupt through its IDT once it sets IF "
				      "(handler ran %u times)", handled[0]);
	}
	apic_timer_stop();
	irq_window();
	l2_finish();
}

void t_intr_ack(void)
{
	struct l2_exit e = run_with_timer(TIMER_VECTOR_ACK, true);
	bool in_service = apic_isr_test(TIMER_VECTOR_ACK);
	bool pending = apic_irr_test(TIMER_VECTOR_ACK);

	if (check_exit(&e, EXIT_REASON_EXTERNAL_INTERRUPT, NULL, -1,
		       "with acknowledge interrupt on exit: reason 1")) {
		res(exit_in_spin(&e), "acknowledged exit: GUEST_RIP inside L2's loop");
		res(e.intr_info == (INTR_INFO_VALID | INTR_TYPE_EXTERNAL | TIMER_VECTOR_ACK),
		    "acknowledged exit: interruption information valid, external, the vector");
		res(in_service && !pending,
		    "acknowledged exit: the vector is in service in L1's APIC, not pending");
		irq_window();
		res(handled[1] == 0, "acknowledged exit: no delivery through L1's IDT afterwards");
		if (in_service)
			apic_eoi();
		res(!apic_isr_test(TIMER_VECTOR_ACK), "acknowledged exit: L1's EOI ends it");
	}
	apic_timer_stop();
	irq_window();
	l2_finish();
}
