/* The shadow VMCS follows L1's current VMCS (shadow.h): values written
 * into two VMCSs stay each VMCS's own across VMPTRLD and VMCLEAR (SDM
 * 25.11.3: VMCLEAR writes the VMCS's data back to its region), and the
 * VM-instruction error of a VMfailValid is what L1's VMREAD of it reads
 * (SDM 31.2: VMfailValid stores it in the current VMCS). nestvisor syncs
 * the shadow VMCS at each of these steps; the reads must not notice. */
#include "shadow.h"

/* What each of the two VMCSs holds: SHADOW_RW fields and one of class
 * SHADOW_NONE, whose accesses reach nestvisor's vmcs12 directly. */
static const u32 fields[] = {
	VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS, VMCS_GUEST_CR0, VMCS_GUEST_CS_SELECTOR,
	VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_GUEST_DR7,
};

static u8 second_vmcs[PAGE_SIZE] __aligned(PAGE_SIZE);

/* Value of fields[i] in VMCS `which` (0 or 1): different in each. */
static u64 value_of(unsigned i, unsigned which)
{
	return shadow_field_value(fields[i], 0x1111111111111111ull * (i + 1) + which);
}

static void write_all(unsigned which)
{
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++)
		vmcs_write(fields[i], value_of(i, which));
}

/* Whether the current VMCS holds VMCS which's values; adds the exits its
 * VMREADs should cost to *want. */
static bool holds(unsigned which, bool on, u64 *want)
{
	bool ok = true;

	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++) {
		u64 v = 0;

		ok &= vmx_outcome_of(vmx_vmread(fields[i], &v)) == VMX_SUCCEED &&
		      v == value_of(i, which);
		*want += shadow_exits_per_access(fields[i], on);
	}
	return ok;
}

static bool load(u64 pa)
{
	return vmx_outcome_of(vmx_vmptrld(&pa)) == VMX_SUCCEED;
}

static bool clear(u64 pa)
{
	return vmx_outcome_of(vmx_vmclear(&pa)) == VMX_SUCCEED;
}

void t_vmptrld(void)
{
	u64 first = 0, second = ptr_to_phys(second_vmcs), before, exits, want = 0;
	bool on, switched, reloaded, steps;

	if (!shadow_begin(l2_cpuid, &on))
		return;
	vmx_vmptrst(&first);
	write_all(0);
	*(u32 *)second_vmcs = env.f.revision;
	steps = clear(second) && load(second);
	write_all(1);
	before = nv_exits(EXIT_REASON_VMREAD);
	steps &= load(first);
	switched = holds(0, on, &want);
	steps &= load(second);
	switched &= holds(1, on, &want);
	/* VMCLEAR of the current VMCS, then of one that is not current. */
	steps &= clear(second) && load(second);
	reloaded = holds(1, on, &want);
	steps &= clear(first) && load(first);
	reloaded &= holds(0, on, &want);
	exits = nv_exits(EXIT_REASON_VMREAD) - before;
	steps &= clear(second);
	res(steps, "VMCLEAR and VMPTRLD of the two VMCSs succeed");
	res(switched, "two VMCSs: each holds the values L1 wrote into it when VMPTRLD makes it "
	    "current again");
	res(reloaded, "two VMCSs: each holds its values after VMCLEAR and VMPTRLD");
	res(exits == want, "two VMCSs: VMREADs of %u fields: exits as each field's shadow class and "
	    "the mode demand", (unsigned)ARRAY_SIZE(fields));
	res_info("two VMCSs: %llu VMREADs, %llu nestvisor exits, %s",
		 (unsigned long long)(4 * ARRAY_SIZE(fields)), (unsigned long long)exits,
		 shadow_mode_name(on));
	l2_finish();
}

/* An encoding no VMCS has: the highest index any field of the table has,
 * plus one, as a natural-width guest-state field (25.11.2). */
static u32 unsupported_field(void)
{
	return VMCS_WIDTH_NATURAL << VMCS_ENC_WIDTH_SHIFT | VMCS_TYPE_GUEST << VMCS_ENC_TYPE_SHIFT |
	       (vmcs_field_max_index() + 1) << VMCS_ENC_INDEX_SHIFT;
}

/* VMREAD of the VM-instruction error field, counting its exits in *exits. */
static u64 error_field(u64 *exits)
{
	u64 before = nv_exits(EXIT_REASON_VMREAD), v = 0;

	vmx_vmread(VMCS_VM_INSTRUCTION_ERROR, &v);
	*exits += nv_exits(EXIT_REASON_VMREAD) - before;
	return v;
}

void t_insn_error(void)
{
	u64 exits = 0, unsupported, not_launched, kept;
	enum vmx_outcome write, resume;
	bool on;

	if (!shadow_begin(l2_cpuid, &on))
		return;
	write = vmx_outcome_of(vmx_vmwrite(unsupported_field(), 0));
	unsupported = error_field(&exits);
	resume = vmx_outcome_of(vmx_vmresume());
	not_launched = error_field(&exits);
	vmcs_write(VMCS_GUEST_RIP, (u64)l2_cpuid);
	kept = error_field(&exits);
	res(write == VMX_FAIL_VALID && unsupported == VMXERR_UNSUPPORTED_COMPONENT,
	    "VMWRITE of a field no VMCS has: VMfailValid, and VMREAD of the VM-instruction error "
	    "reads 12");
	res(resume == VMX_FAIL_VALID && not_launched == VMXERR_VMRESUME_NONLAUNCHED_VMCS,
	    "VMRESUME of a clear VMCS: VMfailValid, and the VM-instruction error reads 5");
	res(kept == VMXERR_VMRESUME_NONLAUNCHED_VMCS,
	    "a VMWRITE that succeeds leaves the VM-instruction error at 5");
	res(exits == 3 * shadow_exits_per_access(VMCS_VM_INSTRUCTION_ERROR, on),
	    "3 VMREADs of VM_INSTRUCTION_ERROR: %s", shadow_exits_words(VMCS_VM_INSTRUCTION_ERROR));
	res_info("3 VMREADs of VM_INSTRUCTION_ERROR: %llu nestvisor exits, %s",
		 (unsigned long long)exits, shadow_mode_name(on));
	l2_finish();
}
