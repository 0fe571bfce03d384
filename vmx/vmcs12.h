/* vmcs12: the VMCS an L1 hypervisor sees, kept in nestvisor's memory while
 * it is current and written back to L1's VMCS region (SDM 25.2: the region's
 * format beyond its first 8 bytes is the implementation's). The layout is
 * derived from the one field table, vmx/vmcs_fields.def: one 64-bit slot per
 * row, in the table's order. Pure: host-tested (test/host/test_vmcs12.c).
 *
 * Widths follow SDM 25.11.2: a 16- or 32-bit field keeps the low bits of
 * what is written; a 64-bit field's HIGH encoding reads and writes its upper
 * 32 bits only; natural-width fields are 64 bits on a 64-bit CPU. */
#ifndef VMX_VMCS12_H
#define VMX_VMCS12_H

#include "vmcs_field.h"

enum vmcs12_launch_state {
	VMCS12_CLEAR = 0,
	VMCS12_LAUNCHED = 1,
};

struct vmcs12 {
	u32 revision;			/* bits 30:0 revision id, bit 31 shadow-VMCS indicator */
	u32 abort;			/* VMX-abort indicator (SDM 25.2) */
	u32 launch_state;		/* enum vmcs12_launch_state */
	u32 reserved;
	u64 field[VMCS_FIELD_COUNT];	/* row i of vmcs_fields.def */
};
_Static_assert(__builtin_offsetof(struct vmcs12, revision) == 0 &&
	       __builtin_offsetof(struct vmcs12, abort) == 4,
	       "the revision id and abort indicator are where the SDM puts them");
_Static_assert(__builtin_offsetof(struct vmcs12, field) == 16, "fields after the header");
_Static_assert(sizeof(struct vmcs12) <= 4096, "a vmcs12 fits one VMCS region");

/* The value VMREAD gives for enc (FULL or HIGH), before it is cut to the
 * operand size; false if vmcs_fields.def has no such field. */
bool vmcs12_read(const struct vmcs12 *v, u32 enc, u64 *value);

/* Stores what VMWRITE of value to enc leaves in the field; false if
 * vmcs_fields.def has no such field. Read-only-ness is the caller's rule. */
bool vmcs12_write(struct vmcs12 *v, u32 enc, u64 value);

/* Row `row` of vmcs_fields.def (< VMCS_FIELD_COUNT) by its place, for
 * loops over the table that need no lookup: its value as VMREAD of the
 * FULL encoding gives it, and VMWRITE of value to the FULL encoding. */
static inline u64 vmcs12_row(const struct vmcs12 *v, unsigned row)
{
	return v->field[row];
}
void vmcs12_set_row(struct vmcs12 *v, unsigned row, u64 value);

#endif
