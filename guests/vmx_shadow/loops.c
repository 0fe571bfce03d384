/* VMREAD and VMWRITE in loops of a few fields of each shadow class, and a
 * real L2 exit read and resumed through them (shadow.h): the values L1
 * reads, and nestvisor's exits for them. */
#include "shadow.h"
#include "../../lib/fmt.h"

#define LOOPS 64
#define RFLAGS_FIXED1 BIT(1)		/* RFLAGS bit 1 is always 1 */
#define DR7_INIT 0x400			/* what vmcs12.c gives L2 */
#define CPUID_LEN 2
#define VMCALL_LEN 3
#define WORDS_SIZE 96

/* A field and the value L1 should read from it. */
struct sample {
	u32 enc;
	u64 want;
};

static u16 read_cs(void)
{
	u16 cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

/* ", last read 0x.., wanted 0x.." when wrong, else "". */
static const char *mismatch_words(char *buf, unsigned wrong, u64 got, u64 want)
{
	if (!wrong)
		return "";
	fmt_snprintf(buf, WORDS_SIZE, " (%u wrong, last 0x%llx, wanted 0x%llx)", wrong,
		     (unsigned long long)got, (unsigned long long)want);
	return buf;
}

/* The exits check and its INFO line, for LOOPS accesses (insn) of enc. */
static void exits_line(u32 enc, const char *insn, u64 exits, bool on)
{
	const char *name = vmcs_field_name(enc);
	const struct vmcs_field_info *f = vmcs_field_lookup(enc);

	res(exits == LOOPS * shadow_exits_per_access(enc, on), "%u %ss of %s: %s", LOOPS, insn,
	    name, shadow_exits_words(enc));
	res_info("%u %ss of %s (%s): %llu nestvisor exits, %s", LOOPS, insn, name,
		 vmcs_shadow_name(f->shadow), (unsigned long long)exits, shadow_mode_name(on));
}

void t_shadow_mode(void)
{
	u64 nested, first, second;
	bool on;

	if (!shadow_begin(NULL, &on))
		return;
	nested = nv_hypercall(NV_HC_NESTED, 0, 0);
	res(nested != NV_HC_ERROR && (nested & NV_NESTED_OFFERED),
	    "hypercall 5: nestvisor offers this vCPU VMX");
	res_info("VMCS %s (hypercall 5: 0x%llx)", shadow_mode_name(on), (unsigned long long)nested);
	/* Each hypercall is counted after it has answered. */
	first = nv_exits(EXIT_REASON_VMCALL);
	second = nv_exits(EXIT_REASON_VMCALL);
	res(second - first == 1, "hypercall 4 counts exits by reason: two VMCALLs in a row differ by one");
	/* nestvisor uses shadowing for L1; it does not offer it (docs/nested.md). */
	res(!env.f.shadowing, "L1 is not offered VMCS shadowing for its own guests");
}

/* LOOPS VMREADs of s->enc, each must read s->want. */
static void read_loop(const struct sample *s, bool on)
{
	const char *name = vmcs_field_name(s->enc);
	u64 before = nv_exits(EXIT_REASON_VMREAD), exits, v = 0;
	unsigned wrong = 0;
	char words[WORDS_SIZE];

	for (unsigned i = 0; i < LOOPS; i++)
		if (vmx_outcome_of(vmx_vmread(s->enc, &v)) != VMX_SUCCEED || v != s->want)
			wrong++;
	exits = nv_exits(EXIT_REASON_VMREAD) - before;
	res(!wrong, "%u VMREADs of %s read the value L2's CPUID exit left%s", LOOPS, name,
	    mismatch_words(words, wrong, v, s->want));
	exits_line(s->enc, "VMREAD", exits, on);
}

/* VMLAUNCH of L2 at l2_cpuid (shadow_begin() prepared it): whether its
 * CPUID exited to L1 as it should. */
static bool launch_cpuid(void)
{
	struct l2_exit e = l2_launch();

	return check_exit(&e, EXIT_REASON_CPUID, l2_cpuid, CPUID_LEN,
			  "L2's CPUID exits to L1 (reason 10, length 2)");
}

void t_read_loops(void)
{
	bool on;

	if (!shadow_begin(l2_cpuid, &on))
		return;
	if (launch_cpuid()) {
		/* Guest state (SHADOW_RW), exit information (SHADOW_RO), and
		 * a field no class shadows (SHADOW_NONE). */
		const struct sample samples[] = {
			{ VMCS_GUEST_RIP, (u64)l2_cpuid },
			{ VMCS_GUEST_RFLAGS, RFLAGS_FIXED1 },
			{ VMCS_GUEST_CR0, read_cr0() },
			{ VMCS_GUEST_CS_SELECTOR, read_cs() },
			{ VMCS_VM_EXIT_REASON, EXIT_REASON_CPUID },
			{ VMCS_EXIT_QUALIFICATION, 0 },
			{ VMCS_VM_EXIT_INSTRUCTION_LEN, CPUID_LEN },
			{ VMCS_GUEST_DR7, DR7_INIT },
		};

		for (unsigned i = 0; i < ARRAY_SIZE(samples); i++)
			read_loop(&samples[i], on);
	}
	l2_finish();
}

/* LOOPS VMWRITEs of enc, each of a new value, each read back. */
static void write_loop(u32 enc, bool on)
{
	const char *name = vmcs_field_name(enc);
	u64 before = nv_exits(EXIT_REASON_VMWRITE), exits, want = 0, v = 0;
	unsigned wrong = 0;
	char words[WORDS_SIZE];

	for (unsigned i = 0; i < LOOPS; i++) {
		want = shadow_field_value(enc, 0x0123456789abcdefull * (i + 1));
		if (vmx_outcome_of(vmx_vmwrite(enc, want)) != VMX_SUCCEED ||
		    vmx_outcome_of(vmx_vmread(enc, &v)) != VMX_SUCCEED || v != want)
			wrong++;
	}
	exits = nv_exits(EXIT_REASON_VMWRITE) - before;
	res(!wrong, "%u VMWRITEs of %s: each value reads back%s", LOOPS, name,
	    mismatch_words(words, wrong, v, want));
	exits_line(enc, "VMWRITE", exits, on);
}

void t_write_loops(void)
{
	static const u32 fields[] = {
		VMCS_GUEST_RIP, VMCS_GUEST_RFLAGS, VMCS_GUEST_CR0, VMCS_GUEST_CS_SELECTOR,
		VMCS_GUEST_INTERRUPTIBILITY_INFO, VMCS_GUEST_DR7,
	};
	bool on;

	/* No VM entry follows: the values need not make a valid guest. */
	if (!shadow_begin(l2_cpuid, &on))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++)
		write_loop(fields[i], on);
	l2_finish();
}

