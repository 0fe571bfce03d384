; enum vmx_result vmx_enter(struct guest_regs *regs, bool launched)
; Moves registers only; everything else is the C side's (SDM Vol. 3C, 27 and
; 28: VM entry loads guest state from the VMCS, VM exit loads host state,
; with RIP = vmx_exit_landing and RSP as written here to HOST_RSP).
%include "asm_offsets.inc"

section .text
bits 64

global vmx_enter
global vmx_exit_landing

%macro SAVE_HOST_CALLEE_SAVED 0
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
%endmacro

%macro RESTORE_HOST_CALLEE_SAVED 0
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
%endmacro

vmx_enter:
	SAVE_HOST_CALLEE_SAVED
	push rdi			; regs: found again at [rsp] after the exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	mov rax, [rdi + GR_CR2]		; CR2 is not in the VMCS
	mov cr2, rax
	test sil, sil			; flags survive the moves below
	mov rax, [rdi + GR_RAX]
	mov rbx, [rdi + GR_RBX]
	mov rcx, [rdi + GR_RCX]
	mov rdx, [rdi + GR_RDX]
	mov rsi, [rdi + GR_RSI]
	mov rbp, [rdi + GR_RBP]
	mov r8, [rdi + GR_R8]
	mov r9, [rdi + GR_R9]
	mov r10, [rdi + GR_R10]
	mov r11, [rdi + GR_R11]
	mov r12, [rdi + GR_R12]
	mov r13, [rdi + GR_R13]
	mov r14, [rdi + GR_R14]
	mov r15, [rdi + GR_R15]
	mov rdi, [rdi + GR_RDI]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; Still in the host: CF = VMfailInvalid, ZF = VMfailValid.
	setz al
	movzx eax, al
	inc eax				; VMX_FAIL_VALID = 2 with ZF, else 1
	add rsp, 8
	RESTORE_HOST_CALLEE_SAVED
	ret

vmx_exit_landing:
	; RSP is HOST_RSP: [rsp] is regs. Every other register is the guest's.
	push rax
	mov rax, [rsp + 8]
	mov [rax + GR_RBX], rbx
	mov [rax + GR_RCX], rcx
	mov [rax + GR_RDX], rdx
	mov [rax + GR_RSI], rsi
	mov [rax + GR_RDI], rdi
	mov [rax + GR_RBP], rbp
	mov [rax + GR_R8], r8
	mov [rax + GR_R9], r9
	mov [rax + GR_R10], r10
	mov [rax + GR_R11], r11
	mov [rax + GR_R12], r12
	mov [rax + GR_R13], r13
	mov [rax + GR_R14], r14
	mov [rax + GR_R15], r15
	pop qword [rax + GR_RAX]
	mov rbx, cr2
	mov [rax + GR_CR2], rbx
	add rsp, 8
	RESTORE_HOST_CALLEE_SAVED
	xor eax, eax			; VMX_SUCCEED: a VM exit
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
