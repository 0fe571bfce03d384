/* The local APIC of the CPU running the code, in xAPIC (MMIO) or x2APIC
 * (MSR) mode behind one small ops table (SDM Vol. 3, chapter 11). The mode
 * is chosen once on the BSP; every AP follows it. */
#ifndef APIC_LAPIC_H
#define APIC_LAPIC_H

#include "../lib/types.h"

struct lapic_ops {
	const char *name;
	u32 (*read)(u32 reg);
	void (*write)(u32 reg, u32 val);
	/* Sends the IPI described by icr_lo to dest; returns when accepted. */
	void (*send_icr)(u32 dest, u32 icr_lo);
	u32 (*id)(void);
};

/* On the BSP, first: picks x2APIC where the CPU has it (unless prefer_xapic)
 * and masks the legacy PICs. Returns false, with a message printed, if there
 * is no usable local APIC. */
bool lapic_init_bsp(bool prefer_xapic);
/* On every CPU (the BSP too): enters the chosen mode, then lapic_reset();
 * returns SPIV as read back. */
u32 lapic_init_cpu(void);

/* Masks every LVT, clears TPR and ESR, then software-enables the APIC through
 * SPIV with nestvisor's spurious vector — in this one function, so no caller
 * can reset the APIC and leave it disabled. Returns SPIV as read back. IA32_APIC_BASE's global enable is
 * never touched (the emulators cannot set it again: platform.md). */
u32 lapic_reset(void);

const char *lapic_mode_name(void);
u32 lapic_id(void);
u32 lapic_read(u32 reg);
void lapic_eoi(void);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, phys_addr_t start_page);

/* Calibrates the TSC and the LAPIC timer against PIT channel 2 (and reports
 * CPUID leaf 0x15's TSC frequency where given). On the BSP, once. */
void lapic_calibrate(void);
u64 tsc_hz(void);
/* The LAPIC timer's input clock (at divide-by-1), in Hz. */
u64 lapic_timer_hz(void);
void udelay(u64 us);
/* Periodic timer interrupts on vector every period_us; 0 stops it. */
void lapic_timer_periodic(u8 vector, u64 period_us);

#endif
