; Guest start code: entered as guests/lib/guest_abi.h describes (32-bit
; protected mode, paging off, EAX = magic, EBX = boot info), or by a
; multiboot1 loader (EAX = MULTIBOOT_BOOT_MAGIC, EBX = its info) for bare
; runs under QEMU -kernel. It builds an identity map of the first 4 GiB,
; enters long mode (SDM Vol. 3, 9.8.5 "Initializing IA-32e Mode"), and
; calls guest_boot(magic, info) on its own stack; guests/lib/boot.c sorts
; out the boot information. It zeroes nothing: its .bss arrives zeroed.
;
; Every vCPU of a guest enters here at once (guests/lib/smp.h). Each takes
; the stack of its boot info's cpu_index; only vCPU 0 writes the page
; tables, and the others wait, before paging, until guest_boot() on vCPU 0
; has the tables, the IDT and the console ready (guest_aps_released).
%include "guest_offsets.inc"

; Multiboot1 header (Multiboot Specification 0.6.96, 3.1). Flag 16 ("a.out
; kludge") makes the loader use the addresses below instead of an ELF
; header, so a flat binary boots; flag 1 asks for mem_lower/mem_upper.
MB_HEADER_MAGIC   equ 0x1badb002
MB_FLAG_MEMINFO   equ 1 << 1
MB_FLAG_ADDRESSES equ 1 << 16
MB_FLAGS          equ MB_FLAG_MEMINFO | MB_FLAG_ADDRESSES

SEL_CODE32 equ 0x08
SEL_CODE64 equ 0x10
SEL_DATA   equ 0x18

CR0_PG     equ 1 << 31
CR4_PAE    equ 1 << 5
MSR_EFER   equ 0xc0000080
EFER_LME   equ 1 << 8
EFER_NXE   equ 1 << 11
CPUID_EXT_MAX      equ 0x80000000
CPUID_EXT_FEATURES equ 0x80000001
CPUID_EXT_EDX_NX   equ 1 << 20

PTE_P      equ 1 << 0
PTE_W      equ 1 << 1
PTE_PS     equ 1 << 7		; a 2 MiB page in a page-directory entry
PAGE_SIZE  equ 4096
PD_COUNT   equ 4		; one page directory maps 1 GiB
PD_ENTRIES equ 512 * PD_COUNT
LARGE_PAGE_SHIFT equ 21

extern guest_boot
extern guest_aps_released
extern __image_start, __load_end, __image_end

global guest_entry
global guest_stacks

; The linker script places .text.entry first: byte 0 of the image is here.
section .text.entry progbits alloc exec nowrite align=16
bits 32
guest_entry:
	jmp start32

; A multiboot loader looks for this in the image's first 8 KiB.
align 4
multiboot_header:
	dd MB_HEADER_MAGIC
	dd MB_FLAGS
	dd (-(MB_HEADER_MAGIC + MB_FLAGS)) & 0xffffffff
	dd multiboot_header	; header_addr: where this header is loaded
	dd __image_start	; load_addr: the file's first byte goes here
	dd __load_end		; load_end_addr: end of the file's contents
	dd __image_end		; bss_end_addr: the loader zeroes up to here
	dd start32		; entry_addr

start32:
	; EAX and EBX say how we were booted; ESI and EDI keep them for
	; guest_boot() (CPUID and RDMSR below clobber EAX to EDX).
	mov esi, eax
	mov edi, ebx

	; The loader's GDT may be gone (multiboot: "GDTR may be invalid"), so
	; load ours before touching any segment register.
	lgdt [gdt_ptr]
	jmp SEL_CODE32:.flat
.flat:
	mov eax, SEL_DATA
	mov ds, eax
	mov es, eax
	mov ss, eax
	mov fs, eax
	mov gs, eax

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
	mov al, GUEST_EXIT_PANIC
	out GUEST_EXIT_PORT, al
.halt32:
	cli
	hlt
	jmp .halt32

.build_tables:
	; Identity-map [0, 4 GiB) with 2 MiB pages: PML4[0] -> PDPT,
	; PDPT[0..3] -> the four page directories. The rest of the tables is
	; zero already.
	mov dword [pml4], pdpt + (PTE_P | PTE_W)
	mov eax, pd + (PTE_P | PTE_W)
	xor ecx, ecx
.pdpt:
	mov [pdpt + ecx * 8], eax
	add eax, PAGE_SIZE
	inc ecx
	cmp ecx, PD_COUNT
	jb .pdpt
	; Entry k maps physical k * 2 MiB; bits 32 and up go in the high dword.
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, LARGE_PAGE_SHIFT
	or eax, PTE_P | PTE_W | PTE_PS
	mov [pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 32 - LARGE_PAGE_SHIFT
	mov [pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, PD_ENTRIES
	jb .pd

.paging:
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, pml4
	mov cr3, eax

	; EFER.NXE only where the CPU has NX: setting a reserved EFER bit is
	; a #GP (SDM Vol. 4, Table 2-2, IA32_EFER), and we have no IDT yet.
	xor ebp, ebp
	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEATURES
	jb .efer
	mov eax, CPUID_EXT_FEATURES
	cpuid
	test edx, CPUID_EXT_EDX_NX
	jz .efer
	mov ebp, EFER_NXE
.efer:
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	or eax, ebp
	wrmsr

	; Paging on with EFER.LME set activates IA-32e mode; we are in
	; compatibility mode until CS is a 64-bit segment.
	mov eax, cr0
	or eax, CR0_PG
	mov cr0, eax
	jmp SEL_CODE64:start64

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
	; guest_boot() exits; should it ever return, exit with "panic".
	mov al, GUEST_EXIT_PANIC
	out GUEST_EXIT_PORT, al
.halt:
	cli
	hlt
	jmp .halt

section .data
; Accessed bits preset, so loading a segment never writes the GDT.
align 8
gdt:
	dq 0
	dq 0x00cf9b000000ffff	; SEL_CODE32: base 0, limit 4 GiB, 32-bit
	dq 0x00af9b000000ffff	; SEL_CODE64: L = 1
	dq 0x00cf93000000ffff	; SEL_DATA: base 0, limit 4 GiB, writable
gdt_end:

; 32-bit LGDT reads 6 bytes, 64-bit LGDT 10: the zero high dword serves both.
align 4
	dw 0
gdt_ptr:
	dw gdt_end - gdt - 1
	dd gdt
	dd 0

section .bss
alignb PAGE_SIZE
pml4:	resb PAGE_SIZE
pdpt:	resb PAGE_SIZE
pd:	resb PAGE_SIZE * PD_COUNT
alignb 16
guest_stacks:	resb GUEST_STACK_SIZE * GUEST_MAX_CPUS
