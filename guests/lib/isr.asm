; Guest exception entry: stubs for all 256 vectors and the common path into
; trap_dispatch(), plus fault_save(), the setjmp half of guest_expect_fault().
; Each stub is TRAP_STUB_SIZE bytes (trap.c computes gate addresses from
; it), pushes a zero error code where the CPU does not push one (SDM Vol. 3,
; 6.15: vectors 8, 10-14, 17, 21, 29, 30 have one), then its vector.
%include "guest_offsets.inc"

TF_REGS_SIZE equ TF_VECTOR		; the part of the frame saved here

section .text
bits 64

%macro HAS_ERROR_CODE 1
	%assign has_err 0
	%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
		%assign has_err 1
	%endif
%endmacro

extern trap_dispatch
global isr_stubs
global fault_save

align TRAP_STUB_SIZE
isr_stubs:
%assign v 0
%rep 256
isr_stub_%[v]:
	HAS_ERROR_CODE v
	%if has_err == 0
		push qword 0
	%endif
	push qword v
	jmp isr_common
	times TRAP_STUB_SIZE - ($ - isr_stub_%[v]) int3
%assign v v + 1
%endrep

isr_common:
	sub rsp, TF_REGS_SIZE
	mov [rsp + TF_RAX], rax
	mov [rsp + TF_RBX], rbx
	mov [rsp + TF_RCX], rcx
	mov [rsp + TF_RDX], rdx
	mov [rsp + TF_RSI], rsi
	mov [rsp + TF_RDI], rdi
	mov [rsp + TF_RBP], rbp
	mov [rsp + TF_R8], r8
	mov [rsp + TF_R9], r9
	mov [rsp + TF_R10], r10
	mov [rsp + TF_R11], r11
	mov [rsp + TF_R12], r12
	mov [rsp + TF_R13], r13
	mov [rsp + TF_R14], r14
	mov [rsp + TF_R15], r15
	cld
	mov rdi, rsp
	; Align the stack for C: the CPU aligned it to 16 before pushing its
	; frame; our pushes keep the frame size a multiple of 8 only.
	mov rbx, rsp
	and rsp, -16
	call trap_dispatch
	mov rsp, rbx
	mov rax, [rsp + TF_RAX]
	mov rbx, [rsp + TF_RBX]
	mov rcx, [rsp + TF_RCX]
	mov rdx, [rsp + TF_RDX]
	mov rsi, [rsp + TF_RSI]
	mov rdi, [rsp + TF_RDI]
	mov rbp, [rsp + TF_RBP]
	mov r8, [rsp + TF_R8]
	mov r9, [rsp + TF_R9]
	mov r10, [rsp + TF_R10]
	mov r11, [rsp + TF_R11]
	mov r12, [rsp + TF_R12]
	mov r13, [rsp + TF_R13]
	mov r14, [rsp + TF_R14]
	mov r15, [rsp + TF_R15]
	add rsp, TF_REGS_SIZE + 16	; and the vector and error code
	iretq

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
