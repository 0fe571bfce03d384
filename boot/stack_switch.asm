; stack_switch(u64 stack_top, void (*fn)(void *), void *arg): continues on a
; new stack in fn(arg), which must not return. A zero return address and a
; zero frame pointer end the crash reporter's backtrace there.
section .text
bits 64

global stack_switch
stack_switch:
	mov rsp, rdi
	xor ebp, ebp
	mov rdi, rdx
	push qword 0
	jmp rsi

section .note.GNU-stack noalloc noexec nowrite progbits
