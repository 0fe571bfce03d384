#include "vlapic.h"
#include "../lib/msr.h"
#include "../lib/string.h"

/* x2APIC register MSRs (SDM Table 11-6 / 12-6). */
enum {
	X2_ID = 0x802, X2_VERSION = 0x803, X2_TPR = 0x808, X2_PPR = 0x80a,
	X2_EOI = 0x80b, X2_LDR = 0x80d, X2_SPIV = 0x80f, X2_ISR0 = 0x810,
	X2_TMR0 = 0x818, X2_IRR0 = 0x820, X2_ESR = 0x828, X2_LVT_CMCI = 0x82f,
	X2_ICR = 0x830, X2_LVT_TIMER = 0x832, X2_LVT_THERMAL = 0x833,
	X2_LVT_PMC = 0x834, X2_LVT_LINT0 = 0x835, X2_LVT_LINT1 = 0x836,
	X2_LVT_ERROR = 0x837, X2_TIMER_INIT = 0x838, X2_TIMER_CUR = 0x839,
	X2_TIMER_DIV = 0x83e, X2_SELF_IPI = 0x83f,
};

/* The LVT registers in lvt[] order. */
static const u32 lvt_msrs[VLAPIC_LVTS] = {
	X2_LVT_CMCI, X2_LVT_TIMER, X2_LVT_THERMAL, X2_LVT_PMC, X2_LVT_LINT0,
	X2_LVT_LINT1, X2_LVT_ERROR,
};
#define LVT_TIMER 1

#define APIC_VERSION_VALUE (0x14u | (VLAPIC_LVTS - 1) << 16)	/* integrated APIC, 7 LVTs */
#define APIC_BASE_DEFAULT 0xfee00000ull
#define SPIV_ENABLED BIT(8)
#define SPIV_WRITABLE 0x1ffu
#define LVT_MASKED BIT(16)
#define LVT_WRITABLE 0x000317ffu	/* vector, delivery mode, polarity, trigger, mask, timer mode */
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3)
#define LVT_TIMER_PERIODIC 1
#define ICR_VECTOR(v) ((u8)(v))
#define ICR_DELIVERY_MODE(v) (((v) >> 8) & 7)
#define ICR_DM_FIXED 0
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ESR_SEND_ILLEGAL_VECTOR BIT(5)
#define ESR_RECV_ILLEGAL_VECTOR BIT(6)
#define DCR_WRITABLE 0xbu
#define TPR_WRITABLE 0xffull	/* bits 31:8 are reserved: #GP if set (11.12.1.3) */
#define CR8_WRITABLE 0xfull	/* bits 63:4 are reserved (Vol. 3A, 2.5) */

static int highest(const u32 *words)
{
	for (int w = VLAPIC_VECTOR_WORDS - 1; w >= 0; w--) {
		u32 x = __atomic_load_n(&words[w], __ATOMIC_ACQUIRE);

		if (x)
			return w * 32 + 31 - __builtin_clz(x);
	}
	return -1;
}

static bool enabled(const struct vlapic *a)
{
	return (a->apic_base & APIC_BASE_EN) && (a->spiv & SPIV_ENABLED);
}

/* The TPR, wherever it lives; with a shared one, only byte 0 is the TPR. */
static u32 tpr(const struct vlapic *a)
{
	return *a->tpr & 0xff;
}

/* A priority's class: bits 7:4 (SDM 11.8.3.1). */
static u32 priority_class(u32 priority)
{
	return priority >> 4;
}

void vlapic_reset(struct vlapic *a, u32 id, bool bsp, u64 timer_hz, u64 tsc_hz)
{
	memset(a, 0, sizeof(*a));
	a->tpr = &a->tpr_here;
	a->id = id;
	a->apic_base = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD | (bsp ? APIC_BASE_BSP : 0);
	a->spiv = 0xff;		/* software-disabled (SDM 11.4.7.1) */
	for (unsigned i = 0; i < VLAPIC_LVTS; i++)
		a->lvt[i] = LVT_MASKED;
	a->timer_hz = timer_hz;
	a->tsc_hz = tsc_hz;
	a->tsc_per_tick_fp16 = MAX(1, (tsc_hz << 16) / timer_hz);
}

void vlapic_share_tpr(struct vlapic *a, u32 *vtpr)
{
	u32 value = tpr(a);

	a->tpr = vtpr;
	*vtpr = value;
}

bool vlapic_x2apic_mode(const struct vlapic *a)
{
	return a->apic_base & APIC_BASE_EXTD;
}

bool vlapic_owns_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST);
}

/* The divide configuration as a divisor (SDM Figure 11-10): bits 3, 1, 0. */
static u64 divisor(u32 dcr)
{
	u32 v = ((dcr & 8) >> 1) | (dcr & 3);

	return v == 7 ? 1 : 2ull << v;
}

/* TSC ticks for count timer ticks at the current divisor. The ratio is
 * fixed-point (16 fraction bits): count * divisor < 2^39 keeps it in 64 bits. */
