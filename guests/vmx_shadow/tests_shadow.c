/* vmx_shadow's tests (shadow.h), in the table order the report follows. */
#include "shadow.h"

const struct l2_test l2_tests[] = {
	{ "mode", t_shadow_mode },
	{ "read-loops", t_read_loops },
	{ "write-loops", t_write_loops },
	{ "resume", t_resume },
	{ "read-sweep", t_read_sweep },
	{ "write-sweep", t_write_sweep },
	{ "vmptrld", t_vmptrld },
	{ "insn-error", t_insn_error },
};
const unsigned l2_test_count = sizeof(l2_tests) / sizeof(l2_tests[0]);
_Static_assert(sizeof(l2_tests) / sizeof(l2_tests[0]) <= L2_TESTS_MAX, "order[] holds them");
