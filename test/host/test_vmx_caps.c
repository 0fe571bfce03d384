/* vmx/vmx_caps.c: what is read from which MSR, and the decode in words. */
#include <stdio.h>
#include "harness.h"
#include "../../lib/msr.h"
#include "../../vmx/vmx_caps.h"

#define VMX_MSR_FIRST MSR_IA32_VMX_BASIC
#define VMX_MSR_LAST MSR_IA32_VMX_VMFUNC
#define NR_VMX_MSRS (VMX_MSR_LAST - VMX_MSR_FIRST + 1)

/* A fake CPU: which MSRs exist, their values, and which were read. */
struct fake_cpu {
	u64 value[NR_VMX_MSRS];
	bool exists[NR_VMX_MSRS];
	bool read[NR_VMX_MSRS];
	unsigned bad_reads;
};

static struct fake_cpu *cpu;

static u64 fake_read_msr(u32 msr)
{
	unsigned i = msr - VMX_MSR_FIRST;

	if (msr < VMX_MSR_FIRST || msr > VMX_MSR_LAST || !cpu->exists[i]) {
		/* Real hardware would #GP here. */
		report(false, "read of MSR 0x%x, which the CPU does not advertise", msr);
		cpu->bad_reads++;
		return 0;
	}
	cpu->read[i] = true;
	return cpu->value[i];
}

static void set_msr(struct fake_cpu *c, u32 msr, u64 v)
{
	c->value[msr - VMX_MSR_FIRST] = v;
	c->exists[msr - VMX_MSR_FIRST] = true;
}

static bool was_read(const struct fake_cpu *c, u32 msr)
{
	return c->read[msr - VMX_MSR_FIRST];
}

/*
 * A Bochs-tigerlake-like CPU, constructed by hand from the SDM's layouts:
 * revision 1, 4 KiB VMCS, WB, INS/OUTS info, TRUE controls; no posted
 * interrupts; secondary controls with EPT, VPID, unrestricted guest, VMCS
 * shadowing, PML, #VE and VM functions (EPTP switching).
 */
#define TL_BASIC 0x00d8100000000001ull
#define TL_PIN 0x0000007f00000016ull
#define TL_TRUE_PIN 0x0000007f00000016ull
#define TL_PROC 0xfff9fffe0401e172ull
#define TL_TRUE_PROC 0xfff9fffe04006172ull
#define TL_EXIT 0x10ffffff00036dffull
#define TL_TRUE_EXIT 0x10ffffff00036dfbull
#define TL_ENTRY 0x0011ffff000011ffull
#define TL_TRUE_ENTRY 0x0011ffff000011fbull
#define TL_MISC 0x00000000200401e5ull
#define TL_CR0_FIXED0 0x80000021ull
#define TL_CR0_FIXED1 0xffffffffull
#define TL_CR4_FIXED0 0x2000ull
#define TL_CR4_FIXED1 0x3767ffull
#define TL_VMCS_ENUM 0x2eull
#define TL_PROC2 0x00177fff00000000ull
#define TL_EPT_VPID 0x00000f0106334141ull
#define TL_VMFUNC 0x1ull

static void make_base(struct fake_cpu *c, u64 basic, u64 proc)
{
	*c = (struct fake_cpu){ 0 };
	set_msr(c, MSR_IA32_VMX_BASIC, basic);
	set_msr(c, MSR_IA32_VMX_PINBASED_CTLS, TL_PIN);
	set_msr(c, MSR_IA32_VMX_PROCBASED_CTLS, proc);
	set_msr(c, MSR_IA32_VMX_EXIT_CTLS, TL_EXIT);
	set_msr(c, MSR_IA32_VMX_ENTRY_CTLS, TL_ENTRY);
	set_msr(c, MSR_IA32_VMX_MISC, TL_MISC);
	set_msr(c, MSR_IA32_VMX_CR0_FIXED0, TL_CR0_FIXED0);
	set_msr(c, MSR_IA32_VMX_CR0_FIXED1, TL_CR0_FIXED1);
	set_msr(c, MSR_IA32_VMX_CR4_FIXED0, TL_CR4_FIXED0);
	set_msr(c, MSR_IA32_VMX_CR4_FIXED1, TL_CR4_FIXED1);
	set_msr(c, MSR_IA32_VMX_VMCS_ENUM, TL_VMCS_ENUM);
}

