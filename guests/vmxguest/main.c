/* vmxguest: what nestvisor promises a guest, checked from inside. Only
 * meaningful virtualized: bare, it says so and exits with GUEST_EXIT_PASS.
 * CPUID as nestvisor edits it, the MSR allow list (EFER only), no VMX for
 * the guest, the VMCALL hypercalls (vmx/exit_misc.c) and ports without a
 * device reading as all ones (vmx/exit_io.c). */
#include "../lib/guest.h"
#include "../../lib/hypercall.h"

#define CPUID_FEATURES 0x1
#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_PDCM BIT(15)
#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_LEAF_PMU 0xa
#define CPUID_LEAF_HV_BASE 0x40000000u
#define NV_SIGNATURE "nestvisor L0"
#define NV_SIGNATURE_LEN 12

#define NV_HC_UNKNOWN_FN 0x6e76	/* no such hypercall (lib/hypercall.h) */

#define MSR_TSC_AUX 0xc0000103		/* not on the allow list */
#define MSR_NONEXISTENT 0x12345678	/* in no MSR range at all */

#define UNUSED_PORT 0x2f8	/* COM2: no device in a nestvisor guest */
#define RAX_FILL 0x1122334455667788ull

static const struct guest_boot_info *boot;

static void test_cpuid_features(void)
{
	u32 ecx = cpuid(CPUID_FEATURES, 0).ecx;

	report(ecx & CPUID_1_ECX_HYPERVISOR, "cpuid: leaf 1 ECX.hypervisor[bit 31] set (ECX 0x%x)",
	       ecx);
	report(!(ecx & (CPUID_1_ECX_VMX | CPUID_1_ECX_PDCM)),
	       "cpuid: leaf 1 ECX.VMX[5] and PDCM[15] clear (ECX 0x%x)", ecx);
	/* The virtual local APIC is an x2APIC (vmm/vlapic.c). */
	report(ecx & CPUID_1_ECX_X2APIC, "cpuid: leaf 1 ECX.x2APIC[21] set (ECX 0x%x)", ecx);
}

