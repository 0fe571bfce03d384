/* Nested VMX state of a vCPU: its virtual capabilities, the vmcs12 cache,
 * and the CR0/CR4 rules of VMX operation (vmx/nested.h). */
#include "nested.h"
#include "nested_shadow.h"
#include "exit.h"
#include "vmx_ops.h"
#include "../lib/msr.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../mm/page_alloc.h"
#include "../vmm/console.h"
#include "../vmm/percpu.h"

#define CPUID_ADDR_SIZES 0x80000008u	/* EAX[7:0]: physical-address width */

static void probe_fields(struct nested *n)
{
	const struct vmcs_field_info *f;
	u64 value;

	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (__vmread(f->encoding, &value) == VMX_SUCCEED)
			n->field_ok[i / 8] |= (u8)BIT(i % 8);
}

/* The highest index (bits 9:1) of a supported field: VMCS_ENUM (SDM A.9). */
static unsigned max_field_index(const struct nested *n)
{
	const struct vmcs_field_info *f;
	unsigned max = 0;

	for (unsigned i = 0; (f = vmcs_field_at(i)); i++)
		if (nested_field_ok(n, i))
			max = MAX(max, vmcs_field_index(f->encoding));
	return max;
}

bool nested_init(struct vcpu *v, const struct vmx_caps *host, int vmwrite_any)
{
	struct nested *n = page_alloc(page_order_for(sizeof(*n)), 0);
	struct vvmx_policy p;

	if (!n) {
		pr_err("%s: out of memory for nested VMX", v->guest->name);
		return false;
	}
	v->nested = n;
	n->current_ptr = VMCS12_NONE;
	for (unsigned i = 0; i < NESTED_CACHE; i++) {
		n->cache[i].gpa = VMCS12_NONE;
		n->cache[i].v = page_alloc(0, 0);
		if (!n->cache[i].v) {
			pr_err("%s: out of memory for vmcs12s", v->guest->name);
			return false;
		}
	}
	n->maxphyaddr = cpuid(CPUID_ADDR_SIZES, 0).eax & 0xff;
	probe_fields(n);
	p = (struct vvmx_policy){
		.vmwrite_any = vmwrite_any < 0 ? !!(host->misc & VMX_MISC_VMWRITE_ANY) : vmwrite_any,
		.vpid = true,
		.max_field_index = max_field_index(n),
	};
	vvmx_caps_build(&n->caps, host, &p);
	n->vmwrite_any = p.vmwrite_any;
	if (!nested_shadow_init(v, host))
		return false;
	pr_info("%s: nested VMX offered: VMCS revision 0x%x, VPID %s, VMWRITE to any field %s; "
		"VMCS shadowing %s", v->guest->name, vvmx_revision(&n->caps),
		vvmx_vpid_offered(&n->caps) ? "yes" : "no", n->vmwrite_any ? "yes" : "no",
		nested_shadow_on(v) ? "used" : "not used");
	return true;
}

void nested_destroy(struct vcpu *v)
{
	struct nested *n = v->nested;

	if (!n)
		return;
	for (unsigned i = 0; i < NESTED_CACHE; i++)
		if (n->cache[i].v)
			page_free(n->cache[i].v);
	if (n->vmcs02) {
		__vmclear(n->vmcs02);
		page_free(phys_to_ptr(n->vmcs02));
	}
	if (n->msr_bitmap02)
		page_free(n->msr_bitmap02);
	nested_shadow_destroy(v);
	page_free(n);
	v->nested = NULL;
}

bool nested_rdmsr(struct vcpu *v, u32 msr, u64 *value)
{
	return v->nested && vvmx_caps_rdmsr(&v->nested->caps, msr, value);
}

/* A capability MSR every L1 has (BASIC .. VMCS_ENUM). */
static u64 cap(const struct nested *n, u32 msr)
{
	u64 value = 0;

	vvmx_caps_rdmsr(&n->caps, msr, &value);
	return value;
}

/* A value obeys the fixed bits of a VMX_CR*_FIXED0/1 pair (SDM A.7, A.8). */
static bool fits_fixed(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}

bool nested_crs_fit_vmx(const struct vcpu *v, u64 cr0, u64 cr4)
{
	const struct nested *n = v->nested;

	return fits_fixed(cr0, cap(n, MSR_IA32_VMX_CR0_FIXED0), cap(n, MSR_IA32_VMX_CR0_FIXED1)) &&
	       fits_fixed(cr4, cap(n, MSR_IA32_VMX_CR4_FIXED0), cap(n, MSR_IA32_VMX_CR4_FIXED1));
}

bool nested_cr0_allowed(const struct vcpu *v, u64 cr0)
{
	const struct nested *n = v->nested;

	return !n || !n->vmxon ||
	       fits_fixed(cr0, cap(n, MSR_IA32_VMX_CR0_FIXED0), cap(n, MSR_IA32_VMX_CR0_FIXED1));
}

bool nested_cr4_allowed(const struct vcpu *v, u64 cr4)
{
	const struct nested *n = v->nested;

	if (!n)
		return !(cr4 & CR4_VMXE);	/* no VMX offered: as a CPU without it */
	return !n->vmxon ||
	       fits_fixed(cr4, cap(n, MSR_IA32_VMX_CR4_FIXED0), cap(n, MSR_IA32_VMX_CR4_FIXED1));
}
