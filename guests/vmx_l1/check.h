/* vmx_l1's checks: run one VMX instruction (struct vmx_try) and report
 * whether it ended as the SDM says, in words. */
#ifndef VMX_L1_CHECK_H
#define VMX_L1_CHECK_H

#include "l1.h"

/* The first address above the lower canonical half (SDM Vol. 1, 3.3.7.1):
 * a memory operand there is #GP(0), or #SS(0) if SS-based. */
#define NON_CANONICAL 0x0000800000000000ull
/* Where in the page after the scratch page (not present) operands go. */
#define HOLE_OPERAND_OFFSET 0x18

/* What an instruction must do: one of the SDM's outcomes or an exception
 * (for #PF, cr2 is the address that must fault, or 0 not to check it). */
struct expect {
	enum vmx_outcome outcome;
	u32 error;
	unsigned vector;
	u64 error_code;
	u64 cr2;
};

#define SUCCEED ((struct expect){ .outcome = VMX_SUCCEED })
#define FAIL_INVALID ((struct expect){ .outcome = VMX_FAIL_INVALID })
#define FAIL_VALID(n) ((struct expect){ .outcome = VMX_FAIL_VALID, .error = (n) })
#define FAULT(v, ec) ((struct expect){ .outcome = VMX_FAULT, .vector = (v), .error_code = (ec) })
#define UD FAULT(VEC_UD, 0)
#define GP0 FAULT(VEC_GP, 0)
#define SS0 FAULT(VEC_SS, 0)
#define PF_AT(ec, addr) ((struct expect){ .outcome = VMX_FAULT, .vector = VEC_PF,	\
					  .error_code = (ec), .cr2 = (addr) })

/* "VMfailValid(12: ...)" etc. for an expectation. */
void expect_words(char *buf, size_t size, struct expect want);

/* Whether t ended as want says (the error number for VMfailValid, vector,
 * error code and CR2 for a fault). */
bool outcome_is(const struct vmx_try *t, struct expect want);

/* Runs t and reports "<what>: <outcome>"; on a mismatch the line says what
 * happened instead. Returns whether it matched. */
bool check(struct vmx_try *t, struct expect want, const char *fmt, ...) __printf(3, 4);

/* Reports an attempt already run (vmx_try_run() or built by hand) as
 * check() does. */
bool check_done(struct vmx_try *t, struct expect want, const char *fmt, ...) __printf(3, 4);

/* The same where the outcome depends on what the capability MSRs advertise
 * (bare and virtualized may differ): an INFO line names the outcome
 * expected, the report line says only "as advertised". */
bool check_advertised(struct vmx_try *t, struct expect want, const char *fmt, ...)
	__printf(3, 4);

/* check_advertised() for an attempt already run. */
bool check_done_advertised(struct vmx_try *t, struct expect want, const char *fmt, ...)
	__printf(3, 4);

/* A u64 holding value, for memory operands: one of a few rotating cells,
 * valid until that many more calls. */
u64 *cell(u64 value);

/* Shorthands for the instructions' usual forms. */
static inline struct vmx_try try_pointer(enum vmx_insn insn, u64 pointer)
{
	return (struct vmx_try){ .insn = insn, .mem = cell(pointer) };
}

static inline struct vmx_try try_vmread(u64 field)
{
	return (struct vmx_try){ .insn = VMX_INSN_VMREAD, .reg = true, .field = field };
}

static inline struct vmx_try try_vmwrite(u64 field, u64 value)
{
	return (struct vmx_try){ .insn = VMX_INSN_VMWRITE, .reg = true, .field = field,
				 .value = value };
}

/* instr with harmless, well-formed operands: VMCS A as the pointer, GUEST_RIP
 * as the field, all-context invalidation, scratch memory for the rest. For
 * checks whose outcome comes before any operand matters (#UD, #GP(0) for
 * CPL > 0). */
struct vmx_try try_plain(const struct l1 *l1, enum vmx_insn insn);

/* The current-VMCS pointer (VMPTRST), ~0 if VMPTRST itself fails. */
u64 current_vmcs(void);

/* VMREAD through a register of a field that must be readable; reports a
 * failure (and returns ~0) if it is not. */
u64 read_field(u64 field);

/* VMWRITE through a register of a field that must be writable; reports a
 * failure if it is not. */
void write_field(u64 field, u64 value);

#endif
