#include "trap.h"
#include "console.h"
#include "exit.h"
#include "smp.h"
#include "../../lib/x86.h"

static trap_handler_t handlers[TRAP_VECTORS];

/* The guest_expect_fault() in progress on each vCPU. */
struct expected_fault {
	bool armed;
	unsigned vector;
	struct fault_resume resume;
	struct trap_fault fault;
};
static struct expected_fault expected[GUEST_MAX_CPUS];

static const char *const vector_names[32] = {
	[VEC_DE] = "#DE", [VEC_DB] = "#DB", [VEC_NMI] = "NMI", [VEC_BP] = "#BP",
	[VEC_OF] = "#OF", [VEC_BR] = "#BR", [VEC_UD] = "#UD", [VEC_NM] = "#NM",
	[VEC_DF] = "#DF", [VEC_TS] = "#TS", [VEC_NP] = "#NP", [VEC_SS] = "#SS",
	[VEC_GP] = "#GP", [VEC_PF] = "#PF", [VEC_MF] = "#MF", [VEC_AC] = "#AC",
	[VEC_MC] = "#MC", [VEC_XM] = "#XM", [VEC_VE] = "#VE", [VEC_CP] = "#CP",
};

static const char *vector_name(u64 vector)
{
	if (vector < ARRAY_SIZE(vector_names) && vector_names[vector])
		return vector_names[vector];
	return vector < 32 ? "reserved" : "interrupt";
}

void trap_set_handler(unsigned vector, trap_handler_t handler)
{
	if (vector >= TRAP_VECTORS)
		panic("trap_set_handler: vector %u out of range", vector);
	handlers[vector] = handler;
}

bool guest_expect_fault(unsigned vector, void (*fn)(void), struct trap_fault *fault)
{
	struct expected_fault *expect = &expected[guest_cpu_index()];

	expect->vector = vector;
	expect->armed = true;
	if (fault_save(&expect->resume) == 0) {
		fn();
		expect->armed = false;
		return false;
	}
	/* Resumed by trap_dispatch(), which disarmed and filled expect->fault. */
	if (fault)
		*fault = expect->fault;
	return true;
}

/* Makes the trap return from guest_expect_fault()'s fault_save() with 1,
 * leaving fn's frames behind, as longjmp would. */
static void resume_expected(struct expected_fault *expect, struct trap_frame *tf)
{
	expect->armed = false;
	expect->fault = (struct trap_fault){
		.vector = (unsigned)tf->vector,
		.error_code = tf->error_code,
		.ip = trap_frame_ip(tf),
		.cr2 = read_cr2(),
		.cs = tf->cs,
		.flags = trap_frame_flags(tf),
	};
	trap_frame_resume(tf, &expect->resume);
}

static noreturn void unexpected(const struct trap_frame *tf)
{
	printf("guest: unexpected exception %u (%s) at CS:IP 0x%x:0x%llx, error code 0x%x, "
	       "CR2 0x%llx, SP 0x%llx\n", (unsigned)tf->vector, vector_name(tf->vector),
	       (unsigned)tf->cs, (unsigned long long)trap_frame_ip(tf), (unsigned)tf->error_code,
	       (unsigned long long)read_cr2(), (unsigned long long)trap_frame_sp(tf));
	guest_exit(GUEST_EXIT_EXCEPTION);
}

void trap_dispatch(struct trap_frame *tf)
{
	struct expected_fault *expect = &expected[guest_cpu_index()];

	if (expect->armed && tf->vector == expect->vector)
		resume_expected(expect, tf);
	else if (tf->vector < TRAP_VECTORS && handlers[tf->vector])
		handlers[tf->vector](tf);
	else
		unexpected(tf);
}
