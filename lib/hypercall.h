/* nestvisor's hypercalls (docs/hypercalls.md), named once for nestvisor
 * (vmx/exit_misc.c) and the test guests: VMCALL with RAX = the function,
 * RBX and RCX the arguments; RAX holds the result when the guest resumes. */
#ifndef LIB_HYPERCALL_H
#define LIB_HYPERCALL_H

#include "types.h"

enum nv_hypercall {
	NV_HC_EXIT = 0,		/* RBX = exit code: ends the guest */
	NV_HC_PRINT = 1,	/* RBX = guest-physical string, RCX = length <= 256 */
	NV_HC_EXIT_COUNT = 2,	/* returns this vCPU's VM exits so far */
	NV_HC_APIC_VIRT = 3,	/* returns the NV_APIC_VIRT_* bits below */
	NV_HC_EXIT_COUNT_REASON = 4,	/* RBX = basic exit reason: this vCPU's exits for it */
	NV_HC_NESTED = 5,	/* returns the NV_NESTED_* bits below */
};
#define NV_HC_ERROR (~0ull)	/* the result of an unknown function or bad arguments */
#define NV_HC_PRINT_MAX 256

/* NV_HC_APIC_VIRT: the accesses to its virtual APIC that this vCPU's CPU
 * serves itself, without a VM exit (SDM Vol. 3C, chapter 30). */
#define NV_APIC_VIRT_CR8 BIT(0)		/* MOV to/from CR8 ("use TPR shadow") */
#define NV_APIC_VIRT_TPR_MSR BIT(1)	/* RDMSR/WRMSR 0x808 ("virtualize x2APIC mode") */
#define NV_APIC_VIRT_REG_READS BIT(2)	/* RDMSR of the other registers the APIC holds
					   (not PPR, TIMER_CUR): "APIC-register
					   virtualization" */

/* NV_HC_NESTED: how nestvisor runs this L1 (docs/nested.md). */
#define NV_NESTED_OFFERED BIT(0)	/* the vCPU is offered VMX */
#define NV_NESTED_SHADOWING BIT(1)	/* its VMREAD/VMWRITE of shadowed fields do not exit */

/* A guest's side of the call. */
static inline u64 nv_hypercall(u64 fn, u64 rbx, u64 rcx)
{
	__asm__ volatile("vmcall" : "+a"(fn) : "b"(rbx), "c"(rcx) : "memory");
	return fn;
}

#endif
