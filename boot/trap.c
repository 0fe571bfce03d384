#include "trap.h"
#include "desc.h"
#include "../lib/msr.h"
#include "../lib/x86.h"
#include "../vmm/console.h"
#include "../vmm/param.h"
#include "../vmm/percpu.h"

#define BACKTRACE_MAX 16
#define EARLY_STACK_WINDOW KiB(64)	/* firmware stack: where frames may be */
#define EXCEPTION_VECTORS 32

static trap_handler_t handlers[IDT_VECTORS];

/* SDM Vol. 3, Table 6-1. */
static const char *const exception_names[EXCEPTION_VECTORS] = {
	[0] = "#DE divide error",		[1] = "#DB debug",
	[2] = "NMI",				[3] = "#BP breakpoint",
	[4] = "#OF overflow",			[5] = "#BR bound range exceeded",
	[6] = "#UD invalid opcode",		[7] = "#NM device not available",
	[8] = "#DF double fault",		[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",		[11] = "#NP segment not present",
	[12] = "#SS stack-segment fault",	[13] = "#GP general protection",
	[14] = "#PF page fault",		[16] = "#MF x87 floating-point error",
	[17] = "#AC alignment check",		[18] = "#MC machine check",
	[19] = "#XM SIMD floating-point",	[20] = "#VE virtualization exception",
	[21] = "#CP control protection",	[28] = "#HV hypervisor injection",
	[29] = "#VC VMM communication",		[30] = "#SX security exception",
};

/* Page-fault error code bits (SDM Vol. 3, Figure 4-12). */
#define PF_PRESENT BIT(0)
#define PF_WRITE BIT(1)
#define PF_USER BIT(2)
#define PF_RSVD BIT(3)
#define PF_FETCH BIT(4)
/* Selector error code bits (SDM Vol. 3, 6.13). */
#define SEL_ERR_EXT BIT(0)
#define SEL_ERR_IDT BIT(1)
#define SEL_ERR_TI BIT(2)

extern const char ImageBase[], _etext[];

void trap_set_handler(unsigned vector, trap_handler_t handler)
{
	if (vector >= EXCEPTION_VECTORS && vector < IDT_VECTORS)
		handlers[vector] = handler;
}

/* "nestvisor.efi+0x1234" for addresses in the image: feed the offset to
 * `addr2line -e build/nestvisor.so`. */
static const char *where(u64 addr, char *buf, size_t n)
{
	u64 base = ptr_to_phys(ImageBase);

	if (addr >= base && addr < ptr_to_phys(_etext))
		fmt_snprintf(buf, n, "nestvisor.efi+0x%lx", addr - base);
	else
		fmt_snprintf(buf, n, "0x%lx", addr);
	return buf;
}

static void describe_error_code(const struct trap_frame *tf)
{
	u64 e = tf->error_code;

	switch (tf->vector) {
	case 14:
		console_crash_line("error code 0x%lx: %s, %s, %s%s%s", e,
				   e & PF_PRESENT ? "protection violation" : "not present",
				   e & PF_FETCH ? "instruction fetch" : e & PF_WRITE ? "write" : "read",
				   e & PF_USER ? "user" : "supervisor",
				   e & PF_RSVD ? ", reserved bit set" : "", "");
		break;
	case 10: case 11: case 12: case 13: case 17: case 21:
		if (e)
			console_crash_line("error code 0x%lx: %s index %lu%s", e,
					   e & SEL_ERR_IDT ? "IDT" : e & SEL_ERR_TI ? "LDT" : "GDT",
					   e >> 3, e & SEL_ERR_EXT ? ", external event" : "");
		else
			console_crash_line("error code 0");
		break;
	case 8:
		console_crash_line("error code 0x%lx", e);
		break;
	default:
		break;
	}
}

static bool frame_ok(const struct percpu *cpu, u64 rbp, u64 rsp)
{
	bool guard;

	if (!rbp || !IS_ALIGNED(rbp, 8))
		return false;
	if (cpu)
		return percpu_stack_of(cpu, rbp, &guard) >= 0 && !guard &&
		       percpu_stack_of(cpu, rbp + 15, &guard) >= 0;
	return rbp >= rsp && rbp + 16 <= rsp + EARLY_STACK_WINDOW;
}

static void backtrace(const struct percpu *cpu, const struct trap_frame *tf)
{
	char line[BACKTRACE_MAX * 40] = "backtrace:", buf[32];
	size_t len = 10;
	u64 rbp = tf->rbp, prev = 0;
	unsigned repeats = 0;

	/* Recursion shows as one address with a count, not a wall of copies. */
	for (int i = 0; i < BACKTRACE_MAX && frame_ok(cpu, rbp, tf->rsp); i++) {
		const u64 *frame = phys_to_ptr(rbp);

		if (!frame[1])
			break;
		if (frame[1] == prev) {
			repeats++;
		} else {
			if (repeats)
				len += fmt_snprintf(line + len, sizeof(line) - len, " (x%u)", repeats + 1);
			len += fmt_snprintf(line + len, sizeof(line) - len, " %s",
					    where(frame[1], buf, sizeof(buf)));
			prev = frame[1];
			repeats = 0;
		}
		if (frame[0] <= rbp) /* frames go up the stack; anything else is garbage */
			break;
		rbp = frame[0];
	}
	if (repeats)
		fmt_snprintf(line + len, sizeof(line) - len, " (x%u or more)", repeats + 1);
	console_crash_line("%s", line);
}

static void stack_overflow_hint(const struct percpu *cpu, const struct trap_frame *tf)
{
	u64 cr2 = read_cr2();
	bool guard;
	int s;

	if (tf->vector != 8 && tf->vector != 14)
		return;
	for (unsigned i = 0; i < percpu_count(); i++) {
		const struct percpu *c = percpu_get(i);

		s = percpu_stack_of(c, cr2, &guard);
		if (s >= 0 && guard) {
			console_crash_line("stack overflow: CR2 0x%lx is in the guard page of cpu%u's %s stack%s",
					   cr2, c->cpu_id, percpu_stack_name(s),
					   c == cpu ? "" : " (another CPU's!)");
			return;
		}
	}
}

void crash_report(const char *title, const struct trap_frame *tf)
{
	const struct percpu *cpu = this_cpu();
	char b1[32];

	console_crash_begin();
	console_crash_line("===== CRASH: %s on cpu%u =====", title, this_cpu_id());
	describe_error_code(tf);
	console_crash_line("RIP %016lx %s  CS %lx  RFLAGS %lx", tf->rip,
			   where(tf->rip, b1, sizeof(b1)), tf->cs, tf->rflags);
	console_crash_line("RSP %016lx  SS %lx  CR2 %016lx", tf->rsp, tf->ss, read_cr2());
	console_crash_line("CR0 %016lx  CR3 %016lx  CR4 %016lx  EFER %lx", read_cr0(),
			   read_cr3(), read_cr4(), rdmsr(MSR_IA32_EFER));
	console_crash_line("RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx", tf->rax,
			   tf->rbx, tf->rcx, tf->rdx);
	console_crash_line("RSI %016lx  RDI %016lx  RBP %016lx  R8  %016lx", tf->rsi,
			   tf->rdi, tf->rbp, tf->r8);
	console_crash_line("R9  %016lx  R10 %016lx  R11 %016lx  R12 %016lx", tf->r9,
			   tf->r10, tf->r11, tf->r12);
	console_crash_line("R13 %016lx  R14 %016lx  R15 %016lx", tf->r13, tf->r14, tf->r15);
	backtrace(cpu, tf);
	stack_overflow_hint(cpu, tf);
	console_crash_end();
}

static const char *vector_title(unsigned v, char *buf, size_t n)
{
	if (v < EXCEPTION_VECTORS && exception_names[v])
		fmt_snprintf(buf, n, "%s (vector %u)", exception_names[v], v);
	else
		fmt_snprintf(buf, n, "unexpected %s vector %u",
			     v < EXCEPTION_VECTORS ? "reserved exception" : "interrupt", v);
	return buf;
}

void trap_dispatch(struct trap_frame *tf)
{
	unsigned v = tf->vector & 0xff;
	struct percpu *cpu;
	char title[64];

	if (handlers[v]) {
		handlers[v](tf);
		return;
	}
	/* A spurious interrupt needs no EOI and no handling (SDM Vol. 3, 11.9). */
	if (v == VECTOR_SPURIOUS)
		return;
	cpu = this_cpu();
	if (cpu)
		cpu->state = CPU_STOPPED;
	crash_report(vector_title(v, title, sizeof(title)), tf);
	console_crash_begin();
	console_crash_line("===== cpu%u stopped =====", this_cpu_id());
	console_crash_end();
	cpu_halt_forever();
}

void trap_capture(struct trap_frame *tf)
{
	__asm__ volatile("movq %%rax, 0(%0)\n\t"
			 "movq %%rbx, 8(%0)\n\t"
			 "movq %%rcx, 16(%0)\n\t"
			 "movq %%rdx, 24(%0)\n\t"
			 "movq %%rsi, 32(%0)\n\t"
			 "movq %%rdi, 40(%0)\n\t"
			 "movq %%rbp, 48(%0)\n\t"
			 "movq %%r8, 56(%0)\n\t"
			 "movq %%r9, 64(%0)\n\t"
			 "movq %%r10, 72(%0)\n\t"
			 "movq %%r11, 80(%0)\n\t"
			 "movq %%r12, 88(%0)\n\t"
			 "movq %%r13, 96(%0)\n\t"
			 "movq %%r14, 104(%0)\n\t"
			 "movq %%r15, 112(%0)\n\t"
			 "movq %%rsp, 160(%0)\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, 136(%0)\n\t"
			 :
			 : "r"(tf)
			 : "rax", "memory");
	__asm__ volatile("movq %%cs, %0" : "=r"(tf->cs));
	__asm__ volatile("movq %%ss, %0" : "=r"(tf->ss));
	tf->rflags = read_rflags();
}
_Static_assert(__builtin_offsetof(struct trap_frame, rbp) == 48 &&
	       __builtin_offsetof(struct trap_frame, r15) == 112 &&
	       __builtin_offsetof(struct trap_frame, rip) == 136 &&
	       __builtin_offsetof(struct trap_frame, rsp) == 160,
	       "trap_capture stores by these offsets");
