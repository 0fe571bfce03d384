/* The VMX instructions seen from a guest that is itself a hypervisor (L1):
 * wrappers that return the SDM's outcome, a way to run any of them with
 * given operands catching whatever exception it raises, and what the
 * capability MSRs advertise where an outcome depends on it.
 *
 * Outcomes (SDM Vol. 3C, 31.2 "Conventions"): VMsucceed clears CF, PF, AF,
 * ZF, SF and OF; VMfailInvalid sets CF and clears the others; VMfailValid
 * sets ZF, clears the others and leaves an error number in the current
 * VMCS's VM-instruction error field (31.4). Each wrapper sets all six flags
 * before the instruction, so an instruction that leaves one alone shows as
 * "malformed" instead of passing for a success. */
#ifndef GUESTS_VMX_H
#define GUESTS_VMX_H

#include "trap.h"
#include "../../lib/types.h"
#include "../../lib/x86.h"
#include "../../vmx/vmx_caps.h"
#include "../../vmx/vmx_errors.h"
#include "../../vmx/vmcs_field.h"

#define VMX_RFLAGS_STATUS RFLAGS_STATUS
/* What the wrappers load before the instruction: the status flags and the
 * always-1 bit 1; IF, TF, DF and AC clear. */
#define VMX_RFLAGS_PRESET (VMX_RFLAGS_STATUS | BIT(1))

enum vmx_outcome {
	VMX_SUCCEED,
	VMX_FAIL_INVALID,
	VMX_FAIL_VALID,
	VMX_MALFORMED,		/* status flags match none of the three */
	VMX_FAULT,		/* an exception instead (vmx_try_run() only) */
};

/* The outcome RFLAGS after a VMX instruction say. */
static inline enum vmx_outcome vmx_outcome_of(u64 rflags)
{
	switch (rflags & VMX_RFLAGS_STATUS) {
	case 0:
		return VMX_SUCCEED;
	case RFLAGS_CF:
		return VMX_FAIL_INVALID;
	case RFLAGS_ZF:
		return VMX_FAIL_VALID;
	default:
		return VMX_MALFORMED;
	}
}

/* Around each instruction: the flags preset, then RFLAGS saved. The
 * operands are registers only: the pushes move RSP. */
#define VMX_PRESET "pushq %[preset]\n\tpopfq\n\t"
#define VMX_STATUS "\n\tpushfq\n\tpopq %[rflags]"
#define VMX_PRESET_IN [preset] "i"(VMX_RFLAGS_PRESET)

/* Each returns RFLAGS after the instruction. Memory operands are at the
 * pointer given: for VMXON, VMCLEAR and VMPTRLD the 64-bit physical address
 * is read there; VMPTRST stores the current-VMCS pointer there. */
#define VMX_POINTER_INSN(name, insn)						\
	static inline u64 name(const u64 *operand)				\
	{									\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET insn " (%[p])" VMX_STATUS		\
				 : [rflags] "=r"(rflags)			\
				 : VMX_PRESET_IN, [p] "r"(operand)		\
				 : "cc", "memory");				\
		return rflags;							\
	}
VMX_POINTER_INSN(vmx_vmxon, "vmxon")
VMX_POINTER_INSN(vmx_vmclear, "vmclear")
VMX_POINTER_INSN(vmx_vmptrld, "vmptrld")
VMX_POINTER_INSN(vmx_vmptrst, "vmptrst")
#undef VMX_POINTER_INSN

#define VMX_BARE_INSN(name, insn)						\
	static inline u64 name(void)						\
	{									\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET insn VMX_STATUS			\
				 : [rflags] "=r"(rflags) : VMX_PRESET_IN	\
				 : "cc", "memory");				\
		return rflags;							\
	}
VMX_BARE_INSN(vmx_vmxoff, "vmxoff")
VMX_BARE_INSN(vmx_vmlaunch, "vmlaunch")
VMX_BARE_INSN(vmx_vmresume, "vmresume")
#undef VMX_BARE_INSN

