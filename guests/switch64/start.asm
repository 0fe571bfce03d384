; switch64's start code: a GUEST_MODE_REAL16 image (guests/lib/guest_abi.h)
; that makes its own way real mode -> protected mode -> long mode, checks
; each mode on the way with code of its own, and calls the 64-bit library's
; guest_boot(), which runs guest_main() (main.c) with the results.
;
; In real mode: CR0, CPUID leaf 0, and ud2 through its own IVT, whose #UD
; handler records the IP and skips it; every other exception vector goes
; to an exit with GUEST_EXIT_EXCEPTION. Then PE on (SDM Vol. 3, 10.9.1
; "Switching to Protected Mode"): the same three checks with a 32-bit IDT.
; Then long mode (guests/lib/start.inc, SDM Vol. 3, 10.8.5), with page
; tables and the 64-bit stacks in zeroed RAM above the image, which has to
; lie below 64 KiB with its .bss.
%include "guest_offsets.inc"
%include "guests/lib/start.inc"

extern guest_boot

global guest_stacks
global switch_real_cr0, switch_real_cpuid, switch_real_ud_count, switch_real_ud_ip
global switch_prot_cr0, switch_prot_cpuid, switch_prot_ud_count, switch_prot_ud_ip
global switch_real_ud2, switch_prot_ud2

; RAM outside the image, zero at entry: the identity map for long mode and
; the 64-bit library's vCPU stacks (guests/lib/smp.c finds them by name).
SWITCH_IDENTITY_MAP equ 0x10000
guest_stacks        equ SWITCH_IDENTITY_MAP + IDENTITY_MAP_SIZE
EARLY_VECTORS       equ 32		; the exception vectors
VEC_UD              equ 6
UD2_LENGTH          equ 2
IVT_ENTRY_SIZE      equ 4
GATE32_SIZE         equ 8
GATE32_INTERRUPT    equ 0x8e00		; present, DPL 0, 32-bit interrupt gate

; CR0 into %1, CPUID leaf 0's EAX, EBX, ECX, EDX into %2 (in any mode).
%macro RECORD_CR0_CPUID 2
	mov eax, cr0
	mov [%1], eax
	xor eax, eax
	cpuid
	mov [%2], eax
	mov [%2 + 4], ebx
	mov [%2 + 8], ecx
	mov [%2 + 12], edx
%endmacro

IMAGE_START 16, GUEST_MODE_REAL16, start16

start16:
	REAL_MODE_SEGMENTS
	mov esp, early_stack_top
	mov [boot_magic], eax
	mov [boot_info], ebx
	call boot_info_for_exit
	cmp dword [boot_magic], GUEST_BOOT_MAGIC
	jne .real_checks
	cmp dword [edi + BI_CPU_INDEX], 0
	je .real_checks
	EARLY_EXIT GUEST_EXIT_PANIC		; one vCPU only

.real_checks:
	RECORD_CR0_CPUID switch_real_cr0, switch_real_cpuid
	; The IVT at 0 (real-mode IDTR, as the contract sets it).
	xor ecx, ecx
.ivt:
	mov word [ecx * IVT_ENTRY_SIZE], real_unexpected
	mov word [ecx * IVT_ENTRY_SIZE + 2], 0
	inc ecx
	cmp ecx, EARLY_VECTORS
	jb .ivt
	mov word [VEC_UD * IVT_ENTRY_SIZE], real_ud
switch_real_ud2:
	ud2

	o32 lgdt [gdt_ptr]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword SEL_CODE32:prot32

; #UD in real mode: IP, CS, FLAGS on the stack (SDM Vol. 3, 21.1.4).
real_ud:
	push bp
	mov bp, sp
	movzx eax, word [bp + 2]
	mov [switch_real_ud_ip], eax
	inc dword [switch_real_ud_count]
	add word [bp + 2], UD2_LENGTH
	pop bp
	iret

real_unexpected:
	call boot_info_for_exit
	EARLY_EXIT GUEST_EXIT_EXCEPTION

; EDI = the boot info to exit through: the loader's, or an empty one (exit
; port) when EAX did not hold GUEST_BOOT_MAGIC.
boot_info_for_exit:
	mov edi, [boot_info]
	cmp dword [boot_magic], GUEST_BOOT_MAGIC
	je .done
	mov edi, no_boot_info
.done:
	o16 ret

bits 32
prot32:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	RECORD_CR0_CPUID switch_prot_cr0, switch_prot_cpuid
	; A 32-bit IDT for the exceptions: #UD to prot_ud, the rest to
	; prot_unexpected (SDM Vol. 3, 6.11).
	xor ecx, ecx
.gates:
	mov eax, prot_unexpected
	cmp ecx, VEC_UD
	jne .gate
	mov eax, prot_ud
.gate:
	mov [prot_idt + ecx * GATE32_SIZE], ax
	mov word [prot_idt + ecx * GATE32_SIZE + 2], SEL_CODE32
	mov word [prot_idt + ecx * GATE32_SIZE + 4], GATE32_INTERRUPT
	shr eax, 16
	mov [prot_idt + ecx * GATE32_SIZE + 6], ax
	inc ecx
	cmp ecx, EARLY_VECTORS
	jb .gates
	lidt [prot_idtr]
switch_prot_ud2:
	ud2

	BUILD_IDENTITY_MAP SWITCH_IDENTITY_MAP
	ENTER_LONG_MODE SWITCH_IDENTITY_MAP, long64

; #UD in protected mode: EIP, CS, EFLAGS on the stack, no error code.
prot_ud:
	mov eax, [esp]
	mov [switch_prot_ud_ip], eax
	inc dword [switch_prot_ud_count]
	add dword [esp], UD2_LENGTH
	iretd

prot_unexpected:
	mov edi, [boot_info]
	cmp dword [boot_magic], GUEST_BOOT_MAGIC
	je .exit
	mov edi, no_boot_info
.exit:
	EARLY_EXIT GUEST_EXIT_EXCEPTION

bits 64
long64:
	mov esp, guest_stacks + GUEST_STACK_SIZE	; vCPU 0's
	xor ebp, ebp
	mov edi, [boot_magic]
	mov esi, [boot_info]
	call guest_boot
	; guest_boot() does not return.
	ud2

section .data
	GUEST_GDT
align 4
	dw 0
prot_idtr:
	dw EARLY_VECTORS * GATE32_SIZE - 1
	dd prot_idt

section .bss
alignb 8
prot_idt:		resb EARLY_VECTORS * GATE32_SIZE
boot_magic:		resd 1
boot_info:		resd 1
no_boot_info:		resb BI_EXIT_STATUS + 4
switch_real_cr0:	resd 1
switch_real_cpuid:	resd 4
switch_real_ud_count:	resd 1
switch_real_ud_ip:	resd 1
switch_prot_cr0:	resd 1
switch_prot_cpuid:	resd 4
switch_prot_ud_count:	resd 1
switch_prot_ud_ip:	resd 1
alignb 16
early_stack:		resb 512
early_stack_top:
