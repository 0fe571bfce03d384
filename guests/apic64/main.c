/* apic64: nestvisor's virtual x2APIC, checked from inside (SDM Vol. 3A,
 * chapter 11): identity, VERSION, SPIV, TPR, self-IPIs through both
 * registers, EOI, IF and TPR masking, the timer in one-shot, periodic and
 * masked modes, and with 2 vCPUs, IPIs that wake a halted vCPU. Only
 * meaningful virtualized with an x2APIC: bare (it would reprogram the
 * APIC under nestvisor's feet) or without one it says so and passes.
 * PASS lines carry no run-dependent numbers; INFO lines before them do. */
#include "../lib/guest.h"
#include "../lib/apic.h"

/* One vector per test, so a stray interrupt cannot pass for another. */
#define VEC_TIMER_ONE_SHOT 0x40
#define VEC_TIMER_PERIODIC 0x41
#define VEC_TIMER_MASKED 0x42
#define VEC_TPR 0x44		/* priority class 4 */
#define VEC_SELF_IPI 0x45
#define VEC_ICR_SELF 0x46
#define VEC_IF 0x47
#define VEC_TIMEOUT 0x4f	/* ends a wait for an IPI that does not come */
#define VEC_IPI_TO_CPU0 0x50
#define VEC_IPI_TO_CPU1 0x51

#define TPR_BLOCKS_ABOVE 0x50	/* class 5 > class 4 */
#define TPR_BLOCKS_EQUAL 0x40	/* class 4: delivery needs a higher class */
#define TPR_LETS_IN 0x30
#define TPR_PROBE 0x20

#define APIC_BASE_DEFAULT 0xfee00000ull
#define APIC_BASE_PAGE_MASK 0xfffff000ull
#define APIC_VERSION_INTEGRATED 0x10	/* 1XH: an integrated APIC (SDM 11.4.8) */
#define APIC_VERSION_FAMILY_MASK 0xf0
#define MIN_MAX_LVT 4			/* VERSION bits 23:16 */

/* Timer runs: short enough for Bochs (about one timer tick per
 * instruction), long enough to watch TIMER_CUR move. */
#define TIMER_DIVISOR 16
#define ONE_SHOT_COUNT 50000
#define PERIODIC_COUNT 20000
#define PERIODIC_INTERRUPTS 5
#define PERIODS_AFTER_STOP 3
#define MASKED_COUNT 20000
#define TIMEOUT_DIVISOR 128
#define TIMEOUT_COUNT 0x800000		/* 2^30 timer ticks */

/* Bounds on every wait, so a missing interrupt is a FAIL, not a hang. */
#define SPIN_LIMIT (1u << 26)		/* pause loops waiting for the other vCPU */
#define POLL_LIMIT 1000000u		/* register reads waiting for the timer */
#define HALT_LIMIT 64u			/* halts waiting for one interrupt */
#define SETTLE_READS 64u		/* IRR reads: exits where an interrupt could slip in */
#define IPI_DELAY 100000u		/* pause loops, so the target is surely halted */

/* What the handler saw, per vCPU and vector. */
struct irq_record {
	u32 count;
	u32 in_service;		/* times its ISR bit was set in the handler */
	u32 eoi_cleared;	/* times the EOI cleared that bit */
	u64 first_tsc, last_tsc;
};
static struct irq_record irqs[GUEST_MAX_CPUS][TRAP_VECTORS];

/* vCPU 0 and vCPU 1 meet through these (each set once, by one side). */
static struct {
	u32 handlers_ready;	/* vCPU 0: handlers installed, vCPU 1 may start */
	u32 cpu1_ready;		/* vCPU 1: its APIC is enabled, its ID in cpu1_apic_id */
	u32 cpu0_waiting;	/* vCPU 0 halts for vCPU 1's IPI */
	u32 cpu1_waiting;	/* vCPU 1 halts for vCPU 0's IPI */
	u32 cpu1_done;
	u32 cpu0_apic_id, cpu1_apic_id;
} meet;

