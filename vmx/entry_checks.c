/* The VM-entry checks: the rule table, the failure record and the order the
 * three parts run in (SDM Vol. 3C 27.2 before 27.3: a VMCS whose controls or
 * host state are bad fails with VMfailValid before any guest state is looked
 * at). The rules themselves are in entry_checks_{ctl,host,guest}.c. */
#define ENTRY_CHECKS_INTERNAL
#include "entry_checks.h"
#include "../lib/panic.h"

struct rule_info {
	const char *words;
	const char *sdm;
	enum entry_check_class cls;
	enum vmx_entry_failure_qual qual;
};

static const struct rule_info rules[ENTRY_CHECK_RULE_COUNT] = {
#define ENTRY_CHECK_RULE_INFO(name, cls_, qual_, sdm_, words_)			\
	[EC_##name] = { .words = (words_), .sdm = (sdm_), .cls = CHECK_##cls_,	\
			.qual = VMX_ENTRY_FAIL_##qual_ },
	ENTRY_CHECK_RULES(ENTRY_CHECK_RULE_INFO)
#undef ENTRY_CHECK_RULE_INFO
};

bool entry_check_rule_info(enum entry_check_rule id, struct entry_check_failure *f)
{
	const struct rule_info *r;

	ASSERT(f);
	if ((unsigned)id >= ENTRY_CHECK_RULE_COUNT)
		return false;
	r = &rules[id];
	*f = (struct entry_check_failure){
		.rule = r->words,
		.sdm = r->sdm,
		.cls = r->cls,
		/* Only a guest-state failure is a VM exit with a qualification. */
		.qualification = r->cls == CHECK_GUEST ? (u32)r->qual : 0,
		.id = id,
	};
	return true;
}

bool entry_check_fail(struct entry_ctx *c, enum entry_check_rule id, u32 field, u64 value)
{
	entry_check_rule_info(id, c->f);
	c->f->field = field;
	c->f->value = value;
	return false;
}

const char *entry_check_class_name(enum entry_check_class cls)
{
	switch (cls) {
	case CHECK_CONTROL:
		return "VMX controls";
	case CHECK_HOST:
		return "host state";
	case CHECK_GUEST:
		return "guest state";
	}
	return "unknown check class";
}

bool entry_checks_run(const struct vmcs_view *v, const struct vmx_caps *caps,
		      const struct entry_check_cpu *cpu, struct entry_check_failure *f)
{
	static const struct entry_check_cpu nestvisor_cpu = ENTRY_CHECK_CPU_DEFAULT;
	struct entry_ctx c = { .v = v, .caps = caps, .cpu = cpu ? cpu : &nestvisor_cpu, .f = f };

	ASSERT(v && v->read && caps && f);
	ASSERT(c.cpu->maxphyaddr > 0 && c.cpu->maxphyaddr < 64);
	ASSERT(c.cpu->linear_width > 1 && c.cpu->linear_width <= 64);

	c.pin = ec_read(&c, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	c.proc = ec_read(&c, VMCS_CPU_BASED_VM_EXEC_CONTROL);
	/* The secondary controls field may not exist without the 1-setting
	 * of "activate secondary controls"; read it only then. */
	if (c.proc & CPU_ACTIVATE_SECONDARY)
		c.proc2 = ec_read(&c, VMCS_SECONDARY_VM_EXEC_CONTROL);
	c.exit = ec_read(&c, VMCS_VM_EXIT_CONTROLS);
	c.entry = ec_read(&c, VMCS_VM_ENTRY_CONTROLS);
	c.intr_info = ec_read(&c, VMCS_VM_ENTRY_INTR_INFO_FIELD);
	c.unrestricted = c.proc2 & CPU2_UNRESTRICTED_GUEST;
	c.ia32e_guest = c.entry & ENTRY_IA32E_MODE_GUEST;

	return entry_checks_controls(&c) && entry_checks_host(&c) && entry_checks_guest(&c);
}

/*
 * Not covered, each for the reason given; hardware still checks them, so a
 * VMCS passing here can still fail a real VM entry:
 *   - 27.1 (VMLAUNCH/VMRESUME launch state, MOV-SS blocking before entry,
 *     current-VMCS validity): properties of the instruction, not the VMCS.
 *   - Controls nestvisor never offers: tertiary controls, secondary VM-exit
 *     controls, HLAT, sub-page write permissions, "Intel PT uses guest
 *     physical addresses", ENCLS/ENCLV exiting, user interrupts, PASID
 *     translation, IPI virtualization, FRED, CET, PKRS, LBR and RTIT
 *     controls, "load IA32_PERF_GLOBAL_CTRL" and "load IA32_BNDCFGS"
 *     (their reserved bits depend on CPUID leaves the caps do not hold).
 *   - 27.2.1.1 TPR threshold versus VTPR (byte 80H of the virtual-APIC
 *     page) when read_phys is NULL or cannot read the page: the SDM has no
 *     rule for a page that is not there.
 *   - 27.2.1.3 #CP (vector 21) delivering an error code: depends on CET
 *     support, which the caps do not say; only the seven classic vectors
 *     (#DF #TS #NP #SS #GP #PF #AC) are taken to have one.
 *   - 27.3.1.1 reserved bits of IA32_DEBUGCTL with "load debug controls":
 *     they depend on the CPU model.
 *   - 27.3.1.5 "a processor may require" STI blocking to be 0 when injecting
 *     an NMI (exit qualification 3): model-specific; not checked.
 *   - 27.3.1.5 the link pointer must not be the current-VMCS pointer, and
 *     the enclave-interruption bit needs SGX support: the VMCS view knows
 *     neither its own address nor CPUID. Without read_phys, the linked VMCS's
 *     revision identifier and shadow-VMCS indicator are not read; a link
 *     pointer other than ~0 is then accepted only with "VMCS shadowing".
 *   - 27.3.1.6 with read_phys NULL and EPT off, the PDPTEs are not checked.
 *   - 27.4 MSR-load failures (exit reason 34) and 27.3.2+ loading.
 */
