/* The local APIC timer in one-shot mode, waited for by polling or in HLT
 * (SDM Vol. 3A, 11.5.4), and the timer checks the mode guests share. */
#include "apic.h"
#include "exit.h"
#include "../../lib/msr.h"
#include "../../lib/report.h"
#include "../../lib/x86.h"

/* Bounds on the waits, so a missing interrupt is a FAIL line, not a hang. */
#define TIMER_POLL_READS 1000000u	/* TIMER_CUR reads in all */
#define TIMER_GRACE_READS 10000u	/* more reads once it reads 0 */
#define TIMER_HALTS 8u			/* HLTs waiting for one interrupt */

/* The checks' timer: short enough for Bochs (about one timer tick per
 * instruction), long enough to be halted when it fires, and to be seen
 * counting (QEMU: 8 ms, on a busy host too). */
#define CHECK_DIVISOR 16
#define CHECK_COUNT 500000u

static u32 timer_irqs;

static void timer_irq(struct trap_frame *tf __unused)
{
	__atomic_fetch_add(&timer_irqs, 1, __ATOMIC_RELEASE);
	apic_eoi();
}

static bool fired(u32 before)
{
	return __atomic_load_n(&timer_irqs, __ATOMIC_ACQUIRE) != before;
}

struct apic_timer_wait apic_timer_wait(u8 vector, unsigned divisor, u32 count, bool halt)
{
	struct apic_timer_wait w = { 0 };
	u32 before, grace = 0;

	irq_disable();
	before = __atomic_load_n(&timer_irqs, __ATOMIC_ACQUIRE);
	apic_set_handler(vector, timer_irq);
	apic_timer_one_shot(vector, divisor, count);
	irq_enable();
	while (!fired(before) && w.reads < TIMER_POLL_READS && grace < TIMER_GRACE_READS) {
		u32 cur = apic_timer_current();

		w.reads++;
		w.counting |= cur < count;
		grace += !cur;
		if (halt && w.counting)
			break;
	}
	/* "sti; hlt": an interrupt that came after the check with IF = 0
	 * still ends the HLT (apic.h). */
	irq_disable();
	while (halt && w.counting && !fired(before) && w.halts < TIMER_HALTS) {
		irq_enable_and_halt();
		irq_disable();
		w.halts++;
	}
	w.fired = fired(before);
	w.final_count = apic_timer_current();
	apic_timer_stop();
	apic_set_handler(vector, NULL);
	return w;
}

void apic_timer_checks(u8 vector)
{
	struct apic_timer_wait poll, halt;
	u32 spiv;

	apic_enable();
	report_info("apic: %s mode, IA32_APIC_BASE 0x%llx, APIC ID %u", apic_mode_name(),
		    (unsigned long long)rdmsr(MSR_IA32_APIC_BASE), apic_id());
	spiv = apic_read(APIC_SPIV);
	report((spiv & (SPIV_APIC_ENABLED | SPIV_VECTOR_MASK)) ==
	       (SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR),
	       "apic: SPIV software-enabled with spurious vector 0x%x", APIC_SPURIOUS_VECTOR);

	poll = apic_timer_wait(vector, CHECK_DIVISOR, CHECK_COUNT, false);
	report_info("apic: polled one-shot timer: %u TIMER_CUR reads, ends at %u",
		    poll.reads, poll.final_count);
	report(poll.counting && poll.fired,
	       "apic: one-shot timer (divide %u, count %u) counts down and interrupts "
	       "(vector 0x%x)%s", CHECK_DIVISOR, CHECK_COUNT, vector,
	       !poll.counting ? ": TIMER_CUR never moved" : !poll.fired ? ": no interrupt" : "");
	if (!poll.fired) {
		report(false, "hlt: not tried: the timer interrupt never came");
		return;
	}
	halt = apic_timer_wait(vector, CHECK_DIVISOR, CHECK_COUNT, true);
	report_info("apic: halted one-shot timer: %u HLTs, %u TIMER_CUR reads first",
		    halt.halts, halt.reads);
	/* One HLT, maybe two (a spurious interrupt): a HLT that did not halt
	 * would have run them all out before the timer fired. */
	report(halt.fired && halt.halts >= 1 && halt.halts <= 2 && halt.final_count == 0,
	       "hlt: the one-shot timer's interrupt (vector 0x%x) ends HLT, TIMER_CUR then 0",
	       vector);
}