/* L1 changes L2's RIP and RFLAGS after an exit, as an emulating L1 does:
 * the next VMRESUME must run L2 with them (SDM 27.3.2.1: RIP and RFLAGS
 * come from the guest-state area), whether they went into the shadow
 * VMCS or through nestvisor, and L1 must read what L2 made of them at the
 * next exit, not what it wrote. L2 runs l2_spin: SPINS DECs of RCX to 0
 * (ZF and PF set, CF left alone: SDM Vol. 2A DEC) and a VMCALL. */
#define SPINS 3

void t_resume(void)
{
	const u64 written = RFLAGS_FIXED1 | RFLAGS_CF;
	const u64 after_dec = written | RFLAGS_ZF | RFLAGS_PF;
	struct l2_exit e;
	u64 before, exits;
	bool on;

	if (!shadow_begin(l2_cpuid, &on))
		return;
	if (launch_cpuid()) {
		before = nv_exits(EXIT_REASON_VMWRITE);
		vmcs_write(VMCS_GUEST_RIP, (u64)l2_spin);
		vmcs_write(VMCS_GUEST_RFLAGS, written);
		exits = nv_exits(EXIT_REASON_VMWRITE) - before;
		l2_regs.rcx = SPINS;
		e = l2_resume();
		if (check_exit(&e, EXIT_REASON_VMCALL, l2_spin_end, VMCALL_LEN,
			       "VMRESUME after L1's VMWRITE of GUEST_RIP runs L2 from there: "
			       "its loop ends in the VMCALL after it"))
			res(vmcs_read(VMCS_GUEST_RFLAGS) == after_dec,
			    "L2 ran with the RFLAGS L1 wrote before VMRESUME: at its VMCALL CF is "
			    "still set, and its DECs set ZF and PF");
		/* Both are SHADOW_RW: one set of words says it for both. */
		res(exits == shadow_exits_per_access(VMCS_GUEST_RIP, on) +
			     shadow_exits_per_access(VMCS_GUEST_RFLAGS, on),
		    "VMWRITEs of GUEST_RIP and GUEST_RFLAGS before VMRESUME: %s",
		    shadow_exits_words(VMCS_GUEST_RIP));
		res_info("VMWRITEs of GUEST_RIP and GUEST_RFLAGS: %llu nestvisor exits, %s",
			 (unsigned long long)exits, shadow_mode_name(on));
	}
	l2_finish();
}
