/* apic64: nestvisor's virtual x2APIC, checked from inside (SDM Vol. 3A,
 * chapter 11): identity, VERSION, SPIV, TPR, self-IPIs through both
 * registers, EOI, IF and TPR masking, the TPR through MSR 0x808 and CR8
 * and register reads (served by the CPU or by nestvisor: the exit count
 * shows which), the timer in one-shot, periodic and masked modes, and with
 * 2 vCPUs, IPIs that wake a halted vCPU. Only meaningful virtualized with an x2APIC: bare (it would
 * reprogram the APIC under nestvisor's feet) or without one it says so and
 * passes. PASS lines carry no run-dependent numbers; INFO lines before
 * them do. */
#include "../lib/guest.h"
#include "../lib/apic.h"
#include "../../lib/hypercall.h"

/* One vector per test, so a stray interrupt cannot pass for another. */
#define VEC_TIMER_ONE_SHOT 0x40
#define VEC_TIMER_PERIODIC 0x41
#define VEC_TIMER_MASKED 0x42
#define VEC_TPR_CR8 0x43	/* class 4, held by CR8 */
#define VEC_TPR 0x44		/* priority class 4 */
#define VEC_SELF_IPI 0x45
#define VEC_ICR_SELF 0x46
#define VEC_IF 0x47
#define VEC_TPR_MSR 0x48	/* class 4, held by the TPR MSR */
#define VEC_TIMEOUT 0x4f	/* ends a wait for an IPI that does not come */
#define VEC_IPI_TO_CPU0 0x50
#define VEC_IPI_TO_CPU1 0x51

#define TPR_BLOCKS_ABOVE 0x50	/* class 5 > class 4 */
#define TPR_BLOCKS_EQUAL 0x40	/* class 4: delivery needs a higher class */
#define TPR_LETS_IN 0x30
#define TPR_PROBE 0x20
#define TPR_MSR_PROBE 0x70	/* through MSR 0x808, read back through CR8 as 7 */
#define CR8_PROBE 9		/* through CR8, read back through MSR 0x808 as 0x90 */
#define TPR_ACCESSES 16		/* reads and as many writes, per path, per try */
#define EXIT_COUNT_TRIES 3	/* the fewest exits of these: no stray timer exit */
#define REG_READ_ROUNDS 4	/* reads of each register, per try */

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
	VEC_TIMER_ONE_SHOT, VEC_TIMER_PERIODIC, VEC_TIMER_MASKED, VEC_TPR_CR8, VEC_TPR,
	VEC_SELF_IPI, VEC_ICR_SELF, VEC_IF, VEC_TPR_MSR, VEC_TIMEOUT, VEC_IPI_TO_CPU0,
	VEC_IPI_TO_CPU1,
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

/* The TPR has two doors, MSR 0x808 and CR8 (its class, SDM 11.8.6.1):
 * what one writes the other reads. */
static void test_tpr_cr8(void)
{
	u32 msr_back, from_msr;
	u64 cr8_back, from_cr8;

	apic_write(APIC_TPR, TPR_MSR_PROBE);
	msr_back = apic_read(APIC_TPR);
	from_cr8 = read_cr8();
	write_cr8(CR8_PROBE);
	cr8_back = read_cr8();
	from_msr = apic_read(APIC_TPR);
	write_cr8(0);
	report_info("tpr: MSR 0x%x reads 0x%x, CR8 %lu; CR8 %u reads %lu, MSR 0x%x",
		    TPR_MSR_PROBE, msr_back, from_cr8, CR8_PROBE, cr8_back, from_msr);
	report(msr_back == TPR_MSR_PROBE && from_cr8 == TPR_MSR_PROBE >> TPR_CLASS_SHIFT,
	       "tpr: TPR 0x%x written through MSR 0x%x reads back there and as %u from CR8",
	       TPR_MSR_PROBE, x2apic_msr(APIC_TPR), TPR_MSR_PROBE >> TPR_CLASS_SHIFT);
	report(cr8_back == CR8_PROBE && from_msr == CR8_PROBE << TPR_CLASS_SHIFT,
	       "tpr: CR8 %u written reads back there and as 0x%x from MSR 0x%x", CR8_PROBE,
	       CR8_PROBE << TPR_CLASS_SHIFT, x2apic_msr(APIC_TPR));
}

static void tpr_write_msr(u32 tpr) { apic_write(APIC_TPR, tpr); }
static void tpr_write_cr8(u32 tpr) { write_cr8(tpr >> TPR_CLASS_SHIFT); }

/* With interrupts enabled, a vector the TPR holds (set_tpr(0x50)) is
 * delivered by the very write that lowers the TPR (set_tpr(0x30)), before
 * the next instruction: an exit on the write, or without one (TPR shadow)
 * the "TPR below threshold" exit right after it. */
static bool lowering_delivers_at_once(u8 vector, void (*set_tpr)(u32 tpr))
{
	bool held, at_once;

	irq_disable();
	set_tpr(TPR_BLOCKS_ABOVE);
	apic_self_ipi(vector);
	irq_enable();
	held = apic_irr_test(vector) && irq_count(vector) == 0;
	set_tpr(TPR_LETS_IN);
	at_once = irq_count(vector) == 1;
	irq_disable();
	set_tpr(0);
	return held && at_once && !apic_irr_test(vector);
}

static void test_tpr_lowering(void)
{
	report(lowering_delivers_at_once(VEC_TPR_CR8, tpr_write_cr8),
	       "tpr: CR8 %u holds vector 0x%x; CR8 %u delivers it before the next instruction",
	       TPR_BLOCKS_ABOVE >> TPR_CLASS_SHIFT, VEC_TPR_CR8, TPR_LETS_IN >> TPR_CLASS_SHIFT);
	report(lowering_delivers_at_once(VEC_TPR_MSR, tpr_write_msr),
	       "tpr: TPR 0x%x holds vector 0x%x; TPR 0x%x through MSR 0x%x delivers it before the "
	       "next instruction", TPR_BLOCKS_ABOVE, VEC_TPR_MSR, TPR_LETS_IN,
	       x2apic_msr(APIC_TPR));
}

