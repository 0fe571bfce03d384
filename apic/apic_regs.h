/* Local APIC registers: the xAPIC MMIO offsets from the APIC base, each with
 * its bits beneath. In x2APIC mode the same registers are MSRs (see
 * x2apic_msr() in lapic_decode.h). Section numbers are from SDM Vol. 3A,
 * chapter 11 "Advanced Programmable Interrupt Controller (APIC)"; the newest
 * editions number that chapter 12 with the same sections beneath. */
#ifndef APIC_APIC_REGS_H
#define APIC_APIC_REGS_H

/* The registers are 32 bits wide: keep their bit constants 32-bit too. */
#define APIC_BIT(n) (1u << (n))

/* IA32_APIC_BASE bits MAXPHYADDR-1:12 hold the xAPIC page (11.4.4). */
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull

#define APIC_ID 0x20				/* 11.4.6 */
#define   APIC_ID_XAPIC_SHIFT 24		/* xAPIC: bits 31:24; x2APIC: all 32 */

#define APIC_VERSION 0x30			/* 11.4.8 */
#define   APIC_VERSION_MASK 0xffu
#define   APIC_VERSION_MAX_LVT_SHIFT 16		/* bits 23:16: LVT entries - 1 */
#define   APIC_VERSION_MAX_LVT_MASK 0xffu
#define   APIC_VERSION_EOI_SUPPRESSION APIC_BIT(24)

#define APIC_TPR 0x80				/* 11.8.3.1 */
#define   TPR_CLASS_SHIFT 4			/* priority class in bits 7:4 */

#define APIC_PPR 0xa0				/* 11.8.3.1: read-only */

#define APIC_EOI 0xb0				/* 11.8.5: write 0 */

#define APIC_LDR 0xd0				/* 11.6.2.2; read-only in x2APIC */
#define   LDR_XAPIC_SHIFT 24			/* xAPIC: logical ID in bits 31:24 */

#define APIC_DFR 0xe0				/* 11.6.2.2: xAPIC only */

#define APIC_SPIV 0xf0				/* 11.9 */
#define   SPIV_VECTOR_MASK 0xffu
#define   SPIV_APIC_ENABLED APIC_BIT(8)		/* software enable */
#define   SPIV_FOCUS_DISABLED APIC_BIT(9)	/* not on Pentium 4 and later */
#define   SPIV_EOI_BROADCAST_SUPPRESSION APIC_BIT(12)

/* ISR, TMR, IRR: 256 bits each, as 8 registers of 32 vectors (11.8.4). */
#define APIC_ISR0 0x100
#define APIC_TMR0 0x180
#define APIC_IRR0 0x200
#define   APIC_VECTOR_REG_STRIDE 0x10
#define   APIC_VECTORS_PER_REG 32

#define APIC_ESR 0x280				/* 11.5.3: write, then read */
#define   ESR_SEND_CHECKSUM APIC_BIT(0)		/* P6 and Pentium only */
#define   ESR_RECEIVE_CHECKSUM APIC_BIT(1)	/* P6 and Pentium only */
#define   ESR_SEND_ACCEPT APIC_BIT(2)		/* P6 and Pentium only */
#define   ESR_RECEIVE_ACCEPT APIC_BIT(3)	/* P6 and Pentium only */
#define   ESR_REDIRECTABLE_IPI APIC_BIT(4)
#define   ESR_SEND_ILLEGAL_VECTOR APIC_BIT(5)
#define   ESR_RECEIVE_ILLEGAL_VECTOR APIC_BIT(6)
#define   ESR_ILLEGAL_REGISTER APIC_BIT(7)	/* MMIO (xAPIC) accesses */

/* The LVT registers (11.5.1) share one layout; these bits apply to all of
 * them (the trigger, polarity and remote-IRR bits exist in LINT0/1 only). */
