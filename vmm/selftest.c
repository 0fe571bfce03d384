#include "selftest.h"
#include "console.h"
#include "../apic/apic_regs.h"
#include "../apic/lapic.h"
#include "../apic/lapic_decode.h"
#include "../boot/trap.h"
#include "../lib/panic.h"
#include "../lib/report.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"

#define DIRTY_BYTE 0xa5
#define MAX_HELD_PAGES 256
#define MAX_TEST_ORDER 9
#define TIMER_PERIOD_US 1000
#define TIMER_TICKS 10
#define TIMER_TIMEOUT_US 1000000	/* 100 times the ticks we wait for */
#define IPI_TIMEOUT_US 200000
#define UNMAPPED_ADDRESS (1ull << 46)	/* above anything the host tables map */

static enum crash_test armed_crash;

static void timer_tick(struct trap_frame *tf __unused)
{
	this_cpu()->timer_ticks++;
	lapic_eoi();
}

static void ipi_taken(struct trap_frame *tf __unused)
{
	struct percpu *cpu = this_cpu();

	if (armed_crash == CRASH_AP_UD && cpu->cpu_id + 1 == percpu_count())
		__asm__ volatile("ud2");	/* before counting: the sender sees no answer */
	cpu->ipis++;
	lapic_eoi();
}

void selftest_init(enum crash_test crash)
{
	armed_crash = crash;
	trap_set_handler(VECTOR_TIMER, timer_tick);
	trap_set_handler(VECTOR_IPI, ipi_taken);
}

static bool all_bytes(const u8 *p, u8 v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* Waits until *counter has advanced want past start, or timeout_us passed. */
static bool wait_count(const volatile u64 *counter, u64 start, u64 want, u64 timeout_us)
{
	u64 end = rdtsc() + tsc_hz() * timeout_us / 1000000;

	while (*counter - start < want)
		if ((s64)(rdtsc() - end) > 0)
			return false;
	return true;
}

void selftest_memory(void)
{
	static void *held[MAX_HELD_PAGES];
	struct page_stats before, after;
	unsigned n = 0;
	bool aligned = true;
	u8 *p, *q;

	page_alloc_stats(&before);
	p = page_alloc_or_panic(0, 0, "the allocator self-test");
	memset(p, DIRTY_BYTE, PAGE_SIZE);
	page_free(p);
	/* Take pages until the allocator hands the freed one back. */
	while ((q = page_alloc(0, 0)) && q != p && n < MAX_HELD_PAGES)
		held[n++] = q;
	if (report(q == p, "mm: the freed page 0x%lx came back (after %u others)",
		   ptr_to_phys(p), n))
		report(all_bytes(q, 0, PAGE_SIZE), "mm: a dirtied, freed page comes back zeroed");
	if (q)
		page_free(q);
	while (n)
		page_free(held[--n]);

	for (unsigned order = 0; order <= MAX_TEST_ORDER; order++) {
		q = page_alloc(order, PAGE_NOZERO);
		aligned &= q && IS_ALIGNED(ptr_to_phys(q), PAGE_SIZE << order);
		if (q)
			page_free(q);
	}
	report(aligned, "mm: blocks of 1 to %u pages are aligned to their size",
	       1u << MAX_TEST_ORDER);
	page_alloc_stats(&after);
	report(after.free_pages == before.free_pages && after.used_pages == before.used_pages,
	       "mm: statistics balance after the test (%lu pages free)", after.free_pages);
}

void selftest_this_cpu(struct percpu *cpu)
{
	char spiv[64];
	u64 start = cpu->timer_ticks;
	bool ticked;

	lapic_describe_spiv(cpu->spiv_after_reset, spiv, sizeof(spiv));
	report(cpu->spiv_after_reset & SPIV_APIC_ENABLED,
	       "lapic: cpu%u SPIV %s after reset", cpu->cpu_id, spiv);

	lapic_timer_periodic(VECTOR_TIMER, TIMER_PERIOD_US);
	irq_enable();
	ticked = wait_count(&cpu->timer_ticks, start, TIMER_TICKS, TIMER_TIMEOUT_US);
	irq_disable();
	lapic_timer_periodic(VECTOR_TIMER, 0);
	report(ticked, "timer: cpu%u took %lu periodic interrupts of %u us",
	       cpu->cpu_id, cpu->timer_ticks - start, TIMER_PERIOD_US);
}

void selftest_ipis(void)
{
	for (unsigned i = 1; i < percpu_count(); i++) {
		struct percpu *cpu = percpu_get(i);
		u64 start = cpu->ipis;

		if (cpu->state != CPU_ONLINE)
			continue;
		lapic_send_ipi(cpu->apic_id, VECTOR_IPI);
		report(wait_count(&cpu->ipis, start, 1, IPI_TIMEOUT_US), "ipi: cpu%u took an IPI from cpu%u",
		       cpu->cpu_id, this_cpu_id());
	}
}

void selftest_cpus_alive(void)
{
	unsigned stopped = 0;

	for (unsigned i = 0; i < percpu_count(); i++)
		stopped += percpu_get(i)->state == CPU_STOPPED;
	report(!stopped, "cpus: %u CPU%s stopped by a crash", stopped, stopped == 1 ? "" : "s");
}

static unsigned recurse(unsigned depth);
/* Called through a volatile pointer so the compiler cannot turn the
 * recursion into a loop. */
static unsigned (*volatile recurse_again)(unsigned) = recurse;

static unsigned recurse(unsigned depth)
{
	volatile u8 frame[512];

	frame[0] = (u8)depth;
	return recurse_again(depth + 1) + frame[0];
}

void selftest_crash(enum crash_test crash)
{
	switch (crash) {
	case CRASH_NONE:
	case CRASH_AP_UD:	/* armed in ipi_taken */
		return;
	case CRASH_UD:
		pr_info("selftest: crash=ud: executing ud2");
		__asm__ volatile("ud2");
		return;
	case CRASH_PF:
		pr_info("selftest: crash=pf: reading 0x%llx", UNMAPPED_ADDRESS);
		(void)*(volatile u64 *)phys_to_ptr(UNMAPPED_ADDRESS);
		return;
	case CRASH_STACK_OVERFLOW:
		pr_info("selftest: crash=stack-overflow: recursing without end");
		recurse(0);
		return;
	case CRASH_PANIC:
		panic("deliberate panic (crash=panic)");
	}
}
