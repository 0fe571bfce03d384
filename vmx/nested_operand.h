/* The operands of the VMX instruction that caused the current exit, for
 * vmx/nested_insn.c: decoded from the VM-exit instruction information and
 * the exit qualification (SDM 28.2.5), and read or written in L1's memory
 * through its page tables. A fault (#GP, #SS, #PF) is injected into L1 and
 * the call returns false: the instruction then ends there. */
#ifndef VMX_NESTED_OPERAND_H
#define VMX_NESTED_OPERAND_H

#include "../lib/types.h"

struct vcpu;

/* Whether L1 runs in 64-bit mode (IA32_EFER.LMA and CS.L). */
bool nested_64bit_mode(void);
/* Register operands: reg1 (bits 6:3, VMREAD's destination or VMWRITE's
 * source when bit 10 says "register") and reg2 (bits 31:28). */
bool nested_operand_is_reg(void);
u64 nested_reg1(struct vcpu *v);
void nested_set_reg1(struct vcpu *v, u64 value);
u64 nested_reg2(struct vcpu *v);

/* The memory operand: size bytes at the address the instruction names. */
bool nested_mem_read(struct vcpu *v, void *buf, unsigned size);
bool nested_mem_write(struct vcpu *v, const void *buf, unsigned size);

#endif
