/* Finding the processors in the ACPI MADT (ACPI 6.5, 5.2.12 "Multiple APIC
 * Description Table"). Pure: tables are read through phys_to_ptr(). */
#ifndef APIC_MADT_H
#define APIC_MADT_H

#include "../lib/types.h"

struct madt_cpu {
	u32 apic_id;	/* local APIC ID (x2APIC ID for type 9 entries) */
	bool enabled;	/* false: online-capable, not started by firmware */
};

/* Follows the RSDP (checksums validated; XSDT when revision >= 2 and its
 * address non-zero, else RSDT) to the "APIC" table and lists processor
 * entries (type 0 Processor Local APIC, type 9 Processor Local x2APIC;
 * flags bit 0 enabled, bit 1 online-capable counts as present-but-disabled;
 * an entry with neither bit, or repeating an APIC ID, is left out). Returns
 * the count (at most cap; further entries are dropped and counted in
 * *ignored if ignored is non-NULL), or -1 with *why set ("no RSDP", "RSDP
 * checksum bad", "no MADT in the XSDT", "MADT entry length bad", "no
 * processors in the MADT", ...); *why is NULL on success. */
int madt_find_cpus(phys_addr_t rsdp, struct madt_cpu *out, unsigned cap,
		   unsigned *ignored, const char **why);

#endif
