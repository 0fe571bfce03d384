/* vmx_l2 (l2.h): the test table, the shuffled run order, and the results
 * printed in the table's order.
 *
 * The order: a seed from the boot info's command line (`seed=N`), else
 * from the TSC, picks a permutation of the table (Fisher-Yates over
 * xorshift64); INFO lines give the seed and the order. Each test's report
 * lines are kept and printed after the last test, test by test in the
 * table's order, so the PASS/FAIL lines are the same for every seed and
 * two runs can be compared line by line (test/runs.cfg runs two). */
#include "l2.h"
#include "../lib/apic.h"
#include "../lib/prng.h"
#include "../lib/user.h"
#include "../../lib/fmt.h"

#define LINE_MAX 240
#define LINES_MAX 256
#define SEED_KEY "seed="

#define TEST_COUNT l2_test_count

/* A buffered line: a check, an INFO line or a SKIP line. */
enum line_kind { LINE_CHECK, LINE_INFO, LINE_SKIP };

static struct line {
	u8 test;
	u8 kind;		/* enum line_kind */
	bool pass;
	char text[LINE_MAX];
} lines[LINES_MAX];
static unsigned nr_lines, current_test;

static bool add_line(bool pass, enum line_kind kind, const char *fmt, va_list ap)
{
	struct line *l;

	if (nr_lines == LINES_MAX)
		panic("vmx_l2: more than %u result lines", LINES_MAX);
	l = &lines[nr_lines++];
	l->test = (u8)current_test;
	l->pass = pass;
	l->kind = (u8)kind;
	fmt_vsnprintf(l->text, sizeof(l->text), fmt, ap);
	return pass;
}

bool res(bool pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(pass, LINE_CHECK, fmt, ap);
	va_end(ap);
	return pass;
}

void res_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(true, LINE_INFO, fmt, ap);
	va_end(ap);
}

void res_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_line(true, LINE_SKIP, fmt, ap);
	va_end(ap);
}

static u64 parse_seed(const char *cmdline, bool *given)
{
	const char *p = cmdline;
	u64 seed = 0;

	*given = false;
	for (; *p; p++) {
		if (strncmp(p, SEED_KEY, sizeof(SEED_KEY) - 1))
			continue;
		p += sizeof(SEED_KEY) - 1;
		while (*p >= '0' && *p <= '9')
			seed = seed * 10 + (u64)(*p++ - '0');
		*given = true;
		break;
	}
	if (!*given)
		seed = rdtsc() % 1000000;
	return seed;
}

static void shuffle(u8 *order, unsigned n, u64 seed)
{
	u64 state = seed * 2654435761u + 1;	/* never 0 for xorshift */

	for (unsigned i = 0; i < n; i++)
		order[i] = (u8)i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)(prng_next(&state) % (i + 1));
		u8 t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

/* What every test must leave as it found it. */
struct l1_state {
	u64 fs_base, gs_base, kernel_gs_base, efer, cr0, cr3, cr4, rflags_if, vmcs;
};

static struct l1_state l1_state(void)
{
	u64 vmcs = 0;

	vmx_vmptrst(&vmcs);
	return (struct l1_state){
		.fs_base = rdmsr(MSR_FS_BASE), .gs_base = rdmsr(MSR_GS_BASE),
		.kernel_gs_base = rdmsr(MSR_KERNEL_GS_BASE), .efer = rdmsr(MSR_IA32_EFER),
		.cr0 = read_cr0(), .cr3 = read_cr3(), .cr4 = read_cr4(),
		.rflags_if = read_rflags() & RFLAGS_IF, .vmcs = vmcs,
	};
}

static void print_results(void)
{
	for (unsigned t = 0; t < TEST_COUNT; t++)
		for (unsigned i = 0; i < nr_lines; i++) {
			if (lines[i].test != t)
				continue;
			if (lines[i].kind == LINE_INFO)
				report_info("%s: %s", l2_tests[t].name, lines[i].text);
			else if (lines[i].kind == LINE_SKIP)
				report_skip("%s: %s", l2_tests[t].name, lines[i].text);
			else
				report(lines[i].pass, "%s: %s", l2_tests[t].name, lines[i].text);
		}
}

void guest_main(const struct guest_boot_info *bi)
{
	u8 order[L2_TESTS_MAX];
	struct l1_state before, after;
	unsigned changed = 0;
	bool given;
	u64 seed = parse_seed(bi->cmdline, &given);

	env.bare = bi->flags & GUEST_BOOT_BARE;
	printf("vmx_l2: %s, an L1 hypervisor running L2 guests\n",
	       env.bare ? "bare" : "virtualized");
	if (!vmx_features_read(&env.f)) {
		report_info("vmx_l2: CPUID.1:ECX.VMX is 0: nothing to test");
		report_summary("vmx_l2");
		return;
	}
	/* Its GDT has a TSS: a host TR selector must not be 0 (SDM 27.2.3). */
	user_init();
	if (!l2_vmx_on()) {
		report(false, "vmx_l2: VMXON failed: no test run");
		report_summary("vmx_l2");
		return;
	}
	apic_enable();
	shuffle(order, TEST_COUNT, seed);
	report_info("order: seed %llu (%s)", (unsigned long long)seed,
		    given ? "from the command line" : "from the TSC; seed=N on the command line repeats it");
	for (unsigned i = 0; i < TEST_COUNT; i++) {
		current_test = order[i];
		report_info("order: %u: %s", i + 1, l2_tests[order[i]].name);
		before = l1_state();
		l2_tests[order[i]].fn();
		after = l1_state();
		if (memcmp(&before, &after, sizeof(before))) {
			changed++;
			res(false, "left L1's state changed (FS/GS bases, EFER, CR0/3/4, IF, "
				   "current VMCS)");
		}
	}
	/* Out of VMX operation: INIT, which ends a bare run, is blocked in
	 * VMX root operation (SDM 24.8). */
	report(vmx_outcome_of(vmx_vmxoff()) == VMX_SUCCEED, "VMXOFF after the tests");
	print_results();
	report(!changed, "every test left L1's FS and GS bases, EFER, CR0, CR3, CR4, IF and "
			 "current-VMCS pointer as it found them");
	report_summary("vmx_l2");
}
