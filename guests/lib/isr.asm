; Guest exception entry: the stubs and common path nestvisor uses too
; (lib/isr_entry.inc, TRAP_STUB_SIZE bytes a stub: trap.c computes gate
; addresses from it), plus fault_save(), the setjmp half of
; guest_expect_fault().
%include "guest_offsets.inc"

ISR_STUB_SIZE equ TRAP_STUB_SIZE

section .text
bits 64

%include "lib/isr_entry.inc"

global fault_save

; u64 fault_save(struct fault_resume *r): records what a return from here
; restores (System V callee-saved registers, RSP after the return, the
; return address) and returns 0. trap.c later points a trap frame at r
; with RAX = 1, so the iretq "returns" 1 from this call a second time.
fault_save:
	mov [rdi + FR_RBX], rbx
	mov [rdi + FR_RBP], rbp
	mov [rdi + FR_R12], r12
	mov [rdi + FR_R13], r13
	mov [rdi + FR_R14], r14
	mov [rdi + FR_R15], r15
	lea rax, [rsp + 8]
	mov [rdi + FR_RSP], rax
	mov rax, [rsp]
	mov [rdi + FR_RIP], rax
	xor eax, eax
	ret