static void flag_set(u32 *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

static bool flag_wait(const u32 *flag)
{
	for (u32 i = 0; i < SPIN_LIMIT; i++) {
		if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
			return true;
		cpu_relax();
	}
	return false;
}

static void delay(u32 loops)
{
	for (u32 i = 0; i < loops; i++)
		cpu_relax();
}

static struct irq_record *irq(u8 vector)
{
	return &irqs[guest_cpu_index()][vector];
}

static u32 irq_count(u8 vector)
{
	return __atomic_load_n(&irq(vector)->count, __ATOMIC_ACQUIRE);
}

static void count_irq(struct trap_frame *tf)
{
	u8 vector = (u8)tf->vector;
	struct irq_record *r = irq(vector);

	r->in_service += apic_isr_test(vector);
	apic_eoi();
	r->eoi_cleared += !apic_isr_test(vector);
	r->last_tsc = rdtsc();
	if (!r->count)
		r->first_tsc = r->last_tsc;
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELEASE);
}

static const u8 test_vectors[] = {
	VEC_TIMER_ONE_SHOT, VEC_TIMER_PERIODIC, VEC_TIMER_MASKED, VEC_TPR, VEC_SELF_IPI,
	VEC_ICR_SELF, VEC_IF, VEC_TIMEOUT, VEC_IPI_TO_CPU0, VEC_IPI_TO_CPU1,
};

/* Halts with interrupts enabled until vector has come `want` times in all
 * (or stop_vector once); returns with interrupts disabled. */
static bool halt_until(u8 vector, u32 want, u8 stop_vector)
{
	irq_disable();
	for (u32 i = 0; i < HALT_LIMIT; i++) {
		if (irq_count(vector) >= want || irq_count(stop_vector))
			break;
		irq_enable_and_halt();
		irq_disable();
	}
	return irq_count(vector) >= want;
}

/* With interrupts enabled, reads IRR (each read an exit, where nestvisor
 * could deliver) until vector has come `want` times or the reads run out;
 * returns with interrupts disabled. */
static bool poll_until(u8 vector, u32 want, u32 reads)
{
	irq_enable();
	for (u32 i = 0; i < reads && irq_count(vector) < want; i++)
		(void)apic_irr_test(vector);
	irq_disable();
	return irq_count(vector) >= want;
}

static void test_identity(unsigned cpu)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);
	u64 want = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD | (cpu ? 0 : APIC_BASE_BSP);
	u32 id = apic_id();

	report(base == want, "apic: vCPU %u: IA32_APIC_BASE 0x%lx is 0x%llx with EN, EXTD%s",
	       cpu, base, APIC_BASE_DEFAULT, cpu ? "" : ", BSP");
	report(id == cpu, "apic: vCPU %u: x2APIC ID %u is its cpu_index", cpu, id);
}

static void test_version(void)
{
	u32 v = apic_read(APIC_VERSION);
	u32 max_lvt = (v >> APIC_VERSION_MAX_LVT_SHIFT) & APIC_VERSION_MAX_LVT_MASK;

	report_info("apic: VERSION 0x%x: version 0x%x, max LVT entry %u", v,
		    v & APIC_VERSION_MASK, max_lvt);
	report((v & APIC_VERSION_FAMILY_MASK) == APIC_VERSION_INTEGRATED && max_lvt >= MIN_MAX_LVT,
	       "apic: VERSION: integrated APIC (0x1X), max LVT entry >= %u", MIN_MAX_LVT);
}

static void test_spiv(void)
{
	u32 spiv = apic_read(APIC_SPIV);

	report((spiv & (SPIV_APIC_ENABLED | SPIV_VECTOR_MASK)) ==
	       (SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR),
	       "apic: SPIV reads 0x%x after the software enable (spurious vector 0x%x)",
	       spiv, APIC_SPURIOUS_VECTOR);
}

static void test_tpr_register(void)
{
	u32 tpr;

	apic_write(APIC_TPR, TPR_PROBE);
	tpr = apic_read(APIC_TPR);
	apic_write(APIC_TPR, 0);
	report(tpr == TPR_PROBE, "apic: TPR 0x%x written reads back 0x%x", TPR_PROBE, tpr);
}