static void make_tigerlake(struct fake_cpu *c)
{
	make_base(c, TL_BASIC, TL_PROC);
	set_msr(c, MSR_IA32_VMX_TRUE_PINBASED_CTLS, TL_TRUE_PIN);
	set_msr(c, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, TL_TRUE_PROC);
	set_msr(c, MSR_IA32_VMX_TRUE_EXIT_CTLS, TL_TRUE_EXIT);
	set_msr(c, MSR_IA32_VMX_TRUE_ENTRY_CTLS, TL_TRUE_ENTRY);
	set_msr(c, MSR_IA32_VMX_PROCBASED_CTLS2, TL_PROC2);
	set_msr(c, MSR_IA32_VMX_EPT_VPID_CAP, TL_EPT_VPID);
	set_msr(c, MSR_IA32_VMX_VMFUNC, TL_VMFUNC);
}

static struct vmx_caps read_caps(struct fake_cpu *c)
{
	struct vmx_caps caps;

	cpu = c;
	vmx_caps_read(&caps, fake_read_msr);
	cpu = NULL;
	return caps;
}

/* The decode, captured line by line. */
#define MAX_LINES 128

struct capture {
	char line[MAX_LINES][VMX_DESCRIBE_WIDTH + 1];
	unsigned n, too_long, overflow;
};

static void capture_line(void *ctx, const char *text)
{
	struct capture *cap = ctx;

	if (strlen(text) > VMX_DESCRIBE_WIDTH)
		cap->too_long++;
	if (cap->n == MAX_LINES) {
		cap->overflow++;
		return;
	}
	snprintf(cap->line[cap->n++], sizeof(cap->line[0]), "%s", text);
}

static void describe(const struct vmx_caps *caps, struct capture *cap)
{
	memset(cap, 0, sizeof(*cap));
	vmx_caps_describe(caps, capture_line, cap);
	report(cap->n > 0 && !cap->too_long && !cap->overflow,
	       "describe: %u lines, none longer than %d characters", cap->n,
	       VMX_DESCRIBE_WIDTH);
}

static bool has_line(const struct capture *cap, const char *want)
{
	for (unsigned i = 0; i < cap->n; i++)
		if (!strcmp(cap->line[i], want))
			return true;
	return false;
}

/* Whether some line starting with prefix contains needle (wrapped lists
 * repeat their prefix, so this finds a name on any continuation line). */
static bool prefixed_has(const struct capture *cap, const char *prefix, const char *needle)
{
	size_t n = strlen(prefix);

	for (unsigned i = 0; i < cap->n; i++)
		if (!strncmp(cap->line[i], prefix, n) && strstr(cap->line[i] + n, needle))
			return true;
	return false;
}

static unsigned count_prefixed(const struct capture *cap, const char *prefix)
{
	unsigned count = 0;

	for (unsigned i = 0; i < cap->n; i++)
		count += !strncmp(cap->line[i], prefix, strlen(prefix));
	return count;
}

static void expect_line(const struct capture *cap, const char *want)
{
	if (!report(has_line(cap, want), "line \"%s\"", want))
		for (unsigned i = 0; i < cap->n; i++)
			report_info("  got: %s", cap->line[i]);
}

static void expect_in(const struct capture *cap, const char *prefix, const char *needle,
		      bool present)
{
	report(prefixed_has(cap, prefix, needle) == present, "\"%s\" lines %s \"%s\"",
	       prefix, present ? "name" : "do not name", needle);
}