#define APIC_LVT_CMCI 0x2f0
#define   LVT_VECTOR_MASK 0xffu
#define   LVT_DM_SHIFT 8			/* delivery mode, bits 10:8 */
#define   LVT_DM_MASK (7u << LVT_DM_SHIFT)
#define   LVT_DM_FIXED (0u << LVT_DM_SHIFT)
#define   LVT_DM_SMI (2u << LVT_DM_SHIFT)
#define   LVT_DM_NMI (4u << LVT_DM_SHIFT)
#define   LVT_DM_INIT (5u << LVT_DM_SHIFT)
#define   LVT_DM_EXTINT (7u << LVT_DM_SHIFT)
#define   LVT_DELIVERY_PENDING APIC_BIT(12)	/* read-only */
#define   LVT_ACTIVE_LOW APIC_BIT(13)		/* LINT0/1 only */
#define   LVT_REMOTE_IRR APIC_BIT(14)		/* LINT0/1 only, read-only */
#define   LVT_TRIGGER_LEVEL APIC_BIT(15)	/* LINT0/1 only */
#define   LVT_MASKED APIC_BIT(16)

#define APIC_ICR_LO 0x300			/* 11.6.1; x2APIC: the whole ICR, 11.12.9 */
#define   ICR_VECTOR_MASK 0xffu
#define   ICR_DM_SHIFT 8			/* delivery mode, bits 10:8 */
#define   ICR_DM_MASK (7u << ICR_DM_SHIFT)
#define   ICR_DM_FIXED (0u << ICR_DM_SHIFT)
#define   ICR_DM_LOWEST_PRIORITY (1u << ICR_DM_SHIFT)
#define   ICR_DM_SMI (2u << ICR_DM_SHIFT)
#define   ICR_DM_NMI (4u << ICR_DM_SHIFT)
#define   ICR_DM_INIT (5u << ICR_DM_SHIFT)
#define   ICR_DM_STARTUP (6u << ICR_DM_SHIFT)	/* vector = start page number */
#define   ICR_DEST_LOGICAL APIC_BIT(11)
#define   ICR_DELIVERY_PENDING APIC_BIT(12)	/* xAPIC only; reserved in x2APIC */
#define   ICR_LEVEL_ASSERT APIC_BIT(14)		/* 0 only for INIT level de-assert */
#define   ICR_TRIGGER_LEVEL APIC_BIT(15)
#define   ICR_SHORTHAND_SHIFT 18		/* destination shorthand, bits 19:18 */
#define   ICR_SHORTHAND_MASK (3u << ICR_SHORTHAND_SHIFT)
#define   ICR_SHORTHAND_NONE (0u << ICR_SHORTHAND_SHIFT)
#define   ICR_SHORTHAND_SELF (1u << ICR_SHORTHAND_SHIFT)
#define   ICR_SHORTHAND_ALL (2u << ICR_SHORTHAND_SHIFT)
#define   ICR_SHORTHAND_ALL_BUT_SELF (3u << ICR_SHORTHAND_SHIFT)
/* x2APIC: the 64-bit ICR MSR holds the 32-bit destination in bits 63:32. */
#define   ICR_X2APIC_DEST_SHIFT 32

#define APIC_ICR_HI 0x310			/* 11.6.1: xAPIC only */
#define   ICR_HI_DEST_SHIFT 24			/* destination in bits 31:24 */
#define   ICR_HI_XAPIC_DEST_MAX 0xffu

#define APIC_LVT_TIMER 0x320			/* 11.5.4 */
#define   LVT_TIMER_MODE_SHIFT 17		/* bits 18:17 */
#define   LVT_TIMER_MODE_MASK (3u << LVT_TIMER_MODE_SHIFT)
#define   LVT_TIMER_ONE_SHOT (0u << LVT_TIMER_MODE_SHIFT)
#define   LVT_TIMER_PERIODIC (1u << LVT_TIMER_MODE_SHIFT)
#define   LVT_TIMER_TSC_DEADLINE (2u << LVT_TIMER_MODE_SHIFT)	/* 11.5.4.1 */

#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PMC 0x340
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370

#define APIC_TIMER_INIT 0x380			/* 11.5.4: writing starts the count */
#define APIC_TIMER_CUR 0x390			/* read-only */

#define APIC_TIMER_DIV 0x3e0			/* 11.5.4, Figure 11-10 */
#define   TIMER_DIV_MASK 0xbu			/* bits 3, 1, 0; bit 2 is 0 */

#define APIC_SELF_IPI 0x3f0			/* 11.12.11: x2APIC only, vector */

#define APIC_REG_END 0x400			/* past the last register */

#endif
