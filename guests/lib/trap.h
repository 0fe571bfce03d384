/* Exceptions and interrupts in a guest, in each mode: the frame the mode's
 * entry stubs build (isr.asm, isr32.asm, isr16.asm), per-vector handlers, and guest_expect_fault() for tests that
 * provoke a fault on purpose. Anything else is an unexpected exception:
 * the guest prints it and exits with GUEST_EXIT_EXCEPTION. */
#ifndef GUESTS_TRAP_H
#define GUESTS_TRAP_H

#include "../../lib/types.h"

/* Architectural exception vectors (SDM Vol. 3, Table 6-1). */
enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4,
	VEC_BR = 5, VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10,
	VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16,
	VEC_AC = 17, VEC_MC = 18, VEC_XM = 19, VEC_VE = 20, VEC_CP = 21,
};
#define TRAP_VECTORS 256
#define TRAP_STUB_SIZE 16	/* bytes per entry stub in isr.asm */

/* #PF error code bits (SDM Vol. 3, 4.7). */
#define PF_ERR_PRESENT BIT(0)
#define PF_ERR_WRITE BIT(1)
#define PF_ERR_FETCH BIT(4)

/* struct trap_frame and struct fault_resume of this build's mode, with
 * trap_frame_ip(), trap_frame_sp() and trap_frame_resume(). GUEST_BITS
 * comes from guests.mk. */
#if GUEST_BITS == 64
#include "trap_frame64.h"
#else
#include "trap_frame32.h"
#endif

/* A handler may change the frame (e.g. advance rip past the faulting
 * instruction); isr.asm resumes from it. */
typedef void (*trap_handler_t)(struct trap_frame *tf);

/* What the last fault taken by guest_expect_fault() looked like. */
struct trap_fault {
	unsigned vector;
	u64 error_code, ip, cr2;	/* ip: RIP, EIP or real mode's IP */
	u64 cs, flags;			/* as the CPU pushed them */
};

/* Builds the IDT (the IVT in real mode: idt64.c, idt32.c, ivt16.c), which
 * all vCPUs share: all 256 vectors enter trap_dispatch(). Once, on vCPU 0,
 * before any trap_load(). */
void trap_init(void);

/* Loads the IDT (IVT) into this vCPU's IDTR. */
void trap_load(void);

/* Routes vector to handler (NULL: back to "unexpected"), for every vCPU:
 * the handlers are shared, so a handler sees guest_cpu_index() (smp.h)
 * to tell them apart. */
void trap_set_handler(unsigned vector, trap_handler_t handler);

/* Runs fn; if it raises exception `vector`, abandons fn at that point
 * (like longjmp) and returns true with the fault in *fault (may be NULL).
 * Returns false if fn returned normally. Other vectors stay unexpected.
 * fn must not depend on stack or register state surviving the fault.
 * Each vCPU may have one in progress. */
bool guest_expect_fault(unsigned vector, void (*fn)(void), struct trap_fault *fault);

/* Called by isr.asm for every vector. */
void trap_dispatch(struct trap_frame *tf);

/* Where a fault resumes a guest_expect_fault(): struct fault_resume of
 * the mode's frame header, filled by the mode's fault_save (offsets via
 * offsets.c). */
/* setjmp for traps: returns 0; a trap resumed at r returns 1 from it. */
__attribute__((returns_twice)) unsigned long fault_save(struct fault_resume *r);

#endif