static void test_read_tigerlake(void)
{
	struct fake_cpu c;
	struct vmx_caps caps;
	bool all_read = true;

	make_tigerlake(&c);
	caps = read_caps(&c);
	for (u32 msr = VMX_MSR_FIRST; msr <= VMX_MSR_LAST; msr++)
		all_read &= was_read(&c, msr);
	report(all_read && !c.bad_reads, "tigerlake: every advertised MSR read, nothing else");
	report(caps.has_true && caps.has_procbased2 && caps.has_ept_vpid && caps.has_vmfunc,
	       "tigerlake: TRUE, secondary, EPT/VPID and VMFUNC present");
	report(caps.basic == TL_BASIC && caps.true_procbased == TL_TRUE_PROC &&
	       caps.procbased2 == TL_PROC2 && caps.ept_vpid == TL_EPT_VPID &&
	       caps.vmfunc == TL_VMFUNC && caps.cr0_fixed0 == TL_CR0_FIXED0 &&
	       caps.cr4_fixed0 == TL_CR4_FIXED0 && caps.vmcs_enum == TL_VMCS_ENUM,
	       "tigerlake: values land in their fields");

	report(vmx_basic_revision(caps.basic) == 1, "revision id 1");
	report(vmx_basic_revision(0xffffffffull) == 0x7fffffff, "revision id ignores bit 31");
	report(vmx_basic_vmcs_size(caps.basic) == 4096, "VMCS size 4096");
	report(vmx_basic_memtype(caps.basic) == VMX_MEMTYPE_WB, "memory type WB");
	report(vmx_basic_memtype(0) == VMX_MEMTYPE_UC, "memory type UC");

	report(vmx_ctl_must_be1(caps.pinbased, 1) && !vmx_ctl_must_be1(caps.pinbased, 0),
	       "pin-based: bit 1 must be 1, external-interrupt exiting need not");
	report(vmx_ctl_allowed1(caps.pinbased, 6) && !vmx_ctl_allowed1(caps.pinbased, 7),
	       "pin-based: preemption timer allowed, posted interrupts not");
	report(vmx_ctl_must_be1(caps.procbased, 15) && !vmx_ctl_must_be1(caps.true_procbased, 15),
	       "CR3-load exiting is default-1, clearable through the TRUE MSR");
	report(vmx_ctl_allowed1(caps.procbased2, 7) && vmx_ctl_allowed1(caps.procbased2, 14) &&
	       !vmx_ctl_allowed1(caps.procbased2, 15),
	       "secondary: unrestricted guest and shadowing allowed, ENCLS exiting not");
	EXPECT_PANIC("vmx_ctl_allowed1 bit 32", "bit < CTL_BITS",
		     vmx_ctl_allowed1(caps.pinbased, 32));
	EXPECT_PANIC("vmx_ctl_must_be1 bit 40", "bit < CTL_BITS",
		     vmx_ctl_must_be1(caps.pinbased, 40));
}

