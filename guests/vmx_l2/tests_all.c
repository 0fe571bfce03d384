/* vmx_l2's tests: every one, in the table order the report follows. */
#include "l2.h"

const struct l2_test l2_tests[] = {
	{ "cpuid", t_cpuid },
	{ "vmcall", t_vmcall },
	{ "hlt", t_hlt },
	{ "io-unconditional", t_io_unconditional },
	{ "io-bitmaps", t_io_bitmaps },
	{ "msr-intercepted", t_msr_intercepted },
	{ "msr-outside-ranges", t_msr_outside_ranges },
	{ "fs-base-passed", t_fs_base_passed },
	{ "fs-base-intercepted", t_fs_base_intercepted },
	{ "bad-controls", t_bad_controls },
	{ "bad-host", t_bad_host },
	{ "bad-guest", t_bad_guest },
	{ "bad-link", t_bad_link },
	{ "msr-load", t_msr_load },
	{ "launch-state", t_launch_state },
	{ "intr-exit", t_intr_exit },
	{ "intr-ack", t_intr_ack },
	{ "cr-owned", t_cr_owned },
	{ "cr-unowned", t_cr_unowned },
	{ "cr-fixed", t_cr_fixed },
	{ "cr3", t_cr3 },
	{ "exc-ud", t_exc_ud },
	{ "exc-pf", t_exc_pf },
	{ "intr-in-l2", t_intr_in_l2 },
	{ "hlt-in-l2", t_hlt_in_l2 },
	{ "msr-lists", t_msr_lists },
	{ "tsc-offset", t_tsc_offset },
};
const unsigned l2_test_count = sizeof(l2_tests) / sizeof(l2_tests[0]);
_Static_assert(sizeof(l2_tests) / sizeof(l2_tests[0]) <= L2_TESTS_MAX, "order[] holds them");
