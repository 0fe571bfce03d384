#include "lapic_decode.h"
#include "apic_regs.h"
#include "../lib/fmt.h"
#include "../lib/msr.h"
#include "../lib/panic.h"

/* xAPIC registers sit 16 bytes apart; x2APIC numbers them consecutively. */
#define APIC_REG_ALIGN 16
#define APIC_REG_SHIFT 4

/* The composed 64-bit ICR: ICR_HI (xAPIC) or the destination (x2APIC)
 * above, ICR_LO below. */
#define ICR_HALF_SHIFT 32

/* Divide Configuration Register (SDM 11.5.4, Figure 11-10): dividing by
 * 2^(k+1), k = 0..6, is encoded as k with its bit 2 moved to bit 3, and
 * dividing by 1 as k = 7 (0b1011). */
#define TIMER_DIV_MAX 128
#define TIMER_DIV_CODE_MASK 7u
#define TIMER_DIV_CODE_LOW 3u		/* code bits 1:0 stay in bits 1:0 */
#define TIMER_DIV_CODE_HIGH 4u		/* code bit 2 goes to bit 3 */

u32 x2apic_msr(u32 xapic_reg)
{
	/* SDM 11.12.1.2: ICR_HI is folded into the 64-bit ICR MSR and DFR has
	 * no x2APIC counterpart; touching their MSR numbers faults. */
	if (!IS_ALIGNED(xapic_reg, APIC_REG_ALIGN) || xapic_reg >= APIC_REG_END ||
	    xapic_reg == APIC_ICR_HI || xapic_reg == APIC_DFR)
		panic("x2apic_msr: xAPIC register 0x%x has no x2APIC MSR", xapic_reg);
	return MSR_X2APIC_BASE + (xapic_reg >> APIC_REG_SHIFT);
}

unsigned lapic_max_lvt(u32 version_reg)
{
	return ((version_reg >> APIC_VERSION_MAX_LVT_SHIFT) & APIC_VERSION_MAX_LVT_MASK) + 1;
}

u32 lapic_timer_div_encode(unsigned divisor)
{
	unsigned code;

	if (!divisor || divisor > TIMER_DIV_MAX || (divisor & (divisor - 1)))
		panic("lapic: timer divisor %u is not a power of two from 1 to %u",
		      divisor, TIMER_DIV_MAX);
	/* log2(divisor) - 1, with divide-by-1 wrapping round to 7. */
	code = (__builtin_ctz(divisor) + TIMER_DIV_CODE_MASK) & TIMER_DIV_CODE_MASK;
	return (code & TIMER_DIV_CODE_LOW) | ((code & TIMER_DIV_CODE_HIGH) << 1);
}

u64 lapic_icr_compose(u32 dest_apic_id, u32 icr_lo, bool x2apic)
{
	if (x2apic)
		return (u64)dest_apic_id << ICR_X2APIC_DEST_SHIFT | icr_lo;
	/* xAPIC physical destinations are 8 bits (SDM 11.6.1): a wider ID
	 * would silently reach another CPU. */
	if (dest_apic_id > ICR_HI_XAPIC_DEST_MAX)
		panic("lapic: APIC ID 0x%x does not fit an xAPIC destination", dest_apic_id);
	return (u64)(dest_apic_id << ICR_HI_DEST_SHIFT) << ICR_HALF_SHIFT | icr_lo;
}

/* snprintf-style appending: keeps counting once buf is full. */
struct sbuf {
	char *buf;
	size_t n;
	int len;
};

static void __printf(2, 3) sb_add(struct sbuf *sb, const char *fmt, ...)
{
	size_t used = MIN((size_t)sb->len, sb->n);
	va_list ap;

	va_start(ap, fmt);
	sb->len += fmt_vsnprintf(used < sb->n ? sb->buf + used : NULL,
				 sb->n - used, fmt, ap);
	va_end(ap);
}

