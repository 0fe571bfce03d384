/* vmx_l2: an L1 hypervisor that runs L2 guests and checks what the CPU (or
 * nestvisor's nested VMX) does with them: exits and their information,
 * MSR-bitmap pass-through, the VM-entry checks, MSR-load failures and
 * interrupts for L1 while L2 runs (SDM Vol. 3C, chapters 25-28).
 *
 * L2 runs in 64-bit mode with paging, sharing L1's page tables, GDT and
 * IDT; its code is in this image (l2code.c), its stack a page of L1's.
 * Every test starts from a fresh, complete and valid vmcs12 (vmcs12.c),
 * changes what it tests, and clears its VMCS at the end: tests do not
 * depend on each other, and main.c runs them in a shuffled order. */
#ifndef VMX_L2_L2_H
#define VMX_L2_L2_H

#include "../lib/guest.h"
#include "../lib/trap.h"
#include "../lib/vmx.h"
#include "../../vmx/vmx_controls.h"

/* L2's general-purpose registers but RSP (in the VMCS): what l2_enter()
 * loads before VM entry and saves after the VM exit. */
struct l2_regs {
	u64 rax, rcx, rdx, rbx, rbp, rsi, rdi;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

/* What one VM entry attempt ended with. */
struct l2_exit {
	bool entered;		/* a VM exit (or VM-entry failure exit) came */
	enum vmx_outcome fail;	/* else: VMfailInvalid / VMfailValid */
	u32 error;		/* VMfailValid: VM-instruction error */
	u32 reason;		/* full exit reason (bit 31: entry failure) */
	u64 qualification, rip, len, intr_info;
};

/* The capability MSR of each control word: the TRUE one where
 * IA32_VMX_BASIC bit 55 says it exists (SDM Vol. 3D, A.2). */
enum l2_ctl { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY, CTL_COUNT };

struct l2_env {
	struct vmx_features f;
	u64 cap[CTL_COUNT];
	const char *cap_name[CTL_COUNT];
	u32 ctl_field[CTL_COUNT];
	bool vpid;		/* "enable VPID" may be 1 */
	bool bare;		/* on the CPU itself (GUEST_BOOT_BARE), not under nestvisor */
};
extern struct l2_env env;

/* An entry of the VM-entry MSR-load, VM-exit MSR-store and VM-exit
 * MSR-load lists (SDM 25.7.2, 25.8.2, Table 25-15). */
struct msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
};

/* Pages shared by the tests (each test sets what it uses in l2_prepare()). */
extern u8 msr_bitmap[PAGE_SIZE], io_bitmap_a[PAGE_SIZE], io_bitmap_b[PAGE_SIZE];
extern struct l2_regs l2_regs;

/* VMXON (once, main.c). */
bool l2_vmx_on(void);

/* VMCLEAR + VMPTRLD of the test VMCS, then every field of a valid vmcs12
 * for L2 at entry: host state = L1's now, guest state = 64-bit L2 at entry
 * on a stack at the bottom of L1's own (so that exceptions and interrupts
 * L2 takes through L1's IDT reach the library's handlers, smp.h), controls from the capability MSRs' allowed-0 settings
 * plus HLT exiting, unconditional I/O exiting, MSR bitmaps (all clear: no
 * MSR exits), exception bitmap all ones, VPID where advertised. The bitmap
 * pages are cleared, L2's registers zeroed. */
void l2_prepare(const void *entry);
/* VMCLEAR of the test VMCS (nothing current afterwards). */
void l2_finish(void);

/* VMLAUNCH or VMRESUME, and the exit information. Restores L1's GDTR and
 * IDTR limits, which a VM exit sets to 0xffff (SDM 28.5.2). */
struct l2_exit l2_run(bool launch);
static inline struct l2_exit l2_launch(void) { return l2_run(true); }
static inline struct l2_exit l2_resume(void) { return l2_run(false); }
/* Resumes L2 after the instruction that exited (RIP += length). */
struct l2_exit l2_skip_and_resume(const struct l2_exit *e);

/* VMREAD/VMWRITE that must work (a failure is a FAIL line). */
u64 vmcs_read(u32 field);
void vmcs_write(u32 field, u64 value);
/* Sets bits in / clears bits of a control word. */
void vmcs_set_bits(u32 field, u64 bits);
void vmcs_clear_bits(u32 field, u64 bits);

/* Reports "<what>" if e is a VM exit with this exit reason (the full
 * field, bit 31 included), at rip unless NULL, with instruction length len
 * unless negative; else "<what>: got <the exit or VMfail in words>". */
bool check_exit(const struct l2_exit *e, u32 reason, const void *rip, int len,
		const char *fmt, ...) __printf(5, 6);
/* Reports "<what>: VMfailValid(error)" if the VM entry ended so. */
bool check_fail(const struct l2_exit *e, u32 error, const char *fmt, ...) __printf(3, 4);
/* "exit 10 (CPUID) at RIP+0x.. len 2 qual 0x.." or the VMfail words. */
void exit_words(const struct l2_exit *e, char *buf, size_t n);

/* ---- Results: buffered per test, printed in the table's order ---- */
bool res(bool pass, const char *fmt, ...) __printf(2, 3);
void res_info(const char *fmt, ...) __printf(1, 2);
/* A SKIP line: a check that cannot run here, with the reason. */
void res_skip(const char *fmt, ...) __printf(1, 2);

