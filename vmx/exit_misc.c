/* VMCALL hypercalls (lib/hypercall.h, docs/hypercalls.md), XSETBV and
 * cache flushes. */
#include "exit.h"
#include "vmcs_field.h"
#include "nested_shadow.h"
#include "../lib/hypercall.h"
#include "../lib/string.h"
#include "../lib/x86.h"
#include "../vmm/console.h"

#define VECTOR_GP 13
#define CR4_OSXSAVE BIT(18)
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define CPUID_LEAF_XSAVE 0x0d


void exit_vmcall(struct vcpu *v)
{
	char text[NV_HC_PRINT_MAX + 1];
	const char *s;

	switch (v->regs.rax) {
	case NV_HC_EXIT:
		v->exit_code = (int)(v->regs.rbx & 0xff);
		vcpu_stop(v, "hypercall exit: code %d", v->exit_code);
		return;
	case NV_HC_PRINT:
		s = v->regs.rcx <= NV_HC_PRINT_MAX ? guest_ptr(v->guest, v->regs.rbx, v->regs.rcx) : NULL;
		if (s) {
			memcpy(text, s, v->regs.rcx);
			text[v->regs.rcx] = '\0';
			pr_err("%s: %s", v->guest->name, text);
		}
		v->regs.rax = s ? 0 : NV_HC_ERROR;
		break;
	case NV_HC_EXIT_COUNT:
		v->regs.rax = v->exits;
		break;
	case NV_HC_APIC_VIRT:
		v->regs.rax = v->apic_virt;
		break;
	case NV_HC_EXIT_COUNT_REASON:
		v->regs.rax = v->regs.rbx < EXIT_REASONS_MAX ? v->stats[v->regs.rbx].count : NV_HC_ERROR;
		break;
	case NV_HC_NESTED:
		v->regs.rax = (v->nested ? NV_NESTED_OFFERED : 0) |
			      (nested_shadow_on(v) ? NV_NESTED_SHADOWING : 0);
		break;
	default:
		v->regs.rax = NV_HC_ERROR;
		break;
	}
	exit_skip_instruction(v);
}

/* XSETBV (SDM Vol. 2D): #GP unless ECX = 0 and the value is a valid XCR0
 * for this CPU (x87 set, AVX only with SSE, only supported components). */
void exit_xsetbv(struct vcpu *v)
{
	u64 value = (v->regs.rdx << 32) | (u32)v->regs.rax;
	struct cpuid xs = cpuid(CPUID_LEAF_XSAVE, 0);
	u64 supported = ((u64)xs.edx << 32) | xs.eax;

	if ((u32)v->regs.rcx != 0 || !(value & XCR0_X87) || (value & ~supported) ||
	    ((value & XCR0_AVX) && !(value & XCR0_SSE))) {
		exit_inject_exception(v, VECTOR_GP, true, 0);
		return;
	}
	v->xcr0 = value;	/* loaded before each entry by vcpu_run() */
	exit_skip_instruction(v);
}

void exit_cache_flush(struct vcpu *v)
{
	/* INVD would drop nestvisor's own dirty lines: write back instead. */
	__asm__ volatile("wbinvd" ::: "memory");
	exit_skip_instruction(v);
}