int lapic_describe_spiv(u32 v, char *buf, size_t n)
{
	struct sbuf sb = { buf, n, 0 };

	sb_add(&sb, "0x%x (software-%s, spurious vector 0x%x", v,
	       v & SPIV_APIC_ENABLED ? "enabled" : "disabled", v & SPIV_VECTOR_MASK);
	if (v & SPIV_FOCUS_DISABLED)
		sb_add(&sb, ", focus-checking-disabled");
	if (v & SPIV_EOI_BROADCAST_SUPPRESSION)
		sb_add(&sb, ", EOI-broadcast-suppression");
	sb_add(&sb, ")");
	return sb.len;
}

/* LVT delivery modes (SDM 11.5.1); NULL: reserved encoding. */
static const char *const lvt_modes[] = {
	[LVT_DM_FIXED >> LVT_DM_SHIFT] = "fixed",
	[LVT_DM_SMI >> LVT_DM_SHIFT] = "SMI",
	[LVT_DM_NMI >> LVT_DM_SHIFT] = "NMI",
	[LVT_DM_INIT >> LVT_DM_SHIFT] = "INIT",
	[LVT_DM_EXTINT >> LVT_DM_SHIFT] = "ExtINT",
};

/* Timer modes (SDM 11.5.4); one-shot, the default, is not mentioned. */
static const char *const timer_modes[] = {
	[LVT_TIMER_ONE_SHOT >> LVT_TIMER_MODE_SHIFT] = NULL,
	[LVT_TIMER_PERIODIC >> LVT_TIMER_MODE_SHIFT] = "periodic",
	[LVT_TIMER_TSC_DEADLINE >> LVT_TIMER_MODE_SHIFT] = "TSC-deadline",
	[LVT_TIMER_MODE_MASK >> LVT_TIMER_MODE_SHIFT] = "timer-mode-3 (reserved)",
};

static const struct {
	u32 bit;
	const char *name;
} lvt_flags[] = {
	{ LVT_DELIVERY_PENDING, "send-pending" },
	{ LVT_ACTIVE_LOW, "active-low" },
	{ LVT_REMOTE_IRR, "remote-IRR" },
	{ LVT_TRIGGER_LEVEL, "level-triggered" },
};

int lapic_describe_lvt(u32 v, char *buf, size_t n)
{
	struct sbuf sb = { buf, n, 0 };
	unsigned mode = (v & LVT_DM_MASK) >> LVT_DM_SHIFT;
	const char *timer = timer_modes[(v & LVT_TIMER_MODE_MASK) >> LVT_TIMER_MODE_SHIFT];

	sb_add(&sb, "0x%x (%svector 0x%x, ", v, v & LVT_MASKED ? "masked, " : "",
	       v & LVT_VECTOR_MASK);
	if (lvt_modes[mode])
		sb_add(&sb, "%s", lvt_modes[mode]);
	else
		sb_add(&sb, "delivery mode %u (reserved)", mode);
	for (size_t i = 0; i < ARRAY_SIZE(lvt_flags); i++)
		if (v & lvt_flags[i].bit)
			sb_add(&sb, ", %s", lvt_flags[i].name);
	if (timer)
		sb_add(&sb, ", %s", timer);
	sb_add(&sb, ")");
	return sb.len;
}

/* ESR bits (SDM 11.5.3, Figure 11-9), by bit number. */
static const char *const esr_names[] = {
	"send-checksum",
	"receive-checksum",
	"send-accept",
	"receive-accept",
	"redirectable-IPI",
	"send-illegal-vector",
	"receive-illegal-vector",
	"illegal-register-address",
};
_Static_assert(ARRAY_SIZE(esr_names) == 8 &&
	       ESR_ILLEGAL_REGISTER == APIC_BIT(ARRAY_SIZE(esr_names) - 1),
	       "esr_names[] follows the ESR bits");

#define ESR_BITS 32

int lapic_describe_esr(u32 v, char *buf, size_t n)
{
	struct sbuf sb = { buf, n, 0 };
	const char *sep = "";

	if (!v) {
		sb_add(&sb, "no errors");
		return sb.len;
	}
	for (unsigned bit = 0; bit < ESR_BITS; bit++) {
		if (!(v & APIC_BIT(bit)))
			continue;
		if (bit < ARRAY_SIZE(esr_names))
			sb_add(&sb, "%s%s", sep, esr_names[bit]);
		else
			sb_add(&sb, "%sbit %u", sep, bit);
		sep = ", ";
	}
	return sb.len;
}