/* The 2-vCPU part, vCPU 0's side: vCPU 1 wakes it, then it wakes vCPU 1. */
static void test_ipi_cpu0(void)
{
	bool woke;

	if (guest_nr_cpus() < 2) {
		report_info("ipi: 1 vCPU: IPIs between vCPUs not tested");
		return;
	}
	meet.cpu0_apic_id = apic_id();
	flag_set(&meet.handlers_ready);
	if (!flag_wait(&meet.cpu1_ready)) {
		report(false, "ipi: vCPU 1 did not come up with its APIC enabled");
		return;
	}

	apic_timer_one_shot(VEC_TIMEOUT, TIMEOUT_DIVISOR, TIMEOUT_COUNT);
	irq_disable();
	flag_set(&meet.cpu0_waiting);
	woke = halt_until(VEC_IPI_TO_CPU0, 1, VEC_TIMEOUT);
	apic_timer_stop();
	report(woke && irq(VEC_IPI_TO_CPU0)->eoi_cleared == 1,
	       "ipi: vCPU 1 woke vCPU 0 from HLT with a fixed IPI (vector 0x%x, destination %u)",
	       VEC_IPI_TO_CPU0, meet.cpu0_apic_id);

	if (!flag_wait(&meet.cpu1_waiting)) {
		report(false, "ipi: vCPU 1 never halted to wait for vCPU 0's IPI");
		return;
	}
	delay(IPI_DELAY);
	apic_send_ipi(meet.cpu1_apic_id, VEC_IPI_TO_CPU1);
	if (!flag_wait(&meet.cpu1_done))
		report(false, "ipi: vCPU 1 did not finish after vCPU 0's IPI");
}

/* vCPU 1's side. */
static void test_ipi_cpu1(unsigned cpu)
{
	bool woke;

	apic_enable();
	test_identity(cpu);
	meet.cpu1_apic_id = apic_id();
	flag_set(&meet.cpu1_ready);

	if (!flag_wait(&meet.cpu0_waiting)) {
		report(false, "ipi: vCPU 0 never halted to wait for vCPU 1's IPI");
		return;
	}
	delay(IPI_DELAY);
	apic_send_ipi(meet.cpu0_apic_id, VEC_IPI_TO_CPU0);

	apic_timer_one_shot(VEC_TIMEOUT, TIMEOUT_DIVISOR, TIMEOUT_COUNT);
	irq_disable();
	flag_set(&meet.cpu1_waiting);
	woke = halt_until(VEC_IPI_TO_CPU1, 1, VEC_TIMEOUT);
	apic_timer_stop();
	report(woke && irq(VEC_IPI_TO_CPU1)->eoi_cleared == 1,
	       "ipi: vCPU 0 woke vCPU 1 from HLT with a fixed IPI (vector 0x%x, destination %u)",
	       VEC_IPI_TO_CPU1, meet.cpu1_apic_id);
	flag_set(&meet.cpu1_done);
}

static void test_self_ipi(void)
{
	const struct irq_record *r = irq(VEC_SELF_IPI);
	bool msr, icr;

	apic_self_ipi(VEC_SELF_IPI);
	msr = poll_until(VEC_SELF_IPI, 1, SETTLE_READS) && r->count == 1;
	report(msr, "self-ipi: the SELF IPI register (MSR 0x%x) delivers vector 0x%x",
	       x2apic_msr(APIC_SELF_IPI), VEC_SELF_IPI);

	apic_send_ipi_self(VEC_ICR_SELF);
	icr = poll_until(VEC_ICR_SELF, 1, SETTLE_READS) && irq(VEC_ICR_SELF)->count == 1;
	report(icr, "self-ipi: the ICR with the self shorthand delivers vector 0x%x", VEC_ICR_SELF);

	report(msr && r->in_service == 1 && r->eoi_cleared == 1 && !apic_isr_test(VEC_SELF_IPI),
	       "eoi: vector 0x%x is in service (ISR) in its handler and EOI clears it",
	       VEC_SELF_IPI);
}

