#include "vlapic.h"
#include "../apic/apic_regs.h"
#include "../lib/msr.h"
#include "../lib/string.h"

/* The LVT registers, in the order of the VERSION register's count. */
static const u32 lvt_regs[VLAPIC_LVTS] = {
	APIC_LVT_CMCI, APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PMC, APIC_LVT_LINT0,
	APIC_LVT_LINT1, APIC_LVT_ERROR,
};

/* The registers held on the page as the guest reads them (besides the
 * LVTs and the 256-bit ISR, TMR and IRR): every one the CPU may serve with
 * "APIC-register virtualization" except the computed PPR (SDM Vol. 3C,
 * 30.5). The ICR always reads 0: no delivery is ever pending. */
static const u32 plain_regs[] = {
	APIC_ID, APIC_VERSION, APIC_TPR, APIC_LDR, APIC_SPIV, APIC_ESR, APIC_ICR_LO,
	APIC_TIMER_INIT, APIC_TIMER_DIV,
};

#define APIC_VERSION_VALUE (0x14u | (VLAPIC_LVTS - 1) << APIC_VERSION_MAX_LVT_SHIFT)	/* integrated */
#define APIC_BASE_DEFAULT 0xfee00000ull
#define SPIV_WRITABLE (SPIV_APIC_ENABLED | SPIV_VECTOR_MASK)
#define LVT_WRITABLE 0x000317ffu	/* vector, delivery mode, polarity, trigger, mask, timer mode */
#define TPR_WRITABLE 0xffull	/* bits 31:8 are reserved: #GP if set (11.12.1.3) */
#define CR8_WRITABLE 0xfull	/* bits 63:4 are reserved (Vol. 3A, 2.5) */
#define LDR_CLUSTER_SHIFT 16	/* x2APIC logical ID: cluster in 31:16, one bit of 16 (11.12.10.2) */
#define LDR_CLUSTER_SIZE 16

/* The register at xAPIC offset reg, wherever the registers live. */
static u32 *reg(const struct vlapic *a, u32 offset)
{
	return &a->regs[offset / sizeof(u32)];
}

/* The 32-bit word of ISR, TMR or IRR (base) that holds vector. */
static u32 *vector_word(const struct vlapic *a, u32 base, unsigned vector)
{
	return reg(a, base + vector / APIC_VECTORS_PER_REG * APIC_VECTOR_REG_STRIDE);
}

static int highest(const struct vlapic *a, u32 base)
{
	for (int w = VLAPIC_VECTOR_WORDS - 1; w >= 0; w--) {
		u32 x = __atomic_load_n(vector_word(a, base, (unsigned)w * APIC_VECTORS_PER_REG),
					__ATOMIC_ACQUIRE);

		if (x)
			return w * APIC_VECTORS_PER_REG + 31 - __builtin_clz(x);
	}
	return -1;
}

static u32 spiv(const struct vlapic *a)
{
	return *reg(a, APIC_SPIV);
}

static bool enabled(const struct vlapic *a)
{
	return (a->apic_base & APIC_BASE_EN) && (spiv(a) & SPIV_APIC_ENABLED);
}

/* The TPR: byte 0 of its register (the CPU clears bytes 3:1, 30.3). */
static u32 tpr(const struct vlapic *a)
{
	return *reg(a, APIC_TPR) & 0xff;
}

static u32 priority_class(u32 priority)
{
	return priority >> TPR_CLASS_SHIFT;
}

void vlapic_reset(struct vlapic *a, u32 id, bool bsp, u64 timer_hz, u64 tsc_hz)
{
	memset(a, 0, sizeof(*a));
	a->regs = a->page_here;
	a->id = id;
	a->apic_base = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD | (bsp ? APIC_BASE_BSP : 0);
	*reg(a, APIC_ID) = id;
	*reg(a, APIC_VERSION) = APIC_VERSION_VALUE;
	*reg(a, APIC_LDR) = (id / LDR_CLUSTER_SIZE) << LDR_CLUSTER_SHIFT | 1u << (id % LDR_CLUSTER_SIZE);
	*reg(a, APIC_SPIV) = SPIV_VECTOR_MASK;	/* software-disabled (SDM 11.4.7.1) */
	for (unsigned i = 0; i < VLAPIC_LVTS; i++)
		*reg(a, lvt_regs[i]) = LVT_MASKED;
	a->timer_hz = timer_hz;
	a->tsc_hz = tsc_hz;
	a->tsc_per_tick_fp16 = MAX(1, (tsc_hz << 16) / timer_hz);
}

