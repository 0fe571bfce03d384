/* CPUID: the host's answers, minus what nestvisor does not virtualize, plus
 * its own signature leaf (the range 0x40000000-0x4fffffff is reserved for
 * hypervisors: SDM Vol. 2A, CPUID, and CPUID.1:ECX bit 31). */
#include "exit.h"
#include "vmcs_field.h"
#include "../lib/x86.h"

#define CPUID_1_ECX_VMX BIT(5)
#define CPUID_1_ECX_PDCM BIT(15)	/* perf capabilities MSR: PMU hidden */
#define CPUID_1_ECX_X2APIC BIT(21)	/* the virtual APIC is an x2APIC */
#define CPUID_1_EBX_APIC_ID_SHIFT 24
#define CPUID_LEAF_TOPOLOGY 0x0b	/* EDX: x2APIC ID */
#define CPUID_1_ECX_HYPERVISOR BIT(31)
#define CPUID_LEAF_PMU 0x0a
#define CPUID_LEAF_HV_BASE 0x40000000u
#define CPUID_LEAF_HV_END 0x4fffffffu

/* "nestvisor L0" in EBX, ECX, EDX. */
#define NV_SIGNATURE_EBX 0x7473656eu	/* "nest" */
#define NV_SIGNATURE_ECX 0x6f736976u	/* "viso" */
#define NV_SIGNATURE_EDX 0x304c2072u	/* "r L0" */

void exit_cpuid(struct vcpu *v)
{
	u32 leaf = (u32)v->regs.rax, sub = (u32)v->regs.rcx;
	struct cpuid r = { 0 };

	if (leaf == CPUID_LEAF_HV_BASE) {
		r = (struct cpuid){ CPUID_LEAF_HV_BASE, NV_SIGNATURE_EBX, NV_SIGNATURE_ECX,
				    NV_SIGNATURE_EDX };
	} else if (leaf > CPUID_LEAF_HV_BASE && leaf <= CPUID_LEAF_HV_END) {
		/* nestvisor has no further leaves: zeros. */
	} else if (leaf == CPUID_LEAF_PMU) {
		/* No performance monitoring: the counters' MSRs fault (platform.md). */
	} else {
		r = cpuid(leaf, sub);
		if (leaf == 1) {
			r.ecx &= ~(CPUID_1_ECX_VMX | CPUID_1_ECX_PDCM);
			r.ecx |= CPUID_1_ECX_HYPERVISOR | CPUID_1_ECX_X2APIC |
				 (v->nested ? CPUID_1_ECX_VMX : 0);	/* vmx/nested.h */
			r.ebx = (r.ebx & 0x00ffffffu) | v->apic.id << CPUID_1_EBX_APIC_ID_SHIFT;
		} else if (leaf == CPUID_LEAF_TOPOLOGY) {
			r.edx = v->apic.id;
		}
	}
	v->regs.rax = r.eax;
	v->regs.rbx = r.ebx;
	v->regs.rcx = r.ecx;
	v->regs.rdx = r.edx;
	exit_skip_instruction(v);
}
