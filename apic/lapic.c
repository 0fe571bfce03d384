#include "lapic.h"
#include "apic_regs.h"
#include "lapic_decode.h"
#include "pit.h"
#include "../lib/msr.h"
#include "../lib/panic.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/param.h"

#define CPUID_1_ECX_X2APIC BIT(21)
#define CPUID_1_EDX_APIC BIT(9)
#define CPUID_LEAF_TSC 0x15
#define TIMER_DIVISOR 16
#define CALIBRATION_US (TIMER_CALIBRATION_MS * 1000u)
#define US_PER_S 1000000u
#define ICR_SPIN_LIMIT 100000000u

/* --- xAPIC: registers in a 4 KiB MMIO page (mapped uncacheable) --- */

static volatile u8 *xapic_base;

static u32 xapic_read(u32 reg)
{
	return *(volatile u32 *)(xapic_base + reg);
}

static void xapic_write(u32 reg, u32 val)
{
	*(volatile u32 *)(xapic_base + reg) = val;
}

static void xapic_send_icr(u32 dest, u32 icr_lo)
{
	u64 icr = lapic_icr_compose(dest, icr_lo, false);

	xapic_write(APIC_ICR_HI, icr >> 32);
	xapic_write(APIC_ICR_LO, (u32)icr); /* this write sends */
	for (u32 i = 0; xapic_read(APIC_ICR_LO) & ICR_DELIVERY_PENDING; i++)
		if (i == ICR_SPIN_LIMIT)
			panic("lapic: IPI to APIC %u stuck in delivery (ICR 0x%x)", dest, icr_lo);
}

static u32 xapic_id(void)
{
	return xapic_read(APIC_ID) >> 24;
}

static const struct lapic_ops xapic_ops = {
	.name = "xAPIC",
	.read = xapic_read,
	.write = xapic_write,
	.send_icr = xapic_send_icr,
	.id = xapic_id,
};

/* --- x2APIC: registers are MSRs 0x800 + offset/16 (SDM Vol. 3, 11.12) --- */

static u32 x2apic_read(u32 reg)
{
	return (u32)rdmsr(x2apic_msr(reg));
}

static void x2apic_write(u32 reg, u32 val)
{
	wrmsr(x2apic_msr(reg), val);
}

static void x2apic_send_icr(u32 dest, u32 icr_lo)
{
	/* One 64-bit write, no delivery-status polling (SDM 11.12.9). */
	wrmsr(x2apic_msr(APIC_ICR_LO), lapic_icr_compose(dest, icr_lo, true));
}

static u32 x2apic_id(void)
{
	return x2apic_read(APIC_ID); /* the full 32-bit ID */
}

static const struct lapic_ops x2apic_ops = {
	.name = "x2APIC",
	.read = x2apic_read,
	.write = x2apic_write,
	.send_icr = x2apic_send_icr,
	.id = x2apic_id,
};

/* Chosen once on the BSP, read-only afterwards. */
static const struct lapic_ops *lapic;
static u64 tsc_freq, lapic_timer_freq; /* Hz; the timer at TIMER_DIVISOR */

static void enter_mode(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (lapic == &x2apic_ops && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EN | APIC_BASE_EXTD);
}

bool lapic_init_bsp(bool prefer_xapic)
{
	struct cpuid id = cpuid(1, 0);
	u64 base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(id.edx & CPUID_1_EDX_APIC) || !(base & APIC_BASE_EN)) {
		pr_err("lapic: no enabled local APIC (CPUID.1:EDX.APIC %u, IA32_APIC_BASE 0x%lx)",
		       !!(id.edx & CPUID_1_EDX_APIC), base);
		return false;
	}
	if (base & APIC_BASE_EXTD) {
		/* Leaving x2APIC mode needs the global disable we must not use. */
		if (prefer_xapic)
			pr_warn("lapic: firmware left x2APIC mode on; staying in it");
		lapic = &x2apic_ops;
	} else if ((id.ecx & CPUID_1_ECX_X2APIC) && !prefer_xapic) {
		lapic = &x2apic_ops;
	} else {
		lapic = &xapic_ops;
		xapic_base = phys_to_ptr(base & APIC_BASE_ADDR_MASK);
	}
	pic_disable();
	enter_mode();
	pr_info("lapic: %s mode (CPUID x2APIC %s%s), IA32_APIC_BASE 0x%lx", lapic->name,
		id.ecx & CPUID_1_ECX_X2APIC ? "yes" : "no",
		prefer_xapic ? ", xAPIC preferred by config" : "", rdmsr(MSR_IA32_APIC_BASE));
	return true;
}

u32 lapic_init_cpu(void)
{
	enter_mode();
	return lapic_reset();
}

