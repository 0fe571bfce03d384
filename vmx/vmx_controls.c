#include "vmx_controls.h"

bool vmx_adjust_controls(u64 cap, u32 required, u32 optional, u32 *out, u32 *missing)
{
	u32 must_be_1 = (u32)cap, may_be_1 = (u32)(cap >> 32);

	*missing = required & ~may_be_1;
	*out = must_be_1 | ((required | optional) & may_be_1);
	return !*missing;
}
