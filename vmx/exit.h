/* VM-exit handling for nestvisor's own guests: one const dispatch table of
 * handlers indexed by basic exit reason (vmx/exit.c); the names are those
 * of vmx/exit_reasons.def.
 *
 * The handlers' contract: each either completes the guest's instruction
 * (exit_skip_instruction), injects an event (exit_inject_exception), or
 * stops the vCPU with the words why (vcpu_stop). None returns having done
 * nothing: there is no default "advance RIP". */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include "../vmm/vcpu.h"

typedef void (*exit_handler_t)(struct vcpu *v);

/* Handles one VM exit; reasons without a handler stop the vCPU by name. */
void exit_dispatch(struct vcpu *v, u32 basic_reason);

/* Moves RIP past the exiting instruction, and clears STI and MOV-SS
 * blocking, which end with it (SDM 26.4.2 / 25.4.2). */
void exit_skip_instruction(struct vcpu *v);

/* Injects a hardware exception on the next VM entry (SDM 27.6.1). */
void exit_inject_exception(struct vcpu *v, u8 vector, bool has_error_code, u32 error_code);

/* General register n in the SDM's numbering (0 RAX, 1 RCX, 2 RDX, 3 RBX,
 * 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15). */
u64 exit_gpr(struct vcpu *v, unsigned n);
void exit_set_gpr(struct vcpu *v, unsigned n, u64 value);

/* The groups of handlers, each in its own file. */
void exit_cpuid(struct vcpu *v);
void exit_io(struct vcpu *v);
void exit_msr_read(struct vcpu *v);
void exit_msr_write(struct vcpu *v);
void exit_cr_access(struct vcpu *v);
void exit_hlt(struct vcpu *v);
void exit_interrupt_window(struct vcpu *v);
void exit_tpr_below_threshold(struct vcpu *v);
void exit_pause(struct vcpu *v);
void exit_triple_fault(struct vcpu *v);
void exit_ept_violation(struct vcpu *v);
void exit_ept_misconfig(struct vcpu *v);
void exit_preemption_timer(struct vcpu *v);
void exit_external_interrupt(struct vcpu *v);
void exit_exception_nmi(struct vcpu *v);
void exit_vmcall(struct vcpu *v);
void exit_vmx_instruction(struct vcpu *v);
void exit_xsetbv(struct vcpu *v);
void exit_cache_flush(struct vcpu *v);

#endif
