#include "vmcs_field.h"

/* Every row is a well-formed FULL encoding: no reserved bit set (SDM
 * 25.11.2), and access type 0, which 16-bit, 32-bit and natural-width
 * fields require and 64-bit rows use by convention of the .def. */
#define VMCS_FIELD(name, enc, shadow)					\
	_Static_assert(((enc) & (VMCS_ENC_HIGH | VMCS_ENC_RESERVED)) == 0,	\
		       #name ": encoding has access type HIGH or a reserved bit");
#include "vmcs_fields.def"

#define IS_64BIT(enc) ((((enc) >> VMCS_ENC_WIDTH_SHIFT) & VMCS_ENC_WIDTH_MASK) == VMCS_WIDTH_64)

static const struct vmcs_field_info vmcs_fields[VMCS_FIELD_COUNT] = {
#define VMCS_FIELD(name, enc, shadow)					\
	{ (enc), VMCS_##shadow, #name, IS_64BIT(enc) ? #name "_HIGH" : NULL },
#include "vmcs_fields.def"
};

/* Binary search over the rows, which the .def keeps in ascending encoding
 * order (checked by test/host/test_vmcs_fields.c). */
static const struct vmcs_field_info *find_full(u32 enc)
{
	unsigned lo = 0, hi = VMCS_FIELD_COUNT;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (vmcs_fields[mid].encoding == enc)
			return &vmcs_fields[mid];
		if (vmcs_fields[mid].encoding < enc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct vmcs_field_info *vmcs_field_lookup(u32 enc)
{
	const struct vmcs_field_info *f = find_full(enc & ~(u32)VMCS_ENC_HIGH);

	/* Only a 64-bit field has a HIGH half (SDM 25.11.2). */
	if (f && vmcs_field_is_high(enc) && vmcs_field_width(enc) != VMCS_WIDTH_64)
		return NULL;
	return f;
}

bool vmcs_field_known(u32 enc)
{
	return vmcs_field_lookup(enc) != NULL;
}

const char *vmcs_field_name(u32 enc)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	if (!f)
		return NULL;
	return vmcs_field_is_high(enc) ? f->name_high : f->name;
}

const struct vmcs_field_info *vmcs_field_at(unsigned i)
{
	return i < VMCS_FIELD_COUNT ? &vmcs_fields[i] : NULL;
}

int vmcs_field_row(u32 enc)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	return f ? (int)(f - vmcs_fields) : -1;
}

unsigned vmcs_field_max_index(void)
{
	unsigned i, max = 0;

	for (i = 0; i < VMCS_FIELD_COUNT; i++)
		max = MAX(max, vmcs_field_index(vmcs_fields[i].encoding));
	return max;
}

const char *vmcs_width_name(enum vmcs_width w)
{
	static const char *const names[] = {
		[VMCS_WIDTH_16] = "16-bit",
		[VMCS_WIDTH_64] = "64-bit",
		[VMCS_WIDTH_32] = "32-bit",
		[VMCS_WIDTH_NATURAL] = "natural-width",
	};

	return (unsigned)w < ARRAY_SIZE(names) ? names[w] : "?";
}

const char *vmcs_type_name(enum vmcs_type t)
{
	static const char *const names[] = {
		[VMCS_TYPE_CONTROL] = "control",
		[VMCS_TYPE_READ_ONLY] = "read-only data",
		[VMCS_TYPE_GUEST] = "guest-state",
		[VMCS_TYPE_HOST] = "host-state",
	};

	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "?";
}

const char *vmcs_shadow_name(enum vmcs_shadow s)
{
	static const char *const names[] = {
		[VMCS_SHADOW_NONE] = "none",
		[VMCS_SHADOW_RO] = "read-only",
		[VMCS_SHADOW_RW] = "read/write",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}