/* VMREAD of field into *value through a register; *value is left alone
 * unless the instruction writes its destination. */
static inline u64 vmx_vmread(u64 field, u64 *value)
{
	u64 rflags, v = *value;

	__asm__ volatile(VMX_PRESET "vmread %[f], %[v]" VMX_STATUS
			 : [rflags] "=&r"(rflags), [v] "+r"(v)
			 : VMX_PRESET_IN, [f] "r"(field) : "cc");
	*value = v;
	return rflags;
}

/* VMREAD of field with a memory destination: 8 bytes at dest (SDM VMREAD:
 * the operand size is 64 bits in 64-bit mode). */
static inline u64 vmx_vmread_mem(u64 field, u64 *dest)
{
	u64 rflags;

	__asm__ volatile(VMX_PRESET "vmread %[f], (%[d])" VMX_STATUS
			 : [rflags] "=r"(rflags)
			 : VMX_PRESET_IN, [f] "r"(field), [d] "r"(dest) : "cc", "memory");
	return rflags;
}

static inline u64 vmx_vmwrite(u64 field, u64 value)
{
	u64 rflags;

	__asm__ volatile(VMX_PRESET "vmwrite %[v], %[f]" VMX_STATUS
			 : [rflags] "=r"(rflags)
			 : VMX_PRESET_IN, [f] "r"(field), [v] "r"(value) : "cc", "memory");
	return rflags;
}

static inline u64 vmx_vmwrite_mem(u64 field, const u64 *src)
{
	u64 rflags;

	__asm__ volatile(VMX_PRESET "vmwrite (%[s]), %[f]" VMX_STATUS
			 : [rflags] "=r"(rflags)
			 : VMX_PRESET_IN, [f] "r"(field), [s] "r"(src) : "cc", "memory");
	return rflags;
}

/* INVEPT / INVVPID: type in a 64-bit register, a 16-byte descriptor in
 * memory (SDM Vol. 3C 31.3: INVEPT {EPTP, 0}; INVVPID {VPID in bits 15:0,
 * linear address in bits 127:64}). */
#define VMX_INVALIDATE_INSN(name, insn)						\
	static inline u64 name(u64 type, const u64 *desc)			\
	{									\
		u64 rflags;							\
		__asm__ volatile(VMX_PRESET insn " (%[d]), %[t]" VMX_STATUS	\
				 : [rflags] "=r"(rflags)			\
				 : VMX_PRESET_IN, [t] "r"(type), [d] "r"(desc)	\
				 : "cc", "memory");				\
		return rflags;							\
	}
VMX_INVALIDATE_INSN(vmx_invept, "invept")
VMX_INVALIDATE_INSN(vmx_invvpid, "invvpid")
#undef VMX_INVALIDATE_INSN

/* INVEPT / INVVPID types (SDM Vol. 3C 31.3). */
enum {
	INVVPID_ADDRESS = 0,
	INV_SINGLE_CONTEXT = 1,
	INV_ALL_CONTEXT = 2,
	INVVPID_SINGLE_NON_GLOBAL = 3,
	INV_TYPES = 4,
};

/* VMREAD of the VM-instruction error field (0x4400, SDM 31.4) through a
 * register; VMX_ERROR_UNREADABLE if that VMREAD does not succeed. */
#define VMX_ERROR_UNREADABLE 0xffffffffu
u32 vmx_instruction_error(void);

/* ---- Running any VMX instruction, faults caught ---- */

enum vmx_insn {
	VMX_INSN_VMXON,
	VMX_INSN_VMXOFF,
	VMX_INSN_VMCLEAR,
	VMX_INSN_VMPTRLD,
	VMX_INSN_VMPTRST,
	VMX_INSN_VMREAD,
	VMX_INSN_VMWRITE,
	VMX_INSN_INVEPT,
	VMX_INSN_INVVPID,
	VMX_INSN_VMLAUNCH,
	VMX_INSN_VMRESUME,
	VMX_INSN_COUNT,
};

