/* The trap frame of the 16- and 32-bit guest builds (isr16.asm, isr32.asm;
 * gcc lays structs out alike for -m16 and -m32), and what a
 * guest_expect_fault() resumes. */
#ifndef GUESTS_TRAP_FRAME32_H
#define GUESTS_TRAP_FRAME32_H

#include "../../lib/types.h"

struct trap_frame {
	/* PUSHAD's order; esp is the interrupted ESP (SP in real mode), not
	 * the one PUSHAD saw, and changing it changes nothing. */
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 vector, error_code;	/* pushed by the stub (error code: or by the CPU) */
	/* Pushed by the CPU; real mode pushes 16-bit IP, CS and FLAGS and
	 * no error code (SDM Vol. 3, 21.1.4), which isr16.asm widens. */
	u32 eip, cs, eflags;
};

/* The offsets isr16.asm and isr32.asm use (guests/lib/offsets.c). */
#define TRAP_FRAME32_OFFSETS(OFFSET)					\
	OFFSET(TF_EDI, struct trap_frame, edi);				\
	OFFSET(TF_ESP, struct trap_frame, esp);				\
	OFFSET(TF_VECTOR, struct trap_frame, vector);			\
	OFFSET(TF_EIP, struct trap_frame, eip);				\
	OFFSET(TF_CS, struct trap_frame, cs);				\
	OFFSET(TF_EFLAGS, struct trap_frame, eflags);			\
	DEFINE(TRAP_FRAME_SIZE, sizeof(struct trap_frame))

/* The i386 System V callee-saved registers, the stack pointer after the
 * return, the return address and EFLAGS of fault_save()'s caller. */
struct fault_resume {
	u32 ebx, esi, edi, ebp, esp, eip, eflags;
};

#define FAULT_RESUME32_OFFSETS(OFFSET)					\
	OFFSET(FR_EBX, struct fault_resume, ebx);			\
	OFFSET(FR_ESI, struct fault_resume, esi);			\
	OFFSET(FR_EDI, struct fault_resume, edi);			\
	OFFSET(FR_EBP, struct fault_resume, ebp);			\
	OFFSET(FR_ESP, struct fault_resume, esp);			\
	OFFSET(FR_EIP, struct fault_resume, eip);			\
	OFFSET(FR_EFLAGS, struct fault_resume, eflags)

static inline u64 trap_frame_ip(const struct trap_frame *tf) { return tf->eip; }
static inline u64 trap_frame_sp(const struct trap_frame *tf) { return tf->esp; }
static inline u64 trap_frame_flags(const struct trap_frame *tf) { return tf->eflags; }

/* Moves the return point past the faulting instruction, bytes long. */
static inline void trap_frame_skip(struct trap_frame *tf, unsigned bytes) { tf->eip += bytes; }

/* Returns from r's fault_save() a second time, with 1 (fault_save32.inc),
 * leaving the trap behind. */
noreturn void fault_resume(const struct fault_resume *r);

/* Makes the trap end in fault_save()'s second return: here by jumping
 * there at once (the 64-bit build edits the frame instead). */
static inline void trap_frame_resume(struct trap_frame *tf __unused, const struct fault_resume *r)
{
	fault_resume(r);
}

#endif
