/* bad_msr: RDMSR and WRMSR of MSRs a nestvisor guest does not own. Every
 * MSR but IA32_EFER and the virtual APIC's exits and gets #GP(0)
 * (vmx/exit_msr_cr.c), whatever the number or the value: architectural
 * MSRs, VMX capabilities, other vendors' and hypervisors' ranges, numbers
 * in no range.
 * EFER passes through, so a write with a reserved bit is the CPU's own
 * #GP(0). Bad input handled is a pass: the guest exits with its report
 * status. Bare, the writes would reach the real CPU: it only says so. */
#include "../lib/prng.h"
#include "../lib/guest.h"

#define MSR_COUNT 64
#define EFER_RESERVED_BIT BIT(63)	/* reserved on every CPU (SDM Vol. 4, Table 2-2) */
#define PRNG_SEED 0x6261645f6d737221ull
#define MSR_LOW_RANGE 0x2000u			/* 0 - 0x1fff: most architectural MSRs */
#define MSR_HIGH_BASE 0xc0000000u		/* 0xc0000000 - 0xc0001fff */

static const struct {
	u32 msr;
	const char *name;
} named[] = {
	{ 0x0, "IA32_P5_MC_ADDR" },
	{ 0x10, "IA32_TIME_STAMP_COUNTER" },
	{ MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL" },
	{ 0x8b, "IA32_BIOS_SIGN_ID" },
	{ 0xe7, "IA32_MPERF" },
	{ 0xe8, "IA32_APERF" },
	{ 0x1a0, "IA32_MISC_ENABLE" },
	{ 0x1d9, "IA32_DEBUGCTL" },
	{ MSR_IA32_PAT, "IA32_PAT" },
	{ MSR_IA32_VMX_BASIC, "IA32_VMX_BASIC" },
	{ MSR_IA32_VMX_PROCBASED_CTLS2, "IA32_VMX_PROCBASED_CTLS2" },
	{ 0x6e0, "IA32_TSC_DEADLINE" },
	{ 0xc0000103, "IA32_TSC_AUX" },
	{ 0x40000000, "hypervisor range (Hyper-V guest OS ID)" },
	{ 0xc0010000, "AMD range (PERF_CTL0)" },
	{ 0xffffffff, "last MSR number" },
};

static u64 prng_state = PRNG_SEED;

/* Two random numbers in three fall where MSRs exist, one anywhere. */
static u32 random_msr(unsigned i)
{
	u32 r = (u32)prng_next(&prng_state);

	if (i % 3 == 0)
		return r % MSR_LOW_RANGE;
	if (i % 3 == 1)
		return MSR_HIGH_BASE + r % MSR_LOW_RANGE;
	return r;
}

/* The fault functions take no argument: the MSR and value live here. */
static u32 cur_msr;
static u64 cur_value;

static void read_cur(void)
{
	(void)rdmsr(cur_msr);
}

static void write_cur(void)
{
	wrmsr(cur_msr, cur_value);
}

static bool gp0(void (*fn)(void))
{
	struct trap_fault f = { 0 };

	return guest_expect_fault(VEC_GP, fn, &f) && f.error_code == 0;
}

static void check_denied(u32 msr, const char *name)
{
	bool r, w;

	cur_msr = msr;
	cur_value = prng_next(&prng_state);
	r = gp0(read_cur);
	w = gp0(write_cur);
	report(r && w, "bad_msr: 0x%x %s: RDMSR %s, WRMSR 0x%lx %s", msr, name,
	       r ? "#GP(0)" : "no #GP(0)", cur_value, w ? "#GP(0)" : "no #GP(0)");
}

static void test_efer(void)
{
	u64 efer = rdmsr(MSR_IA32_EFER), after;
	bool w;

	cur_msr = MSR_IA32_EFER;
	cur_value = efer | EFER_RESERVED_BIT;
	w = gp0(write_cur);
	after = rdmsr(MSR_IA32_EFER);
	report(w && after == efer && (after & EFER_LMA),
	       "bad_msr: WRMSR IA32_EFER 0x%lx (reserved bit 63) raises #GP(0); EFER stays 0x%lx",
	       cur_value, after);
}

void guest_main(const struct guest_boot_info *bi)
{
	unsigned n = 0;

	if (bi->flags & GUEST_BOOT_BARE) {
		report_info("bad_msr: running bare: the writes would reach the real CPU, skipped");
		report_summary("bad_msr");
		guest_exit(GUEST_EXIT_PASS);
	}
	printf("bad_msr: RDMSR and WRMSR (random values) of %u MSRs nestvisor does not allow, "
	       "expect #GP(0) from each\n", MSR_COUNT);
	for (unsigned i = 0; i < ARRAY_SIZE(named); i++, n++)
		check_denied(named[i].msr, named[i].name);
	for (unsigned i = 0; n < MSR_COUNT; i++) {
		u32 msr = random_msr(i);

		/* EFER, FS/GS bases, SYSENTER and the SYSCALL MSRs pass through;
		 * IA32_APIC_BASE and the x2APIC range belong to the virtual APIC
		 * (apic64 tests them). */
		if (msr == MSR_IA32_EFER || msr == MSR_IA32_APIC_BASE || msr == MSR_FS_BASE ||
		    msr == MSR_GS_BASE || (msr >= 0x174 && msr <= 0x176) ||
		    (msr >= 0xc0000081 && msr <= 0xc0000084) || msr == MSR_KERNEL_GS_BASE ||
		    (msr >= MSR_X2APIC_BASE && msr <= MSR_X2APIC_BASE + 0xff))
			continue;
		check_denied(msr, "(random)");
		n++;
	}
	test_efer();
	guest_exit(report_summary("bad_msr") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
