/* Nested VM entry, the checks (SDM Vol. 3C ch. 27): the vmcs12 L1 asks to
 * enter is checked by the one software checker (vmx/entry_checks.h) against
 * the capabilities L1 was offered, then its VM-entry MSR-load list is
 * checked in software (27.4). Nothing of nestvisor's is read for L1: every
 * address in vmcs12 is an L1 guest-physical address read through
 * guest_ptr(), and a bitmap or list outside L1's memory fails the entry. */
#include "nested.h"
#include "nested_entry.h"
#include "entry_checks.h"
#include "vmx_controls.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../vmm/vcpu.h"

#define MSR_ENTRY_SIZE 16		/* SDM Table 25-15: index, reserved, data */
/* The recommended maximum, 512 * (IA32_VMX_MISC bits 27:25 + 1) (A.6):
 * longer lists fail at the first entry past it, as KVM does. */
#define MSR_LIST_UNIT 512
#define MISC_MSR_LIST_SHIFT 25
#define MSR_IA32_SMBASE 0x9e
#define MSR_IA32_SMM_MONITOR_CTL 0x9b
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

static bool canonical(u64 addr)
{
	return (u64)((s64)(addr << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS)) == addr;
}

/* One entry of the VM-entry MSR-load list (27.4): the MSRs 27.4 excludes
 * (FS_BASE and GS_BASE, which the guest-state area loads; the x2APIC range;
 * IA32_SMBASE) and what WRMSR would refuse. nestvisor loads only the MSRs
 * an L2 may own (the SYSCALL MSRs); any other index is refused as an MSR
 * that cannot be written would be. Returns the words, or NULL. */
static const char *msr_entry_problem(u32 index, u32 reserved, u64 value)
{
	if (reserved)
		return "bits 63:32 of the entry's first quadword are not 0";
	if (index == MSR_FS_BASE || index == MSR_GS_BASE)
		return "IA32_FS_BASE or IA32_GS_BASE, which the list may not load";
	if (index >= MSR_X2APIC_BASE && index <= MSR_X2APIC_LAST)
		return "an x2APIC MSR (0x800-0x8ff)";
	if (index == MSR_IA32_SMBASE || index == MSR_IA32_SMM_MONITOR_CTL)
		return "IA32_SMBASE or IA32_SMM_MONITOR_CTL";
	if (index == MSR_KERNEL_GS_BASE || index == MSR_LSTAR || index == MSR_CSTAR)
		return canonical(value) ? NULL : "a non-canonical address, which WRMSR refuses";
	if (index == MSR_STAR || index == MSR_FMASK)
		return NULL;
	return "an MSR nestvisor does not load for an L2";
}

/* 27.4: the list is processed in order; the first entry that fails ends the
 * entry with exit reason 34 and its number, counted from 1. */
static bool check_msr_load_list(struct vcpu *v, u32 *failed, const char **why)
{
	u64 count = read12(v, VMCS_VM_ENTRY_MSR_LOAD_COUNT);
	u64 addr = read12(v, VMCS_VM_ENTRY_MSR_LOAD_ADDR);

	u64 misc = 0, max;

	vvmx_caps_rdmsr(&v->nested->caps, MSR_IA32_VMX_MISC, &misc);
	max = MSR_LIST_UNIT * (((misc >> MISC_MSR_LIST_SHIFT) & 7) + 1);

	for (u64 i = 0; i < count; i++) {
		const u8 *e = guest_ptr(v->guest, addr + i * MSR_ENTRY_SIZE, MSR_ENTRY_SIZE);
		u32 index, reserved;
		u64 value;

		if (i == max) {
			*why = "more entries than IA32_VMX_MISC allows";
		} else if (!e) {
			*why = "the entry is outside L1's memory";
		} else {
			memcpy(&index, e, 4);
			memcpy(&reserved, e + 4, 4);
			memcpy(&value, e + 8, 8);
			*why = msr_entry_problem(index, reserved, value);
		}
		if (*why) {
			*failed = (u32)(i + 1);
			return false;
		}
	}
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
	if (!check_msr_load_list(v, &c->msr_index, &c->why)) {
		c->qualification = c->msr_index;
		return NESTED_FAIL_MSR_LOAD;
	}
	return NESTED_ENTRY_OK;
}
