/* Pure local APIC helpers: register numbering across xAPIC and x2APIC,
 * field encodings, and register values in words for diagnostics. */
#ifndef APIC_LAPIC_DECODE_H
#define APIC_LAPIC_DECODE_H

#include "../lib/types.h"

/* The x2APIC MSR of xAPIC register offset reg: 0x800 + reg/16 (SDM
 * 11.12.1.2 / 12.12.1.2). Panics for APIC_ICR_HI and APIC_DFR, which have
 * no MSR, and for offsets that are not registers. */
u32 x2apic_msr(u32 xapic_reg);

/* The number of LVT entries: VERSION bits 23:16 + 1 (SDM 11.4.8). */
unsigned lapic_max_lvt(u32 version_reg);

/* The Divide Configuration Register value for divisor 1, 2, 4, ..., 128;
 * panics on any other divisor. */
u32 lapic_timer_div_encode(unsigned divisor);

/* The ICR for an IPI to dest_apic_id. x2APIC: dest << 32 | icr_lo, written
 * as one MSR. xAPIC: the upper half is the ICR_HI value (dest << 24; dest
 * must fit in 8 bits), the lower half icr_lo. */
u64 lapic_icr_compose(u32 dest_apic_id, u32 icr_lo, bool x2apic);

/* The functions below write snprintf-style (NUL-terminated when n > 0,
 * returning the full length) into buf. */

/* SPIV, e.g. "0x1ff (software-enabled, spurious vector 0xff)". */
int lapic_describe_spiv(u32 v, char *buf, size_t n);
/* An LVT entry, e.g. "0x10000 (masked, vector 0x0, fixed)"; timer modes
 * (periodic, TSC-deadline) are shown whenever their bits are set. */
int lapic_describe_lvt(u32 v, char *buf, size_t n);
/* ESR: the names of the set error bits, or "no errors". */
int lapic_describe_esr(u32 v, char *buf, size_t n);

#endif
