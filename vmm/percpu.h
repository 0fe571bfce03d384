/* Per-CPU state, explicit: one struct percpu per CPU, found through GS. */
#ifndef VMM_PERCPU_H
#define VMM_PERCPU_H

#include "param.h"
#include "../boot/desc.h"
#include "../vmx/vmxon.h"

enum cpu_state {
	CPU_ABSENT,	/* not started (or not present) */
	CPU_STARTING,	/* INIT-SIPI-SIPI sent */
	CPU_ONLINE,	/* running nestvisor */
	CPU_STOPPED,	/* halted after a crash report */
	CPU_BARE,	/* handed to bare guests (vmm/bare.h); stopped by INIT */
};

/* A stack: [base, base + PAGE_SIZE) is the unmapped guard page, the stack
 * proper grows down from top. */
struct cpu_stack {
	phys_addr_t base;
	u64 top;
};

enum cpu_stack_id { STACK_MAIN, STACK_DF, STACK_NMI, STACK_MC, CPU_STACKS };

struct percpu {
	struct percpu *self;		/* at GS:0, so this_cpu() is one load */
	u32 cpu_id;			/* 0 = the BSP, then in start order */
	u32 apic_id;
	volatile enum cpu_state state;
	volatile u32 reported_in;	/* set by the AP once it runs nestvisor */
	volatile u32 settled;		/* set by the AP when its bring-up is done */

	/* Work handed to an idle AP (vmm/main.c): run once, then work_done. */
	void (*volatile work)(struct percpu *cpu, void *arg);
	void *work_arg;
	volatile u32 work_done;
	struct cpu_stack stacks[CPU_STACKS];
	struct cpu_desc desc;		/* this CPU's GDT, TSS and IDT */

	u32 spiv_after_reset;		/* read back by lapic_reset() */
	volatile u64 timer_ticks;	/* LAPIC timer interrupts taken */
	volatile u64 ipis;		/* VECTOR_IPI interrupts taken */
	struct vmx_cpu_info vmx;
	struct vmx_root vmx_root;
};

/* Allocates a CPU's struct and stacks (guard pages unmapped); panics when
 * out of memory. Numbering follows the calls: the first is cpu0. */
struct percpu *percpu_alloc(u32 apic_id);
/* On the CPU itself: loads its GDT/TSS/IDT and points GS at it. */
void percpu_activate(struct percpu *cpu);
struct percpu *percpu_get(unsigned cpu_id);	/* NULL if not allocated */
unsigned percpu_count(void);

/* The calling CPU; cpu0's before any CPU is activated. */
struct percpu *this_cpu(void);
unsigned this_cpu_id(void);

/* Which of cpu's stacks holds addr; *guard tells whether addr lies in that
 * stack's guard page. Returns -1 when none does. */
int percpu_stack_of(const struct percpu *cpu, u64 addr, bool *guard);
const char *percpu_stack_name(enum cpu_stack_id id);

#endif
