/* A guest's virtual local APIC, in x2APIC mode (SDM Vol. 3A, 11.12): its
 * registers are MSRs 0x800-0x8ff, reached through RDMSR/WRMSR exits. The
 * guest never touches nestvisor's own APIC. Pure: time comes in as TSC
 * values, IPIs go out as descriptions; host-tested. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include "../lib/types.h"

#define VLAPIC_MSR_FIRST 0x800
#define VLAPIC_MSR_LAST 0x8ff
#define VLAPIC_VECTOR_WORDS 8	/* 256 bits of IRR, ISR, TMR */
#define VLAPIC_LVTS 7		/* CMCI, timer, thermal, PMC, LINT0, LINT1, error */

struct vlapic {
	u32 id;
	u64 apic_base;		/* IA32_APIC_BASE as the guest sees it */
	u32 tpr, spiv, esr, esr_pending;
	u32 lvt[VLAPIC_LVTS];
	u32 timer_initial, timer_dcr;
	u64 timer_start, timer_deadline;	/* TSC; deadline 0: not running */
	u32 isr[VLAPIC_VECTOR_WORDS], tmr[VLAPIC_VECTOR_WORDS];
	u32 irr[VLAPIC_VECTOR_WORDS];	/* set by other vCPUs too: atomic */

	/* The timer's input clock and the TSC it is measured in, in Hz, and
	 * TSC ticks per timer tick with 16 fraction bits. */
	u64 timer_hz, tsc_hz, tsc_per_tick_fp16;
};

/* An IPI the guest sent through the ICR, for the vCPU layer to deliver. */
enum vlapic_dest { VLAPIC_DEST_ONE, VLAPIC_DEST_SELF, VLAPIC_DEST_ALL, VLAPIC_DEST_OTHERS };
struct vlapic_ipi {
	enum vlapic_dest dest;
	u32 apic_id;		/* with VLAPIC_DEST_ONE */
	u8 vector;
};

enum vlapic_result {
	VLAPIC_OK,
	VLAPIC_GP,		/* the access faults: inject #GP(0) */
	VLAPIC_SEND_IPI,	/* done, and *ipi is to be delivered */
};

/* Power-on state (SDM 11.4.7), x2APIC mode enabled, with this APIC ID. */
void vlapic_reset(struct vlapic *a, u32 id, bool bsp, u64 timer_hz, u64 tsc_hz);

/* Whether msr is one the virtual APIC owns (IA32_APIC_BASE or the x2APIC range). */
bool vlapic_owns_msr(u32 msr);
enum vlapic_result vlapic_rdmsr(struct vlapic *a, u32 msr, u64 now, u64 *value);
enum vlapic_result vlapic_wrmsr(struct vlapic *a, u32 msr, u64 value, u64 now,
				struct vlapic_ipi *ipi);

/* Raises vector in IRR (from any CPU); vectors below 16 are illegal and
 * only set the receive-illegal-vector error. */
void vlapic_set_irr(struct vlapic *a, u8 vector);

/* Fires the timer if its deadline has passed: IRR, reload when periodic. */
void vlapic_tick(struct vlapic *a, u64 now);
/* The TSC value of the next timer interrupt, or 0 if none is due. */
u64 vlapic_next_deadline(const struct vlapic *a);

/* The highest pending vector above the processor priority (SDM 11.8.3.1), or
 * -1: what may be delivered when the guest can take interrupts. */
int vlapic_pending(const struct vlapic *a);
/* The guest took vector: IRR -> ISR. */
void vlapic_accept(struct vlapic *a, u8 vector);

#endif
