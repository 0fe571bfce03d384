/* vmcs12's MSR-load and MSR-store lists (vmx/nested_msr.h). */
#include "nested.h"
#include "nested_msr.h"
#include "vmcs_field.h"
#include "vmx_ops.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/vcpu.h"

#define MSR_ENTRY_SIZE 16		/* Table 25-15: index, reserved, data */
/* The recommended maximum, 512 * (IA32_VMX_MISC bits 27:25 + 1) (A.6):
 * longer lists fail at the first entry past it, as KVM does. */
#define MSR_LIST_UNIT 512
#define MISC_MSR_LIST_SHIFT 25
#define MSR_IA32_SMBASE 0x9e
#define MSR_IA32_SMM_MONITOR_CTL 0x9b
#define CANONICAL_BITS 48

struct msr_entry {
	u32 index, reserved;
	u64 value;
};
_Static_assert(sizeof(struct msr_entry) == MSR_ENTRY_SIZE, "an MSR list entry is 16 bytes");

static bool canonical(u64 addr)
{
	return (u64)((s64)(addr << (64 - CANONICAL_BITS)) >> (64 - CANONICAL_BITS)) == addr;
}

/* The MSR's slot in v->syscall_msrs, or -1. */
static int syscall_slot(u32 index)
{
	for (unsigned i = 0; i < ARRAY_SIZE(guest_syscall_msrs); i++)
		if (guest_syscall_msrs[i] == index)
			return (int)i;
	return -1;
}

/* What no entry may be (27.4, 28.4, 28.6): reserved bits set, the x2APIC
 * range and the SMM MSRs; for loads also FS_BASE and GS_BASE, which the
 * VMCS loads. */
static const char *excluded(const struct msr_entry *e, bool load)
{
	u32 index = e->index;

	if (e->reserved)
		return "bits 63:32 of the entry's first quadword are not 0";
	if (load && (index == MSR_FS_BASE || index == MSR_GS_BASE))
		return "IA32_FS_BASE or IA32_GS_BASE, which the list may not load";
	if (index >= MSR_X2APIC_BASE && index <= MSR_X2APIC_LAST)
		return "an x2APIC MSR (0x800-0x8ff)";
	if (index == MSR_IA32_SMBASE || index == MSR_IA32_SMM_MONITOR_CTL)
		return "IA32_SMBASE or IA32_SMM_MONITOR_CTL";
	return NULL;
}

/* One load: the checks, then what WRMSR would refuse. nestvisor loads only
 * the MSRs an L2 may own; any other index is refused as an MSR that cannot
 * be written would be. */
static const char *load_one(struct vcpu *v, struct msr_entry *e)
{
	const char *why = excluded(e, true);
	int slot = syscall_slot(e->index);

	if (why)
		return why;
	if (slot < 0)
		return "an MSR nestvisor does not load for an L2";
	if (e->index == MSR_FMASK && (e->value >> 32))
		return "IA32_FMASK with reserved bits 63:32 set, which WRMSR refuses";
	if (e->index != MSR_STAR && e->index != MSR_FMASK && !canonical(e->value))
		return "a non-canonical address, which WRMSR refuses";
	v->syscall_msrs[slot] = e->value;
	return NULL;
}

/* One store of L2's value: the MSRs it may own, and those vmcs02 holds. */
static const char *store_one(struct vcpu *v, struct msr_entry *e)
{
	static const struct {
		u32 msr, field;
	} in_vmcs[] = {
		{ MSR_FS_BASE, VMCS_GUEST_FS_BASE }, { MSR_GS_BASE, VMCS_GUEST_GS_BASE },
		{ MSR_IA32_SYSENTER_CS, VMCS_GUEST_SYSENTER_CS },
		{ MSR_IA32_SYSENTER_ESP, VMCS_GUEST_SYSENTER_ESP },
		{ MSR_IA32_SYSENTER_EIP, VMCS_GUEST_SYSENTER_EIP },
		{ MSR_IA32_EFER, VMCS_GUEST_IA32_EFER }, { MSR_IA32_PAT, VMCS_GUEST_IA32_PAT },
	};
	const char *why = excluded(e, false);
	int slot = syscall_slot(e->index);

	if (why)
		return why;
	if (slot >= 0) {
		e->value = v->syscall_msrs[slot];
		return NULL;
	}
	for (unsigned i = 0; i < ARRAY_SIZE(in_vmcs); i++) {
		if (in_vmcs[i].msr == e->index) {
			e->value = vmcs_read(in_vmcs[i].field);
			return NULL;
		}
	}
	return "an MSR nestvisor does not store for an L2";
}

/* Walks a list in order; the first entry that fails ends it. */
static bool walk(struct vcpu *v, u64 addr, u64 count, bool store, u32 *failed, const char **why)
{
	u64 misc = 0, max;

	vvmx_caps_rdmsr(&v->nested->caps, MSR_IA32_VMX_MISC, &misc);
	max = MSR_LIST_UNIT * (((misc >> MISC_MSR_LIST_SHIFT) & 7) + 1);
	for (u64 i = 0; i < count; i++) {
		u8 *p = guest_ptr(v->guest, addr + i * MSR_ENTRY_SIZE, MSR_ENTRY_SIZE);
		struct msr_entry e;

		if (i == max) {
			*why = "more entries than IA32_VMX_MISC allows";
		} else if (!p) {
			*why = "the entry is outside L1's memory";
		} else {
			memcpy(&e, p, sizeof(e));
			*why = store ? store_one(v, &e) : load_one(v, &e);
			if (!*why && store)
				memcpy(p + 8, &e.value, sizeof(e.value));
		}
		if (*why) {
			*failed = (u32)(i + 1);
			return false;
		}
	}
	return true;
}

bool nested_msr_load_list(struct vcpu *v, u64 addr, u64 count, u32 *failed, const char **why)
{
	return walk(v, addr, count, false, failed, why);
}

bool nested_msr_store_list(struct vcpu *v, u64 addr, u64 count, u32 *failed, const char **why)
{
	return walk(v, addr, count, true, failed, why);
}
