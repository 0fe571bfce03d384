#include "vmx_caps.h"
#include "../lib/fmt.h"
#include "../lib/msr.h"
#include "../lib/panic.h"

/* A *_CTLS MSR holds the allowed 0-settings in bits 31:0 (a 1 there means
 * the control must be 1) and the allowed 1-settings in bits 63:32 (a 0
 * there means the control must be 0): SDM Vol. 3D, A.3-A.5. */
#define CTL_ALLOWED1_SHIFT 32
#define CTL_BITS 32

/* IA32_VMX_MISC fields (A.6). */
#define MISC_PREEMPT_RATE_MASK 0x1f		/* timer ticks when TSC bit N flips */
#define MISC_CR3_TARGETS_SHIFT 16		/* bits 24:16 */
#define MISC_CR3_TARGETS_MASK 0x1ff
#define MISC_MSR_LIST_SHIFT 25			/* bits 27:25: 512 * (N + 1) */
#define MISC_MSR_LIST_MASK 0x7
#define MISC_MSR_LIST_UNIT 512
#define MISC_MSEG_REV_SHIFT 32			/* bits 63:32 */
#define MISC_FIELDS ((u64)MISC_PREEMPT_RATE_MASK |			\
		     ((u64)MISC_CR3_TARGETS_MASK << MISC_CR3_TARGETS_SHIFT) |	\
		     ((u64)MISC_MSR_LIST_MASK << MISC_MSR_LIST_SHIFT) |	\
		     ((u64)UINT32_MAX << MISC_MSEG_REV_SHIFT))

/* IA32_VMX_EPT_VPID_CAP bits 53:48: maximum HLAT prefix size (A.10). */
#define EPT_HLAT_PREFIX_SHIFT 48
#define EPT_HLAT_PREFIX_MASK 0x3f

/* IA32_VMX_VMCS_ENUM bits 9:1: highest index of any VMCS encoding (A.9). */
#define VMCS_ENUM_INDEX_SHIFT 1
#define VMCS_ENUM_INDEX_MASK 0x1ff

struct named_bit {
	u8 bit;
	const char *name;
};

/* SDM Vol. 3C, "Pin-Based VM-Execution Controls" (25.6.1). */
static const struct named_bit pin_names[] = {
	{ 0, "external-interrupt-exiting" },
	{ 3, "NMI-exiting" },
	{ 5, "virtual-NMIs" },
	{ 6, "preemption-timer" },
	{ 7, "posted-interrupts" },
};

/* SDM Vol. 3C, "Primary Processor-Based VM-Execution Controls" (25.6.2). */
static const struct named_bit proc_names[] = {
	{ 2, "interrupt-window-exiting" },
	{ 3, "use-TSC-offsetting" },
	{ 7, "HLT-exiting" },
	{ 9, "INVLPG-exiting" },
	{ 10, "MWAIT-exiting" },
	{ 11, "RDPMC-exiting" },
	{ 12, "RDTSC-exiting" },
	{ 15, "CR3-load-exiting" },
	{ 16, "CR3-store-exiting" },
	{ 17, "activate-tertiary-controls" },
	{ 19, "CR8-load-exiting" },
	{ 20, "CR8-store-exiting" },
	{ 21, "use-TPR-shadow" },
	{ 22, "NMI-window-exiting" },
	{ 23, "MOV-DR-exiting" },
	{ 24, "unconditional-I/O-exiting" },
	{ 25, "use-I/O-bitmaps" },
	{ 27, "monitor-trap-flag" },
	{ 28, "use-MSR-bitmaps" },
	{ 29, "MONITOR-exiting" },
	{ 30, "PAUSE-exiting" },
	{ VMX_PROC_ACTIVATE_SECONDARY_BIT, "activate-secondary-controls" },
};

