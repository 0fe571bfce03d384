; The real-mode build's interrupt entry: 256 stubs of TRAP_STUB_SIZE bytes
; (ivt16.c points the IVT at them), then a common path that turns what the
; CPU pushed (16-bit FLAGS, CS, IP and never an error code, SDM Vol. 3,
; 21.1.4) into the 32-bit struct trap_frame of guests/lib/trap_frame32.h
; and calls trap_dispatch(frame), gcc -m16 style (32-bit call and
; arguments); and fault_save() and fault_resume(). SS = DS = ES = 0 and ESP below 64 KiB are
; the real-mode build's invariants.
%include "guest_offsets.inc"

extern trap_dispatch
global isr_stubs

IRET16_FRAME equ 6		; IP, CS, FLAGS

section .text
bits 16

align TRAP_STUB_SIZE
isr_stubs:
%assign v 0
%rep 256
isr_stub_%[v]:
	sub sp, TRAP_FRAME_SIZE - TF_EIP	; EIP, CS, EFLAGS, filled below
	push dword 0				; no error code in real mode
	push dword v
	jmp isr_common
	times TRAP_STUB_SIZE - ($ - isr_stub_%[v]) int3
%assign v v + 1
%endrep

isr_common:
	pushad
	movzx eax, word [esp + TRAP_FRAME_SIZE]
	mov [esp + TF_EIP], eax
	movzx eax, word [esp + TRAP_FRAME_SIZE + 2]
	mov [esp + TF_CS], eax
	movzx eax, word [esp + TRAP_FRAME_SIZE + 4]
	mov [esp + TF_EFLAGS], eax
	lea eax, [esp + TRAP_FRAME_SIZE + IRET16_FRAME]
	mov [esp + TF_ESP], eax
	; C wants DS = ES = 0; the interrupted code may have had others.
	push ds
	push es
	xor ax, ax
	mov ds, ax
	mov es, ax
	cld
	lea eax, [esp + 4]
	push eax
	call dword trap_dispatch
	add esp, 4
	pop es
	pop ds
	; A handler may have changed EIP or EFLAGS (not CS): narrow them
	; back into what IRET pops.
	mov eax, [esp + TF_EIP]
	mov [esp + TRAP_FRAME_SIZE], ax
	mov eax, [esp + TF_EFLAGS]
	mov [esp + TRAP_FRAME_SIZE + 4], ax
	popad
	add esp, TRAP_FRAME_SIZE - TF_VECTOR
	iret

%include "guests/lib/fault_save32.inc"