/* Each case: what is advertised, and which optional MSRs must be read. */
static void test_read_only_advertised(void)
{
	static const struct {
		const char *what;
		u64 basic, proc, proc2;
		bool read_true, read_proc2, read_ept, read_vmfunc;
	} cases[] = {
		{ "no TRUE, no secondary", TL_BASIC & ~VMX_BASIC_TRUE_CTLS,
		  TL_PROC & ~BIT(63), 0, false, false, false, false },
		{ "TRUE only", TL_BASIC, TL_PROC & ~BIT(63), 0, true, false, false, false },
		{ "secondary without EPT/VPID/VMFUNC", TL_BASIC, TL_PROC,
		  BIT(32 + 7) | BIT(32 + 14), true, true, false, false },
		{ "secondary with VPID only", TL_BASIC & ~VMX_BASIC_TRUE_CTLS, TL_PROC,
		  BIT(32 + 5), false, true, true, false },
		{ "secondary with EPT only", TL_BASIC, TL_PROC, BIT(32 + 1),
		  true, true, true, false },
		{ "secondary with VM functions, no EPT/VPID", TL_BASIC, TL_PROC,
		  BIT(32 + 13), true, true, false, true },
		{ "secondary bits only in allowed-0 half", TL_BASIC, TL_PROC,
		  BIT(1) | BIT(5) | BIT(13), true, true, false, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_cpu c;
		struct vmx_caps caps;

		make_base(&c, cases[i].basic, cases[i].proc);
		if (cases[i].read_true) {
			set_msr(&c, MSR_IA32_VMX_TRUE_PINBASED_CTLS, TL_TRUE_PIN);
			set_msr(&c, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, TL_TRUE_PROC);
			set_msr(&c, MSR_IA32_VMX_TRUE_EXIT_CTLS, TL_TRUE_EXIT);
			set_msr(&c, MSR_IA32_VMX_TRUE_ENTRY_CTLS, TL_TRUE_ENTRY);
		}
		if (cases[i].read_proc2)
			set_msr(&c, MSR_IA32_VMX_PROCBASED_CTLS2, cases[i].proc2);
		if (cases[i].read_ept)
			set_msr(&c, MSR_IA32_VMX_EPT_VPID_CAP, TL_EPT_VPID);
		if (cases[i].read_vmfunc)
			set_msr(&c, MSR_IA32_VMX_VMFUNC, TL_VMFUNC);

		caps = read_caps(&c);
		report(!c.bad_reads &&
		       was_read(&c, MSR_IA32_VMX_TRUE_ENTRY_CTLS) == cases[i].read_true &&
		       was_read(&c, MSR_IA32_VMX_PROCBASED_CTLS2) == cases[i].read_proc2 &&
		       was_read(&c, MSR_IA32_VMX_EPT_VPID_CAP) == cases[i].read_ept &&
		       was_read(&c, MSR_IA32_VMX_VMFUNC) == cases[i].read_vmfunc &&
		       was_read(&c, MSR_IA32_VMX_VMCS_ENUM),
		       "%s: reads exactly the advertised MSRs", cases[i].what);
		report(caps.has_true == cases[i].read_true &&
		       caps.has_procbased2 == cases[i].read_proc2 &&
		       caps.has_ept_vpid == cases[i].read_ept &&
		       caps.has_vmfunc == cases[i].read_vmfunc &&
		       (caps.has_true || !caps.true_pinbased) &&
		       (caps.has_procbased2 || !caps.procbased2),
		       "%s: has_ flags match, absent MSRs are 0", cases[i].what);
	}
}

static void test_describe_tigerlake(void)
{
	struct fake_cpu c;
	struct vmx_caps caps;
	struct capture cap;

	make_tigerlake(&c);
	caps = read_caps(&c);
	describe(&caps, &cap);

	expect_line(&cap, "IA32_VMX_BASIC 0x00d8100000000001: VMCS revision id 0x1, "
		    "region 4096 bytes, memory type WB, TRUE controls, INS/OUTS info");
	expect_line(&cap, "pin-based controls 0x0000007f00000016 (TRUE 0x0000007f00000016): "
		    "must-be-1: bit 1, bit 2, bit 4");
	expect_line(&cap, "pin-based controls allowed-1: external-interrupt-exiting, bit 1, "
		    "bit 2, NMI-exiting, bit 4, virtual-NMIs, preemption-timer");
	/* Long lists wrap, and every piece repeats the line's head. */
	expect_line(&cap, "primary processor-based controls 0xfff9fffe0401e172 "
		    "(TRUE 0xfff9fffe04006172): must-be-1: bit 1, bit 4, bit 5, bit 6, "
		    "bit 8, bit 13");
	expect_line(&cap, "primary processor-based controls 0xfff9fffe0401e172 "
		    "(TRUE 0xfff9fffe04006172): must-be-1: bit 14, bit 26");
	expect_line(&cap, "secondary processor-based controls 0x00177fff00000000: "
		    "must-be-1: none");
	expect_line(&cap, "VM-exit controls 0x10ffffff00036dff (TRUE 0x10ffffff00036dfb): "
		    "must-be-1: bit 0, bit 1, bit 3, bit 4, bit 5, bit 6, bit 7, bit 8");
	expect_line(&cap, "VM-exit controls 0x10ffffff00036dff (TRUE 0x10ffffff00036dfb): "
		    "must-be-1: bit 10, bit 11, bit 13, bit 14, bit 16, bit 17");
	report(count_prefixed(&cap, "VM-exit controls allowed-1:") == 4,
	       "VM-exit allowed-1 wraps over 4 lines");
	expect_line(&cap, "CR0_FIXED0 0x80000021 CR0_FIXED1 0xffffffff "
		    "CR4_FIXED0 0x2000 CR4_FIXED1 0x3767ff");
	expect_line(&cap, "VMCS_ENUM highest index 0x17");

	expect_in(&cap, "pin-based controls allowed-1:", "posted-interrupts", false);
	expect_in(&cap, "primary processor-based controls allowed-1:", "HLT-exiting", true);
	expect_in(&cap, "primary processor-based controls allowed-1:", "monitor-trap-flag", true);
	expect_in(&cap, "primary processor-based controls allowed-1:",
		  "activate-secondary-controls", true);
	expect_in(&cap, "primary processor-based controls allowed-1:",
		  "activate-tertiary-controls", false);
	expect_in(&cap, "secondary processor-based controls allowed-1:", "enable-EPT", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:", "enable-VPID", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:",
		  "unrestricted-guest", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:", "VMCS-shadowing", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:", "enable-PML", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:",
		  "EPT-violation-#VE", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:",
		  "enable-XSAVES/XRSTORS", true);
	expect_in(&cap, "secondary processor-based controls allowed-1:",
		  "enable-ENCLS-exiting", false);
	expect_in(&cap, "VM-exit controls allowed-1:", "load-CET-state", true);
	expect_in(&cap, "VM-entry controls allowed-1:", "IA-32e-mode-guest", true);
	expect_in(&cap, "VM-entry controls 0x0011ffff000011ff",
		  "(TRUE 0x0011ffff000011fb): must-be-1: bit 0, bit 1, bit 3", true);

	expect_in(&cap, "misc: preemption timer rate 2^-5 per TSC tick, CR3 targets 4, "
		  "max MSR-list entries 512", "", true);
	expect_in(&cap, "misc:", "exit-saves-EFER.LMA", true);
	expect_in(&cap, "misc:", "activity-wait-for-SIPI", true);
	expect_in(&cap, "misc:", "VMWRITE-any-field", true);
	expect_in(&cap, "misc:", "IA32_VMX_MISC 0x00000000200401e5", true);
	expect_in(&cap, "EPT/VPID: execute-only, page-walk-4", "", true);
	expect_in(&cap, "EPT/VPID:", "INVVPID-single-context-retaining-globals", true);
	expect_in(&cap, "EPT/VPID:", "1G-pages", true);
	expect_in(&cap, "EPT/VPID:", "page-walk-5", false);
	expect_line(&cap, "VMFUNC: EPTP-switching, IA32_VMX_VMFUNC 0x1");
	report(count_prefixed(&cap, "IA32_VMX_BASIC") == 1 && !strncmp(cap.line[0],
	       "IA32_VMX_BASIC", 14), "the BASIC line comes first, once");
}

static void test_describe_minimal(void)
{
	struct fake_cpu c;
	struct vmx_caps caps;
	struct capture cap;

	make_base(&c, TL_BASIC & ~VMX_BASIC_TRUE_CTLS & ~VMX_BASIC_INS_OUTS_INFO,
		  TL_PROC & ~BIT(63));
	caps = read_caps(&c);
	describe(&caps, &cap);

	expect_line(&cap, "IA32_VMX_BASIC 0x0018100000000001: VMCS revision id 0x1, "
		    "region 4096 bytes, memory type WB");
	expect_line(&cap, "pin-based controls 0x0000007f00000016: must-be-1: bit 1, bit 2, bit 4");
	expect_line(&cap, "secondary processor-based controls: not supported");
	expect_line(&cap, "EPT/VPID: not supported");
	expect_line(&cap, "VMFUNC: not supported");
	report(count_prefixed(&cap, "secondary processor-based controls allowed-1") == 0,
	       "no secondary allowed-1 line without secondary controls");
	expect_in(&cap, "primary processor-based controls allowed-1:",
		  "activate-secondary-controls", false);
}

/* Every control allowed and every flag set: lists wrap, names stay whole. */
static void test_describe_wraps(void)
{
	struct vmx_caps caps = {
		.basic = ~0ull, .pinbased = ~0ull, .procbased = ~0ull, .exit = ~0ull,
		.entry = ~0ull, .misc = ~0ull, .true_pinbased = ~0ull,
		.true_procbased = ~0ull, .true_exit = ~0ull, .true_entry = ~0ull,
		.procbased2 = ~0ull, .ept_vpid = ~0ull, .vmfunc = ~0ull,
		.has_true = true, .has_procbased2 = true, .has_ept_vpid = true,
		.has_vmfunc = true,
	};
	const char *prefix = "secondary processor-based controls allowed-1:";
	struct capture cap;
	unsigned found = 0;
	char bit[16];

	describe(&caps, &cap);
	report(count_prefixed(&cap, prefix) >= 3,
	       "32 secondary names wrap over %u lines", count_prefixed(&cap, prefix));
	found += prefixed_has(&cap, prefix, "virtualize-APIC-accesses");
	found += prefixed_has(&cap, prefix, "instruction-timeout");
	snprintf(bit, sizeof(bit), "bit %d", 29);
	found += prefixed_has(&cap, prefix, bit);
	report(found == 3, "first, last and unnamed secondary bits all shown");
	expect_in(&cap, "IA32_VMX_BASIC", "memory type 15 (reserved)", true);
	expect_in(&cap, "EPT/VPID:", "HLAT prefix size 63", true);
	expect_in(&cap, "VMFUNC:", "bit 63", true);
	expect_in(&cap, "misc:", "bit 31", true);
	expect_in(&cap, "misc:", "MSEG revision 0xffffffff", true);
	for (unsigned i = 0; i < cap.n; i++) {
		size_t len = strlen(cap.line[i]);

		if (len >= 2 && !strcmp(cap.line[i] + len - 2, ", ")) {
			report(false, "line ends in a separator: %s", cap.line[i]);
			return;
		}
	}
	report(true, "no wrapped line ends in a separator");
}

void run_tests(void)
{
	test_read_tigerlake();
	test_read_only_advertised();
	test_describe_tigerlake();
	test_describe_minimal();
	test_describe_wraps();
}