/* SDM Vol. 3C, "Secondary Processor-Based VM-Execution Controls" (25.6.2). */
static const struct named_bit proc2_names[] = {
	{ 0, "virtualize-APIC-accesses" },
	{ VMX_PROC2_ENABLE_EPT_BIT, "enable-EPT" },
	{ 2, "descriptor-table-exiting" },
	{ 3, "enable-RDTSCP" },
	{ 4, "virtualize-x2APIC-mode" },
	{ VMX_PROC2_ENABLE_VPID_BIT, "enable-VPID" },
	{ 6, "WBINVD-exiting" },
	{ 7, "unrestricted-guest" },
	{ 8, "APIC-register-virtualization" },
	{ 9, "virtual-interrupt-delivery" },
	{ 10, "PAUSE-loop-exiting" },
	{ 11, "RDRAND-exiting" },
	{ 12, "enable-INVPCID" },
	{ VMX_PROC2_ENABLE_VMFUNC_BIT, "enable-VM-functions" },
	{ 14, "VMCS-shadowing" },
	{ 15, "enable-ENCLS-exiting" },
	{ 16, "RDSEED-exiting" },
	{ 17, "enable-PML" },
	{ 18, "EPT-violation-#VE" },
	{ 19, "conceal-VMX-from-PT" },
	{ 20, "enable-XSAVES/XRSTORS" },
	{ 21, "PASID-translation" },
	{ 22, "mode-based-execute-control-for-EPT" },
	{ 23, "sub-page-write-permissions" },
	{ 24, "PT-uses-guest-physical-addresses" },
	{ 25, "use-TSC-scaling" },
	{ 26, "enable-user-wait-and-pause" },
	{ 27, "enable-PCONFIG" },
	{ 28, "enable-ENCLV-exiting" },
	{ 30, "VMM-bus-lock-detection" },
	{ 31, "instruction-timeout" },
};

/* SDM Vol. 3C, "Primary VM-Exit Controls" (25.7.1). */
static const struct named_bit exit_names[] = {
	{ 2, "save-debug-controls" },
	{ 9, "host-address-space-size" },
	{ 12, "load-IA32_PERF_GLOBAL_CTRL" },
	{ 15, "acknowledge-interrupt-on-exit" },
	{ 18, "save-IA32_PAT" },
	{ 19, "load-IA32_PAT" },
	{ 20, "save-IA32_EFER" },
	{ 21, "load-IA32_EFER" },
	{ 22, "save-preemption-timer" },
	{ 23, "clear-IA32_BNDCFGS" },
	{ 24, "conceal-VMX-from-PT" },
	{ 25, "clear-IA32_RTIT_CTL" },
	{ 26, "clear-IA32_LBR_CTL" },
	{ 27, "clear-UINV" },
	{ 28, "load-CET-state" },
	{ 29, "load-PKRS" },
	{ 30, "save-IA32_PERF_GLOBAL_CTL" },
	{ 31, "activate-secondary-controls" },
};

/* SDM Vol. 3C, "VM-Entry Controls" (25.8.1). */
static const struct named_bit entry_names[] = {
	{ 2, "load-debug-controls" },
	{ 9, "IA-32e-mode-guest" },
	{ 10, "entry-to-SMM" },
	{ 11, "deactivate-dual-monitor-treatment" },
	{ 13, "load-IA32_PERF_GLOBAL_CTRL" },
	{ 14, "load-IA32_PAT" },
	{ 15, "load-IA32_EFER" },
	{ 16, "load-IA32_BNDCFGS" },
	{ 17, "conceal-VMX-from-PT" },
	{ 18, "load-IA32_RTIT_CTL" },
	{ 19, "load-UINV" },
	{ 20, "load-CET-state" },
	{ 21, "load-IA32_LBR_CTL" },
	{ 22, "load-PKRS" },
	{ 23, "load-FRED" },
};

/* IA32_VMX_EPT_VPID_CAP (A.10). */
static const struct named_bit ept_vpid_names[] = {
	{ 0, "execute-only" },
	{ 6, "page-walk-4" },
	{ 7, "page-walk-5" },
	{ 8, "UC-paging-structures" },
	{ 14, "WB-paging-structures" },
	{ 16, "2M-pages" },
	{ 17, "1G-pages" },
	{ 20, "INVEPT" },
	{ 21, "accessed-dirty-flags" },
	{ 22, "advanced-EPT-violation-info" },
	{ 23, "supervisor-shadow-stack" },
	{ 25, "INVEPT-single-context" },
	{ 26, "INVEPT-all-context" },
	{ 32, "INVVPID" },
	{ 40, "INVVPID-individual-address" },
	{ 41, "INVVPID-single-context" },
	{ 42, "INVVPID-all-context" },
	{ 43, "INVVPID-single-context-retaining-globals" },
};

/* IA32_VMX_VMFUNC (A.11). */
static const struct named_bit vmfunc_names[] = {
	{ 0, "EPTP-switching" },
};

/* The one-bit fields of IA32_VMX_MISC (A.6); the multi-bit ones are
 * decoded separately. */