/* "VMXON", "VMREAD", ... */
const char *vmx_insn_name(enum vmx_insn insn);

/* One attempt of one instruction: operands, then what happened. */
struct vmx_try {
	enum vmx_insn insn;
	u64 (*sequence)(void);	/* if set, run this instead of insn (it names
				   the instruction): a special sequence that
				   returns RFLAGS after its VMX instruction */
	bool user;		/* run at CPL 3 */
	bool reg;		/* VMREAD/VMWRITE: register form (.value) */
	u64 *mem;		/* memory operand: the pointer (VMXON, VMCLEAR,
				   VMPTRLD), the destination (VMPTRST, VMREAD),
				   the source (VMWRITE), the descriptor (INVEPT,
				   INVVPID) */
	u64 field;		/* VMREAD/VMWRITE encoding */
	u64 value;		/* VMWRITE register source, VMREAD register result */
	u64 type;		/* INVEPT/INVVPID */
	/* Results */
	enum vmx_outcome outcome;
	u64 rflags;		/* after the instruction, unless VMX_FAULT */
	u32 error;		/* VMX_FAIL_VALID: the VM-instruction error field */
	struct trap_fault fault;	/* VMX_FAULT */
};

/* Runs t->insn with t's operands, at CPL 3 if t->user (user.h: user_init()
 * first), catching any exception (catch.h), and fills in the results; for
 * VMfailValid it reads the VM-instruction error at CPL 0. */
void vmx_try_run(struct vmx_try *t);

/* Words for an outcome into buf: "VMsucceed", "VMfailInvalid",
 * "VMfailValid(12: VMREAD/VMWRITE from/to unsupported VMCS component)",
 * "#GP(0)", "#UD", "malformed (RFLAGS 0x...)". vector and error_code
 * describe a VMX_FAULT; rflags a VMX_MALFORMED. */
void vmx_outcome_words(char *buf, size_t size, enum vmx_outcome o, u32 error,
		       unsigned vector, u64 error_code, u64 rflags);

/* ---- What the capability MSRs advertise (SDM Vol. 3D, Appendix A) ---- */

/* IA32_VMX_MISC bit 29: VMWRITE may write read-only (exit-information)
 * fields (A.6). */
#define VMX_MISC_VMWRITE_ANY_FIELD BIT(29)
/* Secondary processor-based controls (A.3.3). */
#define VMX_PROC2_VMCS_SHADOWING_BIT 14
/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define EPT_CAP_WALK_LENGTH_4 BIT(6)
#define EPT_CAP_MEMTYPE_UC BIT(8)
#define EPT_CAP_MEMTYPE_WB BIT(14)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_TYPE0_SHIFT 40	/* types 0-3 in bits 40-43 */

/* EPTP fields (SDM Vol. 3C 25.6.11). */
#define EPTP_MEMTYPE_UC 0
#define EPTP_MEMTYPE_WB 6
#define EPTP_WALK_LENGTH_4 (3u << 3)	/* bits 5:3: the walk length minus 1 */

struct vmx_features {
	struct vmx_caps caps;	/* the raw MSRs */
	u32 revision;		/* VMCS revision identifier */
	unsigned pa_width;	/* bits of VMXON/VMCS physical addresses */
	bool vmwrite_any;	/* VMWRITE to read-only fields */
	bool shadowing;		/* "VMCS shadowing" may be 1 */
	bool invept;		/* EPT, and INVEPT exists */
	bool invept_type[INV_TYPES];
	bool invvpid;		/* VPID, and INVVPID exists */
	bool invvpid_type[INV_TYPES];
	u64 eptp_memtype;	/* a supported EPT paging-structure type, or ~0 */
};

/* Fills f from CPUID and the capability MSRs; false if CPUID.1:ECX.VMX is
 * 0 (then no VMX MSR is read). */
bool vmx_features_read(struct vmx_features *f);

#endif
