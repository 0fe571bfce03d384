; Start code of the real-mode build: entered as guests/lib/guest_abi.h
; describes for GUEST_MODE_REAL16 (real mode, every segment 0, IP = the
; header's entry, EAX = magic, EBX = boot info). It takes its stack and
; calls guest_boot(magic, info) in real mode: C compiled with gcc -m16
; runs there as long as every address stays below 64 KiB with segment
; bases 0 (the image, .bss and stack included, lies in
; [GUEST_REAL_LOAD_MIN, GUEST_REAL_END)). One vCPU, as in the 32-bit build.
; Also unreal_enter(), for the xAPIC's MMIO page at 4 GiB - 20 MiB.
%include "guest_offsets.inc"
%include "guests/lib/start.inc"

extern guest_boot

global unreal_enter

IMAGE_START 16, GUEST_MODE_REAL16, start16

start16:
	REAL_MODE_SEGMENTS
	mov esp, guest_stack + GUEST_STACK_SIZE
	mov esi, eax
	mov edi, ebx
	cmp esi, GUEST_BOOT_MAGIC
	jne .stack
	cmp dword [edi + BI_CPU_INDEX], 0
	jne .other_vcpu
.stack:
	xor ebp, ebp
	push edi		; info
	push esi		; magic
	call dword guest_boot
	ud2

.other_vcpu:
	EARLY_EXIT GUEST_EXIT_PANIC

; void unreal_enter(void): gives GS a 4 GiB limit with base 0 ("unreal
; mode"), so 32-bit offsets through GS reach all of the first 4 GiB from
; real mode. A segment load in protected mode fills the descriptor cache
; from the GDT; back in real mode a segment load changes only the base and
; selector, never the limit (SDM Vol. 3, 21.1.1 and 10.9.2). CS stays the
; real-mode one throughout: no far jump, so no 32-bit code runs.
unreal_enter:
	pushfd
	cli
	o32 lgdt [gdt_ptr]
	mov eax, cr0
	or al, CR0_PE
	mov cr0, eax
	mov ax, SEL_DATA
	mov gs, ax
	mov eax, cr0
	and al, ~CR0_PE
	mov cr0, eax
	xor ax, ax
	mov gs, ax
	popfd
	o32 ret

section .data
	GUEST_GDT

section .bss
alignb 16
guest_stack:	resb GUEST_STACK_SIZE
