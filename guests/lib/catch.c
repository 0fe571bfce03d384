#include "catch.h"
#include "exit.h"
#include "smp.h"
#include "../../lib/x86.h"

#define EXCEPTION_VECTORS 32

/* The catch in progress on each vCPU: where to go back to, and what to
 * restore that guest_expect_fault() need not (the code may have run in
 * another mode). */
struct catch_state {
	bool armed;
	u64 done;			/* ud2 ending foreign code; 0: none */
	u16 cs, ss, ds, es;
	u64 rflags;
	struct fault_resume resume;
	struct trap_fault fault;
};
static struct catch_state catching[GUEST_MAX_CPUS];

/* NMI, #DF and #MC say the machine is in trouble, not that a test's
 * operand was refused: they stay fatal. */
static bool catchable(unsigned vector)
{
	return vector != VEC_NMI && vector != VEC_DF && vector != VEC_MC;
}

static u16 read_sreg_ds(void)
{
	u16 v;

	__asm__ volatile("mov %%ds, %0" : "=r"(v));
	return v;
}

static u16 read_sreg_es(void)
{
	u16 v;

	__asm__ volatile("mov %%es, %0" : "=r"(v));
	return v;
}

/* Resumes at the catch's fault_save() with 1, in the caller's mode. */
static void catch_trap(struct trap_frame *tf)
{
	struct catch_state *c = &catching[guest_cpu_index()];
	const struct fault_resume *r = &c->resume;

	if (!c->armed)
		panic("catch: exception %lu at RIP 0x%lx with no catch in progress",
		      tf->vector, tf->rip);
	c->armed = false;
	c->fault = (struct trap_fault){
		.vector = (unsigned)tf->vector,
		.error_code = tf->error_code,
		.rip = tf->rip,
		.cr2 = read_cr2(),
	};
	tf->rbx = r->rbx;
	tf->rbp = r->rbp;
	tf->r12 = r->r12;
	tf->r13 = r->r13;
	tf->r14 = r->r14;
	tf->r15 = r->r15;
	tf->rsp = r->rsp;
	tf->rip = r->rip;
	tf->cs = c->cs;
	tf->ss = c->ss;
	tf->rflags = c->rflags;
	tf->rax = 1;
}

static struct catch_state *arm(u64 done)
{
	struct catch_state *c = &catching[guest_cpu_index()];
	u16 cs, ss;

	__asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
	*c = (struct catch_state){
		.done = done, .cs = cs, .ss = ss,
		.ds = read_sreg_ds(), .es = read_sreg_es(),
		.rflags = read_rflags(),
	};
	for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
		if (catchable(v))
			trap_set_handler(v, catch_trap);
	c->armed = true;
	return c;
}

/* Ends the catch; returns whether it caught a fault (into *fault). */
static bool disarm(struct catch_state *c, bool trapped, struct trap_fault *fault)
{
	c->armed = false;
	for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
		if (catchable(v))
			trap_set_handler(v, NULL);
	/* IRETQ to CPL 3 nulls data segment registers of a lower DPL (SDM
	 * Vol. 2A, IRET): give the caller its own back. */
	__asm__ volatile("mov %0, %%ds; mov %1, %%es" ::"r"(c->ds), "r"(c->es));
	if (!trapped || (c->done && c->fault.vector == VEC_UD && c->fault.rip == c->done))
		return false;
	*fault = c->fault;
	return true;
}

bool catch_fault(void (*fn)(void), struct trap_fault *fault)
{
	struct catch_state *c = arm(0);
	bool trapped = fault_save(&c->resume) != 0;

	if (!trapped)
		fn();
	return disarm(c, trapped, fault);
}

bool catch_iret(const struct catch_entry *e, struct trap_fault *fault)
{
	struct catch_state *c = arm(e->done);
	bool trapped = fault_save(&c->resume) != 0;

	if (!trapped) {
		__asm__ volatile("pushq %[ss]\n\t"
				 "pushq %[rsp]\n\t"
				 "pushq %[rflags]\n\t"
				 "pushq %[cs]\n\t"
				 "pushq %[rip]\n\t"
				 "iretq"
				 :: [ss] "r"((u64)e->ss), [rsp] "r"(e->rsp),
				    [rflags] "r"(e->rflags), [cs] "r"((u64)e->cs),
				    [rip] "r"(e->rip), "b"(e->rbx)
				 : "memory");
		__builtin_unreachable();
	}
	return disarm(c, trapped, fault);
}
