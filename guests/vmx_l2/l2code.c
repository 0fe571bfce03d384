/* The L2 programs: code of this image that L2 runs, in 64-bit mode at CPL 0
 * on L1's page tables. Each ends in VMCALL, which exits unconditionally
 * (SDM Vol. 3C 26.1.2), then UD2, which the all-ones exception bitmap
 * turns into an exit too: L2 never runs past its program. Labels inside a
 * program mark the instructions whose exits the tests check by RIP. */
#include "l2.h"

#define L2_STR_(x) #x
#define L2_STR(x) L2_STR_(x)

__asm__(".pushsection .text\n"
	".globl l2_cpuid, l2_cpuid_next\n"
	"l2_cpuid:\n\tcpuid\n"
	"l2_cpuid_next:\n\tvmcall\n\tud2\n"

	".globl l2_vmcall\n"
	"l2_vmcall:\n\tvmcall\n\tud2\n"

	".globl l2_hlt, l2_hlt_next\n"
	"l2_hlt:\n\thlt\n"
	"l2_hlt_next:\n\tvmcall\n\tud2\n"

	/* OUT with the port in DX (byte), IN with it (word), OUT to an
	 * immediate port (doubleword). */
	".globl l2_io, l2_io_in, l2_io_imm, l2_io_end\n"
	"l2_io:\n\toutb %al, %dx\n"
	"l2_io_in:\n\tinw %dx, %ax\n"
	"l2_io_imm:\n\toutl %eax, $0x80\n"
	"l2_io_end:\n\tvmcall\n\tud2\n"

	".globl l2_rdmsr, l2_rdmsr_next\n"
	"l2_rdmsr:\n\trdmsr\n"
	"l2_rdmsr_next:\n\tvmcall\n\tud2\n"

	".globl l2_wrmsr, l2_wrmsr_next\n"
	"l2_wrmsr:\n\twrmsr\n"
	"l2_wrmsr_next:\n\tvmcall\n\tud2\n"

	/* PAUSE RCX times: the window for an interrupt to arrive, bounded so
	 * that a lost one ends in the VMCALL instead of a hang. */
	".globl l2_spin, l2_spin_end\n"
	"l2_spin:\n\tpause\n\tdec %rcx\n\tjnz l2_spin\n"
	"l2_spin_end:\n\tvmcall\n\tud2\n"

	/* Control registers (more.c): MOV to CR0 from RBX and to CR4 from
	 * RSI, then MOV from CR0 to RDI and from CR4 to RBP. */
	".globl l2_mov_cr, l2_mov_cr4, l2_mov_cr_read, l2_mov_cr_end\n"
	"l2_mov_cr:\n\tmov %rbx, %cr0\n"
	"l2_mov_cr4:\n\tmov %rsi, %cr4\n"
	"l2_mov_cr_read:\n\tmov %cr0, %rdi\n\tmov %cr4, %rbp\n"
	"l2_mov_cr_end:\n\tvmcall\n\tud2\n"

	/* MOV to CR3 from RBX, MOV from CR3 to RDI. */
	".globl l2_cr3, l2_cr3_read, l2_cr3_end\n"
	"l2_cr3:\n\tmov %rbx, %cr3\n"
	"l2_cr3_read:\n\tmov %cr3, %rdi\n"
	"l2_cr3_end:\n\tvmcall\n\tud2\n"

	/* A UD2 the test means (not the one every program ends with). */
	".globl l2_ud, l2_ud_next\n"
	"l2_ud:\n\tud2\n"
	"l2_ud_next:\n\tvmcall\n\tud2\n"

	/* A byte read at RBX (a page not present: #PF). */
	".globl l2_pf, l2_pf_next\n"
	"l2_pf:\n\tmov (%rbx), %al\n"
	"l2_pf_next:\n\tvmcall\n\tud2\n"

	/* Waits, RCX PAUSEs at most, for the dword at RBX to become nonzero
	 * (an interrupt handler of L1's IDT counting in L2). */
	".globl l2_wait, l2_wait_end\n"
	"l2_wait:\n\tcmpl $0, (%rbx)\n\tjnz l2_wait_end\n\tpause\n\tdec %rcx\n\tjnz l2_wait\n"
	"l2_wait_end:\n\tvmcall\n\tud2\n"

	/* STI; HLT: an interrupt pending before the STI still ends the HLT,
	 * since STI blocks interrupts until after the next instruction (SDM
	 * Vol. 2B, STI), so none is lost between the entry and the HLT. */
	".globl l2_sti_hlt, l2_sti_hlt_hlt, l2_sti_hlt_next\n"
	"l2_sti_hlt:\n\tsti\n"
	"l2_sti_hlt_hlt:\n\thlt\n"
	"l2_sti_hlt_next:\n\tvmcall\n\tud2\n"

	/* RDMSR of ECX into R9:R8, then WRMSR of R11:R10 to the MSR in ESI. */
	".globl l2_msr_rw, l2_msr_rw_end\n"
	"l2_msr_rw:\n\trdmsr\n\tmov %rax, %r8\n\tmov %rdx, %r9\n\tmov %esi, %ecx\n"
	"\tmov %r10, %rax\n\tmov %r11, %rdx\n\twrmsr\n"
	"l2_msr_rw_end:\n\tvmcall\n\tud2\n"

	/* RDTSC, EDX:EAX joined in RAX. */
	".globl l2_rdtsc, l2_rdtsc_next, l2_rdtsc_end\n"
	"l2_rdtsc:\n\trdtsc\n"
	"l2_rdtsc_next:\n\tshl $32, %rdx\n\tor %rdx, %rax\n"
	"l2_rdtsc_end:\n\tvmcall\n\tud2\n"

	/* MOV to CR8 from RBX, MOV from CR8 to RDI. */
	".globl l2_cr8, l2_cr8_read, l2_cr8_end\n"
	"l2_cr8:\n\tmov %rbx, %cr8\n"
	"l2_cr8_read:\n\tmov %cr8, %rdi\n"
	"l2_cr8_end:\n\tvmcall\n\tud2\n"

	/* INT3 (a software exception). */
	".globl l2_int3, l2_int3_next\n"
	"l2_int3:\n\tint3\n"
	"l2_int3_next:\n\tvmcall\n\tud2\n"

	/* An INT n that L1 injects as a software interrupt with the
	 * instruction's length (it never runs: SDM 27.6.1.1). */
	".globl l2_int_n, l2_int_n_next\n"
	"l2_int_n:\n\tint $" L2_STR(L2_INT_N_VECTOR) "\n"
	"l2_int_n_next:\n\tvmcall\n\tud2\n"

	/* STI; NOP: interrupts are blocked until after the NOP. */
	".globl l2_sti_nop, l2_sti_nop_end\n"
	"l2_sti_nop:\n\tsti\n\tnop\n"
	"l2_sti_nop_end:\n\tvmcall\n\tud2\n"
	".popsection");
