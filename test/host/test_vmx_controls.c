/* vmx/vmx_controls.c: fitting control requests to a capability MSR. */
#include "harness.h"
#include "../../vmx/vmx_controls.h"

/* Bochs tigerlake's TRUE pin-based controls: must-be-1 bits 1, 2, 4;
 * allowed-1 0x7f. */
#define PIN_CAP 0x0000007f00000016ull

static const struct {
	u64 cap;
	u32 required, optional;
	bool ok;
	u32 out, missing;
	const char *what;
} cases[] = {
	{ PIN_CAP, PIN_EXTERNAL_INTERRUPT_EXITING, 0, true, 0x17, 0,
	  "required bit allowed: must-be-1 bits added" },
	{ PIN_CAP, 0, PIN_PREEMPTION_TIMER | BIT(7), true, 0x56, 0,
	  "optional bits taken only where allowed" },
	{ PIN_CAP, BIT(7) | PIN_NMI_EXITING, 0, false, 0x1e, BIT(7),
	  "an impossible required bit is refused and named" },
	{ 0, 0, 0, true, 0, 0, "nothing required, nothing allowed: zero" },
	{ 0xffffffff00000000ull, 0, 0, true, 0, 0, "allowed but not asked for: left 0" },
};

void run_tests(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		u32 out = ~0u, missing = ~0u;
		bool ok = vmx_adjust_controls(cases[i].cap, cases[i].required, cases[i].optional,
					      &out, &missing);

		report(ok == cases[i].ok && out == cases[i].out && missing == cases[i].missing,
		       "%s (out 0x%x, missing 0x%x)", cases[i].what, out, missing);
	}
}