static void test_if_masking(void)
{
	bool held, irr = false;

	irq_disable();
	apic_self_ipi(VEC_IF);
	for (u32 i = 0; i < SETTLE_READS; i++)
		irr = apic_irr_test(VEC_IF);
	held = irq_count(VEC_IF) == 0;
	report(held && irr,
	       "if: with IF=0 self-IPI vector 0x%x stays pending (IRR set, not delivered)", VEC_IF);
	report(poll_until(VEC_IF, 1, SETTLE_READS) && irq_count(VEC_IF) == 1 &&
	       !apic_irr_test(VEC_IF), "if: STI delivers pending vector 0x%x", VEC_IF);
}

/* Pending, not delivered, with interrupts enabled: only the TPR holds it. */
static bool held_by_tpr(u32 tpr)
{
	bool irr = false;

	apic_write(APIC_TPR, tpr);
	irq_enable();
	for (u32 i = 0; i < SETTLE_READS; i++)
		irr = apic_irr_test(VEC_TPR);
	irq_disable();
	return irr && irq_count(VEC_TPR) == 0;
}

static void test_tpr_masking(void)
{
	bool above, equal, in;

	apic_write(APIC_TPR, TPR_BLOCKS_ABOVE);
	apic_self_ipi(VEC_TPR);
	above = held_by_tpr(TPR_BLOCKS_ABOVE);
	equal = held_by_tpr(TPR_BLOCKS_EQUAL);
	report(above && equal,
	       "tpr: TPR 0x%x and 0x%x hold self-IPI vector 0x%x pending (IRR set, not delivered)",
	       TPR_BLOCKS_ABOVE, TPR_BLOCKS_EQUAL, VEC_TPR);
	apic_write(APIC_TPR, TPR_LETS_IN);
	in = poll_until(VEC_TPR, 1, SETTLE_READS);
	apic_write(APIC_TPR, 0);
	report(in && irq_count(VEC_TPR) == 1 && !apic_irr_test(VEC_TPR),
	       "tpr: TPR 0x%x lets vector 0x%x in (IRR clear, delivered once)", TPR_LETS_IN,
	       VEC_TPR);
}

static void test_timer_one_shot(void)
{
	u32 first, now = 0, after;
	bool woke;

	apic_timer_one_shot(VEC_TIMER_ONE_SHOT, TIMER_DIVISOR, ONE_SHOT_COUNT);
	first = apic_timer_current();
	for (u32 i = 0; i < POLL_LIMIT; i++) {
		now = apic_timer_current();
		if (now < first)
			break;
	}
	report_info("timer: one-shot: TIMER_CUR %u, then %u (initial count %u)", first, now,
		    ONE_SHOT_COUNT);
	report(first > 0 && first <= ONE_SHOT_COUNT && now < first && irq_count(VEC_TIMER_ONE_SHOT) == 0,
	       "timer: one-shot (divide %u, count %u): TIMER_CUR counts down from the initial count",
	       TIMER_DIVISOR, ONE_SHOT_COUNT);

	woke = halt_until(VEC_TIMER_ONE_SHOT, 1, VEC_TIMER_ONE_SHOT);
	after = apic_timer_current();
	(void)poll_until(VEC_TIMER_ONE_SHOT, 2, SETTLE_READS);
	report(woke && after == 0 && irq_count(VEC_TIMER_ONE_SHOT) == 1,
	       "timer: one-shot interrupt (vector 0x%x) wakes the halted vCPU once; TIMER_CUR "
	       "then reads 0", VEC_TIMER_ONE_SHOT);
	apic_timer_stop();
}

