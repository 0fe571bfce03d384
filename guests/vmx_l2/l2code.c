/* The L2 programs: code of this image that L2 runs, in 64-bit mode at CPL 0
 * on L1's page tables. Each ends in VMCALL, which exits unconditionally
 * (SDM Vol. 3C 26.1.2), then UD2, which the all-ones exception bitmap
 * turns into an exit too: L2 never runs past its program. Labels inside a
 * program mark the instructions whose exits the tests check by RIP. */
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
	".popsection");