/* VM exits taken by accesses(); the fewest of a few tries, so a stray
 * timer exit does not count. The second exit-count hypercall counts
 * itself: one less. */
static u64 exits_of(void (*accesses)(void))
{
	u64 fewest = ~0ull;

	for (unsigned t = 0; t < EXIT_COUNT_TRIES; t++) {
		u64 before = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0), after;

		accesses();
		after = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0);
		fewest = MIN(fewest, after - before - 1);
	}
	return fewest;
}

/* TPR_ACCESSES writes and as many reads through one door. */
static void tpr_msr_accesses(void)
{
	for (u32 i = 0; i < TPR_ACCESSES; i++) {
		apic_write(APIC_TPR, (i & 0xf) << TPR_CLASS_SHIFT);
		(void)apic_read(APIC_TPR);
	}
}

static void tpr_cr8_accesses(void)
{
	for (u32 i = 0; i < TPR_ACCESSES; i++) {
		write_cr8(i & 0xf);
		(void)read_cr8();
	}
}

/* Registers the APIC holds, and two it computes on each read. */
static const u32 held_regs[] = {
	APIC_ID, APIC_SPIV, APIC_IRR0 + 2 * APIC_VECTOR_REG_STRIDE,
	APIC_ISR0 + 2 * APIC_VECTOR_REG_STRIDE, APIC_LVT_TIMER,
};
static const u32 computed_regs[] = { APIC_PPR, APIC_TIMER_CUR };

static void read_regs(const u32 *regs, unsigned n)
{
	for (u32 i = 0; i < REG_READ_ROUNDS; i++)
		for (unsigned r = 0; r < n; r++)
			(void)apic_read(regs[r]);
}

static void held_reads(void) { read_regs(held_regs, ARRAY_SIZE(held_regs)); }
static void computed_reads(void) { read_regs(computed_regs, ARRAY_SIZE(computed_regs)); }

/* What nestvisor says this vCPU's CPU serves (NV_APIC_VIRT_*), or a FAIL
 * line and NV_HC_ERROR. */
static u64 apic_virt(void)
{
	u64 virt = nv_hypercall(NV_HC_APIC_VIRT, 0, 0);

	if (virt == NV_HC_ERROR)
		report(false, "apic: nestvisor does not answer the APIC-virtualization hypercall");
	return virt;
}

static const char *server(u64 virt, u64 feature)
{
	return virt & feature ? "served by the CPU" : "served by exits";
}

/* Where nestvisor says the CPU serves the TPR (the TPR shadow and
 * "virtualize x2APIC mode"), reads and writes take no exit; elsewhere each
 * takes exactly one. */
static void test_tpr_exits(void)
{
	u64 virt = apic_virt(), msr_exits, cr8_exits, msr_want, cr8_want;

	if (virt == NV_HC_ERROR)
		return;
	msr_exits = exits_of(tpr_msr_accesses);
	cr8_exits = exits_of(tpr_cr8_accesses);
	write_cr8(0);
	msr_want = virt & NV_APIC_VIRT_TPR_MSR ? 0 : 2 * TPR_ACCESSES;
	cr8_want = virt & NV_APIC_VIRT_CR8 ? 0 : 2 * TPR_ACCESSES;
	report_info("tpr: path: MSR 0x%x %s, CR8 %s", x2apic_msr(APIC_TPR),
		    server(virt, NV_APIC_VIRT_TPR_MSR), server(virt, NV_APIC_VIRT_CR8));
	report_info("tpr: %u TPR reads and writes took %lu VM exits through MSR 0x%x, %lu through "
		    "CR8", 2 * TPR_ACCESSES, msr_exits, x2apic_msr(APIC_TPR), cr8_exits);
	report(msr_exits == msr_want && cr8_exits == cr8_want,
	       "tpr: TPR reads and writes through MSR 0x%x and CR8 take no VM exit where the CPU "
	       "serves them, one each where nestvisor does", x2apic_msr(APIC_TPR));
}

/* Reads of registers the APIC holds take no exit where nestvisor says the
 * CPU serves them (APIC-register virtualization), one each elsewhere; PPR
 * and TIMER_CUR, which nestvisor computes, always exit. */
static void test_register_read_exits(void)
{
	u64 virt = apic_virt(), held, computed, held_want;
	const u64 computed_want = REG_READ_ROUNDS * ARRAY_SIZE(computed_regs);

	if (virt == NV_HC_ERROR)
		return;
	held = exits_of(held_reads);
	computed = exits_of(computed_reads);
	held_want = virt & NV_APIC_VIRT_REG_READS ? 0 : REG_READ_ROUNDS * ARRAY_SIZE(held_regs);
	report_info("apic: path: register reads %s", server(virt, NV_APIC_VIRT_REG_READS));
	report_info("apic: %lu reads of ID, SPIV, IRR, ISR and LVT timer took %lu VM exits, %lu of "
		    "PPR and TIMER_CUR %lu", REG_READ_ROUNDS * ARRAY_SIZE(held_regs), held,
		    computed_want, computed);
	report(held == held_want && computed == computed_want,
	       "apic: ID, SPIV, IRR, ISR, LVT timer reads take no VM exit where the CPU serves them, "
	       "one each elsewhere; PPR and TIMER_CUR reads always exit");
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
	test_tpr_cr8();
	test_tpr_lowering();
	test_tpr_exits();
	test_register_read_exits();
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
