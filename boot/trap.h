/* Exceptions and interrupts: the frame boot/isr.asm builds, dispatch to
 * registered handlers, and crash reports for everything else. */
#ifndef BOOT_TRAP_H
#define BOOT_TRAP_H

#include "../lib/types.h"

#include "../lib/trap_frame.h"	/* struct trap_frame, saved by boot/isr.asm */

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