static void test_timer_periodic(void)
{
	const struct irq_record *r = irq(VEC_TIMER_PERIODIC);
	u64 period, stop_tsc;
	u32 n = 0, cur, raised;
	bool pending, quiet;

	apic_timer_periodic(VEC_TIMER_PERIODIC, TIMER_DIVISOR, PERIODIC_COUNT);
	irq_disable();
	for (u32 i = 0; i < HALT_LIMIT * PERIODIC_INTERRUPTS && n < PERIODIC_INTERRUPTS; i++) {
		irq_enable_and_halt();
		irq_disable();
		n = irq_count(VEC_TIMER_PERIODIC);
	}
	/* SDM 11.5.4: writing 0 to the initial count stops the timer. A
	 * period that ended before the write has raised its interrupt
	 * already: it stays pending in IRR (interrupts are off) and may
	 * still come, but nothing after it. */
	apic_write(APIC_TIMER_INIT, 0);
	stop_tsc = rdtsc();
	pending = apic_irr_test(VEC_TIMER_PERIODIC);
	cur = apic_timer_current();
	report(n == PERIODIC_INTERRUPTS,
	       "timer: periodic (divide %u, count %u): %u interrupts (vector 0x%x) while halting",
	       TIMER_DIVISOR, PERIODIC_COUNT, PERIODIC_INTERRUPTS, VEC_TIMER_PERIODIC);

	period = n > 1 ? (r->last_tsc - r->first_tsc) / (n - 1) : 0;
	irq_enable();
	while (rdtsc() - stop_tsc < PERIODS_AFTER_STOP * period)
		cpu_relax();
	irq_disable();
	raised = irq_count(VEC_TIMER_PERIODIC) - n;
	quiet = raised == pending && !apic_irr_test(VEC_TIMER_PERIODIC);
	report_info("timer: periodic: one period is %lu TSC ticks; after the stop TIMER_CUR %u, "
		    "%u interrupt(s) pending, %u taken", period, cur, pending, raised);
	report(n == PERIODIC_INTERRUPTS && cur == 0 && quiet,
	       "timer: TIMER_INIT 0 stops the periodic timer (TIMER_CUR 0, no interrupt in %u "
	       "periods)", PERIODS_AFTER_STOP);
	apic_timer_stop();
}

static void test_timer_masked(void)
{
	u32 cur = 1, reads = 0;

	apic_timer_start(VEC_TIMER_MASKED | LVT_TIMER_ONE_SHOT | LVT_MASKED, TIMER_DIVISOR,
			 MASKED_COUNT);
	irq_enable();
	while (cur && reads++ < POLL_LIMIT)
		cur = apic_timer_current();
	(void)apic_irr_test(VEC_TIMER_MASKED);
	irq_disable();
	report_info("timer: masked: TIMER_CUR reached %u after %u reads", cur, reads);
	report(cur == 0 && irq_count(VEC_TIMER_MASKED) == 0 && !apic_irr_test(VEC_TIMER_MASKED),
	       "timer: masked one-shot counts down to 0 without an interrupt (vector 0x%x not in "
	       "IRR)", VEC_TIMER_MASKED);
	apic_timer_stop();
}

static void test_esr(void)
{
	u32 esr = apic_esr();

	report(esr == 0, "esr: no APIC errors after the tests (ESR 0x%x)", esr);
}

static bool skipped(const struct guest_boot_info *bi)
{
	if (bi->flags & GUEST_BOOT_BARE) {
		if (!bi->cpu_index)
			report_info("apic64: running bare: skipped (it would reprogram the APIC)");
		return true;
	}
	if (!apic_x2apic_supported()) {
		if (!bi->cpu_index)
			report_info("apic64: CPUID.1:ECX.x2APIC clear: skipped");
		return true;
	}
	return false;
}

void guest_main(const struct guest_boot_info *bi)
{
	if (skipped(bi)) {
		report_summary("apic64");
		guest_exit(GUEST_EXIT_PASS);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(test_vectors); i++)
		apic_set_handler(test_vectors[i], count_irq);
	apic_enable();

	test_identity(0);
	test_version();
	test_spiv();
	test_tpr_register();
	test_ipi_cpu0();
	test_self_ipi();
	test_if_masking();
	test_tpr_masking();
	test_timer_one_shot();
	test_timer_periodic();
	test_timer_masked();
	test_esr();
	report_info("apic64: %u spurious interrupts", apic_spurious_count());
	guest_exit(report_summary("apic64") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}

/* vCPU 1 takes part in the IPI tests; any other vCPU just leaves. */
void guest_main_ap(const struct guest_boot_info *bi)
{
	if (bi->cpu_index != 1 || skipped(bi))
		return;
	if (!flag_wait(&meet.handlers_ready)) {
		report(false, "ipi: vCPU 1 waited in vain for vCPU 0");
		return;
	}
	test_ipi_cpu1(bi->cpu_index);
}
