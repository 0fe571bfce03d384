; The AP start-up trampoline (SDM Vol. 3, 9.4.4 "MP initialization example"):
; a SIPI starts an AP here in real mode at CS:IP = vector*256:0. It climbs to
; 32-bit protected mode with paging off, then to long mode on the host page
; tables, and calls the C entry with its own stack and per-CPU struct.
; apic/smp.c copies this flat binary to a page below 1 MiB and fills the
; struct ap_boot_params at AP_PARAMS_OFFSET (offsets from asm_offsets.inc).
%include "asm_offsets.inc"

SEL_CODE32 equ 0x08
SEL_DATA32 equ 0x10
SEL_CODE64 equ 0x18
CR0_PE     equ 1 << 0
CR0_WP     equ 1 << 16
CR0_PG     equ 1 << 31
MSR_EFER   equ 0xc0000080

bits 16
org 0
real_mode:
	cli
	cld
	mov ax, cs
	mov ds, ax
	; A stack inside our page, below the parameter block: after INIT,
	; SS:SP point at whatever low memory happens to be there.
	mov ss, ax
	mov sp, AP_PARAMS_OFFSET
	; The page's linear address: our segment times 16.
	xor ebx, ebx
	mov bx, cs
	shl ebx, 4
	; Point the temporary GDT's descriptor at its linear address, then
	; enter protected mode and far-return into 32-bit code.
	lea eax, [ebx + gdt]
	mov [gdt_ptr + 2], eax
	o32 lgdt [gdt_ptr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	push dword SEL_CODE32
	lea eax, [ebx + protected_mode]
	push eax
	o32 retf

bits 32
protected_mode:
	mov ax, SEL_DATA32
	mov ds, ax
	mov es, ax
	mov ss, ax
	lea esp, [ebx + AP_PARAMS_OFFSET]
	; Long mode: PAE (and what else the BSP runs with) in CR4, the host
	; tables in CR3 (below 4 GiB), EFER.LME/NXE, then paging on (SDM 10.8.5).
	mov eax, [ebx + AP_PARAMS_OFFSET + AP_CR4]
	mov cr4, eax
	mov eax, [ebx + AP_PARAMS_OFFSET + AP_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER
	mov eax, [ebx + AP_PARAMS_OFFSET + AP_EFER]
	xor edx, edx
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	push dword SEL_CODE64
	lea eax, [ebx + long_mode]
	push eax
	retf

bits 64
long_mode:
	lea rsi, [rbx + AP_PARAMS_OFFSET]
	mov dword [rsi + AP_STARTED], 1
	mov rsp, [rsi + AP_STACK_TOP]
	mov rdi, [rsi + AP_PERCPU]
	xor ebp, ebp
	push qword 0			; ends the crash reporter's backtrace
	jmp [rsi + AP_ENTRY]

align 8
gdt:
	dq 0
	dq 0x00cf9a000000ffff		; 32-bit code, flat
	dq 0x00cf92000000ffff		; 32-bit data, flat
	dq 0x00af9a000000ffff		; 64-bit code
gdt_end:
gdt_ptr:
	dw gdt_end - gdt - 1
	dd 0				; filled in above

	times AP_PARAMS_OFFSET - ($ - $$) db 0
params:
	times AP_PARAMS_SIZE db 0
