/* VMCS field encodings: the fields named in vmcs_fields.def, and what the
 * bits of an encoding say about a field (SDM Vol. 3C 25.11.2, "VMREAD,
 * VMWRITE, and Encodings of VMCS Fields"). Width, type, index and
 * read-only-ness are computed from the encoding, never stored.
 * Pure: no VMX instructions; compiles unchanged in the host tests. */
#ifndef VMX_VMCS_FIELD_H
#define VMX_VMCS_FIELD_H

#include "../lib/types.h"

/* The structure of a VMCS component encoding (SDM 25.11.2). */
#define VMCS_ENC_HIGH		BIT(0)		/* access type: 0 full, 1 high */
#define VMCS_ENC_INDEX_SHIFT	1		/* bits 9:1 */
#define VMCS_ENC_INDEX_MASK	0x1ffu
#define VMCS_ENC_TYPE_SHIFT	10		/* bits 11:10 */
#define VMCS_ENC_TYPE_MASK	0x3u
#define VMCS_ENC_WIDTH_SHIFT	13		/* bits 14:13 */
#define VMCS_ENC_WIDTH_MASK	0x3u
/* Bit 12 and bits 31:15 are reserved; VMREAD/VMWRITE take a 64-bit
 * register in 64-bit mode and bits 63:32 must be 0 as well. */
#define VMCS_ENC_RESERVED	(BIT(12) | 0xffffffffffff8000ull)

/* Bits 14:13 of an encoding. */
enum vmcs_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3,
};

/* Bits 11:10 of an encoding. */
enum vmcs_type {
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_READ_ONLY = 1,	/* "VM-exit information" / read-only data */
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

/* What L1 may do with a field without a VM exit when VMCS shadowing is
 * on; vmcs_fields.def says which field is in which class and why. */
enum vmcs_shadow {
	VMCS_SHADOW_NONE,
	VMCS_SHADOW_RO,
	VMCS_SHADOW_RW,
};

/* VMCS_<NAME> is the field's encoding (the FULL one for 64-bit fields;
 * VMCS_<NAME> | VMCS_ENC_HIGH is the high half). */
enum vmcs_field {
#define VMCS_FIELD(name, enc, shadow) VMCS_##name = (enc),
#include "vmcs_fields.def"
};

/* Number of rows in vmcs_fields.def (64-bit fields count once). */
enum {
#define VMCS_FIELD(name, enc, shadow) + 1
	VMCS_FIELD_COUNT = 0
#include "vmcs_fields.def"
};

/* One row of vmcs_fields.def. */
struct vmcs_field_info {
	u32 encoding;			/* FULL encoding for 64-bit fields */
	enum vmcs_shadow shadow;
	const char *name;		/* "GUEST_RIP" */
	const char *name_high;		/* "GUEST_IA32_EFER_HIGH"; NULL unless 64-bit */
};

/* The width the encoding's bits 14:13 give. */
static inline enum vmcs_width vmcs_field_width(u32 enc)
{
	return (enum vmcs_width)((enc >> VMCS_ENC_WIDTH_SHIFT) & VMCS_ENC_WIDTH_MASK);
}

/* The type the encoding's bits 11:10 give. */
static inline enum vmcs_type vmcs_field_type(u32 enc)
{
	return (enum vmcs_type)((enc >> VMCS_ENC_TYPE_SHIFT) & VMCS_ENC_TYPE_MASK);
}

/* Whether the encoding names the high 32 bits of a 64-bit field (bit 0). */
static inline bool vmcs_field_is_high(u32 enc)
{
	return enc & VMCS_ENC_HIGH;
}

/* The index, bits 9:1: what IA32_VMX_VMCS_ENUM bounds (SDM A.9). */
static inline unsigned vmcs_field_index(u32 enc)
{
	return (enc >> VMCS_ENC_INDEX_SHIFT) & VMCS_ENC_INDEX_MASK;
}

/* Whether the field is read-only data, which VMWRITE refuses with error 13
 * unless IA32_VMX_MISC bit 29 is set (SDM 31.3 VMWRITE, A.6). */
static inline bool vmcs_field_read_only(u32 enc)
{
	return vmcs_field_type(enc) == VMCS_TYPE_READ_ONLY;
}

/* Whether no reserved bit of a VMREAD/VMWRITE operand is set: bit 12 and
 * bits 63:15 are 0. Says nothing about whether such a field exists. */
static inline bool vmcs_encoding_valid(u64 enc)
{
	return !(enc & VMCS_ENC_RESERVED);
}

/* The row for enc, which may be a 64-bit field's FULL or HIGH encoding;
 * NULL if vmcs_fields.def has no such field. */
const struct vmcs_field_info *vmcs_field_lookup(u32 enc);

/* Whether enc is a field of vmcs_fields.def or the HIGH half of a 64-bit one. */
bool vmcs_field_known(u32 enc);

/* "GUEST_RIP"; "GUEST_IA32_EFER_HIGH" for a high half; NULL if unknown. */
const char *vmcs_field_name(u32 enc);

/* Row i of vmcs_fields.def for i < VMCS_FIELD_COUNT, in encoding order;
 * NULL past the end, so "for (i = 0; (f = vmcs_field_at(i)); i++)" works. */
const struct vmcs_field_info *vmcs_field_at(unsigned i);

/* The row of vmcs_fields.def that holds enc (FULL or HIGH encoding), from
 * 0 to VMCS_FIELD_COUNT - 1; -1 if there is none. */
int vmcs_field_row(u32 enc);

/* The highest index (bits 9:1) of any field in vmcs_fields.def: the value
 * for bits 9:1 of an emulated IA32_VMX_VMCS_ENUM (SDM A.9). */
unsigned vmcs_field_max_index(void);

/* "16-bit", "64-bit", "32-bit", "natural-width". */
const char *vmcs_width_name(enum vmcs_width w);
/* "control", "read-only data", "guest-state", "host-state". */
const char *vmcs_type_name(enum vmcs_type t);
/* "none", "read-only", "read/write". */
const char *vmcs_shadow_name(enum vmcs_shadow s);

#endif