/* ---- Traps L2 takes through L1's IDT (more_events.c) ---- */
/* What L1's handlers saw while L2 ran, for the checks after its VMCALL. */
struct l2_trap_log {
	unsigned count;
	u64 rip, error, cr2;	/* of the last: the frame's RIP, error code, CR2 */
};
extern volatile struct l2_trap_log l2_trap_log;
void l2_trap_reset(void);
/* A trap handler (trap.h) that logs the trap and returns as the frame says. */
void l2_trap_record(struct trap_frame *tf);

/* ---- L2 programs (l2code.c): labels in this image ---- */
#define L2_PROGRAM(name) extern const u8 name[]
L2_PROGRAM(l2_cpuid);		/* cpuid; vmcall */
L2_PROGRAM(l2_cpuid_next);
L2_PROGRAM(l2_vmcall);		/* vmcall */
L2_PROGRAM(l2_hlt);		/* hlt; vmcall */
L2_PROGRAM(l2_hlt_next);
L2_PROGRAM(l2_io);		/* outb %al,%dx; inw %dx,%ax; outl %eax,$0x80; vmcall */
L2_PROGRAM(l2_io_in);
L2_PROGRAM(l2_io_imm);
L2_PROGRAM(l2_io_end);
L2_PROGRAM(l2_rdmsr);		/* rdmsr; vmcall */
L2_PROGRAM(l2_rdmsr_next);
L2_PROGRAM(l2_wrmsr);		/* wrmsr; vmcall */
L2_PROGRAM(l2_wrmsr_next);
L2_PROGRAM(l2_spin);		/* pause loop, RCX times; vmcall */
L2_PROGRAM(l2_spin_end);
L2_PROGRAM(l2_mov_cr);		/* mov %rbx,%cr0; mov %rsi,%cr4; mov %cr0,%rdi; mov %cr4,%rbp; vmcall */
L2_PROGRAM(l2_mov_cr4);
L2_PROGRAM(l2_mov_cr_read);
L2_PROGRAM(l2_mov_cr_end);
L2_PROGRAM(l2_cr3);		/* mov %rbx,%cr3; mov %cr3,%rdi; vmcall */
L2_PROGRAM(l2_cr3_read);
L2_PROGRAM(l2_cr3_end);
L2_PROGRAM(l2_ud);		/* ud2; vmcall */
L2_PROGRAM(l2_ud_next);
L2_PROGRAM(l2_pf);		/* mov (%rbx),%al; vmcall */
L2_PROGRAM(l2_pf_next);
L2_PROGRAM(l2_wait);		/* until (%rbx) != 0, RCX PAUSEs at most; vmcall */
L2_PROGRAM(l2_wait_end);
L2_PROGRAM(l2_sti_hlt);		/* sti; hlt; vmcall */
L2_PROGRAM(l2_sti_hlt_next);
L2_PROGRAM(l2_msr_rw);		/* rdmsr (ECX) to R9:R8; wrmsr R11:R10 to ESI; vmcall */
L2_PROGRAM(l2_msr_rw_end);
L2_PROGRAM(l2_rdtsc);		/* rdtsc; RAX = EDX:EAX; vmcall */
L2_PROGRAM(l2_rdtsc_next);
L2_PROGRAM(l2_rdtsc_end);
L2_PROGRAM(l2_cr8);		/* mov %rbx,%cr8; mov %cr8,%rdi; vmcall */
L2_PROGRAM(l2_cr8_read);
L2_PROGRAM(l2_cr8_end);
L2_PROGRAM(l2_int3);		/* int3; vmcall */
L2_PROGRAM(l2_int3_next);
L2_PROGRAM(l2_int_n);		/* int $L2_INT_N_VECTOR; vmcall */
L2_PROGRAM(l2_int_n_next);
L2_PROGRAM(l2_sti_nop);		/* sti; nop; vmcall */
L2_PROGRAM(l2_sti_nop_end);
#undef L2_PROGRAM
#define L2_INT_N_VECTOR 0x65

/* ---- The tests ---- */
/* The test table (tests_all.c for vmx_l2; tests_checks.c for
 * vmx_l2_checks, the entry-check cases alone, which need no L2 to run). */
struct l2_test {
	const char *name;
	void (*fn)(void);
};
#define L2_TESTS_MAX 48
extern const struct l2_test l2_tests[];
extern const unsigned l2_test_count;

void t_cpuid(void);
void t_vmcall(void);
void t_hlt(void);
void t_io_unconditional(void);
void t_io_bitmaps(void);
void t_msr_intercepted(void);
void t_msr_outside_ranges(void);
void t_fs_base_passed(void);
void t_fs_base_intercepted(void);
void t_bad_controls(void);
void t_bad_host(void);
void t_bad_guest(void);
void t_bad_link(void);
void t_msr_load(void);
void t_launch_state(void);
void t_intr_exit(void);
void t_intr_ack(void);
void t_nmi_exit(void);
void t_nmi_l2(void);
void t_cr_owned(void);
void t_cr_unowned(void);
void t_cr_fixed(void);
void t_cr3(void);
void t_exc_ud(void);
void t_exc_pf(void);
void t_intr_in_l2(void);
void t_hlt_in_l2(void);
void t_hlt_intr_exit(void);
void t_intr_vectoring(void);
void t_msr_lists(void);
void t_entry_failure(void);
void t_tsc_offset(void);
void t_cr8(void);
void t_exc_bp(void);
void t_inject(void);
void t_intr_window(void);

#endif
