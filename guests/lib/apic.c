#include "apic.h"
#include "exit.h"
#include "mmio.h"
#include "../../lib/msr.h"
#include "../../lib/x86.h"

#define CPUID_FEATURES 0x1
#define CPUID_1_ECX_X2APIC BIT(21)

static unsigned spurious;

bool apic_x2apic_supported(void)
{
	return cpuid(CPUID_FEATURES, 0).ecx & CPUID_1_ECX_X2APIC;
}

static void count_spurious(struct trap_frame *tf __unused)
{
	__atomic_fetch_add(&spurious, 1, __ATOMIC_RELAXED);
}

unsigned apic_spurious_count(void)
{
	return __atomic_load_n(&spurious, __ATOMIC_RELAXED);
}

/* x2APIC: registers are MSRs, the ICR one 64-bit MSR (SDM 11.12.1.2). */
static u32 x2apic_read(u32 reg)
{
	return (u32)rdmsr(x2apic_msr(reg));
}

static void x2apic_write(u32 reg, u32 value)
{
	wrmsr(x2apic_msr(reg), value);
}

static void x2apic_write_icr(u64 icr)
{
	wrmsr(x2apic_msr(APIC_ICR_LO), icr);
}

/* xAPIC: 32-bit registers in the 4 KiB page at IA32_APIC_BASE (11.4.1);
 * the low ICR write sends the IPI, so the high half goes first (11.6.1). */
static u64 xapic_base;

static u32 xapic_read(u32 reg)
{
	return mmio_read32(xapic_base + reg);
}

static void xapic_write(u32 reg, u32 value)
{
	mmio_write32(xapic_base + reg, value);
}

static void xapic_write_icr(u64 icr)
{
	xapic_write(APIC_ICR_HI, (u32)(icr >> 32));
	xapic_write(APIC_ICR_LO, (u32)icr);
}

static const struct apic_ops {
	const char *name;
	bool x2apic;
	u32 (*read)(u32 reg);
	void (*write)(u32 reg, u32 value);
	void (*write_icr)(u64 icr);
} x2apic_ops = { "x2APIC", true, x2apic_read, x2apic_write, x2apic_write_icr },
  xapic_ops = { "xAPIC", false, xapic_read, xapic_write, xapic_write_icr };

static const struct apic_ops *ops;

static const struct apic_ops *apic(void)
{
	if (!ops)
		panic("apic: used before apic_enable()");
	return ops;
}

void apic_enable(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	/* SDM 11.12.5 (Figure 11-27): disabled -> xAPIC -> x2APIC; going
	 * from disabled to x2APIC in one write is an invalid transition. */
	if (!(base & APIC_BASE_EN)) {
		base |= APIC_BASE_EN;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_EXTD) && apic_x2apic_supported()) {
		base |= APIC_BASE_EXTD;
		wrmsr(MSR_IA32_APIC_BASE, base);
	}
	if (base & APIC_BASE_EXTD) {
		ops = &x2apic_ops;
	} else {
		xapic_base = base & APIC_BASE_ADDR_MASK;
		mmio_init();
		ops = &xapic_ops;
	}
	trap_set_handler(APIC_SPURIOUS_VECTOR, count_spurious);
	apic_write(APIC_SPIV, SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR);
	/* A BIOS leaves LINT0 in ExtINT and LINT1 in NMI mode (virtual wire,
	 * MP spec 3.6.2.2): the guests take interrupts from their APIC
	 * only, never the PIC's timer at a vector of its choosing. */
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
}

bool apic_is_x2apic(void)
{
	return apic()->x2apic;
}

const char *apic_mode_name(void)
{
	return apic()->name;
}

u32 apic_read(u32 reg)
{
	return apic()->read(reg);
}

void apic_write(u32 reg, u32 value)
{
	if (reg == APIC_ICR_LO)
		panic("apic_write: the ICR is 64 bits wide: use apic_write_icr()");
	apic()->write(reg, value);
}

u32 apic_id(void)
{
	u32 id = apic_read(APIC_ID);

	return apic_is_x2apic() ? id : id >> APIC_ID_XAPIC_SHIFT;
}

void apic_eoi(void)
{
	/* x2APIC: any value but 0 raises #GP (SDM 11.12.9). */
	apic_write(APIC_EOI, 0);
}

static bool vector_test(u32 reg0, u8 vector)
{
	u32 reg = reg0 + vector / APIC_VECTORS_PER_REG * APIC_VECTOR_REG_STRIDE;

	return apic_read(reg) & APIC_BIT(vector % APIC_VECTORS_PER_REG);
}

bool apic_isr_test(u8 vector) { return vector_test(APIC_ISR0, vector); }
bool apic_irr_test(u8 vector) { return vector_test(APIC_IRR0, vector); }
bool apic_tmr_test(u8 vector) { return vector_test(APIC_TMR0, vector); }

u32 apic_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

void apic_write_icr(u64 icr)
{
	apic()->write_icr(icr);
}

void apic_send_ipi(u32 dest, u8 vector)
{
	apic_write_icr(lapic_icr_compose(dest, ICR_DM_FIXED | ICR_LEVEL_ASSERT | vector,
					 apic_is_x2apic()));
}

void apic_send_ipi_self(u8 vector)
{
	apic_write_icr(ICR_SHORTHAND_SELF | ICR_DM_FIXED | ICR_LEVEL_ASSERT | vector);
}

void apic_self_ipi(u8 vector)
{
	if (!apic_is_x2apic())
		panic("apic_self_ipi: the SELF IPI register exists in x2APIC mode only");
	apic_write(APIC_SELF_IPI, vector);
}

void apic_timer_start(u32 lvt, unsigned divisor, u32 count)
{
	/* Divide and LVT first: the initial-count write starts the count. */
	apic_write(APIC_TIMER_DIV, lapic_timer_div_encode(divisor));
	apic_write(APIC_LVT_TIMER, lvt);
	apic_write(APIC_TIMER_INIT, count);
}

void apic_timer_stop(void)
{
	apic_write(APIC_TIMER_INIT, 0);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
}

u32 apic_timer_current(void)
{
	return apic_read(APIC_TIMER_CUR);
}

void apic_set_handler(u8 vector, trap_handler_t handler)
{
	if (vector < APIC_FIRST_VECTOR)
		panic("apic_set_handler: vector %u is an exception, not an interrupt", vector);
	trap_set_handler(vector, handler);
}
