; The 32-bit build's exception entry: 256 stubs of TRAP_STUB_SIZE bytes
; (idt32.c computes gate addresses from it), each pushing a zero error code
; where the CPU pushes none and its vector, then a common path that saves
; the registers as struct trap_frame (guests/lib/trap_frame32.h) and calls
; trap_dispatch(frame); and fault_save() and fault_resume().
%include "guest_offsets.inc"
%include "lib/isr_error_code.inc"

extern trap_dispatch
global isr_stubs

section .text
bits 32

align TRAP_STUB_SIZE
isr_stubs:
%assign v 0
%rep 256
isr_stub_%[v]:
	HAS_ERROR_CODE v
	%if has_err == 0
		push dword 0
	%endif
	push dword v
	jmp isr_common
	times TRAP_STUB_SIZE - ($ - isr_stub_%[v]) int3
%assign v v + 1
%endrep

isr_common:
	pushad
	; The interrupted ESP, for the handler to read: above everything the
	; CPU and the stub pushed (no privilege change, so no SS:ESP).
	lea eax, [esp + TRAP_FRAME_SIZE]
	mov [esp + TF_ESP], eax
	cld
	mov eax, esp
	push eax
	call trap_dispatch
	add esp, 4
	popad
	add esp, TF_EIP - TF_VECTOR	; the vector and the error code
	iretd

%include "guests/lib/fault_save32.inc"