static u64 tsc_for(const struct vlapic *a, u64 count)
{
	return count * divisor(a->timer_dcr) * a->tsc_per_tick_fp16 >> 16;
}

static u32 timer_current(const struct vlapic *a, u64 now)
{
	u64 left;

	if (!a->timer_deadline || now >= a->timer_deadline)
		return 0;
	left = a->timer_deadline - now;
	return (u32)((left << 16) / a->tsc_per_tick_fp16 / divisor(a->timer_dcr));
}

static u32 ppr(const struct vlapic *a)
{
	int isrv = highest(a->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv & 0xf0;

	/* SDM 11.8.3.1: the higher of TPR and the in-service class. */
	return (tpr(a) & 0xf0) >= isr_class ? tpr(a) : isr_class;
}

enum vlapic_result vlapic_rdmsr(struct vlapic *a, u32 msr, u64 now, u64 *value)
{
	if (msr == MSR_IA32_APIC_BASE) {
		*value = a->apic_base;
		return VLAPIC_OK;
	}
	if (!vlapic_x2apic_mode(a))
		return VLAPIC_GP;	/* x2APIC registers exist only in x2APIC mode */
	switch (msr) {
	case X2_ID: *value = a->id; break;
	case X2_VERSION: *value = APIC_VERSION_VALUE; break;
	case X2_TPR: *value = tpr(a); break;
	case X2_PPR: *value = ppr(a); break;
	case X2_LDR: *value = (a->id >> 4) << 16 | 1u << (a->id & 0xf); break;
	case X2_SPIV: *value = a->spiv; break;
	case X2_ESR: *value = a->esr; break;
	case X2_ICR: *value = 0; break;	/* no delivery is ever pending */
	case X2_TIMER_INIT: *value = a->timer_initial; break;
	case X2_TIMER_CUR: *value = timer_current(a, now); break;
	case X2_TIMER_DIV: *value = a->timer_dcr; break;
	default:
		if (msr >= X2_ISR0 && msr < X2_ISR0 + VLAPIC_VECTOR_WORDS)
			*value = a->isr[msr - X2_ISR0];
		else if (msr >= X2_TMR0 && msr < X2_TMR0 + VLAPIC_VECTOR_WORDS)
			*value = a->tmr[msr - X2_TMR0];
		else if (msr >= X2_IRR0 && msr < X2_IRR0 + VLAPIC_VECTOR_WORDS)
			*value = __atomic_load_n(&a->irr[msr - X2_IRR0], __ATOMIC_ACQUIRE);
		else {
			for (unsigned i = 0; i < VLAPIC_LVTS; i++) {
				if (lvt_msrs[i] == msr) {
					*value = a->lvt[i];
					return VLAPIC_OK;
				}
			}
			return VLAPIC_GP;	/* EOI, SELF_IPI (write-only) or no register */
		}
	}
	return VLAPIC_OK;
}

/* IA32_APIC_BASE: x2APIC mode or disabled. nestvisor does not back the
 * xAPIC MMIO page, so asking for xAPIC mode faults; leaving the disabled
 * state straight for x2APIC is allowed (the SDM requires a stop in xAPIC). */
static enum vlapic_result write_apic_base(struct vlapic *a, u64 value)
{
	u64 keep_bsp = a->apic_base & APIC_BASE_BSP;
	u32 *tpr_place = a->tpr;

	if ((value & APIC_BASE_EN) && !(value & APIC_BASE_EXTD))
		return VLAPIC_GP;
	if (!(value & APIC_BASE_EN) && (value & APIC_BASE_EXTD))
		return VLAPIC_GP;	/* invalid state (SDM Table 11-5) */
	if (!(value & APIC_BASE_EN)) {
		/* Disabling resets the APIC to its power-on state (11.4.3). */
		vlapic_reset(a, a->id, keep_bsp, a->timer_hz, a->tsc_hz);
		vlapic_share_tpr(a, tpr_place);	/* the TPR stays where it lives, reset */
		a->apic_base = APIC_BASE_DEFAULT | keep_bsp;
		return VLAPIC_OK;
	}
	a->apic_base = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD | keep_bsp;
	return VLAPIC_OK;
}

static void start_timer(struct vlapic *a, u64 now)
{
	a->timer_start = now;
	a->timer_deadline = a->timer_initial ? now + MAX(1, tsc_for(a, a->timer_initial)) : 0;
}

static void eoi(struct vlapic *a)
{
	int v = highest(a->isr);

	if (v >= 0)
		a->isr[v / 32] &= ~(1u << (v % 32));
}

static enum vlapic_result write_lvt(struct vlapic *a, u32 msr, u32 value)
{
	for (unsigned i = 0; i < VLAPIC_LVTS; i++) {
		if (lvt_msrs[i] != msr)
			continue;
		/* A software-disabled APIC keeps its LVTs masked (11.4.7.2). */
		a->lvt[i] = (value & LVT_WRITABLE) | (a->spiv & SPIV_ENABLED ? 0 : LVT_MASKED);
		return VLAPIC_OK;
	}
	return VLAPIC_GP;
}

enum vlapic_result vlapic_wrmsr(struct vlapic *a, u32 msr, u64 value, u64 now,
				struct vlapic_ipi *ipi)
{
	if (msr == MSR_IA32_APIC_BASE)
		return write_apic_base(a, value);
	if (!vlapic_x2apic_mode(a))
		return VLAPIC_GP;
	/* Every x2APIC register but the ICR is 32 bits wide: bits 63:32 set fault. */
	if (msr != X2_ICR && (value >> 32))
		return VLAPIC_GP;
	switch (msr) {
	case X2_TPR:
		/* As the CPU's own TPR virtualization does (SDM Vol. 3C, 30.5). */
		if (value & ~TPR_WRITABLE)
			return VLAPIC_GP;
		*a->tpr = (u32)value;
		return VLAPIC_OK;
	case X2_EOI:
		if (value)
			return VLAPIC_GP;	/* x2APIC: EOI takes only 0 (11.12.9) */
		eoi(a);
		return VLAPIC_OK;
	case X2_SPIV:
		a->spiv = value & SPIV_WRITABLE;
		if (!(a->spiv & SPIV_ENABLED))
			for (unsigned i = 0; i < VLAPIC_LVTS; i++)
				a->lvt[i] |= LVT_MASKED;
		return VLAPIC_OK;
	case X2_ESR:
		if (value)
			return VLAPIC_GP;
		a->esr = a->esr_pending;	/* a write latches the errors since the last one */
		a->esr_pending = 0;
		return VLAPIC_OK;
	case X2_TIMER_INIT:
		a->timer_initial = (u32)value;
		start_timer(a, now);
		return VLAPIC_OK;
	case X2_TIMER_DIV:
		a->timer_dcr = value & DCR_WRITABLE;
		return VLAPIC_OK;
	case X2_SELF_IPI:
		vlapic_set_irr(a, (u8)value);
		return VLAPIC_OK;
	case X2_ICR:
		if (ICR_VECTOR(value) < 16 && ICR_DELIVERY_MODE(value) == ICR_DM_FIXED) {
			a->esr_pending |= ESR_SEND_ILLEGAL_VECTOR;
			return VLAPIC_OK;
		}
		if (ICR_DELIVERY_MODE(value) != ICR_DM_FIXED)
			return VLAPIC_OK;	/* NMI, INIT, SIPI to vCPUs: not emulated, dropped */
		ipi->vector = ICR_VECTOR(value);
		ipi->apic_id = (u32)(value >> 32);
		ipi->dest = (enum vlapic_dest)ICR_SHORTHAND(value);
		return VLAPIC_SEND_IPI;
	default:
		return write_lvt(a, msr, (u32)value);	/* or #GP: read-only or absent */
	}
}

u64 vlapic_read_cr8(const struct vlapic *a)
{
	return priority_class(tpr(a));
}

enum vlapic_result vlapic_write_cr8(struct vlapic *a, u64 value)
{
	if (value & ~CR8_WRITABLE)
		return VLAPIC_GP;
	*a->tpr = (u32)value << 4;	/* the class; sub-class 0 (11.8.6.1) */
	return VLAPIC_OK;
}

void vlapic_set_irr(struct vlapic *a, u8 vector)
{
	if (vector < 16) {
		__atomic_fetch_or(&a->esr_pending, ESR_RECV_ILLEGAL_VECTOR, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_or(&a->irr[vector / 32], 1u << (vector % 32), __ATOMIC_RELEASE);
}

void vlapic_tick(struct vlapic *a, u64 now)
{
	u32 lvt = a->lvt[LVT_TIMER];
	u64 period;

	if (!a->timer_deadline || now < a->timer_deadline)
		return;
	if (!(lvt & LVT_MASKED))
		vlapic_set_irr(a, (u8)lvt);
	if (LVT_TIMER_MODE(lvt) != LVT_TIMER_PERIODIC) {
		a->timer_deadline = 0;
		return;
	}
	/* Periodic: the next period starts at the expiry; periods missed
	 * while the vCPU was not running collapse into one interrupt. */
	period = MAX(1, tsc_for(a, a->timer_initial));
	a->timer_deadline += period;
	if (a->timer_deadline <= now)
		a->timer_deadline = now + period - (now - a->timer_deadline) % period;
}

u64 vlapic_next_deadline(const struct vlapic *a)
{
	return a->timer_deadline;
}

int vlapic_pending(const struct vlapic *a)
{
	int v = highest(a->irr);

	if (v < 0 || !enabled(a) || ((u32)v & 0xf0) <= (ppr(a) & 0xf0))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *a, u8 vector)
{
	__atomic_fetch_and(&a->irr[vector / 32], ~(1u << (vector % 32)), __ATOMIC_ACQ_REL);
	a->isr[vector / 32] |= 1u << (vector % 32);
}

u32 vlapic_tpr_threshold(const struct vlapic *a)
{
	int v = highest(a->irr);

	if (v < 0 || !enabled(a) || priority_class((u32)v) > priority_class(tpr(a)))
		return 0;
	return priority_class((u32)v);
}
