; Guest start code: entered as guests/lib/guest_abi.h describes (32-bit
; protected mode, paging off, EAX = magic, EBX = boot info), or by a
; multiboot1 loader (EAX = MULTIBOOT_BOOT_MAGIC, EBX = its info) for bare
; runs under QEMU -kernel. It builds an identity map of the first 4 GiB,
; enters long mode (SDM Vol. 3, 10.8.5 "Initializing IA-32e Mode"), and
; calls guest_boot(magic, info) on its own stack; guests/lib/boot.c sorts
; out the boot information. It zeroes nothing: its .bss arrives zeroed.
;
; Every vCPU of a guest enters here at once (guests/lib/smp.h). Each takes
; the stack of its boot info's cpu_index; only vCPU 0 writes the page
; tables, and the others wait, before paging, until guest_boot() on vCPU 0
; has the tables, the IDT and the console ready (guest_aps_released).
%include "guest_offsets.inc"
%include "guests/lib/start.inc"

extern guest_boot
extern guest_aps_released

global guest_stacks

IMAGE_START 32, GUEST_MODE_PROT32, start32
	MULTIBOOT_HEADER start32

start32:
	; EAX and EBX say how we were booted; ESI and EDI keep them for
	; guest_boot() (CPUID and RDMSR below clobber EAX to EDX).
	mov esi, eax
	mov edi, ebx

	LOAD_OWN_GDT32

	; Which vCPU this is: nestvisor's boot info says; a multiboot loader
	; (or a bad magic, which guest_boot() reports) starts one CPU, vCPU 0.
	xor ecx, ecx
	cmp esi, GUEST_BOOT_MAGIC
	jne .stack
	mov ecx, [edi + BI_CPU_INDEX]
	cmp ecx, GUEST_MAX_CPUS
	jae .bad_cpu_index
.stack:
	; ESP = the top of this vCPU's stack, used from long mode on.
	lea eax, [ecx + 1]
	imul eax, eax, GUEST_STACK_SIZE
	add eax, guest_stacks
	mov esp, eax
	test ecx, ecx
	jz .build_tables
	; Another vCPU: the page tables are vCPU 0's to write.
.wait_for_vcpu0:
	pause
	cmp dword [guest_aps_released], 0
	je .wait_for_vcpu0
	jmp .paging

.bad_cpu_index:
	; No stack, no IDT, no console: say it with the exit code alone.
	EARLY_EXIT GUEST_EXIT_PANIC

.build_tables:
	BUILD_IDENTITY_MAP identity_map
.paging:
	ENTER_LONG_MODE identity_map, start64

bits 64
start64:
	; The 32-bit ESP, zero-extended: the upper halves of the registers are
	; undefined on entering 64-bit mode (SDM Vol. 1, 3.4.1.1).
	mov esp, esp
	xor ebp, ebp		; ends frame-pointer backtraces
	mov eax, esi
	mov esi, edi		; info
	mov edi, eax		; magic
	call guest_boot
	; guest_boot() does not return.
	ud2

section .data
	GUEST_GDT

section .bss
alignb PAGE_SIZE
identity_map:	resb IDENTITY_MAP_SIZE
alignb 16
guest_stacks:	resb GUEST_STACK_SIZE * GUEST_MAX_CPUS