static void test_cpuid_signature(void)
{
	struct cpuid r = cpuid(CPUID_LEAF_HV_BASE, 0);
	struct cpuid next = cpuid(CPUID_LEAF_HV_BASE + 1, 0);
	char sig[NV_SIGNATURE_LEN + 1];

	/* Hypervisor signatures are EBX, ECX, EDX in that order. */
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[NV_SIGNATURE_LEN] = '\0';
	for (unsigned i = 0; i < NV_SIGNATURE_LEN; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			sig[i] = '?';
	report(!strcmp(sig, NV_SIGNATURE) && r.eax == CPUID_LEAF_HV_BASE,
	       "cpuid: leaf 0x40000000 signature \"%s\", max leaf 0x%x", sig, r.eax);
	report(!(next.eax | next.ebx | next.ecx | next.edx),
	       "cpuid: leaf 0x40000001 is all zero (0x%x 0x%x 0x%x 0x%x)",
	       next.eax, next.ebx, next.ecx, next.edx);
}

static void test_cpuid_pmu(void)
{
	struct cpuid r = cpuid(CPUID_LEAF_PMU, 0);

	report(!(r.eax | r.ebx | r.ecx | r.edx),
	       "cpuid: leaf 0xa (performance monitoring) is all zero (0x%x 0x%x 0x%x 0x%x)",
	       r.eax, r.ebx, r.ecx, r.edx);
}

static void test_msr_efer(void)
{
	u64 efer = rdmsr(MSR_IA32_EFER), after;

	report((efer & EFER_LME) && (efer & EFER_LMA),
	       "msr: RDMSR IA32_EFER 0x%lx shows long mode (LME, LMA)", efer);
	wrmsr(MSR_IA32_EFER, efer);
	after = rdmsr(MSR_IA32_EFER);
	report(after == efer, "msr: WRMSR IA32_EFER with its own value keeps it (0x%lx, LMA %s)",
	       after, after & EFER_LMA ? "set" : "clear");
}

/* The MSR the fault functions below touch (they take no argument). */
static u32 msr_under_test;

static void read_msr_under_test(void)
{
	(void)rdmsr(msr_under_test);
}

static void write_msr_under_test(void)
{
	wrmsr(msr_under_test, 0);
}

static const struct {
	u32 msr;
	const char *name;
	bool write;		/* WRMSR as well as RDMSR */
} denied_msrs[] = {
	{ MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", false },
	{ MSR_TSC_AUX, "IA32_TSC_AUX", true },
	{ MSR_IA32_VMX_BASIC, "IA32_VMX_BASIC", false },
	{ MSR_NONEXISTENT, "(no such MSR)", true },
};

/* The SYSCALL MSRs and KERNEL_GS_BASE are the guest's own: nestvisor
 * passes them through and swaps them around every entry. FS_BASE and
 * GS_BASE pass through too, as do the SYSENTER MSRs; the VMCS switches
 * them. */
static void test_msr_syscall(void)
{
	/* Values each MSR holds in full (FMASK has 32 bits, the others are
	 * canonical addresses or selector pairs). */
	static const struct { u32 msr; u64 value; } msrs[] = {
		{ 0xc0000081, 0x0023001000000000ull }, { 0xc0000082, 0xffffffff81000000ull },
		{ 0xc0000083, 0xffffffff81000100ull }, { 0xc0000084, 0x47700 },
		{ 0xc0000102, 0xffff888000001000ull }, { 0xc0000100, 0x00007f0000001000ull },
		{ 0xc0000101, 0xffff888000002000ull }, { 0x174, 0x10 },
		{ 0x175, 0xffff888000003000ull }, { 0x176, 0xffffffff81000200ull },
	};
	unsigned bad = 0;
	u64 got = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(msrs); i++) {
		wrmsr(msrs[i].msr, msrs[i].value);
		(void)cpuid(0, 0);	/* an exit between the write and the read */
		if (rdmsr(msrs[i].msr) != msrs[i].value && !bad) {
			bad = msrs[i].msr;
			got = rdmsr(msrs[i].msr);
		}
	}
	report(!bad, "msr: the SYSCALL and SYSENTER MSRs, KERNEL_GS_BASE, FS_BASE and GS_BASE keep the guest's values across exits%s",
	       bad ? " (not all)" : "");
	if (bad)
		printf("vmxguest: MSR 0x%x read back 0x%lx\n", bad, got);
}

static void test_msr_denied(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(denied_msrs); i++) {
		struct trap_fault rf = { 0 }, wf = { 0 };
		bool r, w = true;

		msr_under_test = denied_msrs[i].msr;
		r = guest_expect_fault(VEC_GP, read_msr_under_test, &rf) && rf.error_code == 0;
		if (denied_msrs[i].write)
			w = guest_expect_fault(VEC_GP, write_msr_under_test, &wf) &&
			    wf.error_code == 0;
		report(r && w, "msr: RDMSR%s 0x%x %s raises #GP(0)",
		       denied_msrs[i].write ? " and WRMSR" : "", denied_msrs[i].msr,
		       denied_msrs[i].name);
	}
}

/* A VMXON region: nestvisor must refuse before it would look at it. */
static u8 vmxon_region[PAGE_SIZE] __aligned(PAGE_SIZE);

static void do_vmxon(void)
{
	u64 pa = ptr_to_phys(vmxon_region);

	__asm__ volatile("vmxon %0" ::"m"(pa) : "memory", "cc");
}

static void set_cr4_vmxe(void)
{
	write_cr4(read_cr4() | CR4_VMXE);
}

static void test_no_vmx(void)
{
	struct trap_fault f = { 0 };
	bool ud = guest_expect_fault(VEC_UD, do_vmxon, &f);
	bool gp;
	u64 cr4;

	report(ud, "vmx: VMXON raises #UD (RIP 0x%lx)", f.ip);
	f = (struct trap_fault){ 0 };
	gp = guest_expect_fault(VEC_GP, set_cr4_vmxe, &f);
	cr4 = read_cr4();
	report(gp && f.error_code == 0 && !(cr4 & CR4_VMXE),
	       "vmx: MOV to CR4 with VMXE[bit 13] raises #GP(0x%lx); CR4 reads 0x%lx", f.error_code,
	       cr4);
}