static const struct named_bit misc_names[] = {
	{ 5, "exit-saves-EFER.LMA" },
	{ 6, "activity-HLT" },
	{ 7, "activity-shutdown" },
	{ 8, "activity-wait-for-SIPI" },
	{ 14, "PT-in-VMX" },
	{ 15, "RDMSR-SMBASE-in-SMM" },
	{ 28, "VMXOFF-unblocks-SMIs" },
	{ 29, "VMWRITE-any-field" },
	{ 30, "zero-length-injection" },
};

/* A control set for the decode: where its MSRs sit in struct vmx_caps. */
struct ctl_set {
	const char *name;
	size_t msr, true_msr;	/* offsets; true_msr is NO_TRUE if there is none */
	bool secondary;		/* present only if has_procbased2 */
	const struct named_bit *names;
	size_t nr_names;
};

#define NO_TRUE 0
#define CAPS_OFF(f) offsetof(struct vmx_caps, f)
#define CTL_SET(name, msr, true_msr, secondary, tab)			\
	{ name, msr, true_msr, secondary, tab, ARRAY_SIZE(tab) }

static const struct ctl_set ctl_sets[] = {
	CTL_SET("pin-based", CAPS_OFF(pinbased), CAPS_OFF(true_pinbased), false, pin_names),
	CTL_SET("primary processor-based", CAPS_OFF(procbased), CAPS_OFF(true_procbased),
		false, proc_names),
	CTL_SET("secondary processor-based", CAPS_OFF(procbased2), NO_TRUE, true, proc2_names),
	CTL_SET("VM-exit", CAPS_OFF(exit), CAPS_OFF(true_exit), false, exit_names),
	CTL_SET("VM-entry", CAPS_OFF(entry), CAPS_OFF(true_entry), false, entry_names),
};

u32 vmx_basic_revision(u64 basic)
{
	return basic & VMX_BASIC_REVISION_MASK;
}