void vlapic_use_page(struct vlapic *a, u32 *page)
{
	if (page != a->regs)
		memcpy(page, a->regs, PAGE_SIZE);
	a->regs = page;
}

bool vlapic_x2apic_mode(const struct vlapic *a)
{
	return a->apic_base & APIC_BASE_EXTD;
}

bool vlapic_owns_msr(u32 msr)
{
	return msr == MSR_IA32_APIC_BASE || (msr >= VLAPIC_MSR_FIRST && msr <= VLAPIC_MSR_LAST);
}

/* The xAPIC offset of an x2APIC MSR (SDM 11.12.1.2): the inverse of
 * x2apic_msr(). */
static u32 msr_reg(u32 msr)
{
	return (msr - VLAPIC_MSR_FIRST) * APIC_VECTOR_REG_STRIDE;
}

/* Whether offset is one of the registers in [base, base + n * stride). */
static bool in_regs(u32 offset, u32 base, unsigned n)
{
	return offset >= base && offset < base + n * APIC_VECTOR_REG_STRIDE;
}

bool vlapic_msr_on_page(u32 msr)
{
	u32 offset = msr_reg(msr);

	if (msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(plain_regs); i++)
		if (plain_regs[i] == offset)
			return true;
	for (unsigned i = 0; i < VLAPIC_LVTS; i++)
		if (lvt_regs[i] == offset)
			return true;
	return in_regs(offset, APIC_ISR0, VLAPIC_VECTOR_WORDS) ||
	       in_regs(offset, APIC_TMR0, VLAPIC_VECTOR_WORDS) ||
	       in_regs(offset, APIC_IRR0, VLAPIC_VECTOR_WORDS);
}

/* The divide configuration as a divisor (SDM Figure 11-10): bits 3, 1, 0. */
static u64 divisor(const struct vlapic *a)
{
	u32 dcr = *reg(a, APIC_TIMER_DIV);
	u32 v = ((dcr & 8) >> 1) | (dcr & 3);

	return v == 7 ? 1 : 2ull << v;
}

/* TSC ticks for count timer ticks at the current divisor. The ratio is
 * fixed-point (16 fraction bits): count * divisor < 2^39 keeps it in 64 bits. */
static u64 tsc_for(const struct vlapic *a, u64 count)
{
	return count * divisor(a) * a->tsc_per_tick_fp16 >> 16;
}

static u32 timer_current(const struct vlapic *a, u64 now)
{
	u64 left;

	if (!a->timer_deadline || now >= a->timer_deadline)
		return 0;
	left = a->timer_deadline - now;
	return (u32)((left << 16) / a->tsc_per_tick_fp16 / divisor(a));
}

static u32 ppr(const struct vlapic *a)
{
	int isrv = highest(a, APIC_ISR0);
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
	if (vlapic_msr_on_page(msr))
		*value = __atomic_load_n(reg(a, msr_reg(msr)), __ATOMIC_ACQUIRE);
	else if (msr_reg(msr) == APIC_PPR)
		*value = ppr(a);
	else if (msr_reg(msr) == APIC_TIMER_CUR)
		*value = timer_current(a, now);
	else
		return VLAPIC_GP;	/* EOI, SELF_IPI (write-only) or no register */
	return VLAPIC_OK;
}

/* IA32_APIC_BASE: x2APIC mode or disabled. nestvisor does not back the
 * xAPIC MMIO page, so asking for xAPIC mode faults; leaving the disabled
 * state straight for x2APIC is allowed (the SDM requires a stop in xAPIC). */