/* nestvisor prefixes the line with the guest's name. */
static const char hello[] = "this line came through the print hypercall (VMCALL RAX=1)";

static void test_hypercall_print(void)
{
	u64 ok = nv_hypercall(NV_HC_PRINT, ptr_to_phys(hello), sizeof(hello) - 1);
	u64 outside = nv_hypercall(NV_HC_PRINT, boot->mem_size, 1);
	u64 straddle = nv_hypercall(NV_HC_PRINT, boot->mem_size - 1, 2);
	u64 too_long = nv_hypercall(NV_HC_PRINT, ptr_to_phys(hello), NV_HC_PRINT_MAX + 1);

	report(ok == 0, "hypercall: print of %lu bytes returns 0 (0x%lx)", sizeof(hello) - 1, ok);
	report(outside == NV_HC_ERROR && straddle == NV_HC_ERROR,
	       "hypercall: print at 0x%x (end of RAM) and across it returns ~0 (0x%lx, 0x%lx)",
	       boot->mem_size, outside, straddle);
	report(too_long == NV_HC_ERROR, "hypercall: print of %u bytes (over the limit) returns ~0 "
	       "(0x%lx)", NV_HC_PRINT_MAX + 1, too_long);
}

static void test_hypercall_exit_count(void)
{
	u64 first = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0), second;

	(void)cpuid(0, 0);	/* one more exit in between */
	second = nv_hypercall(NV_HC_EXIT_COUNT, 0, 0);
	report(first > 0 && second >= first + 2,
	       "hypercall: exit count %lu, then %lu after a CPUID and a VMCALL", first, second);
}

static void test_hypercall_unknown(void)
{
	u64 r = nv_hypercall(NV_HC_UNKNOWN_FN, 0, 0);

	report(r == NV_HC_ERROR, "hypercall: unknown function 0x%x returns ~0 (0x%lx)",
	       NV_HC_UNKNOWN_FN, r);
}

/* IN merges into RAX for 8 and 16 bits and zero-extends for 32 (SDM Vol. 1,
 * 3.4.1.1): check what nestvisor writes back, not only the low bits. The
 * OUTs first: no device may latch them and answer the INs. */
static void test_unused_port(void)
{
	u64 b = RAX_FILL, w = RAX_FILL, l = RAX_FILL;

	outb(UNUSED_PORT, 0x5a);
	outw(UNUSED_PORT, 0x5a5a);
	outl(UNUSED_PORT, 0x5a5a5a5a);
	__asm__ volatile("inb %w1, %b0" : "+a"(b) : "Nd"((u16)UNUSED_PORT));
	__asm__ volatile("inw %w1, %w0" : "+a"(w) : "Nd"((u16)UNUSED_PORT));
	__asm__ volatile("inl %w1, %k0" : "+a"(l) : "Nd"((u16)UNUSED_PORT));
	report(b == ((RAX_FILL & ~0xffull) | 0xff) && w == ((RAX_FILL & ~0xffffull) | 0xffff) &&
	       l == 0xffffffffull,
	       "port I/O: after OUTs, IN from unused port 0x%x reads all ones: byte RAX 0x%lx, "
	       "word 0x%lx, dword 0x%lx", UNUSED_PORT, b, w, l);
}

static void (*const tests[])(void) = {
	test_cpuid_features,
	test_cpuid_signature,
	test_cpuid_pmu,
	test_msr_efer,
	test_msr_syscall,
	test_msr_denied,
	test_no_vmx,
	test_hypercall_print,
	test_hypercall_exit_count,
	test_hypercall_unknown,
	test_unused_port,
};

void guest_main(const struct guest_boot_info *bi)
{
	boot = bi;
	if (bi->flags & GUEST_BOOT_BARE) {
		report_info("vmxguest: running bare: nestvisor-specific checks skipped");
		report_summary("vmxguest");
		guest_exit(GUEST_EXIT_PASS);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(tests); i++)
		tests[i]();
	guest_exit(report_summary("vmxguest") ? GUEST_EXIT_FAIL : GUEST_EXIT_PASS);
}
