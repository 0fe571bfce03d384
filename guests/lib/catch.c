#include "catch.h"
#include "exit.h"
#include "smp.h"
#include "../../lib/x86.h"

#define EXCEPTION_VECTORS 32
/* Reserved (SDM Vol. 3A, Table 6-1), so never raised: guest_expect_fault()
 * armed with it waits for what catch_trap() hands over. */
#define CATCH_VECTOR 15

/* The catch in progress on each vCPU: what to restore that
 * guest_expect_fault() does not (the code may have run in another mode),
 * and the fault as it came. */
struct catch_state {
	bool armed;
	u64 done;			/* ud2 ending foreign code; 0: none */
	u16 cs, ss, ds, es;
	u64 rflags;
	struct trap_fault fault;
};
static struct catch_state catching[GUEST_MAX_CPUS];

/* NMI, #DF and #MC say the machine is in trouble, not that a test's
 * operand was refused: they stay fatal. */
static bool catchable(unsigned vector)
{
	return vector != VEC_NMI && vector != VEC_DF && vector != VEC_MC &&
	       vector != CATCH_VECTOR;
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

/* Notes the fault, puts the caller's mode back in the frame and hands the
 * frame to guest_expect_fault() as the vector it waits for: trap.c then
 * resumes the caller as it does for any expected fault. */
static void catch_trap(struct trap_frame *tf)
{
	struct catch_state *c = &catching[guest_cpu_index()];

	if (!c->armed)
		panic("catch: exception %lu at RIP 0x%lx with no catch in progress",
		      tf->vector, tf->rip);
	c->fault = (struct trap_fault){
		.vector = (unsigned)tf->vector,
		.error_code = tf->error_code,
		.ip = tf->rip,
		.cr2 = read_cr2(),
	};
	tf->cs = c->cs;
	tf->ss = c->ss;
	tf->rflags = c->rflags;
	tf->vector = CATCH_VECTOR;
	trap_dispatch(tf);
}

/* Runs fn with every catchable vector routed to catch_trap(); returns
 * whether it caught a fault (into *fault). A #UD at done is no fault. */
static bool catch_run(void (*fn)(void), u64 done, struct trap_fault *fault)
{
	struct catch_state *c = &catching[guest_cpu_index()];
	bool trapped;
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
	trapped = guest_expect_fault(CATCH_VECTOR, fn, NULL);
	c->armed = false;
	for (unsigned v = 0; v < EXCEPTION_VECTORS; v++)
		if (catchable(v))
			trap_set_handler(v, NULL);
	/* IRETQ to CPL 3 nulls data segment registers of a lower DPL (SDM
	 * Vol. 2A, IRET): give the caller its own back. */
	__asm__ volatile("mov %0, %%ds; mov %1, %%es" ::"r"(c->ds), "r"(c->es));
	if (!trapped || (c->done && c->fault.vector == VEC_UD && c->fault.ip == c->done))
		return false;
	*fault = c->fault;
	return true;
}

bool catch_fault(void (*fn)(void), struct trap_fault *fault)
{
	return catch_run(fn, 0, fault);
}

/* The entry catch_iret() is making: enter() takes no argument. */
static const struct catch_entry *entering[GUEST_MAX_CPUS];

static void enter(void)
{
	const struct catch_entry *e = entering[guest_cpu_index()];

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

bool catch_iret(const struct catch_entry *e, struct trap_fault *fault)
{
	entering[guest_cpu_index()] = e;
	return catch_run(enter, e->done, fault);
}