u32 vmx_basic_vmcs_size(u64 basic)
{
	return (basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK;
}

unsigned vmx_basic_memtype(u64 basic)
{
	return (basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK;
}

bool vmx_ctl_allowed1(u64 ctl_msr, unsigned bit)
{
	ASSERT(bit < CTL_BITS);
	return ctl_msr & BIT(bit + CTL_ALLOWED1_SHIFT);
}

bool vmx_ctl_must_be1(u64 ctl_msr, unsigned bit)
{
	ASSERT(bit < CTL_BITS);
	return ctl_msr & BIT(bit);
}

void vmx_caps_read(struct vmx_caps *c, u64 (*read_msr)(u32 msr))
{
	ASSERT(c && read_msr);
	*c = (struct vmx_caps){ 0 };

	/* These exist on every CPU with CPUID.1:ECX.VMX = 1 (A.1-A.9). */
	c->basic = read_msr(MSR_IA32_VMX_BASIC);
	c->pinbased = read_msr(MSR_IA32_VMX_PINBASED_CTLS);
	c->procbased = read_msr(MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = read_msr(MSR_IA32_VMX_EXIT_CTLS);
	c->entry = read_msr(MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = read_msr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = read_msr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = read_msr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = read_msr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = read_msr(MSR_IA32_VMX_CR4_FIXED1);
	c->vmcs_enum = read_msr(MSR_IA32_VMX_VMCS_ENUM);

	/* A.2: the TRUE MSRs exist only if IA32_VMX_BASIC[55] is 1. */
	c->has_true = c->basic & VMX_BASIC_TRUE_CTLS;
	if (c->has_true) {
		c->true_pinbased = read_msr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		c->true_procbased = read_msr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		c->true_exit = read_msr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		c->true_entry = read_msr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}

	/* A.3.3: PROCBASED_CTLS2 exists only if "activate secondary controls"
	 * may be 1 (the allowed-1 half is the same in the TRUE MSR). */
	c->has_procbased2 = vmx_ctl_allowed1(c->procbased, VMX_PROC_ACTIVATE_SECONDARY_BIT);
	if (!c->has_procbased2)
		return;
	c->procbased2 = read_msr(MSR_IA32_VMX_PROCBASED_CTLS2);

	/* A.10: EPT_VPID_CAP exists only if EPT or VPID may be enabled. */
	c->has_ept_vpid = vmx_ctl_allowed1(c->procbased2, VMX_PROC2_ENABLE_EPT_BIT) ||
			  vmx_ctl_allowed1(c->procbased2, VMX_PROC2_ENABLE_VPID_BIT);
	if (c->has_ept_vpid)
		c->ept_vpid = read_msr(MSR_IA32_VMX_EPT_VPID_CAP);

	/* A.11: VMFUNC exists only if "enable VM functions" may be 1. */
	c->has_vmfunc = vmx_ctl_allowed1(c->procbased2, VMX_PROC2_ENABLE_VMFUNC_BIT);
	if (c->has_vmfunc)
		c->vmfunc = read_msr(MSR_IA32_VMX_VMFUNC);
}

/*
 * Line building for the decode: a head ("VM-exit controls allowed-1:")
 * followed by items separated by ", ". An item that would push the line
 * past VMX_DESCRIBE_WIDTH starts a new line that repeats the head, so every
 * line can be grepped by its head.
 */
struct line_out {
	void (*emit)(void *ctx, const char *text);
	void *ctx;
	char buf[VMX_DESCRIBE_WIDTH + 1];
	size_t len, head_len;
	unsigned items;		/* items on the current line */
};

#define ITEM_MAX 64

static void lo_flush(struct line_out *o)
{
	o->emit(o->ctx, o->buf);
	o->buf[o->head_len] = '\0';
	o->len = o->head_len;
	o->items = 0;
}

static void lo_append(struct line_out *o, const char *s)
{
	int n = fmt_snprintf(o->buf + o->len, sizeof(o->buf) - o->len, "%s", s);

	o->len = MIN(o->len + (size_t)n, sizeof(o->buf) - 1);
}

static void __printf(2, 3) lo_start(struct line_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(o->buf, sizeof(o->buf), fmt, ap);
	va_end(ap);
	o->len = o->head_len = MIN((size_t)n, sizeof(o->buf) - 1);
	o->items = 0;
}

static void __printf(2, 3) lo_item(struct line_out *o, const char *fmt, ...)
{
	char item[ITEM_MAX];
	const char *sep;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	n = MIN(n, sizeof(item) - 1);	/* MIN evaluates twice: not on the call */
	sep = o->items ? ", " : " ";
	if (o->items && o->len + 2 + n > VMX_DESCRIBE_WIDTH) {
		lo_flush(o);
		sep = " ";
	}
	lo_append(o, sep);
	lo_append(o, item);
	o->items++;
}

/* Ends the current line; if it got no items, says so with empty_text. */
static void lo_end(struct line_out *o, const char *empty_text)
{
	if (!o->items && empty_text)
		lo_item(o, "%s", empty_text);
	lo_flush(o);
}

static const char *bit_name(const struct named_bit *names, size_t n, unsigned bit)
{
	for (size_t i = 0; i < n; i++)
		if (names[i].bit == bit)
			return names[i].name;
	return NULL;
}

/* One item per set bit of value below nbits, skipping the bits in skip. */
static void lo_bits(struct line_out *o, u64 value, unsigned nbits, u64 skip,
		    const struct named_bit *names, size_t n)
{
	for (unsigned bit = 0; bit < nbits; bit++) {
		const char *name;

		if (!(value & BIT(bit)) || (skip & BIT(bit)))
			continue;
		name = bit_name(names, n, bit);
		if (name)
			lo_item(o, "%s", name);
		else
			lo_item(o, "bit %u", bit);
	}
}

static u64 caps_field(const struct vmx_caps *c, size_t off)
{
	return *(const u64 *)((const char *)c + off);
}

static void describe_basic(struct line_out *o, u64 basic)
{
	unsigned type = vmx_basic_memtype(basic);

	lo_start(o, "IA32_VMX_BASIC 0x%016lx:", basic);
	lo_item(o, "VMCS revision id 0x%x", vmx_basic_revision(basic));
	lo_item(o, "region %u bytes", vmx_basic_vmcs_size(basic));
	if (type == VMX_MEMTYPE_WB)
		lo_item(o, "memory type WB");
	else if (type == VMX_MEMTYPE_UC)
		lo_item(o, "memory type UC");
	else
		lo_item(o, "memory type %u (reserved)", type);
	if (basic & VMX_BASIC_TRUE_CTLS)
		lo_item(o, "TRUE controls");
	if (basic & VMX_BASIC_INS_OUTS_INFO)
		lo_item(o, "INS/OUTS info");
	if (basic & VMX_BASIC_ADDR_32BIT)
		lo_item(o, "32-bit addresses");
	if (basic & VMX_BASIC_DUAL_MONITOR)
		lo_item(o, "dual-monitor SMM");
	if (basic & VMX_BASIC_ANY_ERROR_CODE)
		lo_item(o, "any-vector error codes");
	lo_end(o, NULL);
}

static void describe_ctls(struct line_out *o, const struct vmx_caps *c,
			  const struct ctl_set *s)
{
	u64 msr = caps_field(c, s->msr);
	u64 eff = msr;	/* the MSR that says what really may be 0 (A.2) */

	if (s->true_msr != NO_TRUE && c->has_true) {
		eff = caps_field(c, s->true_msr);
		lo_start(o, "%s controls 0x%016lx (TRUE 0x%016lx): must-be-1:",
			 s->name, msr, eff);
	} else {
		lo_start(o, "%s controls 0x%016lx: must-be-1:", s->name, msr);
	}
	lo_bits(o, eff, CTL_BITS, 0, s->names, s->nr_names);
	lo_end(o, "none");

	lo_start(o, "%s controls allowed-1:", s->name);
	lo_bits(o, eff >> CTL_ALLOWED1_SHIFT, CTL_BITS, 0, s->names, s->nr_names);
	lo_end(o, "none");
}

static void describe_misc(struct line_out *o, u64 misc)
{
	lo_start(o, "misc:");
	lo_item(o, "preemption timer rate 2^-%lu per TSC tick",
		misc & MISC_PREEMPT_RATE_MASK);
	lo_item(o, "CR3 targets %lu",
		(misc >> MISC_CR3_TARGETS_SHIFT) & MISC_CR3_TARGETS_MASK);
	lo_item(o, "max MSR-list entries %lu", MISC_MSR_LIST_UNIT *
		(((misc >> MISC_MSR_LIST_SHIFT) & MISC_MSR_LIST_MASK) + 1));
	lo_bits(o, misc, 64, MISC_FIELDS, misc_names, ARRAY_SIZE(misc_names));
	lo_item(o, "MSEG revision 0x%lx", misc >> MISC_MSEG_REV_SHIFT);
	lo_item(o, "IA32_VMX_MISC 0x%016lx", misc);
	lo_end(o, NULL);
}

static void describe_ept_vpid(struct line_out *o, const struct vmx_caps *c)
{
	u64 v = c->ept_vpid;
	u64 hlat = (v >> EPT_HLAT_PREFIX_SHIFT) & EPT_HLAT_PREFIX_MASK;

	lo_start(o, "EPT/VPID:");
	if (!c->has_ept_vpid) {
		lo_end(o, "not supported");
		return;
	}
	lo_bits(o, v, 64, (u64)EPT_HLAT_PREFIX_MASK << EPT_HLAT_PREFIX_SHIFT,
		ept_vpid_names, ARRAY_SIZE(ept_vpid_names));
	if (hlat)
		lo_item(o, "HLAT prefix size %lu", hlat);
	lo_item(o, "IA32_VMX_EPT_VPID_CAP 0x%016lx", v);
	lo_end(o, NULL);
}

static void describe_vmfunc(struct line_out *o, const struct vmx_caps *c)
{
	lo_start(o, "VMFUNC:");
	if (!c->has_vmfunc) {
		lo_end(o, "not supported");
		return;
	}
	lo_bits(o, c->vmfunc, 64, 0, vmfunc_names, ARRAY_SIZE(vmfunc_names));
	if (!o->items)
		lo_item(o, "no functions");
	lo_item(o, "IA32_VMX_VMFUNC 0x%lx", c->vmfunc);
	lo_end(o, NULL);
}

void vmx_caps_describe(const struct vmx_caps *c,
		       void (*line)(void *ctx, const char *text), void *ctx)
{
	struct line_out o = { .emit = line, .ctx = ctx };

	ASSERT(c && line);
	describe_basic(&o, c->basic);
	for (size_t i = 0; i < ARRAY_SIZE(ctl_sets); i++) {
		const struct ctl_set *s = &ctl_sets[i];

		if (s->secondary && !c->has_procbased2) {
			lo_start(&o, "%s controls: not supported", s->name);
			lo_end(&o, NULL);
			continue;
		}
		describe_ctls(&o, c, s);
	}
	lo_start(&o, "CR0_FIXED0 0x%lx CR0_FIXED1 0x%lx CR4_FIXED0 0x%lx CR4_FIXED1 0x%lx",
		 c->cr0_fixed0, c->cr0_fixed1, c->cr4_fixed0, c->cr4_fixed1);
	lo_end(&o, NULL);
	describe_misc(&o, c->misc);
	describe_ept_vpid(&o, c);
	describe_vmfunc(&o, c);
	lo_start(&o, "VMCS_ENUM highest index 0x%lx",
		 (c->vmcs_enum >> VMCS_ENUM_INDEX_SHIFT) & VMCS_ENUM_INDEX_MASK);
	lo_end(&o, NULL);
}
