/* vmx_bench: what an L2 exit that nestvisor reflects to L1 costs, for
 * `make bench` (docs/bench.md). An L1 in vmx_l2's frame (main.c, vmcs12.c)
 * runs an L2 that loops over one exiting instruction (CPUID, VMCALL, OUT)
 * and handles each exit as a real L1 does: VMREAD of the exit reason, the
 * instruction length and GUEST_RIP, VMWRITE of GUEST_RIP past the
 * instruction, VMRESUME. Around the loop it reads nestvisor's exit counters
 * (hypercalls 2 and 4, lib/hypercall.h) and the TSC. Two loops, of 1 and of
 * 1 + BENCH_N round trips, differ by exactly BENCH_N round trips: what both
 * have once (VMLAUNCH, the last exit, the hypercalls) cancels. One line per
 * instruction, figures per round trip with two decimals:
 *
 *   BENCH nested_cpuid shadow=on n=100 exits_per_l2_exit=2.00 l2_exit=1.00
 *         vmread=0.00 vmwrite=0.00 vmresume=1.00 other=0.00
 *         tsc_per_l2_exit=... unit=tsc
 *
 * The architectural floor is 2 nestvisor exits per L2 exit: the L2 exit
 * itself and L1's VMRESUME; without shadowing L1's 3 VMREADs and VMWRITE
 * exit too. Then the single-level round trip measured the same way, L1's
 * own CPUID (BENCH l1_cpuid). A benchmark: nothing is asserted about the
 * figures; a loop that does not end at its UD2 is a FAIL line, since its
 * figures would be of something else. Bare it says SKIP. */
#include "../vmx_shadow/shadow.h"
#include "../../lib/fmt.h"

#define BENCH_N 100		/* round trips between the two loops */
#define CENTI 100		/* figures with two decimals */

void l2_restore_dtr_limits(void);	/* vmcs12.c, as run.c uses it */

/* L2's loops: the instruction (OUT to port 0x80, the POST port, which
 * vmcs12.c's unconditional I/O exiting hands L1), R12 times, then UD2 (an exception exit:
 * vmcs12.c's exception bitmap is all ones). L1's handler leaves R12 alone;
 * CPUID's registers are L1's scratch. */
__asm__(".pushsection .text\n"
	".globl bench_l2_cpuid, bench_l2_cpuid_end\n"
	"bench_l2_cpuid:\n\txor %eax, %eax\n\txor %ecx, %ecx\n\tcpuid\n"
	"\tdec %r12\n\tjnz bench_l2_cpuid\n"
	"bench_l2_cpuid_end:\n\tud2\n"

	".globl bench_l2_vmcall, bench_l2_vmcall_end\n"
	"bench_l2_vmcall:\n\tvmcall\n\tdec %r12\n\tjnz bench_l2_vmcall\n"
	"bench_l2_vmcall_end:\n\tud2\n"

	".globl bench_l2_out, bench_l2_out_end\n"
	"bench_l2_out:\n\toutb %al, $0x80\n\tdec %r12\n\tjnz bench_l2_out\n"
	"bench_l2_out_end:\n\tud2\n"
	".popsection");
extern const u8 bench_l2_cpuid[], bench_l2_cpuid_end[], bench_l2_vmcall[],
	bench_l2_vmcall_end[], bench_l2_out[], bench_l2_out_end[];

static const struct bench_op {
	const char *name;
	u32 reason;		/* L2's exits, which L1 handles */
	const u8 *l2, *end;	/* L2's loop and its UD2 */
} ops[] = {
	{ "cpuid", EXIT_REASON_CPUID, bench_l2_cpuid, bench_l2_cpuid_end },
	{ "vmcall", EXIT_REASON_VMCALL, bench_l2_vmcall, bench_l2_vmcall_end },
	{ "io", EXIT_REASON_IO_INSTRUCTION, bench_l2_out, bench_l2_out_end },
};

/* VMLAUNCH of the current VMCS with L2 looping n times, L1 handling each
 * exit of the given basic reason at HOST_RIP (local label 3, with RSP =
 * HOST_RSP again: a VM exit loads only those, SDM 28.5). L1 and L2 share
 * the other registers: R12 is L2's count, R15 L1's reason. Returns the
 * first exit reason that is not that one, or bit 63 | RFLAGS after a
 * VMfail. */
static u64 l1_loop(u32 reason, u64 n)
{
	u64 result;

	__asm__ volatile(
		"mov %[n], %%r12\n\t"
		"mov %[reason], %%r15\n\t"
		"mov %[host_rsp], %%ebx\n\t"
		"vmwrite %%rsp, %%rbx\n\t"
		"lea 3f(%%rip), %%rax\n\t"
		"mov %[host_rip], %%ebx\n\t"
		"vmwrite %%rax, %%rbx\n\t"
		"vmlaunch\n\t"
		"jmp 4f\n"
		"3:\tmov %[exit_reason], %%ebx\n\t"
		"vmread %%rbx, %%rax\n\t"
		"cmp %%r15, %%rax\n\t"
		"jne 5f\n\t"
		"mov %[len], %%ebx\n\t"
		"vmread %%rbx, %%rcx\n\t"
		"mov %[rip], %%ebx\n\t"
		"vmread %%rbx, %%rdx\n\t"
		"add %%rcx, %%rdx\n\t"
		"vmwrite %%rdx, %%rbx\n\t"
		"vmresume\n"
		"4:\tpushfq\n\t"
		"pop %%rax\n\t"
		"bts $63, %%rax\n"
		"5:"
		: "=&a"(result)
		: [n] "r"(n), [reason] "r"((u64)reason), [host_rsp] "i"(VMCS_HOST_RSP),
		  [host_rip] "i"(VMCS_HOST_RIP), [exit_reason] "i"(VMCS_VM_EXIT_REASON),
		  [len] "i"(VMCS_VM_EXIT_INSTRUCTION_LEN), [rip] "i"(VMCS_GUEST_RIP)
		: "rbx", "rcx", "rdx", "r12", "r15", "memory", "cc");
	l2_restore_dtr_limits();
	return result;
}

