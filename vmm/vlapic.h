/* A guest's virtual local APIC, in x2APIC mode (SDM Vol. 3A, 11.12): its
 * registers are MSRs 0x800-0x8ff, reached through RDMSR/WRMSR exits, and
 * CR8 (11.8.6) is its TPR. The guest never touches nestvisor's own APIC.
 * Its registers are kept as on a virtual-APIC page, and where the CPU
 * virtualizes APIC accesses (vmm/vapic.c) they live on the vCPU's page
 * (vlapic_use_page). Pure: time comes in as TSC values, IPIs go out as
 * descriptions; host-tested. */
#ifndef VMM_VLAPIC_H
#define VMM_VLAPIC_H

#include "../lib/msr.h"
#include "../lib/types.h"

#define VLAPIC_MSR_FIRST MSR_X2APIC_BASE
#define VLAPIC_MSR_LAST MSR_X2APIC_LAST
#define VLAPIC_VECTOR_WORDS 8	/* 256 bits of IRR, ISR, TMR */
#define VLAPIC_LVTS 7		/* CMCI, timer, thermal, PMC, LINT0, LINT1, error */
#define VLAPIC_PAGE_WORDS (PAGE_SIZE / sizeof(u32))

struct vlapic {
	u32 id;
	u64 apic_base;		/* IA32_APIC_BASE as the guest sees it */
	/* The registers the APIC holds, each at its xAPIC offset (apic/
	 * apic_regs.h), which is the layout of a virtual-APIC page (SDM Vol.
	 * 3C, 30.1): in page_here, or on the vCPU's virtual-APIC page once
	 * vlapic_use_page() moves them there for the CPU to read. IRR is set
	 * by other vCPUs too: atomic. PPR and the timer's current count are
	 * computed, not held. */
	u32 *regs;
	u32 esr_pending;	/* errors since the last ESR write (11.5.3) */
	u64 timer_start, timer_deadline;	/* TSC; deadline 0: not running */
	bool nmi_pending;	/* an NMI IPI arrived (from any CPU: atomic) */

	/* The timer's input clock and the TSC it is measured in, in Hz, and
	 * TSC ticks per timer tick with 16 fraction bits. */
	u64 timer_hz, tsc_hz, tsc_per_tick_fp16;
	u32 page_here[VLAPIC_PAGE_WORDS];
};

/* An IPI the guest sent through the ICR, for the vCPU layer to deliver. */
enum vlapic_dest { VLAPIC_DEST_ONE, VLAPIC_DEST_SELF, VLAPIC_DEST_ALL, VLAPIC_DEST_OTHERS };
struct vlapic_ipi {
	enum vlapic_dest dest;
	u32 apic_id;		/* with VLAPIC_DEST_ONE */
	u8 vector;
	bool nmi;		/* delivery mode NMI: the vector is ignored (11.6.1) */
};

enum vlapic_result {
	VLAPIC_OK,
	VLAPIC_GP,		/* the access faults: inject #GP(0) */
	VLAPIC_SEND_IPI,	/* done, and *ipi is to be delivered */
};

/* Power-on state (SDM 11.4.7), x2APIC mode enabled, with this APIC ID. */
void vlapic_reset(struct vlapic *a, u32 id, bool bsp, u64 timer_hz, u64 tsc_hz);

/* From now on the registers live on page (4 KiB, the vCPU's virtual-APIC
 * page), with their values: where the CPU itself reads them for RDMSR with
 * "APIC-register virtualization", and reads and writes the TPR (VTPR, byte
 * 80H) on MOV CR8 and, with "virtualize x2APIC mode", on RDMSR/WRMSR 0x808
 * (SDM Vol. 3C, 30.1.1, 30.3, 30.5). One copy, so neither side has to be
 * synced; resets keep the place. */
void vlapic_use_page(struct vlapic *a, u32 *page);

/* Whether RDMSR of msr reads a register exactly as it is held on the page
 * (not computed, not write-only, not absent): those the CPU may serve with
 * "APIC-register virtualization" (30.5) without changing what the guest
 * sees. */
bool vlapic_msr_on_page(u32 msr);

/* Whether the APIC is in x2APIC mode, where its MSRs exist (11.12.1). */
bool vlapic_x2apic_mode(const struct vlapic *a);

/* Whether msr is one the virtual APIC owns (IA32_APIC_BASE or the x2APIC range). */
bool vlapic_owns_msr(u32 msr);
enum vlapic_result vlapic_rdmsr(struct vlapic *a, u32 msr, u64 now, u64 *value);
enum vlapic_result vlapic_wrmsr(struct vlapic *a, u32 msr, u64 value, u64 now,
				struct vlapic_ipi *ipi);

/* MOV from CR8: TPR bits 7:4 (SDM Vol. 3A, 11.8.6.1). */
u64 vlapic_read_cr8(const struct vlapic *a);
/* MOV to CR8: the TPR becomes value << 4; bits 63:4 set are #GP (2.5). */
enum vlapic_result vlapic_write_cr8(struct vlapic *a, u64 value);

/* An NMI for the vCPU (from any CPU); the vCPU takes it once. NMIs are
 * not held in IRR and not ordered by priority (SDM Vol. 3A, 11.6.1). */
void vlapic_set_nmi(struct vlapic *a);
bool vlapic_nmi_pending(const struct vlapic *a);
void vlapic_take_nmi(struct vlapic *a);

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

/* The TPR threshold for "use TPR shadow" (SDM Vol. 3C, 30.1.2): the class
 * of the highest requested vector while the TPR holds it back, else 0. A
 * guest lowering its TPR below it without an exit (MOV CR8, WRMSR 0x808)
 * then exits with "TPR below threshold", and the vector can be delivered.
 * Never above TPR bits 7:4, as VM entry requires (27.2.1.1). */
u32 vlapic_tpr_threshold(const struct vlapic *a);

#endif
