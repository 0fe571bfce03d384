/* What the tests share (shadow.h): their start, and what an access
 * should cost, from the field's shadow class in vmx/vmcs_fields.def and
 * the mode, never from a list of our own. */
#include "shadow.h"

bool shadow_begin(const void *l2, bool *on)
{
	if (env.bare) {
		res_skip("running bare: no nestvisor to count exits");
		return false;
	}
	*on = shadow_mode();
	if (l2)
		l2_prepare(l2);
	return true;
}

unsigned shadow_exits_per_access(u32 enc, bool on)
{
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	if (!on || !f)
		return 1;
	switch (f->shadow) {
	case VMCS_SHADOW_RW:
		return 0;
	case VMCS_SHADOW_RO:
		return env.f.vmwrite_any ? 0 : 1;
	case VMCS_SHADOW_NONE:
		return 1;
	}
	return 1;
}

const char *shadow_exits_words(u32 enc)
{
	return shadow_exits_per_access(enc, true) ?
		"one exit each, shadowing or not" :
		"exits as the mode demands (none with shadowing, one each without)";
}

u64 shadow_field_value(u32 enc, u64 v)
{
	if (vmcs_field_is_high(enc))
		return (u32)v;
	switch (vmcs_field_width(enc)) {
	case VMCS_WIDTH_16:
		return (u16)v;
	case VMCS_WIDTH_32:
		return (u32)v;
	case VMCS_WIDTH_64:
	case VMCS_WIDTH_NATURAL:
		return v;
	}
	return v;
}
