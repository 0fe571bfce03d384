; Start code of the 32-bit build: entered as guests/lib/guest_abi.h
; describes for GUEST_MODE_PROT32 (32-bit protected mode, paging off,
; EAX = magic, EBX = boot info), or by a multiboot1 loader for bare runs
; under QEMU -kernel. It loads its own GDT, takes its stack and calls
; guest_boot(magic, info) in the same mode. This build runs one vCPU
; (guests/lib/uniproc.c): any other vCPU exits with GUEST_EXIT_PANIC here.
%include "guest_offsets.inc"
%include "guests/lib/start.inc"

extern guest_boot


IMAGE_START 32, GUEST_MODE_PROT32, start32
	MULTIBOOT_HEADER start32

start32:
	mov esi, eax
	mov edi, ebx
	LOAD_OWN_GDT32
	cmp esi, GUEST_BOOT_MAGIC
	jne .stack
	cmp dword [edi + BI_CPU_INDEX], 0
	jne .other_vcpu
.stack:
	mov esp, guest_stack + GUEST_STACK_SIZE
	xor ebp, ebp		; ends frame-pointer backtraces
	push edi		; info
	push esi		; magic
	call guest_boot
	; guest_boot() does not return.
	ud2

.other_vcpu:
	EARLY_EXIT GUEST_EXIT_PANIC

section .data
	GUEST_GDT

section .bss
alignb 16
guest_stack:	resb GUEST_STACK_SIZE
