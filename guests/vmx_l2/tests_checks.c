/* vmx_l2_checks: the cases in which VMLAUNCH fails its checks (controls,
 * host state, guest state, the VMCS link pointer), so no L2 ever runs:
 * what nestvisor emulates before it runs L2 guests (docs/nested.md). */
#include "l2.h"

const struct l2_test l2_tests[] = {
	{ "bad-controls", t_bad_controls },
	{ "bad-host", t_bad_host },
	{ "bad-guest", t_bad_guest },
	{ "bad-link", t_bad_link },
};
const unsigned l2_test_count = sizeof(l2_tests) / sizeof(l2_tests[0]);