u32 lapic_reset(void)
{
	unsigned lvts = lapic_max_lvt(lapic->read(APIC_VERSION));

	/* Mask every local interrupt source this APIC has (SDM 11.5.1: entries
	 * beyond the four basic ones exist only if Max LVT Entry says so; in
	 * x2APIC mode touching an absent one faults). */
	lapic->write(APIC_LVT_TIMER, LVT_MASKED);
	lapic->write(APIC_LVT_LINT0, LVT_MASKED);
	lapic->write(APIC_LVT_LINT1, LVT_MASKED);
	lapic->write(APIC_LVT_ERROR, LVT_MASKED);
	if (lvts >= 5)
		lapic->write(APIC_LVT_PMC, LVT_MASKED);
	if (lvts >= 6)
		lapic->write(APIC_LVT_THERMAL, LVT_MASKED);
	if (lvts >= 7)
		lapic->write(APIC_LVT_CMCI, LVT_MASKED);
	lapic->write(APIC_TIMER_INIT, 0);
	lapic->write(APIC_TPR, 0);
	/* ESR latches on a write; the write clears what it latched (11.5.3). */
	lapic->write(APIC_ESR, 0);
	lapic->write(APIC_ESR, 0);

	/* And enabled again right away: a reset APIC is software-disabled. */
	lapic->write(APIC_SPIV, SPIV_APIC_ENABLED | VECTOR_SPURIOUS);
	return lapic->read(APIC_SPIV);
}

const char *lapic_mode_name(void)
{
	return lapic ? lapic->name : "none";
}

u32 lapic_id(void)
{
	return lapic->id();
}

u32 lapic_read(u32 reg)
{
	return lapic->read(reg);
}

void lapic_eoi(void)
{
	lapic->write(APIC_EOI, 0);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	lapic->send_icr(apic_id, vector | ICR_DM_FIXED | ICR_LEVEL_ASSERT);
}

void lapic_send_init(u32 apic_id)
{
	lapic->send_icr(apic_id, ICR_DM_INIT | ICR_LEVEL_ASSERT);
}

void lapic_send_sipi(u32 apic_id, phys_addr_t start_page)
{
	ASSERT(IS_ALIGNED(start_page, PAGE_SIZE) && start_page < MiB(1));
	lapic->send_icr(apic_id, ICR_DM_STARTUP | (u32)(start_page >> PAGE_SHIFT));
}

void lapic_calibrate(void)
{
	struct cpuid leaf0 = cpuid(0, 0), tsc;
	u64 t0, t1;
	u32 left;

	lapic->write(APIC_TIMER_DIV, lapic_timer_div_encode(TIMER_DIVISOR));
	lapic->write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	lapic->write(APIC_TIMER_INIT, UINT32_MAX);
	t0 = rdtsc();
	pit_wait_us(CALIBRATION_US);
	t1 = rdtsc();
	left = lapic->read(APIC_TIMER_CUR);
	lapic->write(APIC_TIMER_INIT, 0);

	tsc_freq = (t1 - t0) * (US_PER_S / CALIBRATION_US);
	lapic_timer_freq = (u64)(UINT32_MAX - left) * (US_PER_S / CALIBRATION_US);
	pr_info("clock: TSC %lu kHz, LAPIC timer %lu kHz at divide-by-%u (against PIT channel 2, %u ms)",
		tsc_freq / 1000, lapic_timer_freq / 1000, TIMER_DIVISOR, TIMER_CALIBRATION_MS);
	if (leaf0.eax >= CPUID_LEAF_TSC) {
		tsc = cpuid(CPUID_LEAF_TSC, 0);
		if (tsc.eax && tsc.ebx && tsc.ecx)
			pr_info("clock: CPUID.15H says TSC %lu kHz",
				(u64)tsc.ecx * tsc.ebx / tsc.eax / 1000);
	}
	if (!tsc_freq || !lapic_timer_freq)
		panic("clock: calibration failed (TSC %lu Hz, LAPIC timer %lu Hz)",
		      tsc_freq, lapic_timer_freq);
}

u64 tsc_hz(void)
{
	return tsc_freq;
}

u64 lapic_timer_hz(void)
{
	return lapic_timer_freq * TIMER_DIVISOR;
}

void udelay(u64 us)
{
	u64 end = rdtsc() + tsc_freq * us / US_PER_S;

	while ((s64)(rdtsc() - end) < 0)
		cpu_relax();
}

void lapic_timer_periodic(u8 vector, u64 period_us)
{
	u64 count = lapic_timer_freq * period_us / US_PER_S;

	lapic->write(APIC_TIMER_INIT, 0);
	if (!period_us)
		return;
	lapic->write(APIC_TIMER_DIV, lapic_timer_div_encode(TIMER_DIVISOR));
	lapic->write(APIC_LVT_TIMER, vector | LVT_TIMER_PERIODIC);
	lapic->write(APIC_TIMER_INIT, (u32)MAX(1, MIN(count, UINT32_MAX)));
}