static enum vlapic_result write_apic_base(struct vlapic *a, u64 value)
{
	u64 keep_bsp = a->apic_base & APIC_BASE_BSP;
	u32 *page = a->regs;

	if ((value & APIC_BASE_EN) && !(value & APIC_BASE_EXTD))
		return VLAPIC_GP;
	if (!(value & APIC_BASE_EN) && (value & APIC_BASE_EXTD))
		return VLAPIC_GP;	/* invalid state (SDM Table 11-5) */
	if (!(value & APIC_BASE_EN)) {
		/* Disabling resets the APIC to its power-on state (11.4.3),
		 * where its registers live. */
		vlapic_reset(a, a->id, keep_bsp, a->timer_hz, a->tsc_hz);
		if (page != a->page_here)
			vlapic_use_page(a, page);
		a->apic_base = APIC_BASE_DEFAULT | keep_bsp;
		return VLAPIC_OK;
	}
	a->apic_base = APIC_BASE_DEFAULT | APIC_BASE_EN | APIC_BASE_EXTD | keep_bsp;
	return VLAPIC_OK;
}

static void start_timer(struct vlapic *a, u64 now)
{
	u32 initial = *reg(a, APIC_TIMER_INIT);

	a->timer_start = now;
	a->timer_deadline = initial ? now + MAX(1, tsc_for(a, initial)) : 0;
}

static void eoi(struct vlapic *a)
{
	int v = highest(a, APIC_ISR0);

	if (v >= 0)
		*vector_word(a, APIC_ISR0, (unsigned)v) &= ~APIC_BIT(v % APIC_VECTORS_PER_REG);
}

static enum vlapic_result write_lvt(struct vlapic *a, u32 offset, u32 value)
{
	for (unsigned i = 0; i < VLAPIC_LVTS; i++) {
		if (lvt_regs[i] != offset)
			continue;
		/* A software-disabled APIC keeps its LVTs masked (11.4.7.2). */
		*reg(a, offset) = (value & LVT_WRITABLE) |
				  (spiv(a) & SPIV_APIC_ENABLED ? 0 : LVT_MASKED);
		return VLAPIC_OK;
	}
	return VLAPIC_GP;
}

static enum vlapic_result write_icr(struct vlapic *a, u64 value, struct vlapic_ipi *ipi)
{
	u8 vector = (u8)(value & ICR_VECTOR_MASK);

	ipi->nmi = (value & ICR_DM_MASK) == ICR_DM_NMI;
	if ((value & ICR_DM_MASK) != ICR_DM_FIXED && !ipi->nmi)
		return VLAPIC_OK;	/* INIT, SIPI, SMI to vCPUs: not emulated, dropped */
	if (vector < 16 && !ipi->nmi) {
		a->esr_pending |= ESR_SEND_ILLEGAL_VECTOR;
		return VLAPIC_OK;
	}
	ipi->vector = vector;
	ipi->apic_id = (u32)(value >> ICR_X2APIC_DEST_SHIFT);
	ipi->dest = (enum vlapic_dest)((value & ICR_SHORTHAND_MASK) >> ICR_SHORTHAND_SHIFT);
	return VLAPIC_SEND_IPI;
}

enum vlapic_result vlapic_wrmsr(struct vlapic *a, u32 msr, u64 value, u64 now,
				struct vlapic_ipi *ipi)
{
	u32 offset = msr_reg(msr);

