/* Exceptions and interrupts: the frame boot/isr.asm builds, dispatch to
 * registered handlers, and crash reports for everything else. */
#ifndef BOOT_TRAP_H
#define BOOT_TRAP_H

#include "../lib/types.h"

/* Saved by boot/isr.asm; its offsets reach the assembly via asm_offsets.c. */
struct trap_frame {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 vector, error_code;		/* pushed by the stub (error code: or by the CPU) */
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

typedef void (*trap_handler_t)(struct trap_frame *tf);

/* Routes vector (>= 32) to handler on every CPU. */
void trap_set_handler(unsigned vector, trap_handler_t handler);

/* Called by boot/isr.asm for every vector. */
void trap_dispatch(struct trap_frame *tf);

/* Prints a crash report: title, registers, control registers, a backtrace
 * and the CPU. Used for unexpected exceptions and by panic(). */
void crash_report(const char *title, const struct trap_frame *tf);

/* Captures the caller's registers into tf (for panic's report). */
void trap_capture(struct trap_frame *tf);

#endif
