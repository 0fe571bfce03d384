#include "vmcs12.h"

#define LOW32 0xffffffffull

bool vmcs12_read(const struct vmcs12 *v, u32 enc, u64 *value)
{
	int row = vmcs_field_row(enc);

	if (row < 0)
		return false;
	*value = vmcs_field_is_high(enc) ? v->field[row] >> 32 : v->field[row];
	return true;
}

/* What VMWRITE of value to enc leaves in its row's slot f. */
static void store(u64 *f, u32 enc, u64 value)
{
	switch (vmcs_field_width(enc)) {
	case VMCS_WIDTH_16:
		*f = value & 0xffff;
		break;
	case VMCS_WIDTH_32:
		*f = value & LOW32;
		break;
	case VMCS_WIDTH_64:
		*f = vmcs_field_is_high(enc) ? (*f & LOW32) | (value << 32) : value;
		break;
	case VMCS_WIDTH_NATURAL:
		*f = value;
		break;
	}
}

bool vmcs12_write(struct vmcs12 *v, u32 enc, u64 value)
{
	int row = vmcs_field_row(enc);

	if (row < 0)
		return false;
	store(&v->field[row], enc, value);
	return true;
}

void vmcs12_set_row(struct vmcs12 *v, unsigned row, u64 value)
{
	store(&v->field[row], vmcs_field_at(row)->encoding, value);
}
