/* Exits that end a guest, or that belong to the host. */
#include "exit.h"
#include "intr_info.h"
#include "nested.h"
#include "vmcs_field.h"
#include "../lib/x86.h"
#include "../vmm/percpu.h"

/* EPT-violation exit qualification (SDM Table 28-7). */
#define EPT_Q_READ BIT(0)
#define EPT_Q_WRITE BIT(1)
#define EPT_Q_FETCH BIT(2)

void exit_hlt(struct vcpu *v)
{
	/* Past the HLT first: the interrupt that wakes it returns after it. */
	exit_skip_instruction(v);
	/* An L2 stays halted in vmcs02 until an event wakes it: a VM exit to
	 * L1 meanwhile saves its activity state as HLT (SDM 28.3.4), and the
	 * entry that injects the interrupt leaves it active (27.7.2). */
	if (v->nested && v->nested->in_l2 &&
	    activity_supported(this_cpu()->vmx.caps.misc, ACTIVITY_HLT))
		vmcs_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
	vcpu_halt(v);
}

void exit_pause(struct vcpu *v)
{
	/* A spin-wait: let it go on (the exit itself shows it is alive). */
	exit_skip_instruction(v);
}

void exit_interrupt_window(struct vcpu *v __unused)
{
	/* The guest can take an interrupt now: the next entry injects it. */
}

void exit_tpr_below_threshold(struct vcpu *v __unused)
{
	/* Trap-like (SDM Vol. 3C, 30.1.2): the MOV CR8 or WRMSR that lowered
	 * VTPR below the threshold has completed, and the interrupt it held
	 * back may now be deliverable: the next entry injects it. */
}

void exit_triple_fault(struct vcpu *v)
{
	vcpu_stop(v, "triple fault at RIP 0x%lx", vmcs_read(VMCS_GUEST_RIP));
}

void exit_ept_violation(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);

	vcpu_stop(v, "EPT violation: %s of guest-physical 0x%lx, outside its %lu MiB (RIP 0x%lx)",
		  q & EPT_Q_FETCH ? "instruction fetch" : q & EPT_Q_WRITE ? "write" : "read",
		  vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS), v->guest->mem_size >> 20,
		  vmcs_read(VMCS_GUEST_RIP));
}

void exit_ept_misconfig(struct vcpu *v)
{
	vcpu_stop(v, "EPT misconfiguration at guest-physical 0x%lx: a nestvisor bug",
		  vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS));
}

void exit_preemption_timer(struct vcpu *v)
{
	/* The timer also wakes nestvisor for the virtual APIC timer: only a
	 * guest that made no progress for the whole budget is stopped. */
	if (rdtsc() - v->last_progress < v->watchdog_tsc)
		return;
	/* An L2 that L1 entered in the HLT state sleeps in the CPU, as a
	 * halted guest sleeps in vcpu_halt(): waiting is not spinning. */
	if (vmcs_read(VMCS_GUEST_ACTIVITY_STATE) == ACTIVITY_HLT) {
		v->last_progress = rdtsc();
		return;
	}
	vcpu_stop(v, "watchdog: the guest used up its time budget (RIP 0x%lx, interrupts %s)",
		  vmcs_read(VMCS_GUEST_RIP),
		  vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF ? "enabled" : "disabled");
}

void exit_external_interrupt(struct vcpu *v __unused)
{
	/* The interrupt is still pending at the local APIC (no acknowledge on
	 * exit): open a one-instruction window for the host's handler. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

void exit_exception_nmi(struct vcpu *v)
{
	u32 info = (u32)vmcs_read(VMCS_VM_EXIT_INTR_INFO);

	/* The exception bitmap is 0, so only NMIs come here. */
	vcpu_stop(v, "%s %u at RIP 0x%lx: nestvisor does not forward it",
		  intr_info_type(info) == INTR_TYPE_NMI ? "NMI" : "exception",
		  info & INTR_INFO_VECTOR_MASK, vmcs_read(VMCS_GUEST_RIP));
}