	if (msr == MSR_IA32_APIC_BASE)
		return write_apic_base(a, value);
	if (!vlapic_x2apic_mode(a))
		return VLAPIC_GP;
	/* Every x2APIC register but the ICR is 32 bits wide: bits 63:32 set fault. */
	if (offset != APIC_ICR_LO && (value >> 32))
		return VLAPIC_GP;
	switch (offset) {
	case APIC_TPR:
		/* As the CPU's own TPR virtualization does (SDM Vol. 3C, 30.5). */
		if (value & ~TPR_WRITABLE)
			return VLAPIC_GP;
		*reg(a, APIC_TPR) = (u32)value;
		return VLAPIC_OK;
	case APIC_EOI:
		if (value)
			return VLAPIC_GP;	/* x2APIC: EOI takes only 0 (11.12.9) */
		eoi(a);
		return VLAPIC_OK;
	case APIC_SPIV:
		*reg(a, APIC_SPIV) = (u32)value & SPIV_WRITABLE;
		if (!(value & SPIV_APIC_ENABLED))
			for (unsigned i = 0; i < VLAPIC_LVTS; i++)
				*reg(a, lvt_regs[i]) |= LVT_MASKED;
		return VLAPIC_OK;
	case APIC_ESR:
		if (value)
			return VLAPIC_GP;
		/* A write latches the errors since the last one. */
		*reg(a, APIC_ESR) = __atomic_exchange_n(&a->esr_pending, 0, __ATOMIC_RELAXED);
		return VLAPIC_OK;
	case APIC_TIMER_INIT:
		*reg(a, APIC_TIMER_INIT) = (u32)value;
		start_timer(a, now);
		return VLAPIC_OK;
	case APIC_TIMER_DIV:
		*reg(a, APIC_TIMER_DIV) = (u32)value & TIMER_DIV_MASK;
		return VLAPIC_OK;
	case APIC_SELF_IPI:
		vlapic_set_irr(a, (u8)value);
		return VLAPIC_OK;
	case APIC_ICR_LO:
		return write_icr(a, value, ipi);
	default:
		return write_lvt(a, offset, (u32)value);	/* or #GP: read-only or absent */
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
	*reg(a, APIC_TPR) = (u32)value << TPR_CLASS_SHIFT;	/* sub-class 0 (11.8.6.1) */
	return VLAPIC_OK;
}

void vlapic_set_nmi(struct vlapic *a)
{
	__atomic_store_n(&a->nmi_pending, true, __ATOMIC_RELEASE);
}

bool vlapic_nmi_pending(const struct vlapic *a)
{
	return __atomic_load_n(&a->nmi_pending, __ATOMIC_ACQUIRE);
}

void vlapic_take_nmi(struct vlapic *a)
{
	__atomic_store_n(&a->nmi_pending, false, __ATOMIC_RELAXED);
}

void vlapic_set_irr(struct vlapic *a, u8 vector)
{
	if (vector < 16) {
		__atomic_fetch_or(&a->esr_pending, ESR_RECEIVE_ILLEGAL_VECTOR, __ATOMIC_RELAXED);
		return;
	}
	__atomic_fetch_or(vector_word(a, APIC_IRR0, vector), APIC_BIT(vector % APIC_VECTORS_PER_REG),
			  __ATOMIC_RELEASE);
}

void vlapic_tick(struct vlapic *a, u64 now)
{
	u32 lvt = *reg(a, APIC_LVT_TIMER);
	u64 period;

	if (!a->timer_deadline || now < a->timer_deadline)
		return;
	if (!(lvt & LVT_MASKED))
		vlapic_set_irr(a, (u8)(lvt & LVT_VECTOR_MASK));
	if ((lvt & LVT_TIMER_MODE_MASK) != LVT_TIMER_PERIODIC) {
		a->timer_deadline = 0;
		return;
	}
	/* Periodic: the next period starts at the expiry; periods missed
	 * while the vCPU was not running collapse into one interrupt. */
	period = MAX(1, tsc_for(a, *reg(a, APIC_TIMER_INIT)));
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
	int v = highest(a, APIC_IRR0);

	if (v < 0 || !enabled(a) || ((u32)v & 0xf0) <= (ppr(a) & 0xf0))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *a, u8 vector)
{
	__atomic_fetch_and(vector_word(a, APIC_IRR0, vector),
			   ~APIC_BIT(vector % APIC_VECTORS_PER_REG), __ATOMIC_ACQ_REL);
	*vector_word(a, APIC_ISR0, vector) |= APIC_BIT(vector % APIC_VECTORS_PER_REG);
}

u32 vlapic_tpr_threshold(const struct vlapic *a)
{
	int v = highest(a, APIC_IRR0);

	if (v < 0 || !enabled(a) || priority_class((u32)v) > priority_class(tpr(a)))
		return 0;
	return priority_class((u32)v);
}
