#include "trap.h"
#include "console.h"
#include "exit.h"
#include "smp.h"
#include "../../lib/x86.h"

/* A 64-bit interrupt gate (SDM Vol. 3, 6.14.1, Figure 6-8). */
struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gates are 16 bytes");

#define GATE_PRESENT 0x80
#define GATE_INTERRUPT64 0x0e	/* clears RFLAGS.IF on entry */

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

/* From isr.asm: TRAP_VECTORS entry stubs, TRAP_STUB_SIZE bytes each. */
extern const u8 isr_stubs[];

static struct idt_gate idt[TRAP_VECTORS] __aligned(16);
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

void trap_init(void)
{
	u16 cs;

	/* The gates use whatever code segment the start code runs us in. */
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		u64 addr = (u64)&isr_stubs[v * TRAP_STUB_SIZE];

		idt[v] = (struct idt_gate){
			.offset_lo = (u16)addr,
			.selector = cs,
			.type_attr = GATE_PRESENT | GATE_INTERRUPT64,
			.offset_mid = (u16)(addr >> 16),
			.offset_hi = (u32)(addr >> 32),
		};
	}
}

void trap_load(void)
{
	struct idt_ptr ptr = { .limit = sizeof(idt) - 1, .base = (u64)idt };

	__asm__ volatile("lidt %0" ::"m"(ptr));
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
	const struct fault_resume *r = &expect->resume;

	expect->armed = false;
	expect->fault = (struct trap_fault){
		.vector = (unsigned)tf->vector,
		.error_code = tf->error_code,
		.rip = tf->rip,
		.cr2 = read_cr2(),
	};
	tf->rbx = r->rbx;
	tf->rbp = r->rbp;
	tf->r12 = r->r12;
	tf->r13 = r->r13;
	tf->r14 = r->r14;
	tf->r15 = r->r15;
	tf->rsp = r->rsp;
	tf->rip = r->rip;
	tf->rax = 1;
}

static noreturn void unexpected(const struct trap_frame *tf)
{
	printf("guest: unexpected exception %lu (%s) at RIP 0x%lx, error code 0x%lx, "
	       "CR2 0x%lx, RSP 0x%lx\n", tf->vector, vector_name(tf->vector),
	       tf->rip, tf->error_code, read_cr2(), tf->rsp);
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
