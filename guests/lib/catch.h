/* Catching whatever exception a piece of code raises, for tests that feed
 * an instruction operands it may refuse in several ways (#UD, #GP, #SS,
 * #PF...). Built on guest_expect_fault() (trap.h): the trap abandons the
 * code and returns to the caller, setjmp/longjmp style; but any exception
 * vector is caught, and the code may run in another mode than the caller
 * (CPL 3 or compatibility mode, user.h): the return restores the caller's
 * CS, SS, DS, ES and RFLAGS as well.
 *
 * While a catch is in progress, every vector below 32 but NMI, #DF, #MC
 * and the reserved 15 is routed here (trap_set_handler(), for all vCPUs);
 * afterwards they have no handler. So one vCPU catches at a time, and a
 * guest that catches must not route those vectors itself. */
#ifndef GUESTS_CATCH_H
#define GUESTS_CATCH_H

#include "trap.h"

/* Where catch_iret() enters foreign code: the IRETQ frame, RBX for the
 * code to use, and the address of the ud2 the code ends with when it runs
 * to its end (that #UD is no fault). */
struct catch_entry {
	u64 rip, rsp, rflags;
	u16 cs, ss;
	u64 rbx;
	u64 done;
};

/* Runs fn (CPL 0, 64-bit mode, the caller's stack). Returns false if fn
 * returned; true if it raised an exception, which is then in *fault. fn
 * must not rely on anything but the callee-saved registers surviving. */
bool catch_fault(void (*fn)(void), struct trap_fault *fault);

/* Enters e->rip through IRETQ (so any CPL and code segment) with RBX =
 * e->rbx; returns false when the code reached e->done, true with the
 * exception in *fault when it raised another. An exception taken at
 * CPL 0 is delivered on e->rsp, one from CPL 3 on the TSS's RSP0: either
 * must lie in the running vCPU's stack (guest_cpu_index() reads it). */
bool catch_iret(const struct catch_entry *e, struct trap_fault *fault);

#endif
