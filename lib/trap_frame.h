/* The frame lib/isr_entry.inc builds for every exception and interrupt, in
 * nestvisor and in the test guests alike. */
#ifndef LIB_TRAP_FRAME_H
#define LIB_TRAP_FRAME_H

#include "types.h"

struct trap_frame {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 vector, error_code;		/* pushed by the stub (error code: or by the CPU) */
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* The offsets lib/isr_entry.inc uses, for the asm-offsets generators
 * (boot/asm_offsets.c, guests/lib/offsets.c): one list for both. */
#define TRAP_FRAME_OFFSETS(OFFSET)					\
	OFFSET(TF_RAX, struct trap_frame, rax);				\
	OFFSET(TF_RBX, struct trap_frame, rbx);				\
	OFFSET(TF_RCX, struct trap_frame, rcx);				\
	OFFSET(TF_RDX, struct trap_frame, rdx);				\
	OFFSET(TF_RSI, struct trap_frame, rsi);				\
	OFFSET(TF_RDI, struct trap_frame, rdi);				\
	OFFSET(TF_RBP, struct trap_frame, rbp);				\
	OFFSET(TF_R8, struct trap_frame, r8);				\
	OFFSET(TF_R9, struct trap_frame, r9);				\
	OFFSET(TF_R10, struct trap_frame, r10);				\
	OFFSET(TF_R11, struct trap_frame, r11);				\
	OFFSET(TF_R12, struct trap_frame, r12);				\
	OFFSET(TF_R13, struct trap_frame, r13);				\
	OFFSET(TF_R14, struct trap_frame, r14);				\
	OFFSET(TF_R15, struct trap_frame, r15);				\
	OFFSET(TF_VECTOR, struct trap_frame, vector)

#endif
