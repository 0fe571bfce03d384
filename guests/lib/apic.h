/* The running vCPU's local APIC, in every build (16, 32, 64 bits), in
 * x2APIC mode where it exists (SDM Vol. 3A, 11.12: registers are MSRs
 * 0x800 + offset/16), else in xAPIC mode (11.4.1: a 4 KiB MMIO page at
 * IA32_APIC_BASE, reached from real mode through unreal mode, mmio.h);
 * under nestvisor the virtual APIC is x2APIC only. Registers are named by
 * their xAPIC offsets (APIC_* in apic/apic_regs.h, shared with nestvisor,
 * as are the pure helpers of apic/lapic_decode.h); one small ops table
 * (apic.c) hides the mode. Interrupts reach the handlers of the library's
 * trap table (trap.h); vectors 32-255 are interrupts. */
#ifndef GUESTS_APIC_H
#define GUESTS_APIC_H

#include "trap.h"
#include "../../apic/apic_regs.h"
#include "../../apic/lapic_decode.h"

#define APIC_FIRST_VECTOR 32		/* 0-31 are exceptions (SDM Vol. 3A, 6.2) */
#define APIC_SPURIOUS_VECTOR 0xff	/* what apic_enable() puts in SPIV */

/* CPUID.1:ECX.x2APIC[bit 21]: whether the x2APIC mode exists. */
bool apic_x2apic_supported(void);

/* Enables the APIC: IA32_APIC_BASE EN, and EXTD where IA32_APIC_BASE has
 * it or CPUID says it can be set (from the disabled state through xAPIC
 * mode, as SDM 11.12.5 requires); picks x2APIC or xAPIC access to match;
 * installs a handler for APIC_SPURIOUS_VECTOR, software-enables the APIC
 * through SPIV with that spurious vector, and masks LINT0 and LINT1. */
void apic_enable(void);

/* The mode apic_enable() found: x2APIC or not (xAPIC), and its name. */
bool apic_is_x2apic(void);
const char *apic_mode_name(void);

/* A 32-bit register by its xAPIC offset (not APIC_ICR_LO: see below).
 * In x2APIC mode, reading a write-only register (EOI, SELF_IPI) or
 * writing a read-only one raises #GP, as the CPU does. */
u32 apic_read(u32 reg);
void apic_write(u32 reg, u32 value);

u32 apic_id(void);			/* x2APIC: 32 bits; xAPIC: bits 31:24 */
void apic_eoi(void);			/* ends the highest in-service interrupt */

/* Whether vector's bit is set in ISR, IRR or TMR (SDM 11.8.4). */
bool apic_isr_test(u8 vector);
bool apic_irr_test(u8 vector);
bool apic_tmr_test(u8 vector);

/* ESR after a write of 0, which latches the errors since the last write
 * (SDM 11.5.3). */
u32 apic_esr(void);

/* The 64-bit ICR as lapic_icr_compose() builds it for the mode: x2APIC,
 * one WRMSR; xAPIC, ICR_HI then ICR_LO, whose write sends the IPI. */
void apic_write_icr(u64 icr);
/* A fixed IPI of vector to the APIC whose x2APIC ID is dest (physical). */
void apic_send_ipi(u32 dest, u8 vector);
/* A fixed IPI of vector to this APIC through the ICR's "self" shorthand. */
void apic_send_ipi_self(u8 vector);
/* The same through the SELF IPI register (x2APIC only, SDM 11.12.11;
 * panics in xAPIC mode). */
void apic_self_ipi(u8 vector);

/* Starts the timer (SDM 11.5.4): lvt is the LVT timer entry (vector,
 * LVT_TIMER_ONE_SHOT or LVT_TIMER_PERIODIC, maybe LVT_MASKED), divisor 1,
 * 2, 4, ..., 128, count the initial count, whose write starts it. */
void apic_timer_start(u32 lvt, unsigned divisor, u32 count);
static inline void apic_timer_one_shot(u8 vector, unsigned divisor, u32 count)
{
	apic_timer_start(vector | LVT_TIMER_ONE_SHOT, divisor, count);
}
static inline void apic_timer_periodic(u8 vector, unsigned divisor, u32 count)
{
	apic_timer_start(vector | LVT_TIMER_PERIODIC, divisor, count);
}
/* Stops the timer (initial count 0, SDM 11.5.4) and masks its LVT entry. */
void apic_timer_stop(void);
/* The current count: counts down from the initial count; 0 once a
 * one-shot timer has fired. */
u32 apic_timer_current(void);

/* Routes interrupt vector (APIC_FIRST_VECTOR or above) to handler, which
 * must send the EOI itself (apic_eoi()). */
void apic_set_handler(u8 vector, trap_handler_t handler);

/* Spurious interrupts taken (they need no EOI, SDM 11.9). */
unsigned apic_spurious_count(void);

/* Waiting for interrupts. STI delays interrupts until the instruction
 * after it has run (SDM Vol. 2B, STI), so "sti; hlt" halts even when an
 * interrupt is already pending, and the HLT ends with it: no wake-up is
 * lost between a check with interrupts off and the halt. Each returns with
 * interrupts enabled, after at most one handler has run. */
static inline void irq_enable_and_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

/* Lets in the interrupts pending now, then disables them again. */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

/* What apic_timer_wait() saw. */
struct apic_timer_wait {
	bool counting;		/* TIMER_CUR read below the initial count */
	bool fired;		/* the timer's interrupt came, TIMER_CUR 0 */
	u32 early;		/* interrupts on its vector while TIMER_CUR > 0 */
	u32 reads;		/* TIMER_CUR reads */
	unsigned halts;		/* HLTs that ended */
	u32 final_count;	/* TIMER_CUR at the end */
};

/* The timer helper of every build: programs a one-shot timer (vector,
 * divisor, count) and waits with interrupts enabled for its interrupt,
 * which a library handler counts (only once TIMER_CUR reads 0) and ends
 * with an EOI. halt = false:
 * polls TIMER_CUR, until the interrupt or, once TIMER_CUR reads 0, for a
 * grace of reads. halt = true: polls until TIMER_CUR moves, then HLTs
 * until the interrupt. Every wait is bounded (reads, halts); but an
 * interrupt lost while halted leaves nothing to end the HLT, so halt only
 * where a polled wait saw the interrupt. Returns with interrupts disabled
 * and the timer stopped. Needs apic_enable(). */
struct apic_timer_wait apic_timer_wait(u8 vector, unsigned divisor, u32 count, bool halt);

/* The checks every mode's guest runs (real16, prot32, switch64): enable
 * the APIC (an INFO line says which mode, at which base), SPIV reads back
 * software-enabled; a polled one-shot timer on vector interrupts; then one
 * ends a HLT. PASS lines are the same in every mode and place. */
void apic_timer_checks(u8 vector);

#endif
