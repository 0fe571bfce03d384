/* Nested VM entry, the checks (SDM Vol. 3C ch. 27): the vmcs12 L1 asks to
 * enter is checked by the one software checker (vmx/entry_checks.h) against
 * the capabilities L1 was offered, then its VM-entry MSR-load list is
 * processed in software (27.4, vmx/nested_msr.c). Nothing of nestvisor's is read for L1: every
 * address in vmcs12 is an L1 guest-physical address read through
 * guest_ptr(), and a bitmap or list outside L1's memory fails the entry. */
#include "nested.h"
#include "nested_entry.h"
#include "nested_msr.h"
#include "entry_checks.h"
#include "vmx_controls.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../vmm/vcpu.h"

#define CANONICAL_BITS 48

static u64 read12(void *ctx, u32 field)
{
	const struct vcpu *v = ctx;
	u64 value = 0;

	vmcs12_read(v->nested->current, field, &value);
	return value;
}

static bool read_phys12(void *ctx, u64 pa, u64 *value)
{
	const struct vcpu *v = ctx;
	const u64 *p = guest_ptr(v->guest, pa, sizeof(*p));

	if (!p)
		return false;
	*value = *p;
	return true;
}

/* Bitmaps nestvisor will have to read for L1: inside L1's memory, or the
 * entry fails as an invalid control would (error 7) — never a read of
 * anything else. */
static bool bitmaps_in_memory(struct vcpu *v, const char **why)
{
	u64 proc = read12(v, VMCS_CPU_BASED_VM_EXEC_CONTROL);

	if ((proc & CPU_USE_MSR_BITMAPS) &&
	    !guest_ptr(v->guest, read12(v, VMCS_MSR_BITMAP), PAGE_SIZE)) {
		*why = "MSR bitmap outside L1's memory";
		return false;
	}
	if ((proc & CPU_USE_IO_BITMAPS) &&
	    (!guest_ptr(v->guest, read12(v, VMCS_IO_BITMAP_A), PAGE_SIZE) ||
	     !guest_ptr(v->guest, read12(v, VMCS_IO_BITMAP_B), PAGE_SIZE))) {
		*why = "I/O bitmap outside L1's memory";
		return false;
	}
	return true;
}

enum nested_verdict nested_check_entry(struct vcpu *v, struct nested_check *c)
{
	struct vmcs_view view = { .read = read12, .read_phys = read_phys12, .ctx = v };
	struct entry_check_cpu cpu = {
		.maxphyaddr = v->nested->maxphyaddr, .linear_width = CANONICAL_BITS, .ia32e = true,
	};
	struct vmx_caps caps;

	memset(c, 0, sizeof(*c));
	vvmx_caps_as_vmx_caps(&v->nested->caps, &caps);
	if (!entry_checks_run(&view, &caps, &cpu, &c->failure)) {
		c->why = c->failure.rule;
		switch (c->failure.cls) {
		case CHECK_CONTROL:
			return NESTED_FAIL_CONTROL;
		case CHECK_HOST:
			return NESTED_FAIL_HOST;
		case CHECK_GUEST:
			c->qualification = c->failure.qualification;
			return NESTED_FAIL_GUEST;
		}
	}
	if (!bitmaps_in_memory(v, &c->why))
		return NESTED_FAIL_CONTROL;
	if (!nested_msr_load_list(v, read12(v, VMCS_VM_ENTRY_MSR_LOAD_ADDR),
				  read12(v, VMCS_VM_ENTRY_MSR_LOAD_COUNT), &c->msr_index, &c->why)) {
		c->qualification = c->msr_index;
		return NESTED_FAIL_MSR_LOAD;
	}
	return NESTED_ENTRY_OK;
}
