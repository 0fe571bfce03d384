/* The local APIC timer in one-shot mode, waited for by polling or in HLT
 * (SDM Vol. 3A, 11.5.4), and the timer checks the mode guests share. */
#include "apic.h"
#include "exit.h"
#include "../../lib/msr.h"
#include "../../lib/report.h"
#include "../../lib/x86.h"

/* Bounds on the waits, so a missing interrupt is a FAIL line, not a hang. */
#define TIMER_POLL_READS 1000000u	/* TIMER_CUR reads in all */
/* More reads once TIMER_CUR reads 0: QEMU computes TIMER_CUR from its
 * clock, but raises the interrupt from a timer callback in its main
 * thread, which a busy host can keep off a core for many milliseconds. */
#define TIMER_GRACE_READS 200000u
#define TIMER_HALTS 8u			/* HLTs waiting for one interrupt */
/* Tries at a halted wait: a host that deschedules the emulated CPU (QEMU
 * on a busy machine) can let the count run out before the HLT. */
#define HALT_TRIES 4u

/* The checks' timer: short enough for Bochs (about one timer tick per
 * instruction), long enough to be halted when it fires, and to be seen
 * counting (QEMU: 8 ms, on a busy host too). */
#define CHECK_DIVISOR 16
#define CHECK_COUNT 500000u

/* Interrupts on the timer's vector, counted by whether the count had run
 * out: one that comes while TIMER_CUR is above 0 is not this one-shot's
 * (QEMU 7.2 TCG was seen delivering a second one late). */
static u32 timer_irqs, early_irqs;

static void timer_irq(struct trap_frame *tf __unused)
{
	__atomic_fetch_add(apic_timer_current() ? &early_irqs : &timer_irqs, 1, __ATOMIC_RELEASE);
	apic_eoi();
}

static bool fired(u32 before)
{
	return __atomic_load_n(&timer_irqs, __ATOMIC_ACQUIRE) != before;
}

struct apic_timer_wait apic_timer_wait(u8 vector, unsigned divisor, u32 count, bool halt)
{
	struct apic_timer_wait w = { 0 };
	u32 before, early, grace = 0;

	irq_disable();
	before = __atomic_load_n(&timer_irqs, __ATOMIC_ACQUIRE);
	early = __atomic_load_n(&early_irqs, __ATOMIC_ACQUIRE);
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
	w.early = __atomic_load_n(&early_irqs, __ATOMIC_ACQUIRE) - early;
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
	report_info("apic: polled one-shot timer: %u TIMER_CUR reads, ends at %u, "
		    "%u interrupts before it ran out", poll.reads, poll.final_count, poll.early);
	report(poll.fired, "apic: one-shot timer (divide %u, count %u) runs out and interrupts "
	       "(vector 0x%x)%s", CHECK_DIVISOR, CHECK_COUNT, vector,
	       poll.fired ? "" : poll.counting ? ": no interrupt" : ": TIMER_CUR never moved");
	if (!poll.fired) {
		report(false, "hlt: not tried: the timer interrupt never came");
		return;
	}
	for (unsigned try = 0; try < HALT_TRIES; try++) {
		halt = apic_timer_wait(vector, CHECK_DIVISOR, CHECK_COUNT, true);
		if (halt.halts || !halt.fired)
			break;
	}
	report_info("apic: halted one-shot timer: %u HLTs, %u TIMER_CUR reads first, "
		    "%u interrupts before it ran out", halt.halts, halt.reads, halt.early);
	/* One HLT, one more for each other interrupt: a HLT that did not halt
	 * would have run them all out before the timer fired. */
	report(halt.fired && halt.halts >= 1 && halt.halts <= 1 + halt.early &&
	       halt.final_count == 0,
	       "hlt: the one-shot timer's interrupt (vector 0x%x) ends HLT, TIMER_CUR then 0",
	       vector);
}
