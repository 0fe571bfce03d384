/* The trap frame of the 64-bit guest build: nestvisor's (lib/trap_frame.h,
 * built by lib/isr_entry.inc), and what a guest_expect_fault() resumes. */
#ifndef GUESTS_TRAP_FRAME64_H
#define GUESTS_TRAP_FRAME64_H

#include "../../lib/trap_frame.h"

/* The System V callee-saved registers, the stack pointer after the return
 * and the return address of fault_save()'s caller. */
struct fault_resume {
	u64 rbx, rbp, r12, r13, r14, r15, rsp, rip;
};

#define FAULT_RESUME64_OFFSETS(OFFSET)					\
	OFFSET(FR_RBX, struct fault_resume, rbx);			\
	OFFSET(FR_RBP, struct fault_resume, rbp);			\
	OFFSET(FR_R12, struct fault_resume, r12);			\
	OFFSET(FR_R13, struct fault_resume, r13);			\
	OFFSET(FR_R14, struct fault_resume, r14);			\
	OFFSET(FR_R15, struct fault_resume, r15);			\
	OFFSET(FR_RSP, struct fault_resume, rsp);			\
	OFFSET(FR_RIP, struct fault_resume, rip)

static inline u64 trap_frame_ip(const struct trap_frame *tf) { return tf->rip; }
static inline u64 trap_frame_sp(const struct trap_frame *tf) { return tf->rsp; }
static inline u64 trap_frame_flags(const struct trap_frame *tf) { return tf->rflags; }

/* Moves the return point past the faulting instruction, bytes long. */
static inline void trap_frame_skip(struct trap_frame *tf, unsigned bytes) { tf->rip += bytes; }

/* Makes the trap end in fault_save()'s second return, with 1: the IRETQ
 * loads the frame's RSP and RIP. */
static inline void trap_frame_resume(struct trap_frame *tf, const struct fault_resume *r)
{
	tf->rbx = r->rbx;
	tf->rbp = r->rbp;
	tf->r12 = r->r12;
	tf->r13 = r->r13;
	tf->r14 = r->r14;
	tf->r15 = r->r15;
	tf->rsp = r->rsp;
	tf->rip = r->rip;
	tf->rax = 1;
}

#endif
