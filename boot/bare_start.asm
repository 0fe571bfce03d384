; The bare-guest trampoline: vmm/bare.c copies this flat binary to the AP
; trampoline page, fills struct bare_boot_params (boot/ap_boot.h) at
; AP_PARAMS_OFFSET and sends INIT-SIPI-SIPI, so the CPU starts here in real
; mode at CS:IP = page/16:0 (SDM Vol. 3, 9.4.4) with nothing of nestvisor's
; left on it. It sets up the entry state of guests/lib/guest_abi.h and
; jumps to the guest: real mode with every segment 0, or 32-bit protected
; mode with flat segments, paging off, interrupts off in both. The guest
; ends by writing its boot info's exit_status, and nestvisor stops the CPU
; again with INIT.
%include "asm_offsets.inc"

SEL_CODE32 equ 0x08
SEL_DATA32 equ 0x10
CR0_PE     equ 1 << 0
CR0_NW     equ 1 << 29
CR0_CD     equ 1 << 30
P          equ AP_PARAMS_OFFSET

; EDX, ESI, EDI, EBP, ESP zero, as a guest finds them under nestvisor. No
; stack is used anywhere: after INIT SS:SP points at guest memory.
%macro CLEAR_REGS 0
	xor edx, edx
	xor esi, esi
	xor edi, edi
	xor ebp, ebp
	xor esp, esp
%endmacro

bits 16
org 0
real_mode:
	cli
	cld
	mov ax, cs
	mov ds, ax
	mov dword [P + BARE_STARTED], 1
	; INIT leaves the caches disabled (CR0.CD and NW set, SDM Table 9-1);
	; a guest under nestvisor runs with them on.
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	mov cr0, eax
	mov ecx, [P + BARE_ENTRY]
	cmp dword [P + BARE_MODE], GUEST_MODE_REAL16
	jne to_protected_mode

	; Real mode: CS:IP = 0:entry through a far pointer read with a CS
	; override, since every data segment is 0 by then.
	mov [P + BARE_FAR_IP], cx
	mov word [P + BARE_FAR_CS], 0
	mov eax, [P + BARE_EAX]
	mov ebx, [P + BARE_EBX]
	CLEAR_REGS
	xor ecx, ecx
	mov ds, cx
	mov es, cx
	mov fs, cx
	mov gs, cx
	mov ss, cx
	jmp far [cs:P + BARE_FAR_IP]

to_protected_mode:
	; The page's linear address, for the GDT's descriptor and the jump.
	xor ebx, ebx
	mov bx, cs
	shl ebx, 4
	lea eax, [ebx + gdt]
	mov [gdt_ptr + 2], eax
	o32 lgdt [gdt_ptr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	; A far jump through a pointer built in the page (CS override again).
	lea eax, [ebx + protected_mode]
	mov [far32], eax
	jmp far dword [cs:far32]

bits 32
protected_mode:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov ecx, [ebx + P + BARE_ENTRY]
	mov eax, [ebx + P + BARE_EAX]
	mov ebx, [ebx + P + BARE_EBX]
	CLEAR_REGS
	jmp ecx

align 8
gdt:
	dq 0
	dq 0x00cf9b000000ffff		; 32-bit code, flat, accessed
	dq 0x00cf93000000ffff		; 32-bit data, flat, accessed
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd 0				; filled in above
far32:
	dd 0				; filled in above
	dw SEL_CODE32

	times AP_PARAMS_OFFSET - ($ - $$) db 0
params:
	times BARE_PARAMS_SIZE db 0
