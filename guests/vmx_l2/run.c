/* Running L2 until its next VM exit: VMLAUNCH or VMRESUME with L2's
 * registers loaded, and the host RIP's stub that saves them and returns
 * to C as if l2_enter() had returned (SDM Vol. 3C 28.5: a VM exit loads
 * RSP and RIP from the host-state area, nothing else of the GPRs). */
#include "l2.h"
#include "../../lib/fmt.h"

#define WORDS_SIZE 200

void l2_restore_dtr_limits(void);

#define OFF(r) [r] "i"(offsetof(struct l2_regs, r))

/* Returns 0 after a VM exit, else RFLAGS after the failed VMLAUNCH or
 * VMRESUME (bit 1 is always set, so never 0). The callee-saved registers
 * and the regs pointer are pushed; HOST_RSP points at the pointer. */
static u64 l2_enter(struct l2_regs *regs, bool launch)
{
	u64 result;

	__asm__ volatile(
		"push %%rbx\n\tpush %%rbp\n\tpush %%r12\n\t"
		"push %%r13\n\tpush %%r14\n\tpush %%r15\n\t"
		"push %%rdi\n\t"
		"mov %[host_rsp], %%rax\n\t"
		"vmwrite %%rsp, %%rax\n\t"
		"cmpb $0, %%sil\n\t"
		/* MOVs leave the flags of the CMP alone. */
		"mov %c[rax](%%rdi), %%rax\n\tmov %c[rcx](%%rdi), %%rcx\n\t"
		"mov %c[rdx](%%rdi), %%rdx\n\tmov %c[rbx](%%rdi), %%rbx\n\t"
		"mov %c[rbp](%%rdi), %%rbp\n\tmov %c[rsi](%%rdi), %%rsi\n\t"
		"mov %c[r8](%%rdi), %%r8\n\tmov %c[r9](%%rdi), %%r9\n\t"
		"mov %c[r10](%%rdi), %%r10\n\tmov %c[r11](%%rdi), %%r11\n\t"
		"mov %c[r12](%%rdi), %%r12\n\tmov %c[r13](%%rdi), %%r13\n\t"
		"mov %c[r14](%%rdi), %%r14\n\tmov %c[r15](%%rdi), %%r15\n\t"
		"mov %c[rdi](%%rdi), %%rdi\n\t"
		"jz 1f\n\t"
		"vmlaunch\n\t"
		"jmp 2f\n"
		"1:\tvmresume\n"
		"2:\tpushfq\n\t"
		"pop %%rax\n\t"
		"jmp 3f\n"
		".globl l2_host_rip\n"
		"l2_host_rip:\n\t"
		"push %%rdi\n\t"
		"mov 8(%%rsp), %%rdi\n\t"
		"mov %%rax, %c[rax](%%rdi)\n\tmov %%rcx, %c[rcx](%%rdi)\n\t"
		"mov %%rdx, %c[rdx](%%rdi)\n\tmov %%rbx, %c[rbx](%%rdi)\n\t"
		"mov %%rbp, %c[rbp](%%rdi)\n\tmov %%rsi, %c[rsi](%%rdi)\n\t"
		"mov %%r8, %c[r8](%%rdi)\n\tmov %%r9, %c[r9](%%rdi)\n\t"
		"mov %%r10, %c[r10](%%rdi)\n\tmov %%r11, %c[r11](%%rdi)\n\t"
		"mov %%r12, %c[r12](%%rdi)\n\tmov %%r13, %c[r13](%%rdi)\n\t"
		"mov %%r14, %c[r14](%%rdi)\n\tmov %%r15, %c[r15](%%rdi)\n\t"
		"pop %%rax\n\t"
		"mov %%rax, %c[rdi](%%rdi)\n\t"
		"xor %%eax, %%eax\n"
		"3:\tadd $8, %%rsp\n\t"
		"pop %%r15\n\tpop %%r14\n\tpop %%r13\n\t"
		"pop %%r12\n\tpop %%rbp\n\tpop %%rbx"
		: "=a"(result), "+D"(regs), "+S"(launch)
		: [host_rsp] "i"(VMCS_HOST_RSP), OFF(rax), OFF(rcx), OFF(rdx), OFF(rbx), OFF(rbp),
		  OFF(rsi), OFF(rdi), OFF(r8), OFF(r9), OFF(r10), OFF(r11), OFF(r12), OFF(r13),
		  OFF(r14), OFF(r15)
		: "rcx", "rdx", "r8", "r9", "r10", "r11", "memory", "cc");
	return result;
}

struct l2_exit l2_run(bool launch)
{
	struct l2_exit e = { 0 };
	u64 r = l2_enter(&l2_regs, launch);

	l2_restore_dtr_limits();
	if (r) {
		e.fail = vmx_outcome_of(r);
		if (e.fail == VMX_FAIL_VALID)
			e.error = vmx_instruction_error();
		return e;
	}
	e.entered = true;
	e.reason = (u32)vmcs_read(VMCS_VM_EXIT_REASON);
	e.qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
	e.rip = vmcs_read(VMCS_GUEST_RIP);
	e.len = vmcs_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
	e.intr_info = vmcs_read(VMCS_VM_EXIT_INTR_INFO);
	return e;
}

struct l2_exit l2_skip_and_resume(const struct l2_exit *e)
{
	vmcs_write(VMCS_GUEST_RIP, e->rip + e->len);
	return l2_resume();
}

void exit_words(const struct l2_exit *e, char *buf, size_t n)
{
	if (!e->entered) {
		vmx_outcome_words(buf, n, e->fail, e->error, 0, 0, 0);
		return;
	}
	fmt_snprintf(buf, n, "exit reason 0x%x (%s), qualification 0x%llx, length %llu, "
		     "interruption info 0x%llx", e->reason,
		     vmx_exit_reason_name(e->reason & 0xffff),
		     (unsigned long long)e->qualification, (unsigned long long)e->len,
		     (unsigned long long)e->intr_info);
}

/* What e is, and for an exit how far RIP is from the one wanted: the words after "expected ..., got" on a FAIL line. */
static void got_words(const struct l2_exit *e, const void *rip, char *buf, size_t n)
{
	size_t used;

	exit_words(e, buf, n);
	used = strlen(buf);
	if (e->entered && rip && e->rip != (u64)rip && used < n)
		fmt_snprintf(buf + used, n - used, ", RIP %s by %lld", e->rip > (u64)rip ?
			     "after" : "before", (long long)(e->rip > (u64)rip ?
			     e->rip - (u64)rip : (u64)rip - e->rip));
}

bool check_exit(const struct l2_exit *e, u32 reason, const void *rip, int len,
		const char *fmt, ...)
{
	char what[WORDS_SIZE], got[WORDS_SIZE];
	va_list ap;
	bool ok = e->entered && e->reason == reason && (!rip || e->rip == (u64)rip) &&
		  (len < 0 || e->len == (u64)len);

	va_start(ap, fmt);
	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ok)
		return res(true, "%s", what);
	got_words(e, rip, got, sizeof(got));
	return res(false, "%s: got %s", what, got);
}

bool check_fail(const struct l2_exit *e, u32 error, const char *fmt, ...)
{
	char what[WORDS_SIZE], got[WORDS_SIZE];
	va_list ap;
	bool ok = !e->entered && e->fail == VMX_FAIL_VALID && e->error == error;

	va_start(ap, fmt);
	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (ok)
		return res(true, "%s: VMfailValid(%u)", what, error);
	exit_words(e, got, sizeof(got));
	return res(false, "%s: VMfailValid(%u) expected, got %s", what, error, got);
}
