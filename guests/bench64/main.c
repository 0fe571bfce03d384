/* bench64: what a round trip from the guest to nestvisor and back costs,
 * measured from inside with the TSC. For each operation it takes
 * BENCH_SAMPLES RDTSC-delimited samples and prints one machine-readable
 * line (docs/bench.md):
 *
 *   BENCH cpuid median=... min=... max=... n=101 unit=tsc net_median=...
 *
 * net_median is the median less the baseline's (rdtsc_pair: the same
 * measurement around an empty operation). Under Bochs a TSC tick is one
 * emulated instruction, so the figures are instruction counts and repeat
 * exactly from run to run. A benchmark, not a test: nothing is asserted
 * about the figures, and it always exits with GUEST_EXIT_PASS. Bare there
 * is no nestvisor to measure: it says so and exits. */
#include "../lib/guest.h"
#include "../../lib/stats.h"

#define BENCH_SAMPLES 101	/* odd: the median is one of the samples */
#define CPUID_VENDOR 0x0
/* docs/hypercalls.md: returns the vCPU's exit count and changes nothing. */
#define NV_HC_EXIT_COUNT 2
#define UNUSED_PORT 0x2f8	/* COM2: no device in a nestvisor guest (vmx/exit_io.c) */

/* RDTSC is not ordered with the instructions around it: LFENCE before it
 * waits until every earlier instruction has completed, LFENCE after it keeps
 * later ones from starting before the TSC is read (SDM Vol. 2B, RDTSC).
 * CPUID, the usual serializing instruction, is measured here and exits
 * under VMX. Under Bochs, which executes one instruction after another,
 * the fences only add their own count to every sample, as in the baseline. */
static inline u64 tsc_fenced(void)
{
	u32 lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
	return (u64)hi << 32 | lo;
}

/* The operations, called through a pointer so each is a real call with the
 * same overhead as the empty baseline (noinline: kept out of the loop). */
static noinline void op_none(void)
{
	barrier();
}

static noinline void op_cpuid(void)
{
	cpuid(CPUID_VENDOR, 0);
}

static noinline void op_vmcall(void)
{
	u64 rax = NV_HC_EXIT_COUNT;

	__asm__ volatile("vmcall" : "+a"(rax) : : "memory");
}

static noinline void op_in(void)
{
	inb(UNUSED_PORT);
}

static noinline void op_out(void)
{
	outb(UNUSED_PORT, 0);
}

static const struct bench_op {
	const char *name;
	void (*run)(void);
} ops[] = {
	{ "rdtsc_pair", op_none },	/* the baseline: first, as the others subtract it */
	{ "cpuid", op_cpuid },		/* CPUID leaf 0: a CPUID exit */
	{ "vmcall", op_vmcall },	/* the exit-count hypercall: a VMCALL exit */
	{ "in", op_in },		/* IN from a port without a device: an I/O exit */
	{ "out", op_out },		/* OUT to that port: an I/O exit */
};

static u64 samples[BENCH_SAMPLES];

static struct sample_summary measure(const struct bench_op *op)
{
	/* Once untimed: nestvisor logs a port's first access (vmx/exit_io.c). */
	op->run();
	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		u64 start = tsc_fenced();

		op->run();
		samples[i] = tsc_fenced() - start;
	}
	return samples_summarize(samples, BENCH_SAMPLES);
}

void guest_main(const struct guest_boot_info *bi)
{
	u64 baseline = 0;

	if (bi->flags & GUEST_BOOT_BARE) {
		report_info("bench64: running bare: no nestvisor to measure, skipped");
		return;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
		struct sample_summary s = measure(&ops[i]);

		if (i == 0)
			baseline = s.median;
		printf("BENCH %s median=%lu min=%lu max=%lu n=%u unit=tsc net_median=%lu\n",
		       ops[i].name, s.median, s.min, s.max, s.n,
		       s.median > baseline ? s.median - baseline : 0);
	}
}