/* L1's own CPUID, n times: the single-level round trip. */
static void l1_cpuid(u64 n)
{
	__asm__ volatile("1:\txor %%eax, %%eax\n\txor %%ecx, %%ecx\n\tcpuid\n\t"
			 "dec %[n]\n\tjnz 1b"
			 : [n] "+r"(n) : : "rax", "rbx", "rcx", "rdx", "memory", "cc");
}

/* nestvisor's counters and the TSC around one loop. */
enum { C_TOTAL, C_L2, C_VMREAD, C_VMWRITE, C_VMRESUME, C_TSC, C_COUNT };

static void counters(u64 *c, u32 reason)
{
	c[C_L2] = nv_exits(reason);
	c[C_VMREAD] = nv_exits(EXIT_REASON_VMREAD);
	c[C_VMWRITE] = nv_exits(EXIT_REASON_VMWRITE);
	c[C_VMRESUME] = nv_exits(EXIT_REASON_VMRESUME);
	c[C_TOTAL] = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0);
}

/* One nested loop of n round trips: what the counters moved by, in d; false
 * (and a FAIL line) if it did not end at L2's UD2. */
static bool nested_run(const struct bench_op *op, u64 n, u64 *d)
{
	u64 before[C_COUNT], after[C_COUNT], r, rip;

	l2_prepare(op->l2);
	counters(before, op->reason);
	before[C_TSC] = rdtsc();
	r = l1_loop(op->reason, n);
	after[C_TSC] = rdtsc();
	counters(after, op->reason);
	rip = vmcs_read(VMCS_GUEST_RIP);
	l2_finish();
	for (unsigned i = 0; i < C_COUNT; i++)
		d[i] = after[i] - before[i];
	return res(r == EXIT_REASON_EXCEPTION_NMI && rip == (u64)op->end,
		   "%s: L2's loop of %llu ran to its UD2, L1 handling each exit", op->name,
		   (unsigned long long)n);
}

/* "12.34": v / BENCH_N with two decimals. */
static void centi(char *buf, size_t n, u64 v)
{
	u64 c = v * CENTI / BENCH_N;

	fmt_snprintf(buf, n, "%llu.%02llu", (unsigned long long)(c / CENTI),
		     (unsigned long long)(c % CENTI));
}

#define FIG 24

static void nested_bench(const struct bench_op *op, bool on)
{
	u64 one[C_COUNT], many[C_COUNT], d[C_COUNT], other;
	char f[C_COUNT][FIG], o[FIG];

	if (!nested_run(op, 1, one) || !nested_run(op, 1 + BENCH_N, many))
		return;
	for (unsigned i = 0; i < C_COUNT; i++) {
		d[i] = many[i] - one[i];
		centi(f[i], FIG, d[i]);
	}
	other = d[C_TOTAL] - d[C_L2] - d[C_VMREAD] - d[C_VMWRITE] - d[C_VMRESUME];
	centi(o, FIG, other);
	printf("BENCH nested_%s shadow=%s n=%u exits_per_l2_exit=%s l2_exit=%s vmread=%s "
	       "vmwrite=%s vmresume=%s other=%s tsc_per_l2_exit=%s unit=tsc\n", op->name,
	       on ? "on" : "off", BENCH_N, f[C_TOTAL], f[C_L2], f[C_VMREAD], f[C_VMWRITE],
	       f[C_VMRESUME], o, f[C_TSC]);
}

static void single_bench(void)
{
	u64 t[2], e[2];
	char tsc[FIG], exits[FIG];

	for (unsigned k = 0; k < 2; k++) {
		u64 c = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0), s = rdtsc();

		l1_cpuid(k ? 1 + BENCH_N : 1);
		t[k] = rdtsc() - s;
		e[k] = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0) - c;
	}
	centi(tsc, FIG, t[1] - t[0]);
	centi(exits, FIG, e[1] - e[0]);
	printf("BENCH l1_cpuid n=%u exits_per_cpuid=%s tsc_per_exit=%s unit=tsc\n", BENCH_N, exits,
	       tsc);
}

static void t_bench(void)
{
	bool on;

	if (env.bare) {
		res_skip("running bare: no nestvisor to measure");
		return;
	}
	on = shadow_mode();
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
		nested_bench(&ops[i], on);
	single_bench();
}

const struct l2_test l2_tests[] = {
	{ "bench", t_bench },
};
const unsigned l2_test_count = sizeof(l2_tests) / sizeof(l2_tests[0]);
